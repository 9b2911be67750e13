//! The whole path for one manifest file: load, resolve, apply its
//! `shipit.lock`, render the Dockerfile and its ignore file, in memory.

use std::path::Path;

use anyhow::{Context as _, Result};

use crate::diagnostic::{self, Report, Source};
use crate::lock;
use crate::manifest::load::load_manifest;
use crate::plan::{Plan, plan_manifest};
use crate::render::{self as render, ContextIgnore, Rendered};
use crate::templates::{Templates, manifest_templates};

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
    /// With a lock beside the manifest: its keys nothing in the render
    /// uses, as warnings for stderr.
    pub unused_pins: Vec<String>,
}

impl Outputs {
    /// The plan's warnings, rendered for stderr (empty when there are none).
    pub fn warnings(&self, color: bool) -> String {
        let mut text = warnings_text(&self.source, &self.plan, color);
        for warning in &self.unused_pins {
            text.push_str(&format!("warning: {warning}\n"));
        }
        text
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
        true => lock::Lock::read_beside(path)?,
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
    let context_ignore = context_ignore(path, &plan)?;
    let dockerignore = render::render_dockerignore(
        &plan,
        &manifest_name,
        &dockerfile_name,
        context_ignore.as_ref(),
        templates,
    )
    .with_context(context)?;
    let unused_pins = match &lock {
        Some(lock) => {
            let file = lock::lock_path(path);
            lock.unused(&dockerfile.text)
                .into_iter()
                .map(|key| {
                    format!(
                        "`{}` pins `{}`, which nothing in the render uses; `shipit lock -m {}` drops it",
                        file.display(),
                        crate::text::shown_value(key),
                        crate::text::shell_word(&path.display().to_string())
                    )
                })
                .collect()
        }
        None => Vec::new(),
    };
    let unpinned = lock.map(|_| lock::unpinned(&dockerfile.text));
    Ok(Outputs {
        plan,
        dockerfile,
        dockerignore,
        source: loaded.source,
        unpinned,
        unused_pins,
    })
}

/// For a workspace member, the `.dockerignore` at the build context root
/// that BuildKit passes over for the member's own ignore file: its
/// patterns, unless shipit wrote it (then it is another Dockerfile's).
fn context_ignore(manifest: &Path, plan: &Plan) -> Result<Option<ContextIgnore>> {
    if plan.build.member.is_empty() {
        return Ok(None);
    }
    let root = crate::manifest::load::context_dir(manifest).join(&plan.build.context);
    let Some(bytes) = crate::input::read_file(&root.join(".dockerignore"), &root)? else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&bytes);
    if render::digest_matches(&text).is_some() {
        return Ok(None);
    }
    let patterns: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(String::from)
        .collect();
    Ok((!patterns.is_empty()).then(|| ContextIgnore {
        file: format!("{}/.dockerignore", plan.build.context),
        patterns,
    }))
}
