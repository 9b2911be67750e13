//! The tree commands' walk (`check --all`, `bake`, `lock --all`): every
//! `shipit.toml` under a directory, honouring `.gitignore` and friends, on
//! every core; a directory that cannot be read is one error report.

use std::path::{Path, PathBuf};

use anyhow::Result;

use super::report::{CheckReport, Status};

/// Every `shipit.toml` under `root`, honouring .gitignore and friends,
/// sorted so reports are deterministic; and an error report for each
/// directory or entry that could not be read.
pub(crate) fn find_manifests(root: &Path) -> Result<(Vec<PathBuf>, Vec<CheckReport>)> {
    let (mut found, unreadable) = walk_manifests(root, |manifest| manifest.to_path_buf())?;
    found.sort();
    Ok((found, unreadable))
}

/// Walks `root` with the `.gitignore` rules and calls `f` on each
/// `shipit.toml` as the walk finds it, on every core: the walk and the work
/// overlap. Results come back in no particular order; a directory that
/// cannot be read is one error report.
pub(crate) fn walk_manifests<R: Send>(
    root: &Path,
    f: impl Fn(&Path) -> R + Sync,
) -> Result<(Vec<R>, Vec<CheckReport>)> {
    if !root.is_dir() {
        anyhow::bail!("cannot walk `{}`: not a directory", root.display());
    }
    // The walker reads every ignore file it meets, whole: one that is not
    // a plain file of a sane size (a FIFO would hang it, megabytes of
    // patterns take gigabytes) is an error, and its directory is skipped.
    let refused = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let ancestors: Vec<&Path> = root.ancestors().collect();
    if let Some(report) = ancestors
        .iter()
        .rev()
        .find_map(|dir| ignore_files_problem(dir))
    {
        return Ok((Vec::new(), vec![report]));
    }
    let (send, receive) = std::sync::mpsc::channel();
    let seen = refused.clone();
    ignore::WalkBuilder::new(root)
        .require_git(false)
        .filter_entry(move |entry| {
            if !entry.file_type().is_some_and(|t| t.is_dir()) {
                return true;
            }
            match ignore_files_problem(entry.path()) {
                Some(report) => {
                    if let Ok(mut refused) = seen.lock() {
                        refused.push(report);
                    }
                    false
                }
                None => true,
            }
        })
        .build_parallel()
        .run(|| {
            let send = send.clone();
            let f = &f;
            Box::new(move |entry| {
                let found = match classify(entry, root) {
                    Some(Found::Manifest(manifest)) => Ok(f(&manifest)),
                    Some(Found::Unreadable(report)) => Err(report),
                    None => return ignore::WalkState::Continue,
                };
                match send.send(found) {
                    Ok(()) => ignore::WalkState::Continue,
                    Err(_) => ignore::WalkState::Quit,
                }
            })
        });
    drop(send);
    let mut results = Vec::new();
    let mut unreadable = Vec::new();
    for found in receive {
        match found {
            Ok(result) => results.push(result),
            Err(report) => unreadable.push(report),
        }
    }
    if let Ok(mut refused) = refused.lock() {
        unreadable.append(&mut refused);
    }
    unreadable.sort_by(|a, b| a.manifest.cmp(&b.manifest));
    Ok((results, unreadable))
}

/// The ignore files the walker reads in `dir`, when one of them is not a
/// regular file of at most [`crate::input::MAX_BYTES`]: an error report.
fn ignore_files_problem(dir: &Path) -> Option<CheckReport> {
    [".gitignore", ".ignore", ".git/info/exclude"]
        .iter()
        .find_map(|name| {
            let path = dir.join(name);
            let linked = std::fs::symlink_metadata(&path)
                .ok()?
                .file_type()
                .is_symlink();
            // A link may lead anywhere (`/proc/self/pagemap` reads as an
            // endless regular file of length 0): only one that stays in
            // its own directory is read.
            let inside = || -> Option<bool> {
                let target = std::fs::canonicalize(&path).ok()?;
                Some(target.starts_with(std::fs::canonicalize(dir).ok()?))
            };
            let metadata = std::fs::metadata(&path).ok();
            let problem = if linked && inside() != Some(true) {
                "it is a symbolic link out of its directory".to_string()
            } else if metadata.as_ref().is_some_and(|m| !m.is_file()) {
                "it is not a regular file".to_string()
            } else if let Some(len) = metadata
                .as_ref()
                .map(|m| m.len())
                .filter(|len| *len > crate::input::MAX_BYTES)
            {
                format!(
                    "it is {len} bytes; shipit reads ignore files of at most {} bytes",
                    crate::input::MAX_BYTES
                )
            } else {
                return None;
            };
            let shown = path.display().to_string();
            Some(CheckReport {
                message: format!(
                    "error: cannot read `{}`: {problem}",
                    crate::text::shown_value(&shown)
                ),
                dockerfile: shown.clone(),
                manifest: dir.display().to_string(),
                status: Status::Error,
                ..CheckReport::default()
            })
        })
}

/// What one entry of the walk is to the tree commands.
enum Found {
    Manifest(PathBuf),
    /// A directory that cannot be read: one error report.
    Unreadable(CheckReport),
}

/// One entry of the walk: a manifest, an error report, or neither.
fn classify(entry: Result<ignore::DirEntry, ignore::Error>, root: &Path) -> Option<Found> {
    match entry {
        Ok(entry) => (entry.file_name() == "shipit.toml"
            && entry.file_type().is_some_and(|t| t.is_file()))
        .then(|| Found::Manifest(entry.into_path())),
        Err(error) => {
            let path = error_path(&error).unwrap_or_else(|| root.to_path_buf());
            let shown = path.display().to_string();
            Some(Found::Unreadable(CheckReport {
                message: format!("error: cannot read `{shown}`: {}", error_cause(&error)),
                dockerfile: shown.clone(),
                manifest: shown,
                status: Status::Error,
                ..CheckReport::default()
            }))
        }
    }
}

/// The path an error from the directory walk is about.
fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        ignore::Error::Partial(errors) => errors.iter().find_map(error_path),
        _ => None,
    }
}

/// The error without the path (which the message names already).
fn error_cause(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => error_cause(err),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreadable_directory_is_one_error_entry() {
        let denied = ignore::Error::WithPath {
            path: PathBuf::from("tree/locked"),
            err: Box::new(ignore::Error::Io(std::io::Error::from(
                std::io::ErrorKind::PermissionDenied,
            ))),
        };
        let Some(Found::Unreadable(report)) = classify(Err(denied), Path::new("tree")) else {
            panic!("an unreadable directory is an error report");
        };
        assert_eq!(report.manifest, "tree/locked");
        assert_eq!(report.status, Status::Error);
        assert!(
            report.message.contains("cannot read `tree/locked`"),
            "{}",
            report.message
        );
    }
}
