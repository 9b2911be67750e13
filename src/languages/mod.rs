//! One small file per language: its defaults and its own checks. Adding a
//! language is one file here, one arm below, and one template.

mod c;
mod go;
mod node;
mod python;

use crate::manifest::{Artifact, Language};
use crate::plan::{Cx, LanguageDefaults};

/// The Debian release that builder and runtime images share where a binary
/// links against glibc, so both sides have the same libc.
pub(crate) const DEBIAN: &str = "trixie";

pub(crate) fn defaults(cx: &mut Cx) -> LanguageDefaults {
    match cx.manifest.language {
        Language::Go => go::defaults(cx),
        Language::Node => node::defaults(cx),
        Language::Python => python::defaults(cx),
        Language::C => c::defaults(cx),
    }
}

/// The usual single artifact: one program built to `/out/<file>` and
/// installed as `/usr/local/bin/<file>`, which is also the entrypoint.
pub(crate) fn program(file: &str) -> (Vec<Artifact>, Vec<String>) {
    let installed = format!("/usr/local/bin/{file}");
    let artifacts = vec![Artifact {
        from: format!("/out/{file}"),
        to: installed.clone(),
    }];
    (artifacts, vec![installed])
}
