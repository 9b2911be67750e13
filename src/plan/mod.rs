//! Resolve: a parsed [`Manifest`] plus its language's defaults becomes a
//! [`Plan`] — every value filled in and validated once, so templates only
//! ever see values that are safe for the instruction they land in.
//!
//! The rooms, in the order of the path: `rules` (what a value may be made
//! of), `context` (the resolution state a language works with), `image`
//! (image references, package families, C libraries), `validate` (the
//! rules for each manifest value), the languages' defaults
//! (`crate::languages`), then `assemble` (defaults + manifest → plan).

mod assemble;
mod assets;
pub mod context;
pub mod image;
mod model;
pub mod rules;
mod validate;

use std::path::Path;

use anyhow::Result;

use crate::diagnostic::{Diagnostic, Report};
use crate::manifest::load::{LoadedManifest, context_dir};
use crate::manifest::{Manifest, Spans};
use context::Cx;
pub use image::PackageManager;
pub use model::{AccountPlan, AssetPlan, BuildPlan, HealthcheckPlan, InitPlan, Plan, RuntimePlan};

/// Resolves a manifest into a plan, or every problem found.
pub fn resolve(
    manifest: &Manifest,
    spans: &Spans,
    context: &Path,
) -> Result<Plan, Vec<Diagnostic>> {
    let mut cx = Cx {
        manifest,
        spans,
        context: context.to_path_buf(),
        root: context.to_path_buf(),
        member: String::new(),
        diagnostics: Vec::new(),
        warnings: Vec::new(),
        version_from: String::new(),
    };
    validate::check_name(&mut cx);
    validate::check_language_tables(&mut cx);
    validate::check_templates_dir(&mut cx);
    image::check_image_table(&mut cx);
    validate::check_build_context(&mut cx);
    let defaults = crate::languages::defaults(&mut cx);
    let mut plan = assemble::assemble(&mut cx, defaults);
    if cx.diagnostics.is_empty() {
        crate::diagnostic::sort(&mut cx.warnings);
        plan.warnings = cx.warnings;
        Ok(plan)
    } else {
        crate::diagnostic::sort(&mut cx.diagnostics);
        Err(cx.diagnostics)
    }
}

/// Resolves a loaded manifest into its plan.
pub fn plan_manifest(loaded: &LoadedManifest) -> Result<Plan> {
    resolve(&loaded.manifest, &loaded.spans, &context_dir(&loaded.path)).map_err(
        |diagnostics: Vec<Diagnostic>| {
            Report {
                source: loaded.source.clone(),
                diagnostics,
            }
            .into()
        },
    )
}
