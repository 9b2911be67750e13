//! `shipit check` (and `render --check`): compares what each manifest
//! renders with the files on disk; exit 1 on drift.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use super::env::Env;
use super::render::{Owner, dockerignore_beside, overriding_ignores, render_command};
use super::report::{CheckReport, Status, write_github, write_text};
use super::walk::walk_manifests;
use crate::check::{self, Outcome};
use crate::cli::{CheckArgs, Format};
use crate::diagnostic::Report;
use crate::templates::Templates;

pub(crate) fn run(
    args: CheckArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32> {
    let templates =
        crate::templates::template_dirs(&args.manifest.templates, env.templates_path.as_deref())?;
    let reports = match &args.all {
        Some(root) => {
            let (mut reports, unreadable) = walk_manifests(root, |manifest| {
                let dockerfile = manifest.with_file_name("Dockerfile");
                check_one(
                    manifest,
                    &dockerfile,
                    &templates,
                    ignore_mode(&args),
                    env.color_stderr,
                )
                .unwrap_or_else(|error| error_report(manifest, &dockerfile, &error))
            })?;
            // A directory that cannot be read is one more error entry; the
            // rest of the tree is still checked.
            reports.extend(unreadable);
            reports.sort_by(|a, b| a.manifest.cmp(&b.manifest));
            reports
        }
        None => {
            let manifest = args.manifest.manifest.clone();
            let dockerfile = args
                .output
                .clone()
                .unwrap_or_else(|| manifest.with_file_name("Dockerfile"));
            let report = check_one(
                &manifest,
                &dockerfile,
                &templates,
                ignore_mode(&args),
                env.color_stderr,
            );
            if args.format == Format::Text {
                // One manifest in text mode: errors read as any command's.
                if let Err(error) = report {
                    return Err(error);
                }
            }
            vec![report.unwrap_or_else(|error| error_report(&manifest, &dockerfile, &error))]
        }
    };
    let worst = reports.iter().map(|r| r.status).max().unwrap_or(Status::Ok);
    // What `render` warns about, `check` does too.
    for report in &reports {
        err.write_all(report.warnings.as_bytes())?;
    }

    match args.format {
        Format::Text => write_text(&reports, args.all.is_some(), env, out, err)?,
        Format::Json => {
            serde_json::to_writer_pretty(&mut *out, &reports)?;
            writeln!(out)?;
        }
        Format::Github => write_github(&reports, out)?,
    }
    Ok(worst.exit_code())
}

/// Whether `check` compares the `.dockerignore` beside the Dockerfile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IgnoreMode {
    /// `--no-dockerignore`: never.
    Skip,
    /// Unless it has no shipit header: then it is the user's own file.
    Shipits,
    /// `--dockerignore`: always.
    Always,
}

fn ignore_mode(args: &CheckArgs) -> IgnoreMode {
    match (args.no_dockerignore, args.dockerignore) {
        (true, _) => IgnoreMode::Skip,
        (false, true) => IgnoreMode::Always,
        (false, false) => IgnoreMode::Shipits,
    }
}

/// The text of a file on disk, `None` when it is missing.
fn on_disk(path: &Path, manifest: &Path) -> Result<Option<String>> {
    Ok(
        crate::input::read_file(path, &crate::manifest::load::context_dir(manifest))?
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
    )
}

