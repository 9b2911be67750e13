//! Reading files: the manifest, the committed Dockerfile and
//! `.dockerignore` that `check` compares, organisation templates. Only
//! regular files (a FIFO would block, `/dev/zero` never ends), at most
//! [`MAX_BYTES`], and a file reached through a symbolic link only when the
//! link resolves inside the directory it belongs to (the project, or the
//! template directory), so a committed link cannot make shipit print
//! `/proc/self/environ` or a file from elsewhere on the machine.

use std::io::Read as _;
use std::path::Path;

use anyhow::{Context as _, Result};

/// The largest file shipit reads: far above any manifest, Dockerfile or
/// template, far below what would exhaust memory.
pub const MAX_BYTES: u64 = 4 * 1024 * 1024;

/// The bytes of `path`, or `None` when there is no such file. `root` is
/// the directory a symbolic link must resolve inside.
pub fn read_file(path: &Path, root: &Path) -> Result<Option<Vec<u8>>> {
    let name = path.display();
    let link = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error).with_context(|| format!("cannot read `{name}`")),
    };
    let metadata = if link.file_type().is_symlink() {
        let target = path.canonicalize().with_context(|| {
            format!("cannot read `{name}`: it is a symbolic link that does not resolve")
        })?;
        let root = root.canonicalize().with_context(|| {
            format!("cannot read `{name}`: cannot resolve `{}`", root.display())
        })?;
        if !target.starts_with(&root) {
            anyhow::bail!(
                "cannot read `{name}`: it is a symbolic link to `{}`, outside `{}`; shipit follows links only inside the project (or template) directory",
                target.display(),
                root.display()
            );
        }
        std::fs::metadata(path).with_context(|| format!("cannot read `{name}`"))?
    } else {
        // Not a link: what lstat said is what stat would say.
        link
    };
    check_regular(path, &metadata)?;
    let file = std::fs::File::open(path).with_context(|| format!("cannot read `{name}`"))?;
    // Again on the open file, in case it was swapped since.
    check_regular(path, &file.metadata()?)?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize + 1);
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read `{name}`"))?;
    if bytes.len() as u64 > MAX_BYTES {
        anyhow::bail!(too_large(path));
    }
    Ok(Some(bytes))
}

/// The first symbolic link on the way from `root` down to `root/relative`,
/// the last component included, as a path relative to `root`. Only the
/// components below `root` count: the build context itself may sit below
/// a link (`/tmp` on macOS, a linked home directory).
pub fn first_link(root: &Path, relative: &str) -> Option<String> {
    let mut path = root.to_path_buf();
    let mut walked: Vec<&str> = Vec::new();
    for part in relative.split('/').filter(|p| !p.is_empty() && *p != ".") {
        path.push(part);
        walked.push(part);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Some(walked.join("/"));
        }
    }
    None
}

/// Why a file a project file names is not read: where it is, and what is
/// in the way. Every file shipit reads because another file names it
/// (go.work `use`, go.mod `replace`, requirement includes, workspace
/// members, `file:` dependencies, Cargo members, toolchain files) is read
/// through [`read_inside`], which refuses these.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The path is absolute or climbs out of the build context.
    Outside(String),
    /// It is reached through this symbolic link (relative to the root).
    Link { file: String, link: String },
    /// It is there but not a regular UTF-8 file of at most [`MAX_BYTES`].
    Unreadable(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Outside(file) => write!(f, "`{file}`, which is not inside the build context"),
            Refused::Link { file, link } if file == link => {
                write!(f, "`{file}`, which is a symbolic link")
            }
            Refused::Link { file, link } => {
                write!(f, "`{file}`, reached through the symbolic link `{link}`")
            }
            Refused::Unreadable(file) => write!(
                f,
                "`{file}`, which is not a regular UTF-8 file of at most {} MiB",
                MAX_BYTES / (1024 * 1024)
            ),
        }
    }
}

