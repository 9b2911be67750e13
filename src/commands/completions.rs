//! `shipit completions SHELL` and `shipit man`: generated from the
//! argument definitions.

use std::io::Write;

use anyhow::Result;
use clap::CommandFactory as _;

use super::env::EXIT_OK;
use crate::cli::Cli;

/// A shell completion script. clap_complete panics on a write error:
/// generate in memory, then write (and report) it ourselves.
pub(crate) fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> Result<i32> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "shipit", &mut script);
    out.write_all(&script)?;
    Ok(EXIT_OK)
}

/// The man page (roff).
pub(crate) fn man(out: &mut dyn Write) -> Result<i32> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command()).render(&mut page)?;
    out.write_all(&page)?;
    Ok(EXIT_OK)
}
