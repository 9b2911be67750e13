//! `shipit render`: the Dockerfile on stdout, or both files written
//! atomically with `-o`, never over a file someone relies on.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;

use super::env::{EXIT_OK, Env};
use crate::cli::RenderArgs;

pub(crate) fn run(
    args: RenderArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32> {
    let templates =
        crate::templates::template_dirs(&args.manifest.templates, env.templates_path.as_deref())?;
    // Both files are rendered before either is written.
    // The ignore file names the Dockerfile it keeps out of the context.
    let outputs = match &args.output {
        Some(dockerfile) if !args.no_dockerignore => crate::render::outputs::render_outputs_to(
            &args.manifest.manifest,
            dockerfile,
            &templates,
        )?,
        _ => crate::render::outputs::render_outputs(&args.manifest.manifest, &templates)?,
    };
    write!(err, "{}", outputs.warnings(env.color_stderr))?;
    if let Some(unpinned) = outputs.unpinned.as_ref().filter(|u| !u.is_empty()) {
        let manifest = &args.manifest.manifest;
        let lock = crate::lock::lock_path(manifest);
        let message = crate::lock::unpinned_message(unpinned, &lock, manifest);
        writeln!(err, "warning: {message}")?;
    }
    match &args.output {
        Some(path) => {
            // Every target is checked before anything is written.
            let ignore = (!args.no_dockerignore).then(|| dockerignore_beside(path, &outputs.plan));
            let manifest = &args.manifest.manifest;
            for file in std::iter::once(path).chain(&ignore) {
                if crate::output::same_file(file, manifest) {
                    anyhow::bail!(
                        "refusing to write `{}`: it is the manifest `{}` itself; give the Dockerfile another name, e.g. `-o Dockerfile`",
                        file.display(),
                        manifest.display()
                    );
                }
            }
            keep_users_dockerfile(path, ignore.as_deref(), &args.manifest.manifest, args.force)?;
            let mut files = vec![(path.clone(), outputs.dockerfile.text.into_bytes())];
            if let Some(ignore) = ignore {
                if crate::output::same_file(path, &ignore) {
                    anyhow::bail!(
                        "`-o {}` names the `.dockerignore` shipit writes beside the Dockerfile; write the Dockerfile to another file, e.g. `-o Dockerfile`",
                        path.display()
                    );
                }
                keep_users_dockerignore(&ignore, args.force)?;
                files.push((ignore, outputs.dockerignore.text.into_bytes()));
            }
            let written = crate::output::write_all(&files)?;
            for ((file, _), target) in files.iter().zip(&written) {
                if crate::output::same_file(file, target) && !is_link(file) {
                    writeln!(err, "wrote {}", file.display())?;
                } else {
                    writeln!(err, "wrote {} (the link's target)", target.display())?;
                }
            }
            if let Some((ignore, _)) = files.get(1) {
                for warning in overriding_ignores(path, ignore, manifest) {
                    writeln!(err, "warning: {}", crate::text::shown(&warning))?;
                }
            }
        }
        None => out.write_all(outputs.dockerfile.text.as_bytes())?,
    }
    Ok(EXIT_OK)
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Whose a file on disk is, as `render -o` sees it before replacing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// There is no file: shipit writes one.
    Missing,
    /// Shipit wrote it and nobody edited it since.
    Shipit,
    /// Shipit wrote it and someone edited it since (its digest no longer
    /// matches).
    Edited,
    /// It has no shipit header: someone's own file.
    Theirs,
}

impl Owner {
    /// Whose `file` is.
    pub(crate) fn of(file: &Path) -> Result<Owner> {
        let bytes = crate::input::read_file(file, &crate::manifest::load::context_dir(file))?;
        Ok(Owner::of_text(
            bytes
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .as_deref(),
        ))
    }

    /// Whose a file holding `text` (`None`: missing) is.
    pub(crate) fn of_text(text: Option<&str>) -> Owner {
        match text.map(crate::render::digest_matches) {
            None => Owner::Missing,
            Some(Some(true)) => Owner::Shipit,
            Some(Some(false)) => Owner::Edited,
            Some(None) => Owner::Theirs,
        }
    }

    /// Why the file is not shipit's to replace: `None` when there is none,
    /// or shipit wrote it and nobody edited it since.
    pub(crate) fn not_shipits(self) -> Option<&'static str> {
        match self {
            Owner::Missing | Owner::Shipit => None,
            Owner::Edited => Some("was edited by hand since shipit wrote it"),
            Owner::Theirs => Some("was not written by shipit"),
        }
    }
}

/// Why a file on disk is not shipit's to replace: `None` when there is
/// none, or shipit wrote it and nobody edited it since.
pub(crate) fn not_shipits(file: &Path) -> Result<Option<&'static str>> {
    Ok(Owner::of(file)?.not_shipits())
}

