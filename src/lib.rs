//! shipit: a typed `shipit.toml` → an idiomatic multi-stage Dockerfile.
//!
//! One straight path, one module per arrow:
//! `manifest` (parse) → `plan` (resolve) → `render` (templates) →
//! `output` (stdout or an atomic file) or `check` (diff against disk).

pub mod check;
pub mod cli;
mod commands;
pub mod diagnostic;
#[doc(hidden)]
pub mod fuzzing;
pub mod input;
mod languages;
pub mod lock;
pub mod manifest;
pub mod output;
mod parallel;
pub mod plan;
mod registry;
pub mod render;
pub mod schema;
mod suggest;
pub mod templates;
pub mod text;

use std::ffi::OsString;
use std::io::Write;

pub use commands::{EXIT_DRIFT, EXIT_ERROR, EXIT_OK, Env};

pub use diagnostic::report_error;
pub use manifest::load::{LoadedManifest, context_dir, load_manifest};
pub use render::outputs::{Outputs, render_manifest, render_outputs};

/// The whole program: parse arguments, run the command, report. Returns
/// the exit code.
pub fn run() -> i32 {
    // A panic is a bug in shipit: say so in one line, with the message shown
    // safely, instead of the default hook's text.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into());
        eprintln!(
            "error: internal error (a bug in shipit): {}; please report it",
            text::shown(&message)
        );
    }));
    let env = Env::from_process();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run_with(
        std::env::args_os(),
        &env,
        &mut stdout.lock(),
        &mut stderr.lock(),
    )
}

/// [`run`] with its inputs and outputs passed in.
///
/// A failed write to `out` (a full disk, `> /dev/full`, a closed pipe) is
/// an error like any other: exit 2 and a message, never a panic and never
/// a success.
pub fn run_with(
    args: impl IntoIterator<Item = OsString>,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let mut out = Product {
        inner: out,
        failed: None,
    };
    let code = run_command(args, env, &mut out, err);
    let flushed = out.flush();
    match out.failed.take() {
        Some(error) => {
            let _ = writeln!(err, "error: cannot write to stdout: {error}");
            EXIT_ERROR
        }
        None if flushed.is_err() => EXIT_ERROR,
        None => code,
    }
}

fn run_command(
    args: impl IntoIterator<Item = OsString>,
    env: &Env,
    out: &mut Product,
    err: &mut dyn Write,
) -> i32 {
    use clap::Parser as _;
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let text = if env.color_stderr {
                error.render().ansi().to_string()
            } else {
                error.render().to_string()
            };
            return if error.use_stderr() {
                let _ = write!(err, "{text}");
                EXIT_ERROR
            } else {
                // `--help` and `--version`: the product, on stdout.
                let _ = write!(out, "{text}");
                EXIT_OK
            };
        }
    };
    match commands::dispatch(cli.command, env, out, err) {
        Ok(code) => code,
        // A failed write to stdout is reported once, by `run_with`.
        Err(_) if out.failed.is_some() => EXIT_ERROR,
        Err(error) => {
            let _ = write!(err, "{}", report_error(&error, env.color_stderr));
            EXIT_ERROR
        }
    }
}

/// stdout, remembering its first write error so that no command can lose
/// it (a `let _ = write!`, a library that swallows it).
struct Product<'a> {
    inner: &'a mut dyn Write,
    failed: Option<std::io::Error>,
}

impl Write for Product<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(error) = &self.failed {
            return Err(std::io::Error::new(error.kind(), error.to_string()));
        }
        self.inner.write(buf).inspect_err(|error| {
            self.failed = Some(std::io::Error::new(error.kind(), error.to_string()));
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if let Some(error) = &self.failed {
            return Err(std::io::Error::new(error.kind(), error.to_string()));
        }
        self.inner.flush().inspect_err(|error| {
            self.failed = Some(std::io::Error::new(error.kind(), error.to_string()));
        })
    }
}
