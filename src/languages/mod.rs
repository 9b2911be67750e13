//! The language layer: one module per language, each implementing
//! [`Support`](support::Support), registered in the one table below
//! ([`support`]). Adding a language is its module, its template
//! (`templates/<key>.Dockerfile.j2`), its line in the manifest's
//! `Language` list and in [`support`], and its typed table in
//! `manifest`. `support` holds what every language shares, `members` the
//! workspace walk, `versions` the toolchain versions.

pub(crate) mod arguments;
mod c;
mod go;
pub(crate) mod members;
mod node;
mod python;
mod rust;
pub(crate) mod support;
pub(crate) mod versions;

use std::path::Path;

use crate::manifest::Language;
use crate::plan::context::{Cx, LanguageDefaults};
use support::{Draft, Support};

pub(crate) use go::embeds as go_embeds;
pub(crate) use node::assets::{AssetToolchain, asset_toolchain, draft_assets};
pub(crate) use python::names_path as python_names_path;

/// The module that supports `language`: the one table of languages.
pub(crate) fn support(language: Language) -> &'static dyn Support {
    match language {
        Language::Go => &go::Go,
        Language::Node => &node::Node,
        Language::Python => &python::Python,
        Language::C => &c::C,
        Language::Rust => &rust::Rust,
    }
}

pub(crate) fn defaults(cx: &mut Cx) -> LanguageDefaults {
    support(cx.manifest.language).defaults(cx)
}

/// Of the languages `dir` looks like, the ones that stay, and why: a
/// go.mod or Cargo.toml is decisive over C sources beside it (a cgo shim,
/// a vendored library), and a pyproject.toml built by maturin packages
/// the Rust crate beside it for PyPI.
pub(crate) fn decisive(dir: &Path, candidates: Vec<Language>) -> (Vec<Language>, Vec<String>) {
    let mut reasons = Vec::new();
    let mut kept = candidates.clone();
    for (decisive, file) in [(Language::Go, "go.mod"), (Language::Rust, "Cargo.toml")] {
        if !candidates.contains(&decisive) {
            continue;
        }
        if candidates.contains(&Language::C) {
            kept.retain(|l| *l != Language::C);
            reasons.push(format!(
                "`{file}` is decisive: the C sources beside it are part of the {} project",
                decisive.key()
            ));
        } else if dir.join("Makefile").is_file() {
            reasons.push(format!(
                "`{file}` is decisive: a {} project (the Makefile beside it is the developers'; the image builds without it)",
                decisive.key()
            ));
        }
    }
    if candidates.contains(&Language::Rust)
        && candidates.contains(&Language::Python)
        && python::built_by_maturin(dir)
    {
        kept.retain(|l| *l != Language::Python);
        reasons.push(
            "pyproject.toml: `build-backend = \"maturin\"` packages the Rust crate for PyPI: a Rust project"
                .into(),
        );
    }
    (kept, reasons)
}

/// A starter manifest for the project in `dir`.
pub(crate) fn detect(
    language: Language,
    dir: &Path,
    root: &Path,
    manager: Option<&str>,
) -> anyhow::Result<Draft> {
    let chosen = support(language);
    if let Some(manager) = manager
        && !chosen.chooses_manager()
    {
        let choosers: Vec<String> = Language::ALL
            .iter()
            .filter(|l| support(**l).chooses_manager())
            .map(|l| format!("`{}`", l.key()))
            .collect();
        anyhow::bail!(
            "`--manager {manager}` does not apply to `{}`: only {} projects have a package manager to choose",
            language.key(),
            choosers.join(", ")
        );
    }
    chosen.detect(dir, root, manager)
}