/// The text of `relative`, a path below the build context `root` that a
/// project file names, or `None` when there is no such file. It is read
/// only when no component between `root` and the file (the file included)
/// is a symbolic link and it stays inside `root`: what a file names is
/// followed where the image build would copy it from, never elsewhere.
pub fn read_inside(root: &Path, relative: &str) -> Result<Option<String>, Refused> {
    let shown = crate::text::shown_value(relative).to_string();
    let Some(clean) = normal_relative(relative) else {
        return Err(Refused::Outside(shown));
    };
    if let Some(link) = first_link(root, &clean) {
        return Err(Refused::Link {
            file: crate::text::shown_value(&clean).to_string(),
            link: crate::text::shown_value(&link).to_string(),
        });
    }
    match read_file(&root.join(&clean), root) {
        Ok(None) => Ok(None),
        Ok(Some(bytes)) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| Refused::Unreadable(shown)),
        Err(_) => Err(Refused::Unreadable(shown)),
    }
}

/// `relative` with `.` and `..` resolved, or `None` when it is absolute or
/// climbs above where it starts.
fn normal_relative(relative: &str) -> Option<String> {
    if relative.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// The bytes of a file of the user's own rather than the project's (Docker's
/// `config.json`), or `None` when there is none. A symbolic link is
/// followed wherever it leads, as dotfile managers link such files from
/// elsewhere; the file it resolves to is read like any other: a regular
/// file, at most [`MAX_BYTES`].
pub fn read_user_file(path: &Path) -> Result<Option<Vec<u8>>> {
    let target = match path.canonicalize() {
        Ok(target) => target,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read `{}`", path.display()));
        }
    };
    let dir = target.parent().unwrap_or(Path::new("/"));
    read_file(&target, dir)
}

fn check_regular(path: &Path, metadata: &std::fs::Metadata) -> Result<()> {
    let name = path.display();
    if metadata.is_dir() {
        anyhow::bail!("cannot read `{name}`: it is a directory");
    }
    if !metadata.is_file() {
        anyhow::bail!(
            "cannot read `{name}`: not a regular file (a FIFO, socket or device); shipit reads only regular files"
        );
    }
    if metadata.len() > MAX_BYTES {
        anyhow::bail!(too_large(path));
    }
    Ok(())
}

fn too_large(path: &Path) -> String {
    format!(
        "cannot read `{}`: larger than {} MiB, which no manifest, Dockerfile or template is",
        path.display(),
        MAX_BYTES / (1024 * 1024)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_special_files_links_out_and_huge_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("ok"), "x").unwrap();
        assert_eq!(read_file(&root.join("ok"), root).unwrap().unwrap(), b"x");
        assert!(read_file(&root.join("missing"), root).unwrap().is_none());

        std::os::unix::fs::symlink("ok", root.join("inside")).unwrap();
        assert!(read_file(&root.join("inside"), root).unwrap().is_some());
        std::os::unix::fs::symlink("/proc/self/environ", root.join("environ")).unwrap();
        let error = read_file(&root.join("environ"), root)
            .unwrap_err()
            .to_string();
        assert!(error.contains("outside"), "{error}");
        // Not even a regular file, read directly.
        let error = read_file(Path::new("/dev/zero"), Path::new("/dev"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("not a regular file"), "{error}");

        let big = std::fs::File::create(root.join("big")).unwrap();
        big.set_len(MAX_BYTES + 1).unwrap();
        let error = read_file(&root.join("big"), root).unwrap_err().to_string();
        assert!(error.contains("larger than"), "{error}");
    }

    #[test]
    fn a_user_file_follows_links_anywhere_but_is_still_checked() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(elsewhere.path().join("config.json"), "{}").unwrap();
        std::os::unix::fs::symlink(elsewhere.path().join("config.json"), root.join("linked"))
            .unwrap();
        assert_eq!(
            read_user_file(&root.join("linked")).unwrap().unwrap(),
            b"{}"
        );
        assert!(read_user_file(&root.join("missing")).unwrap().is_none());

        let fifo = root.join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let error = format!("{:#}", read_user_file(&fifo).unwrap_err());
        assert!(error.contains("not a regular file"), "{error}");
        std::os::unix::fs::symlink(&fifo, root.join("to-fifo")).unwrap();
        let error = format!("{:#}", read_user_file(&root.join("to-fifo")).unwrap_err());
        assert!(error.contains("not a regular file"), "{error}");

        let big = std::fs::File::create(root.join("big")).unwrap();
        big.set_len(MAX_BYTES + 1).unwrap();
        let error = format!("{:#}", read_user_file(&root.join("big")).unwrap_err());
        assert!(error.contains("larger than"), "{error}");
    }
}
