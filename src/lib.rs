//! shipit: a typed `shipit.toml` → an idiomatic multi-stage Dockerfile.
//!
//! One straight path, one module per arrow:
//! `manifest` (parse) → `plan` (resolve) → `render` (templates) →
//! `output` (stdout or an atomic file) or `check` (diff against disk).

mod bake;
pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod input;
mod languages;
pub mod lock;
pub mod manifest;
pub mod output;
pub mod plan;
mod registry;
pub mod render;
pub mod schema;
mod suggest;
pub mod templates;
pub mod text;

mod commands;
pub mod explain;
#[doc(hidden)]
pub mod fuzzing;
pub mod init;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::diagnostic::{Diagnostic, Report, Source};
use crate::manifest::{Manifest, Spans};
use crate::plan::Plan;
use crate::render::Rendered;
use crate::templates::Templates;

/// Everything is as it should be.
pub const EXIT_OK: i32 = 0;
/// `check` found drift.
pub const EXIT_DRIFT: i32 = 1;
/// Bad input, an unreadable file, a template error: nothing was written.
pub const EXIT_ERROR: i32 = 2;

/// What the process environment says, gathered once so the commands stay
/// testable.
#[derive(Debug, Clone, Default)]
pub struct Env {
    /// `$SHIPIT_TEMPLATES`: organisation template directories.
    pub templates_path: Option<OsString>,
    /// Colour diffs on stdout.
    pub color_stdout: bool,
    /// Colour diagnostics on stderr.
    pub color_stderr: bool,
    /// `$SHIPIT_INSECURE_REGISTRIES`: hosts `lock` speaks plain HTTP to.
    pub insecure_registries: Option<OsString>,
}

impl Env {
    pub fn from_process() -> Env {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Env {
            templates_path: std::env::var_os("SHIPIT_TEMPLATES"),
            color_stdout: !no_color && std::io::stdout().is_terminal(),
            color_stderr: !no_color && std::io::stderr().is_terminal(),
            insecure_registries: std::env::var_os("SHIPIT_INSECURE_REGISTRIES"),
        }
    }
}

/// The whole program: parse arguments, run the command, report. Returns
/// the exit code.
pub fn run() -> i32 {
    let env = Env::from_process();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    run_with(
        std::env::args_os(),
        &env,
        &mut stdout.lock(),
        &mut stderr.lock(),
    )
}

/// [`run`] with its inputs and outputs passed in.
///
/// A failed write to `out` (a full disk, `> /dev/full`, a closed pipe) is
/// an error like any other: exit 2 and a message, never a panic and never
/// a success.
pub fn run_with(
    args: impl IntoIterator<Item = OsString>,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let mut out = Product {
        inner: out,
        failed: None,
    };
    let code = run_command(args, env, &mut out, err);
    let flushed = out.flush();
    match out.failed.take() {
        Some(error) => {
            let _ = writeln!(err, "error: cannot write to stdout: {error}");
            EXIT_ERROR
        }
        None if flushed.is_err() => EXIT_ERROR,
        None => code,
    }
}

fn run_command(
    args: impl IntoIterator<Item = OsString>,
    env: &Env,
    out: &mut Product,
    err: &mut dyn Write,
) -> i32 {
    use clap::Parser as _;
    let cli = match cli::Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let text = if env.color_stderr {
                error.render().ansi().to_string()
            } else {
                error.render().to_string()
            };
            return if error.use_stderr() {
                let _ = write!(err, "{text}");
                EXIT_ERROR
            } else {
                // `--help` and `--version`: the product, on stdout.
                let _ = write!(out, "{text}");
                EXIT_OK
            };
        }
    };
    match commands::dispatch(cli.command, env, out, err) {
        Ok(code) => code,
        // A failed write to stdout is reported once, by `run_with`.
        Err(_) if out.failed.is_some() => EXIT_ERROR,
        Err(error) => {
            let _ = write!(err, "{}", report_error(&error, env.color_stderr));
            EXIT_ERROR
        }
    }
}

/// stdout, remembering its first write error so that no command can lose
/// it (a `let _ = write!`, a library that swallows it).
struct Product<'a> {
    inner: &'a mut dyn Write,
    failed: Option<std::io::Error>,
}

impl Write for Product<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(error) = &self.failed {
            return Err(std::io::Error::new(error.kind(), error.to_string()));
        }
        self.inner.write(buf).inspect_err(|error| {
            self.failed = Some(std::io::Error::new(error.kind(), error.to_string()));
        })
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if let Some(error) = &self.failed {
            return Err(std::io::Error::new(error.kind(), error.to_string()));
        }
        self.inner.flush().inspect_err(|error| {
            self.failed = Some(std::io::Error::new(error.kind(), error.to_string()));
        })
    }
}

/// Renders any error for stderr: manifest reports with source excerpts,
/// everything else as `error: ...` with its causes.
pub fn report_error(error: &anyhow::Error, color: bool) -> String {
    if let Some(report) = error.downcast_ref::<Report>() {
        return diagnostic::render(report, color);
    }
    let mut text = format!("error: {}\n", text::shown(&error.to_string()));
    for cause in error.chain().skip(1) {
        text.push_str(&format!(
            "  caused by: {}\n",
            text::shown(&cause.to_string())
        ));
    }
    text
}

/// A manifest read from disk and parsed.
#[derive(Debug)]
pub struct LoadedManifest {
    pub path: PathBuf,
    pub source: Source,
    pub manifest: Manifest,
    pub spans: Spans,
}

