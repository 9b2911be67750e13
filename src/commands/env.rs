//! What every command shares: the process environment it reads, and the
//! exit codes it returns.

use std::ffi::OsString;
use std::io::IsTerminal;

/// Everything is as it should be.
pub const EXIT_OK: i32 = 0;
/// `check` found drift.
pub const EXIT_DRIFT: i32 = 1;
/// Bad input, an unreadable file, a template error: nothing was written.
pub const EXIT_ERROR: i32 = 2;

/// What the process environment says, gathered once so the commands stay
/// testable.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// `$SHIPIT_TEMPLATES`: organisation template directories.
    pub templates_path: Option<OsString>,
    /// Colour diffs on stdout.
    pub color_stdout: bool,
    /// Colour diagnostics on stderr.
    pub color_stderr: bool,
    /// `$SHIPIT_INSECURE_REGISTRIES`: hosts `lock` speaks plain HTTP to.
    pub insecure_registries: Option<OsString>,
}

impl Env {
    pub fn from_process() -> Env {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Env {
            templates_path: std::env::var_os("SHIPIT_TEMPLATES"),
            color_stdout: !no_color && std::io::stdout().is_terminal(),
            color_stderr: !no_color && std::io::stderr().is_terminal(),
            insecure_registries: std::env::var_os("SHIPIT_INSECURE_REGISTRIES"),
        }
    }
}