fn check_one(
    manifest: &Path,
    dockerfile: &Path,
    templates: &Templates,
    mode: IgnoreMode,
    color: bool,
) -> Result<CheckReport> {
    let outputs = match mode {
        IgnoreMode::Skip => crate::render::outputs::render_outputs(manifest, templates)?,
        _ => crate::render::outputs::render_outputs_to(manifest, dockerfile, templates)?,
    };
    let warnings = outputs.warnings(color);
    let unpinned = outputs.unpinned.clone().unwrap_or_default();
    let manifest_name = manifest.display().to_string();
    let ignore = dockerignore_beside(dockerfile, &outputs.plan);
    let ignore_on_disk = match mode {
        IgnoreMode::Skip => None,
        _ => on_disk(&ignore, manifest)?,
    };
    // No shipit header: the user's own file, as `render --no-dockerignore`
    // left it; only `--dockerignore` compares it.
    let users_own =
        mode == IgnoreMode::Shipits && Owner::of_text(ignore_on_disk.as_deref()) == Owner::Theirs;
    let with_ignore = mode != IgnoreMode::Skip && !users_own;
    let mut files = vec![(
        dockerfile.to_path_buf(),
        on_disk(dockerfile, manifest)?,
        outputs.dockerfile.text,
    )];
    if with_ignore {
        files.push((ignore.clone(), ignore_on_disk, outputs.dockerignore.text));
    }
    let fix = render_command(
        manifest,
        dockerfile,
        with_ignore.then_some(ignore.as_path()),
    )?;
    let note = users_own.then(|| {
        format!(
            "`{}` has no shipit header: it is left to its owner and was not compared (`--dockerignore` compares it too)",
            ignore.display()
        )
    });
    let overrides = match with_ignore {
        true => overriding_ignores(dockerfile, &ignore, manifest),
        false => Vec::new(),
    };
    let report = CheckReport {
        note,
        warnings,
        ..compare_files(&files, &manifest_name, &fix)
    };
    if !unpinned.is_empty() {
        // A lock exists but does not pin an image the render uses: drift
        // even when the Dockerfile matches, since it would build from a
        // moving tag.
        let lock = crate::lock::lock_path(manifest);
        let lock_command = format!(
            "shipit lock -m {}",
            crate::text::shell_word(&manifest.display().to_string())
        );
        return Ok(CheckReport {
            message: format!(
                "{}, then `{fix}`",
                crate::lock::unpinned_message(&unpinned, &lock, manifest)
            ),
            status: Status::Drift,
            reason: Some("unpinned"),
            line: report.line.or(Some(unpinned[0].line)),
            dockerfile: dockerfile.display().to_string(),
            fix: Some(format!("{lock_command} && {fix}")),
            ..report
        });
    }
    if overrides.is_empty() {
        return Ok(report);
    }
    // Another ignore file wins over the one shipit wrote: what it keeps out
    // of the context (`.env`, `secrets/`) is not what the manifest says.
    Ok(match report.status {
        Status::Ok => CheckReport {
            message: overrides.join("; "),
            status: Status::Drift,
            reason: Some("ignore-overridden"),
            dockerfile: ignore.display().to_string(),
            line: Some(1),
            fix: None,
            ..report
        },
        // Drift of its own: the override is one more thing to say.
        _ => {
            let mut warnings = report.warnings.clone();
            for warning in &overrides {
                warnings.push_str(&format!("warning: {}\n", crate::text::shown(warning)));
            }
            CheckReport { warnings, ..report }
        }
    })
}

/// Compares each file on disk with its render: the first drifted file
/// (the Dockerfile before its ignore file) names the reason and the line,
/// the diff covers them all.
fn compare_files(
    files: &[(std::path::PathBuf, Option<String>, String)],
    manifest_name: &str,
    fix: &str,
) -> CheckReport {
    let mut drift: Option<(check::Reason, String, Option<usize>)> = None;
    let mut diffs = String::new();
    for (path, on_disk, rendered) in files {
        let on_disk = on_disk.as_deref();
        let name = path.display().to_string();
        if let Outcome::Drift { reason, diff } =
            check::compare(on_disk, rendered, &name, manifest_name)
        {
            diffs.push_str(&diff);
            if drift.is_none() {
                let line = on_disk
                    .and_then(|old| check::first_changed_line(old, rendered))
                    .or(Some(1));
                drift = Some((reason, name, line));
            }
        }
    }
    let dockerfile_name = files[0].0.display().to_string();
    match drift {
        None => CheckReport {
            message: format!("`{dockerfile_name}` matches `{manifest_name}`"),
            manifest: manifest_name.to_string(),
            dockerfile: dockerfile_name,
            status: Status::Ok,
            ..CheckReport::default()
        },
        Some((reason, file, line)) => CheckReport {
            message: reason.explain(&file, manifest_name, fix),
            manifest: manifest_name.to_string(),
            dockerfile: file,
            status: Status::Drift,
            reason: Some(reason.key()),
            diff: Some(diffs),
            line,
            fix: Some(fix.to_string()),
            ..CheckReport::default()
        },
    }
}

fn error_report(manifest: &Path, dockerfile: &Path, error: &anyhow::Error) -> CheckReport {
    let (line, column) = match error.downcast_ref::<Report>() {
        Some(report) => report
            .diagnostics
            .first()
            .and_then(|d| d.span.clone())
            .map(|span| crate::diagnostic::line_col(&report.source.text, span.start))
            .map_or((None, None), |(l, c)| (Some(l), Some(c))),
        None => (None, None),
    };
    CheckReport {
        manifest: manifest.display().to_string(),
        dockerfile: dockerfile.display().to_string(),
        status: Status::Error,
        reason: None,
        message: crate::diagnostic::report_error(error, false)
            .trim_end()
            .to_string(),
        line,
        column,
        ..CheckReport::default()
    }
}
