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
        }
        None => out.write_all(outputs.dockerfile.text.as_bytes())?,
    }
    Ok(EXIT_OK)
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

/// Why a file on disk is not shipit's to replace: `None` when there is
/// none, or shipit wrote it and nobody edited it since.
fn not_shipits(file: &Path) -> Result<Option<&'static str>> {
    let Some(bytes) = crate::input::read_file(file, &crate::manifest::load::context_dir(file))?
    else {
        return Ok(None);
    };
    Ok(
        match crate::render::digest_matches(&String::from_utf8_lossy(&bytes)) {
            Some(true) => None,
            Some(false) => Some("was edited by hand since shipit wrote it"),
            None => Some("was not written by shipit"),
        },
    )
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
        "`{}` {why}, and rendering would replace it{also}; compare first with `shipit render -m {} > {}.shipit`, then move what it needs into the manifest and run again with `{force_flags}`",
        dockerfile.display(),
        manifest.display(),
        dockerfile.display()
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