/// The `shipit render -o` command that writes `dockerfile` from `manifest`
/// (and the ignore file `ignore` beside it; `None`: `--no-dockerignore`)
/// and that `render` carries out given the files on disk now: with
/// `--force` when it would replace a file shipit did not write or that was
/// edited since. Every hint that names a render (`check`, `lock`, `init`)
/// comes from here, so each works when pasted.
pub(crate) fn render_command(
    manifest: &Path,
    dockerfile: &Path,
    ignore: Option<&Path>,
) -> Result<String> {
    let mut command = format!(
        "shipit render -m {} -o {}",
        crate::text::shell_word(&manifest.display().to_string()),
        crate::text::shell_word(&dockerfile.display().to_string())
    );
    if ignore.is_none() {
        command.push_str(" --no-dockerignore");
    }
    let mut force = false;
    for file in std::iter::once(dockerfile).chain(ignore) {
        force |= not_shipits(file)?.is_some();
    }
    if force {
        command.push_str(" --force");
    }
    Ok(command)
}

/// The ignore file a plain `render -o dockerfile` would write: the one
/// beside it, unless it has no shipit header — then it is someone's own,
/// kept with `--no-dockerignore` (`None`), as `check` leaves it.
pub(crate) fn ignore_to_write(
    dockerfile: &Path,
    plan: &crate::plan::Plan,
) -> Result<Option<PathBuf>> {
    let ignore = dockerignore_beside(dockerfile, plan);
    Ok((Owner::of(&ignore)? != Owner::Theirs).then_some(ignore))
}

/// The ignore files a builder reads instead of `ignore`, the one shipit
/// writes beside `dockerfile`, each with what to do about it. BuildKit
/// reads `<Dockerfile>.dockerignore` before the context root's
/// `.dockerignore`; podman and buildah read `<Dockerfile>.dockerignore`,
/// then `<Dockerfile>.containerignore`, then the root's `.containerignore`,
/// and only then `.dockerignore`. A workspace member's
/// `<Dockerfile>.dockerignore` comes first for both, so nothing overrides
/// it.
pub(crate) fn overriding_ignores(dockerfile: &Path, ignore: &Path, manifest: &Path) -> Vec<String> {
    if ignore
        .file_name()
        .is_none_or(|name| name != ".dockerignore")
    {
        return Vec::new();
    }
    let name = dockerfile
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Dockerfile".into());
    [
        (format!("{name}.dockerignore"), "BuildKit (docker build), podman and buildah"),
        (format!("{name}.containerignore"), "podman and buildah"),
        (".containerignore".to_string(), "podman and buildah"),
    ]
    .into_iter()
    .map(|(file, readers)| (ignore.with_file_name(file), readers))
    .filter(|(file, _)| std::fs::symlink_metadata(file).is_ok())
    .map(|(file, readers)| {
        format!(
            "`{}` is read instead of `{}` by {readers}, so the patterns shipit writes do not apply there; move its patterns into `build.ignore` in `{}` and remove `{}`",
            file.display(),
            ignore.display(),
            manifest.display(),
            file.display()
        )
    })
    .collect()
}

/// A Dockerfile shipit did not write (no header), or that was edited since
/// (its digest no longer matches), is someone's work: refused unless
/// `--force`.
/// Every file that would be replaced is named at once: `--force` replaces
/// them all, so the user learns here that a hand-written `.dockerignore`
/// (`ignore`) would go too, and how to keep it.
fn keep_users_dockerfile(
    dockerfile: &Path,
    ignore: Option<&Path>,
    manifest: &Path,
    force: bool,
) -> Result<()> {
    let Some(why) = not_shipits(dockerfile)?.filter(|_| !force) else {
        return Ok(());
    };
    let theirs = match ignore {
        Some(ignore) => not_shipits(ignore)?.map(|why| (ignore, why)),
        None => None,
    };
    let (also, force_flags) = match theirs {
        Some((ignore, why)) => (
            format!(
                "; `{}` {why} too, and `--force` alone would replace its patterns as well",
                ignore.display()
            ),
            "--no-dockerignore --force",
        ),
        None => (String::new(), "--force"),
    };
    anyhow::bail!(
        "`{}` {why}, and rendering would replace it{also}; compare first with `shipit render -m {} > {}`, then move what it needs into the manifest and run again with `{force_flags}`",
        dockerfile.display(),
        crate::text::shell_word(&manifest.display().to_string()),
        crate::text::shell_word(&format!("{}.shipit", dockerfile.display()))
    )
}

/// A `.dockerignore` shipit did not write (no header), or that was edited
/// since (its digest no longer matches), holds patterns someone relies on
/// — `.env`, `secrets/` — that a render would drop. Those are refused
/// unless `--force`.
fn keep_users_dockerignore(ignore: &Path, force: bool) -> Result<()> {
    match not_shipits(ignore)? {
        Some(why) if !force => anyhow::bail!(
            "`{}` {why}, and rendering would replace its patterns; move them into `build.ignore` in the manifest (they are kept after the language's own) and run again with `--force`, or keep the file as it is with `--no-dockerignore`",
            ignore.display()
        ),
        _ => Ok(()),
    }
}

/// The ignore file that goes with a Dockerfile, where BuildKit reads it:
/// `.dockerignore` at the context root when the context is the
/// Dockerfile's directory, else `<Dockerfile>.dockerignore` beside it
/// (which BuildKit prefers to the context root's, so each workspace member
/// keeps its own).
pub(crate) fn dockerignore_beside(dockerfile: &Path, plan: &crate::plan::Plan) -> PathBuf {
    if plan.build.member.is_empty() {
        return dockerfile.with_file_name(".dockerignore");
    }
    let name = dockerfile
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Dockerfile".into());
    dockerfile.with_file_name(format!("{name}.dockerignore"))
}
