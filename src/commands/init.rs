//! `shipit init`: look at a source tree, recognise its language, and write
//! a starter `shipit.toml` that renders without edits. Each language's
//! detection lives in its own file under `languages/`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::env::{EXIT_OK, Env};

use crate::languages::support::Draft;
use crate::manifest::Language;

pub(crate) fn run(
    dir: PathBuf,
    language: Option<Language>,
    force: bool,
    manager: Option<String>,
    env: &Env,
    err: &mut dyn Write,
) -> Result<i32> {
    let (language, draft) = detect(&dir, language, manager.as_deref())?;
    writeln!(err, "detected {}:", language.key())?;
    for reason in &draft.reasons {
        writeln!(err, "  {}", crate::text::shown_value(reason))?;
    }
    let templates = crate::templates::template_dirs(&[], env.templates_path.as_deref())?;
    let (written, plan) = write(&dir, language, &draft, &templates, force)?;
    for path in &written {
        writeln!(err, "wrote {}", path.display())?;
    }
    let manifest = &written[0];
    let dockerfile = manifest.with_file_name("Dockerfile");
    let ignore = super::render::ignore_to_write(&dockerfile, &plan)?;
    let render = super::render::render_command(manifest, &dockerfile, ignore.as_deref())?;
    // The project's own Dockerfile, or one edited since shipit wrote it:
    // `render -o` will not replace it unasked, so say so now, and how to
    // compare before replacing.
    if let Some(why) = super::render::not_shipits(&dockerfile)? {
        writeln!(
            err,
            "note: `{}` exists and {why}: `render -o` will not replace it without `--force`",
            dockerfile.display()
        )?;
        writeln!(
            err,
            "next: shipit render -m {} > {}   (compare), then {render}",
            crate::text::shell_word(&manifest.display().to_string()),
            crate::text::shell_word(
                &dockerfile
                    .with_file_name("Dockerfile.shipit")
                    .display()
                    .to_string()
            ),
        )?;
        return Ok(EXIT_OK);
    }
    writeln!(err, "next: {render}")?;
    Ok(EXIT_OK)
}