/// `f` over `items` on every core; the results come back in input order.
pub(crate) fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len().max(1));
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let index = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(index) else {
                            break;
                        };
                        done.push((index, f(item)));
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().unwrap_or_default())
            .collect()
    });
    results.sort_by_key(|(index, _)| *index);
    results.into_iter().map(|(_, result)| result).collect()
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
    let bytes = match input::read_file(path, &context_dir(path))? {
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
    match manifest::parse(&source) {
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

/// Resolves a loaded manifest into its plan.
pub fn plan_manifest(loaded: &LoadedManifest) -> Result<Plan> {
    plan::resolve(&loaded.manifest, &loaded.spans, &context_dir(&loaded.path)).map_err(
        |diagnostics: Vec<Diagnostic>| {
            Report {
                source: loaded.source.clone(),
                diagnostics,
            }
            .into()
        },
    )
}

/// The template search path: `--templates` flags, then `$SHIPIT_TEMPLATES`.
/// A directory that does not exist is an error, as it is for the
/// manifest's `templates` key: a typo must not fall back to the built-ins.
pub fn template_dirs(flags: &[PathBuf], env: &Env) -> Result<Templates> {
    let mut dirs = Vec::new();
    for dir in flags {
        if !dir.is_dir() {
            anyhow::bail!(
                "`--templates {}`: no directory `{}`; give a directory of organisation templates",
                dir.display(),
                dir.display()
            );
        }
        dirs.push(dir.clone());
    }
    if let Some(path) = &env.templates_path {
        for dir in std::env::split_paths(path).filter(|p| !p.as_os_str().is_empty()) {
            if !dir.is_dir() {
                anyhow::bail!(
                    "`SHIPIT_TEMPLATES` names `{}`, which is not a directory; fix or unset it",
                    dir.display()
                );
            }
            dirs.push(dir);
        }
    }
    Ok(Templates::new(dirs))
}

/// The search path for one manifest: `templates` plus the manifest's own
/// `templates` key, if it has one.
pub fn manifest_templates(loaded: &LoadedManifest, templates: &Templates) -> Option<Templates> {
    loaded
        .manifest
        .templates
        .as_ref()
        .map(|dir| templates.with_dir(context_dir(&loaded.path).join(dir)))
}

/// Manifest file → Dockerfile text: the whole path.
pub fn render_manifest(path: &Path, templates: &Templates) -> Result<(Plan, Rendered)> {
    let output = render_outputs(path, templates)?;
    Ok((output.plan, output.dockerfile))
}

/// Everything one manifest renders to.
#[derive(Debug)]
pub struct Outputs {
    pub plan: Plan,
    pub dockerfile: Rendered,
    pub dockerignore: Rendered,
    /// The manifest's source, for the plan's warnings.
    pub source: Source,
    /// With a lock beside the manifest: the images it does not pin.
    /// `None` when there is no lock.
    pub unpinned: Option<Vec<lock::ImageUse>>,
}

impl Outputs {
    /// The plan's warnings, rendered for stderr (empty when there are none).
    pub fn warnings(&self, color: bool) -> String {
        warnings_text(&self.source, &self.plan, color)
    }
}

/// A plan's warnings about its manifest, rendered for stderr.
pub fn warnings_text(source: &Source, plan: &Plan, color: bool) -> String {
    if plan.warnings.is_empty() {
        return String::new();
    }
    diagnostic::render(
        &Report {
            source: source.clone(),
            diagnostics: plan.warnings.clone(),
        },
        color,
    )
}

/// Manifest file → its Dockerfile and `.dockerignore`, both in memory,
/// with the images its `shipit.lock` pins (when it has one).
pub fn render_outputs(path: &Path, templates: &Templates) -> Result<Outputs> {
    render_outputs_to(path, &path.with_file_name("Dockerfile"), templates)
}

/// [`render_outputs`] for a Dockerfile written to `dockerfile` (`render
/// -o`, `check -o`): the ignore file keeps that name out of the context.
pub fn render_outputs_to(path: &Path, dockerfile: &Path, templates: &Templates) -> Result<Outputs> {
    render_with_lock(path, dockerfile, templates, true)
}

/// [`render_outputs`] ignoring any lock: the references as written, which
/// is what `shipit lock` resolves.
pub(crate) fn render_unpinned(path: &Path, templates: &Templates) -> Result<Outputs> {
    render_with_lock(path, &path.with_file_name("Dockerfile"), templates, false)
}

fn render_with_lock(
    path: &Path,
    dockerfile_path: &Path,
    templates: &Templates,
    use_lock: bool,
) -> Result<Outputs> {
    let loaded = load_manifest(path)?;
    let mut plan = plan_manifest(&loaded)?;
    let lock = match use_lock {
        true => lock::Lock::read(&lock::lock_path(path))?,
        false => None,
    };
    if let Some(lock) = &lock {
        lock.apply(&mut plan);
    }
    let own = manifest_templates(&loaded, templates);
    let templates = own.as_ref().unwrap_or(templates);
    let manifest_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "shipit.toml".into());
    let context = || format!("cannot render `{}`", path.display());
    let dockerfile = render::render_locked(&plan, lock.as_ref(), &manifest_name, templates)
        .with_context(context)?;
    let dockerfile_name = dockerfile_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Dockerfile".into());
    let dockerignore =
        render::render_dockerignore(&plan, &manifest_name, &dockerfile_name, templates)
            .with_context(context)?;
    let unpinned = lock.map(|_| lock::unpinned(&dockerfile.text));
    Ok(Outputs {
        plan,
        dockerfile,
        dockerignore,
        source: loaded.source,
        unpinned,
    })
}
