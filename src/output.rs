//! Writing files: always through a temporary file in the same directory
//! and a rename, so a reader sees the old file or the new one, never half.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Replaces `path` with `contents` atomically. The file keeps its
/// permissions when it exists; a new one is readable by all (0644).
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let name = path.display();
    if path.is_dir() {
        anyhow::bail!("cannot write `{name}`: it is a directory");
    }
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut file = tempfile::NamedTempFile::new_in(dir).with_context(|| {
        format!(
            "cannot write `{name}`: cannot create a file in `{}`",
            dir.display()
        )
    })?;
    file.write_all(contents)
        .and_then(|()| file.as_file().sync_all())
        .with_context(|| format!("cannot write `{name}`"))?;
    let permissions = match std::fs::metadata(path) {
        Ok(metadata) => Some(metadata.permissions()),
        Err(_) => default_permissions(),
    };
    if let Some(permissions) = permissions {
        std::fs::set_permissions(file.path(), permissions)
            .with_context(|| format!("cannot write `{name}`"))?;
    }
    file.persist(path)
        .map_err(|error| error.error)
        .with_context(|| format!("cannot write `{name}`"))?;
    Ok(())
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
