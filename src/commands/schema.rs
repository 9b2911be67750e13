//! `shipit schema`: the manifest's JSON Schema on stdout.

use std::io::Write;

use anyhow::Result;

use super::env::EXIT_OK;

pub(crate) fn run(out: &mut dyn Write) -> Result<i32> {
    out.write_all(crate::schema::schema_json().as_bytes())?;
    Ok(EXIT_OK)
}
