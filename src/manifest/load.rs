//! Reading a manifest from disk: the file, checked and decoded, then
//! parsed. Every failure names the file.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::parse;
use super::{Manifest, Spans};
use crate::diagnostic::{self, Report, Source};

/// A manifest read from disk and parsed.
#[derive(Debug)]
pub struct LoadedManifest {
    pub path: PathBuf,
    pub source: Source,
    pub manifest: Manifest,
    pub spans: Spans,
}

/// Reads and parses a manifest. Every failure names the file.
pub fn load_manifest(path: &Path) -> Result<LoadedManifest> {
    let name = path.display().to_string();
    if path.is_dir() {
        anyhow::bail!(
            "`{name}` is a directory, not a manifest; pass the file, e.g. `-m {}`",
            path.join("shipit.toml").display()
        );
    }
    let bytes = match crate::input::read_file(path, &context_dir(path))? {
        Some(bytes) => bytes,
        None => {
            anyhow::bail!("cannot read `{name}`: no such file; pass the manifest with `-m PATH`")
        }
    };
    let text = String::from_utf8(bytes).map_err(|error| {
        let offset = error.utf8_error().valid_up_to();
        let valid = String::from_utf8_lossy(&error.as_bytes()[..offset]).into_owned();
        let (line, column) = diagnostic::line_col(&valid, offset);
        anyhow::anyhow!(
            "`{name}` is not UTF-8 text (invalid byte at {name}:{line}:{column}); a manifest is a TOML file"
        )
    })?;
    let source = Source { name, text };
    match parse::parse(&source) {
        Ok((manifest, spans)) => Ok(LoadedManifest {
            path: path.to_path_buf(),
            source,
            manifest,
            spans,
        }),
        Err(diagnostics) => Err(Report {
            source,
            diagnostics,
        }
        .into()),
    }
}

/// The build context: the directory holding the manifest.
pub fn context_dir(manifest_path: &Path) -> PathBuf {
    match manifest_path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}
