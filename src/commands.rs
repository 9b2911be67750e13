//! The commands: each turns parsed arguments into library calls and writes
//! the product to `out`, messages to `err`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

use crate::check::{self, Outcome};
use crate::cli::{
    BakeArgs, CheckArgs, Command, Format, PlanFormat, RenderArgs, TemplateArgs, TemplatesCommand,
};
use crate::diagnostic::Report;
use crate::manifest::Language;
use crate::templates::{self, Loaded, Origin, Templates};
use crate::text::shown;
use crate::{EXIT_DRIFT, EXIT_ERROR, EXIT_OK, Env};

pub(crate) fn dispatch(
    command: Command,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32> {
    match command {
        Command::Render(args) if args.check => check(
            CheckArgs {
                manifest: args.manifest,
                output: args.output,
                all: None,
                format: Format::Text,
                no_dockerignore: args.no_dockerignore,
            },
            env,
            out,
            err,
        ),
        Command::Render(args) => render(args, env, out, err),
        Command::Check(args) => check(args, env, out, err),
        Command::Bake(args) => bake(args, env, out, err),
        Command::Schema => {
            out.write_all(crate::schema::schema_json().as_bytes())?;
            Ok(EXIT_OK)
        }
        Command::Templates(command) => templates(command, env, out, err),
        Command::Lock(args) => {
            let templates = crate::template_dirs(&args.manifest.templates, env)?;
            let manifests = match &args.all {
                Some(dir) => {
                    // A lock is all or nothing: a directory that cannot be
                    // read could hold a manifest it would miss.
                    let (manifests, unreadable) = find_manifests(dir)?;
                    if let Some(report) = unreadable.first() {
                        let cause = report.message.trim_start_matches("error: ");
                        anyhow::bail!("cannot lock `{}`: {cause}", dir.display());
                    }
                    manifests
                }
                None => vec![args.manifest.manifest.clone()],
            };
            let mut insecure = args.insecure_registries.clone();
            insecure.extend(crate::lock::insecure_from_env(
                env.insecure_registries.as_deref(),
            ));
            let options = crate::lock::LockOptions {
                update: args.update,
                insecure,
            };
            crate::lock::lock(&manifests, &templates, &options, err)
        }
        Command::Plan(args) => {
            let templates = crate::template_dirs(&args.manifest.templates, env)?;
            let loaded = crate::load_manifest(&args.manifest.manifest)?;
            let plan = crate::plan_manifest(&loaded)?;
            write!(
                err,
                "{}",
                crate::warnings_text(&loaded.source, &plan, env.color_stderr)
            )?;
            let own = crate::manifest_templates(&loaded, &templates);
            let json =
                crate::explain::plan_json(&loaded, &plan, own.as_ref().unwrap_or(&templates));
            match args.format {
                PlanFormat::Json => {
                    serde_json::to_writer_pretty(&mut *out, &json)?;
                    writeln!(out)?;
                }
                PlanFormat::Toml => out.write_all(crate::explain::plan_toml(&json).as_bytes())?,
            }
            Ok(EXIT_OK)
        }
        Command::Init {
            dir,
            language,
            force,
            manager,
        } => {
            let (language, draft) = crate::init::detect(&dir, language, manager.as_deref())?;
            writeln!(err, "detected {}:", language.key())?;
            for reason in &draft.reasons {
                writeln!(err, "  {}", crate::text::shown(reason))?;
            }
            let templates = crate::template_dirs(&[], env)?;
            let written = crate::init::write(&dir, language, &draft, &templates, force)?;
            for path in &written {
                writeln!(err, "wrote {}", path.display())?;
            }
            let manifest = &written[0];
            writeln!(
                err,
                "next: shipit render -m {} -o {}",
                manifest.display(),
                manifest.with_file_name("Dockerfile").display()
            )?;
            Ok(EXIT_OK)
        }
        Command::Completions { shell } => {
            use clap::CommandFactory as _;
            // clap_complete panics on a write error: generate in memory,
            // then write (and report) it ourselves.
            let mut script = Vec::new();
            clap_complete::generate(
                shell,
                &mut crate::cli::Cli::command(),
                "shipit",
                &mut script,
            );
            out.write_all(&script)?;
            Ok(EXIT_OK)
        }
        Command::Man => {
            use clap::CommandFactory as _;
            let mut page = Vec::new();
            clap_mangen::Man::new(crate::cli::Cli::command()).render(&mut page)?;
            out.write_all(&page)?;
            Ok(EXIT_OK)
        }
    }
}

/// The search path for `templates list|show`: flags, environment, and the
/// manifest's own directory.
fn template_search(args: &TemplateArgs, env: &Env) -> Result<Templates> {
    let templates = crate::template_dirs(&args.templates, env)?;
    let manifest = match &args.manifest {
        Some(path) => Some(path.clone()),
        None => Some(PathBuf::from("shipit.toml")).filter(|p| p.is_file()),
    };
    Ok(match manifest {
        Some(path) => {
            let loaded = crate::load_manifest(&path)?;
            crate::manifest_templates(&loaded, &templates).unwrap_or(templates)
        }
        None => templates,
    })
}

/// `go` → `go.Dockerfile.j2`; a built-in template's own name as is.
fn template_name(name: &str) -> Result<String> {
    let candidate = if templates::builtin(name).is_some() {
        name.to_string()
    } else {
        format!("{name}.Dockerfile.j2")
    };
    if templates::builtin(&candidate).is_some() {
        return Ok(candidate);
    }
    let mut accepted: Vec<&str> = Language::ALL.iter().map(|l| l.key()).collect();
    accepted.extend(templates::BUILTIN.iter().map(|(name, _)| name.as_str()));
    anyhow::bail!(
        "no template `{name}`; accepted: {}",
        accepted
            .iter()
            .map(|a| format!("`{a}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

fn templates(
    command: TemplatesCommand,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32> {
    match command {
        TemplatesCommand::List(args) => {
            let search = template_search(&args, env)?;
            for (name, _) in templates::BUILTIN.iter() {
                let origin = match search.find(name)? {
                    Some(Loaded {
                        origin: Origin::Dir(dir),
                        ..
                    }) => dir.join(name).display().to_string(),
                    _ => "built-in".to_string(),
                };
                writeln!(out, "{name:<22} {origin}")?;
            }
        }
        TemplatesCommand::Show { template, search } => {
            let name = template_name(&template)?;
            let search = template_search(&search, env)?;
            let found = search
                .find(&name)?
                .with_context(|| format!("template `{name}` not found"))?;
            out.write_all(found.source.as_bytes())?;
        }
        TemplatesCommand::Eject {
            template,
            to,
            force,
        } => {
            let name = template_name(&template)?;
            let source = templates::builtin(&name).expect("template_name checks it is built in");
            let path = to.join(&name);
            if path.exists() && !force {
                anyhow::bail!(
                    "`{}` exists; pass `--force` to overwrite it",
                    path.display()
                );
            }
            // Checked before the directory is created.
            if to.exists() && !to.is_dir() {
                anyhow::bail!("cannot write into `{}`: not a directory", to.display());
            }
            if path.is_dir() {
                anyhow::bail!("cannot write `{}`: it is a directory", path.display());
            }
            std::fs::create_dir_all(&to)
                .with_context(|| format!("cannot create `{}`", to.display()))?;
            crate::output::write_atomic(&path, source.as_bytes())?;
            writeln!(err, "wrote {}", path.display())?;
            writeln!(
                err,
                "use it with `--templates {dir}`, `SHIPIT_TEMPLATES={dir}` or `templates = \"{dir}\"` in shipit.toml",
                dir = to.display()
            )?;
        }
    }
    Ok(EXIT_OK)
}

fn render(args: RenderArgs, env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let templates = crate::template_dirs(&args.manifest.templates, env)?;
    // Both files are rendered before either is written.
    // The ignore file names the Dockerfile it keeps out of the context.
    let outputs = match &args.output {
        Some(dockerfile) if !args.no_dockerignore => {
            crate::render_outputs_to(&args.manifest.manifest, dockerfile, &templates)?
        }
        _ => crate::render_outputs(&args.manifest.manifest, &templates)?,
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

/// A `.dockerignore` shipit did not write (no header), or that was edited
/// since (its digest no longer matches), holds patterns someone relies on
/// — `.env`, `secrets/` — that a render would drop. Those are refused
/// unless `--force`.
fn keep_users_dockerignore(ignore: &Path, force: bool) -> Result<()> {
    let Some(bytes) = crate::input::read_file(ignore, &crate::context_dir(ignore))? else {
        return Ok(());
    };
    let text = String::from_utf8_lossy(&bytes);
    let why = match crate::render::digest_matches(&text) {
        Some(true) => return Ok(()),
        Some(false) => "was edited by hand since shipit wrote it",
        None => "was not written by shipit",
    };
    if force {
        return Ok(());
    }
    anyhow::bail!(
        "`{}` {why}, and rendering would replace its patterns; move them into `build.ignore` in the manifest (they are kept after the language's own) and run again with `--force`, or keep the file as it is with `--no-dockerignore`",
        ignore.display()
    )
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

/// The result of checking one manifest.
#[derive(Debug, Serialize)]
struct CheckReport {
    manifest: String,
    dockerfile: String,
    status: Status,
    /// Why it drifted: `manifest-changed`, `edited-by-hand`, `no-digest`,
    /// `missing`, `unpinned` (a lock exists and misses an image).
    reason: Option<&'static str>,
    message: String,
    diff: Option<String>,
    /// For annotations: the line to point at, in `dockerfile` for drift and
    /// in `manifest` for errors.
    line: Option<usize>,
    column: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Ok,
    Drift,
    Error,
}

impl Status {
    fn exit_code(self) -> i32 {
        match self {
            Status::Ok => EXIT_OK,
            Status::Drift => EXIT_DRIFT,
            Status::Error => EXIT_ERROR,
        }
    }
}

fn bake(args: BakeArgs, env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let (manifests, unreadable) = find_manifests(&args.dir)?;
    // Like a lock, a bake file is all or nothing: an unreadable directory
    // could hold a service it would leave out.
    if let Some(report) = unreadable.first() {
        let cause = report.message.trim_start_matches("error: ");
        anyhow::bail!("cannot bake `{}`: {cause}", args.dir.display());
    }
    let file = match (&args.output, args.check) {
        (Some(file), _) => file.clone(),
        (None, true) => args.dir.join("docker-bake.json"),
        (None, false) => {
            let text = crate::bake::bake_file(&manifests, Path::new("."))?;
            out.write_all(text.as_bytes())?;
            return Ok(EXIT_OK);
        }
    };
    let bake_dir = crate::context_dir(&file);
    let text = crate::bake::bake_file(&manifests, &bake_dir)?;
    if !args.check {
        crate::bake::refuse_foreign(&file, &bake_dir)?;
        crate::output::write_atomic(&file, text.as_bytes())?;
        return Ok(EXIT_OK);
    }
    let shown = file.display().to_string();
    let on_disk = crate::input::read_file(&file, &bake_dir)?
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
    if on_disk.as_deref() == Some(text.as_str()) {
        return Ok(EXIT_OK);
    }
    let diff = check::diff_with_headers(
        on_disk.as_deref().unwrap_or(""),
        &text,
        &format!("{shown} (on disk)"),
        &format!("{shown} (baked from the tree)"),
    );
    let diff = if env.color_stdout {
        check::colorize(&diff)
    } else {
        diff
    };
    out.write_all(diff.as_bytes())?;
    let dir = args.dir.display();
    writeln!(
        err,
        "drift: `{shown}` differs from the tree's manifests; run `shipit bake {dir} -o {shown}`"
    )
    .ok();
    Ok(EXIT_DRIFT)
}

fn check(args: CheckArgs, env: &Env, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32> {
    let templates = crate::template_dirs(&args.manifest.templates, env)?;
    let reports = match &args.all {
        Some(root) => {
            let (mut reports, unreadable) = walk_manifests(root, |manifest| {
                let dockerfile = manifest.with_file_name("Dockerfile");
                check_one(manifest, &dockerfile, &templates, !args.no_dockerignore)
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
            let report = check_one(&manifest, &dockerfile, &templates, !args.no_dockerignore);
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

fn check_one(
    manifest: &Path,
    dockerfile: &Path,
    templates: &Templates,
    with_dockerignore: bool,
) -> Result<CheckReport> {
    let outputs = match with_dockerignore {
        true => crate::render_outputs_to(manifest, dockerfile, templates)?,
        false => crate::render_outputs(manifest, templates)?,
    };
    let unpinned = outputs.unpinned.clone().unwrap_or_default();
    let manifest_name = manifest.display().to_string();
    let dockerfile_name = dockerfile.display().to_string();
    let mut files = vec![(dockerfile.to_path_buf(), outputs.dockerfile.text)];
    if with_dockerignore {
        files.push((
            dockerignore_beside(dockerfile, &outputs.plan),
            outputs.dockerignore.text,
        ));
    }

    let mut drift: Option<(check::Reason, String, Option<usize>)> = None;
    let mut diffs = String::new();
    for (path, rendered) in &files {
        let on_disk = crate::input::read_file(path, &crate::context_dir(manifest))?
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned());
        let name = path.display().to_string();
        if let Outcome::Drift { reason, diff } =
            check::compare(on_disk.as_deref(), rendered, &name, &manifest_name)
        {
            diffs.push_str(&diff);
            // The first drifted file (the Dockerfile before .dockerignore)
            // names the reason and the line.
            if drift.is_none() {
                let line = on_disk
                    .as_deref()
                    .and_then(|old| check::first_changed_line(old, rendered))
                    .or(Some(1));
                drift = Some((reason, name, line));
            }
        }
    }
    let report = match drift {
        None => CheckReport {
            message: format!("`{dockerfile_name}` matches `{manifest_name}`"),
            manifest: manifest_name,
            dockerfile: dockerfile_name,
            status: Status::Ok,
            reason: None,
            diff: None,
            line: None,
            column: None,
        },
        Some((reason, file, line)) => CheckReport {
            message: reason.explain(&file, &manifest_name, &dockerfile_name),
            manifest: manifest_name,
            dockerfile: file,
            status: Status::Drift,
            reason: Some(reason.key()),
            diff: Some(diffs),
            line,
            column: None,
        },
    };
    if unpinned.is_empty() {
        return Ok(report);
    }
    // A lock exists but does not pin an image the render uses: drift even
    // when the Dockerfile matches, since it would build from a moving tag.
    let lock = crate::lock::lock_path(manifest);
    Ok(CheckReport {
        message: format!(
            "{}, then `shipit render -m {} -o {}`",
            crate::lock::unpinned_message(&unpinned, &lock, manifest),
            manifest.display(),
            dockerfile.display()
        ),
        status: Status::Drift,
        reason: Some("unpinned"),
        line: report.line.or(Some(unpinned[0].line)),
        dockerfile: dockerfile.display().to_string(),
        ..report
    })
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
        message: crate::report_error(error, false).trim_end().to_string(),
        diff: None,
        line,
        column,
    }
}

/// Every `shipit.toml` under `root`, honouring .gitignore and friends,
/// sorted so reports are deterministic; and an error report for each
/// directory or entry that could not be read.
fn find_manifests(root: &Path) -> Result<(Vec<PathBuf>, Vec<CheckReport>)> {
    let (mut found, unreadable) = walk_manifests(root, |manifest| manifest.to_path_buf())?;
    found.sort();
    Ok((found, unreadable))
}

/// Walks `root` with the `.gitignore` rules and calls `f` on each
/// `shipit.toml` as the walk finds it, on every core: the walk and the work
/// overlap. Results come back in no particular order; a directory that
/// cannot be read is one error report.
fn walk_manifests<R: Send>(
    root: &Path,
    f: impl Fn(&Path) -> R + Sync,
) -> Result<(Vec<R>, Vec<CheckReport>)> {
    if !root.is_dir() {
        anyhow::bail!("cannot walk `{}`: not a directory", root.display());
    }
    let (send, receive) = std::sync::mpsc::channel();
    ignore::WalkBuilder::new(root)
        .require_git(false)
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
    unreadable.sort_by(|a, b| a.manifest.cmp(&b.manifest));
    Ok((results, unreadable))
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
                reason: None,
                diff: None,
                line: None,
                column: None,
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

fn write_text(
    reports: &[CheckReport],
    all: bool,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<()> {
    let paint = |diff: &str| {
        if env.color_stdout {
            check::colorize(diff)
        } else {
            diff.to_string()
        }
    };
    if !all {
        for report in reports {
            match report.status {
                Status::Ok => writeln!(err, "ok: {}", shown(&report.message))?,
                Status::Drift => {
                    if let Some(diff) = &report.diff {
                        out.write_all(paint(diff).as_bytes())?;
                    }
                    writeln!(err, "drift: {}", shown(&report.message))?;
                }
                Status::Error => writeln!(err, "{}", shown(&report.message))?,
            }
        }
        return Ok(());
    }

    let mut counts = [0usize; 3];
    for report in reports {
        match report.status {
            Status::Ok => {
                counts[0] += 1;
                writeln!(out, "ok     {}", shown(&report.manifest))?;
            }
            Status::Drift => {
                counts[1] += 1;
                writeln!(
                    out,
                    "drift  {}  ({})",
                    shown(&report.manifest),
                    report.reason.unwrap_or("drift")
                )?;
                if let Some(diff) = &report.diff {
                    out.write_all(paint(diff).as_bytes())?;
                }
            }
            Status::Error => {
                counts[2] += 1;
                writeln!(out, "error  {}", shown(&report.manifest))?;
                writeln!(err, "{}", shown(&report.message))?;
            }
        }
    }
    let total = reports.len();
    let noun = if total == 1 { "manifest" } else { "manifests" };
    writeln!(
        out,
        "{total} {noun}: {} ok, {} drift, {} error",
        counts[0], counts[1], counts[2]
    )?;
    Ok(())
}

/// GitHub Actions workflow commands: one `::error` per problem.
fn write_github(reports: &[CheckReport], out: &mut dyn Write) -> Result<()> {
    for report in reports {
        let (file, line, column) = match report.status {
            Status::Ok => continue,
            Status::Drift => (&report.dockerfile, report.line, None),
            Status::Error => (&report.manifest, report.line, report.column),
        };
        let mut properties = format!("file={}", escape_property(&shown(file)));
        if let Some(line) = line {
            properties.push_str(&format!(",line={line}"));
        }
        if let Some(column) = column {
            properties.push_str(&format!(",col={column}"));
        }
        let title = match report.status {
            Status::Drift => "shipit: Dockerfile drift",
            _ => "shipit: manifest error",
        };
        properties.push_str(&format!(",title={}", escape_property(title)));
        writeln!(
            out,
            "::error {properties}::{}",
            escape_data(&shown(&report.message))
        )?;
    }
    Ok(())
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
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

    #[test]
    fn github_escapes_newlines_and_separators() {
        assert_eq!(escape_data("a%b\nc"), "a%25b%0Ac");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
