//! Writing files: all or nothing. Every target is checked before any is
//! touched, each is staged as a temporary file in its own directory, and
//! only when all are staged are they renamed into place, so a reader sees
//! the old files or the new ones, never half of either, and an error
//! leaves nothing behind.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Replaces `path` with `contents` atomically. The file keeps its
/// permissions when it exists; a new one is readable by all (0644).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    write_all(&[(path.to_path_buf(), contents.to_vec())]).map(|_| ())
}

/// Writes every file or none. A symbolic link is followed when its target
/// is inside the link's own directory (else refused): its target is
/// replaced and the link stays. Returns the paths written (the links'
/// targets where a link was followed).
pub fn write_all(files: &[(PathBuf, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    let mut targets: Vec<PathBuf> = Vec::with_capacity(files.len());
    for (path, _) in files {
        let target = target(path)?;
        if let Some(index) = targets.iter().position(|t| same_file(t, &target)) {
            anyhow::bail!(
                "cannot write `{}` and `{}`: they are the same file",
                files[index].0.display(),
                path.display()
            );
        }
        targets.push(target);
    }

    let mut staged = Vec::with_capacity(files.len());
    for ((path, contents), target) in files.iter().zip(&targets) {
        staged.push(stage(path, target, contents)?);
    }
    for ((path, _), (file, target)) in files.iter().zip(staged) {
        file.persist(&target)
            .map_err(|error| error.error)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    Ok(targets)
}

/// Where writing `path` lands, checked: a regular file or nothing yet, in
/// an existing directory.
fn target(path: &Path) -> Result<PathBuf> {
    let name = path.display();
    let target = match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.file_type().is_symlink() => {
            let target = path.canonicalize().with_context(|| {
                format!("cannot write `{name}`: it is a symbolic link that does not resolve")
            })?;
            // As on the read side: a committed link must not make shipit
            // replace a file elsewhere on the machine (~/.bashrc).
            let dir = parent(path);
            let root = dir.canonicalize().with_context(|| {
                format!("cannot write `{name}`: cannot resolve `{}`", dir.display())
            })?;
            if !target.starts_with(&root) {
                anyhow::bail!(
                    "cannot write `{name}`: it is a symbolic link to `{}`, outside `{}`; shipit writes through a link only when it stays in the link's own directory",
                    target.display(),
                    root.display()
                );
            }
            target
        }
        _ => path.to_path_buf(),
    };
    match std::fs::metadata(&target) {
        Ok(metadata) if metadata.is_dir() => {
            anyhow::bail!("cannot write `{name}`: it is a directory")
        }
        Ok(metadata) if !metadata.is_file() => {
            anyhow::bail!("cannot write `{name}`: not a regular file (a FIFO, socket or device)")
        }
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error).with_context(|| format!("cannot write `{name}`")),
    }
    let dir = parent(&target);
    if !dir.is_dir() {
        anyhow::bail!("cannot write `{name}`: no directory `{}`", dir.display());
    }
    Ok(target)
}

/// The full contents in a temporary file beside `target`, with the
/// permissions the file will have.
fn stage(
    path: &Path,
    target: &Path,
    contents: &[u8],
) -> Result<(tempfile::NamedTempFile, PathBuf)> {
    let name = path.display();
    let dir = parent(target);
    let mut file = tempfile::NamedTempFile::new_in(dir).with_context(|| {
        format!(
            "cannot write `{name}`: cannot create a file in `{}`",
            dir.display()
        )
    })?;
    file.write_all(contents)
        .and_then(|()| file.as_file().sync_all())
        .with_context(|| format!("cannot write `{name}`"))?;
    let permissions = match std::fs::metadata(target) {
        Ok(metadata) => Some(metadata.permissions()),
        Err(_) => default_permissions(),
    };
    if let Some(permissions) = permissions {
        std::fs::set_permissions(file.path(), permissions)
            .with_context(|| format!("cannot write `{name}`"))?;
    }
    Ok((file, target.to_path_buf()))
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// The same file, whether or not it exists yet.
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (resolve(a), resolve(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a == b,
    }
}

/// `path` with every link resolved; for a file that does not exist yet,
/// its resolved directory joined with its name.
fn resolve(path: &Path) -> Option<PathBuf> {
    if let Ok(resolved) = path.canonicalize() {
        return Some(resolved);
    }
    let dir = parent(path).canonicalize().ok()?;
    Some(dir.join(path.file_name()?))
}

/// tempfile creates files readable by their owner only; a Dockerfile is
/// for everyone.
#[cfg(unix)]
fn default_permissions() -> Option<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Some(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn default_permissions() -> Option<std::fs::Permissions> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_target_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("Dockerfile");
        let bad = dir.path().join(".dockerignore");
        std::fs::create_dir(&bad).unwrap();
        let error = write_all(&[(good.clone(), b"x".to_vec()), (bad, b"y".to_vec())])
            .unwrap_err()
            .to_string();
        assert!(error.contains("is a directory"), "{error}");
        assert!(!good.exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_link_is_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("real"), "old").unwrap();
        let link = dir.path().join("Dockerfile");
        std::os::unix::fs::symlink("real", &link).unwrap();
        write_atomic(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("real")).unwrap(),
            "new"
        );
    }
}