/// Detects the language of `dir` (or uses `forced`) and drafts its
/// manifest, with `manager` as its package manager when given.
pub fn detect(
    dir: &Path,
    forced: Option<Language>,
    manager: Option<&str>,
) -> Result<(Language, Draft)> {
    if !dir.is_dir() {
        anyhow::bail!("`{}` is not a directory", dir.display());
    }
    let (candidates, why) = match forced {
        Some(language) => (vec![language], Vec::new()),
        None => crate::languages::decisive(
            dir,
            Language::ALL
                .iter()
                .copied()
                .filter(|language| crate::languages::support(*language).recognises(dir))
                .collect(),
        ),
    };
    match candidates.as_slice() {
        [] => anyhow::bail!(
            "no known project in `{}`; looked for {}; pass `--language` to choose one",
            dir.display(),
            Language::ALL
                .iter()
                .map(|l| format!(
                    "{} ({})",
                    crate::languages::support(*l).looked_for(),
                    l.key()
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        [language] => {
            // A forced language still needs its project files: a manifest
            // naming files that do not exist would not build.
            if forced.is_some() && !crate::languages::support(*language).recognises(dir) {
                anyhow::bail!(
                    "`--language {}` needs {} in `{}`; found none. Create the project first (e.g. `{}`)",
                    language.key(),
                    crate::languages::support(*language).looked_for(),
                    dir.display(),
                    crate::languages::support(*language).starter()
                );
            }
            let mut draft = draft(*language, dir, manager)?;
            draft.reasons.splice(0..0, why);
            Ok((*language, draft))
        }
        several => anyhow::bail!(
            "`{}` looks like several projects ({}); pass `--language` to choose one",
            dir.display(),
            several
                .iter()
                .map(|l| format!("`{}`", l.key()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// How far up `init` looks for the workspace a project belongs to.
const MAX_LEVELS: usize = 8;

/// The draft for `dir`: a member of a workspace above it (up to the
/// repository's root) builds from there, with `build.context` and the
/// workspace's manager, when that renders, i.e. when the workspace lists
/// it; otherwise it builds on its own.
fn draft(language: Language, dir: &Path, manager: Option<&str>) -> Result<Draft> {
    let mut draft = draft_as_found(language, dir, manager)?;
    unfreeze_version(language, dir, &mut draft);
    draft_assets(language, dir, &mut draft);
    Ok(draft)
}

/// A frontend beside a Python or Go app (`frontend/`, `client/`, ...)
/// becomes one `[[build.assets]]`, when the draft renders with it; the
/// runtime workdir it lands in is `/app` unless the language has one.
fn draft_assets(language: Language, dir: &Path, draft: &mut Draft) {
    if !matches!(language, Language::Python | Language::Go) {
        return;
    }
    let (keys, reasons) =
        crate::languages::draft_assets(dir, |built| read_in_place(language, dir, built));
    draft.reasons.extend(reasons);
    let Some(keys) = keys else {
        return;
    };
    let Ok(without) = plan(dir, &render(language, draft, "./shipit.schema.json", dir)) else {
        return;
    };
    let runtime = draft.runtime.clone();
    let reasons = draft.reasons.len();
    if without.runtime.workdir.is_none() {
        draft.runtime("workdir", "/app");
        draft.reason("`runtime.workdir = \"/app\"`: where the frontend's output lands");
    }
    draft.assets.push(keys);
    if let Err(error) = plan(dir, &render(language, draft, "./shipit.schema.json", dir)) {
        draft.assets.pop();
        draft.runtime = runtime;
        draft.reasons.truncate(reasons);
        let first = crate::diagnostic::report_error(&error, false);
        let first = first.lines().next().unwrap_or_default().to_string();
        draft.reason(format!(
            "the frontend's `[[build.assets]]` left out: {}",
            first.trim_start_matches("error: ")
        ));
    }
}

/// Why the app reads the frontend's output where the frontend builds it
/// (`built`, relative to the project), if it does: a Go package embeds it
/// there (`//go:embed all:dist` in `web/`), a Python app reads it there
/// (Django's `STATICFILES_DIRS`, `StaticFiles(directory=…)`). The assets
/// then land there, in the build stage (so the embed or `collectstatic`
/// finds them) and in the image.
fn read_in_place(language: Language, dir: &Path, built: &str) -> Option<String> {
    match language {
        Language::Go => crate::languages::go_embeds(dir, built).then(|| {
            format!(
                "`//go:embed` names `{built}`: the assets land there, where the program embeds them"
            )
        }),
        Language::Python => crate::languages::python_names_path(dir, built).map(|file| {
            format!(
                "`{}` names `{built}`: the assets land there, where the app reads them",
                crate::text::shown_value(&file)
            )
        }),
        _ => None,
    }
}

/// Leaves `build.version` out when the plan reads the same version from
/// the project's own files: written down, a later bump there (go.mod,
/// `.nvmrc`, `.python-version`, rust-toolchain) would not be drift.
fn unfreeze_version(language: Language, dir: &Path, draft: &mut Draft) {
    let Some(index) = draft.build.iter().position(|(key, _)| key == "version") else {
        return;
    };
    let (key, drafted) = draft.build.remove(index);
    let text = render(language, draft, "./shipit.schema.json", dir);
    match plan(dir, &text) {
        Ok(plan)
            if Some(plan.build.version.as_str()) == drafted.as_str()
                && !["default", "manifest"].contains(&plan.build.version_from.as_str()) =>
        {
            draft.reason(format!(
                "`build.version` left out: the build reads it from {}",
                plan.build.version_from
            ));
        }
        _ => draft.build.insert(index, (key, drafted)),
    }
}

fn draft_as_found(language: Language, dir: &Path, manager: Option<&str>) -> Result<Draft> {
    if let Some((root, levels)) = workspace_above(dir, language) {
        let context = vec![".."; levels].join("/");
        let member = crate::languages::detect(language, dir, &root, manager).map(|mut draft| {
            draft.build("context", context.clone());
            draft.reason(format!(
                "a member of the workspace at `{context}`: built from there (`build.context`)"
            ));
            draft
        });
        if let Ok(member) = member {
            let text = render(language, &member, "./shipit.schema.json", dir);
            if plan(dir, &text).is_ok() {
                return Ok(member);
            }
        }
        let mut draft = crate::languages::detect(language, dir, dir, manager)?;
        draft.reason(format!(
            "`{context}` holds a workspace that does not take this directory as a member: built on its own"
        ));
        return Ok(draft);
    }
    crate::languages::detect(language, dir, dir, manager)
}

/// The nearest directory above `dir` that declares a workspace of
/// `language`, and how many levels up it is; the search ends at the
/// repository's root (a directory with `.git`).
fn workspace_above(dir: &Path, language: Language) -> Option<(PathBuf, usize)> {
    let dir = dir.canonicalize().ok()?;
    if dir.join(".git").exists() {
        return None;
    }
    for (levels, ancestor) in dir.ancestors().enumerate().skip(1).take(MAX_LEVELS) {
        if crate::languages::support(language).workspace_root(ancestor) {
            return Some((ancestor.to_path_buf(), levels));
        }
        if ancestor.join(".git").exists() {
            break;
        }
    }
    None
}

/// The plan of a starter manifest's `text` for `dir`, or why it has none.
fn plan(dir: &Path, text: &str) -> Result<crate::plan::Plan> {
    let source = crate::diagnostic::Source {
        name: dir.join("shipit.toml").display().to_string(),
        text: text.to_string(),
    };
    let invalid = |diagnostics| crate::diagnostic::Report {
        source: source.clone(),
        diagnostics,
    };
    let (parsed, spans) = crate::manifest::parse::parse(&source).map_err(invalid)?;
    Ok(crate::plan::resolve(&parsed, &spans, dir).map_err(invalid)?)
}

/// A valid image name from any string: lowercase, runs of other
/// characters turned into `-`.
pub fn image_name(raw: &str) -> String {
    let mut name = String::new();
    for c in raw.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c) {
            name.push(c);
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    let name = name
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string();
    let name: String = name.chars().take(128).collect();
    if name.is_empty() { "app".into() } else { name }
}

/// The `#:schema` directive's target: a `schema/shipit.schema.json` found in
/// `dir` or a parent (a repository that vendors it), relative to `dir`;
/// `None` when there is none.
pub fn find_schema(dir: &Path) -> Option<PathBuf> {
    let absolute = dir.canonicalize().ok()?;
    let mut relative = PathBuf::new();
    for ancestor in absolute.ancestors() {
        let candidate = ancestor.join("schema/shipit.schema.json");
        if candidate.is_file() {
            return Some(relative.join("schema/shipit.schema.json"));
        }
        relative.push("..");
    }
    None
}

/// The manifest text for a draft.
pub fn render(language: Language, draft: &Draft, schema: &str, dir: &Path) -> String {
    let fallback = dir
        .canonicalize()
        .ok()
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let name = image_name(draft.name.as_deref().unwrap_or(&fallback));
    let mut out = format!(
        "#:schema {schema}\nname = {}\nlanguage = {}\n",
        quote(&name),
        quote(language.key())
    );
    section(&mut out, "build", &draft.build);
    for asset in &draft.assets {
        out.push_str("\n[[build.assets]]\n");
        for (key, value) in asset {
            out.push_str(&format!("{key} = {value}\n"));
        }
    }
    for (from, to) in &draft.artifacts {
        out.push_str(&format!(
            "\n[[artifacts]]\nfrom = {}\nto = {}\n",
            quote(from),
            quote(to)
        ));
    }
    section(&mut out, "runtime", &draft.runtime);
    section(&mut out, language.key(), &draft.table);
    out
}

fn section(out: &mut String, name: &str, keys: &[(String, toml::Value)]) {
    if keys.is_empty() {
        return;
    }
    out.push_str(&format!("\n[{name}]\n"));
    for (key, value) in keys {
        out.push_str(&format!(
            "{} = {value}\n",
            crate::manifest::join_key("", key)
        ));
    }
}

fn quote(text: &str) -> String {
    toml::Value::String(text.into()).to_string()
}

/// The starter manifest for `dir`, checked in memory (it must parse,
/// resolve and render with `templates`), then written with the schema
/// beside it when none is found up the tree; and its plan. Nothing is
/// written on error, nor over a file that holds something else unless
/// `force`.
pub fn write(
    dir: &Path,
    language: Language,
    draft: &Draft,
    templates: &crate::templates::Templates,
    force: bool,
) -> Result<(Vec<PathBuf>, crate::plan::Plan)> {
    let manifest = dir.join("shipit.toml");
    let found = find_schema(dir);
    let directive = match &found {
        Some(path) => path.display().to_string(),
        None => "./shipit.schema.json".to_string(),
    };
    let text = render(language, draft, &directive, dir);
    let plan = plan(dir, &text)?;
    crate::render::render(&plan, "shipit.toml", templates)
        .context("the starter manifest does not render")?;

    // Both files or neither: a manifest that is a directory must not leave
    // a schema behind.
    let mut files = vec![(manifest.clone(), text.into_bytes())];
    if found.is_none() {
        let path = dir.join("shipit.schema.json");
        files.push((path, crate::schema::schema_json().into_bytes()));
    }
    if !force {
        refuse_to_overwrite(&files)?;
    }
    crate::output::write_all(&files)?;
    Ok((files.into_iter().map(|(path, _)| path).collect(), plan))
}

/// Every file `init` would write that exists and holds something else
/// (a schema that is already the same is no loss), named at once: the
/// user's work is replaced only with `--force`.
fn refuse_to_overwrite(files: &[(PathBuf, Vec<u8>)]) -> Result<()> {
    let taken: Vec<String> = files
        .iter()
        .filter(|(path, text)| {
            std::fs::symlink_metadata(path).is_ok()
                && std::fs::read(path).ok().as_ref() != Some(text)
        })
        .map(|(path, _)| format!("`{}`", path.display()))
        .collect();
    match taken.as_slice() {
        [] => Ok(()),
        [one] => anyhow::bail!("{one} exists; pass `--force` to overwrite it"),
        several => anyhow::bail!(
            "{} exist; pass `--force` to overwrite them",
            several.join(" and ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_are_valid() {
        assert_eq!(image_name("@acme/My Service!"), "acme-my-service");
        assert_eq!(image_name("___"), "app");
    }
}
