//! `shipit bake`: the tree as one Buildx Bake file (JSON), one target per
//! manifest and a `default` group, so BuildKit schedules, caches and
//! distributes the builds; shipit schedules nothing itself.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::Serialize;

use super::env::{EXIT_DRIFT, EXIT_OK, Env};
use crate::check;
use crate::cli::BakeArgs;

pub(crate) fn run(
    args: BakeArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32> {
    let (manifests, unreadable) = super::walk::find_manifests(&args.dir)?;
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
            let text = bake_file(&manifests, Path::new("."))?;
            out.write_all(text.as_bytes())?;
            return Ok(EXIT_OK);
        }
    };
    let bake_dir = crate::manifest::load::context_dir(&file);
    let text = bake_file(&manifests, &bake_dir)?;
    if !args.check {
        refuse_foreign(&file, &bake_dir)?;
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

/// The Bake file for `manifests`, with paths relative to `bake_dir`, the
/// directory the file is read from. Every manifest must plan cleanly: a
/// bake file that silently drops a service would build a partial tree.
pub(crate) fn bake_file(manifests: &[PathBuf], bake_dir: &Path) -> Result<String> {
    let base = absolute(bake_dir)?;
    // Loading and planning reads each project's files: on every core.
    let planned = crate::parallel::map(manifests, |path| -> Result<_> {
        let loaded = crate::manifest::load::load_manifest(path)?;
        let plan = crate::plan::plan_manifest(&loaded)?;
        let context =
            absolute(&crate::manifest::load::context_dir(path).join(&plan.build.context))?;
        Ok((loaded.manifest, plan, context))
    });
    let mut targets: BTreeMap<String, Target> = BTreeMap::new();
    let mut owners: BTreeMap<String, PathBuf> = BTreeMap::new();
    for (path, planned) in manifests.iter().zip(planned) {
        let (manifest, plan, context) = planned?;
        // Bake's target names are letters, digits, `_` and `-`: a manifest
        // name's dots become underscores.
        let name = manifest.name.replace('.', "_");
        if let Some(first) = owners.get(&name) {
            anyhow::bail!(
                "two manifests are named `{name}` as bake targets (`.` becomes `_`): `{}` and `{}`; bake targets are named after `name`, so give each a unique one",
                first.display(),
                path.display()
            );
        }
        owners.insert(name.clone(), path.clone());
        let context = relative(&base, &context);
        let context = context
            .to_str()
            .with_context(|| format!("`{}` is not a UTF-8 path", path.display()))?;
        let image = manifest.image.clone().unwrap_or_default();
        // The plan refused `cache` without a repository.
        let repository = image.repository.unwrap_or_else(|| manifest.name.clone());
        let cache = format!("type=registry,ref={repository}:buildcache");
        let (cache_from, cache_to) = match image.cache {
            true => (vec![cache.clone()], vec![format!("{cache},mode=max")]),
            false => (Vec::new(), Vec::new()),
        };
        targets.insert(
            name,
            Target {
                // `./`: BuildKit reads a context such as `github.com/acme/api`
                // as a remote Git repository, never one starting with `./`.
                context: literal(&local_path(context)),
                // The member's directory inside the context is a checked
                // path (`build.context`): no interpolation to escape.
                dockerfile: format!("{}Dockerfile", plan.build.member),
                platforms: image.platforms,
                tags: vec![format!("{repository}:${{TAG}}")],
                cache_from,
                cache_to,
                secret: plan.build.secrets.iter().map(bake_secret).collect(),
                ssh: match plan.build.ssh {
                    true => vec!["default".to_string()],
                    false => Vec::new(),
                },
            },
        );
    }
    let file = BakeFile {
        group: BTreeMap::from([(
            "default".to_string(),
            Group {
                targets: targets.keys().cloned().collect(),
            },
        )]),
        target: targets,
        variable: BTreeMap::from([(
            "TAG".to_string(),
            Variable {
                default: "latest".to_string(),
            },
        )]),
    };
    let mut text = serde_json::to_string_pretty(&file)?;
    text.push('\n');
    Ok(text)
}

#[derive(Serialize)]
struct BakeFile {
    group: BTreeMap<String, Group>,
    target: BTreeMap<String, Target>,
    variable: BTreeMap<String, Variable>,
}

#[derive(Serialize)]
struct Group {
    targets: Vec<String>,
}

#[derive(Serialize)]
struct Target {
    context: String,
    /// Bake reads it relative to `context`.
    dockerfile: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    platforms: Vec<String>,
    tags: Vec<String>,
    #[serde(rename = "cache-from", skip_serializing_if = "Vec::is_empty")]
    cache_from: Vec<String>,
    #[serde(rename = "cache-to", skip_serializing_if = "Vec::is_empty")]
    cache_to: Vec<String>,
    /// `[[build.secrets]]`: each read from the environment of
    /// `docker buildx bake`, under a name shipit chooses (see
    /// [`bake_secret`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    secret: Vec<String>,
    /// `build.ssh`: the default SSH agent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    ssh: Vec<String>,
}

/// A secret as Bake passes it to the build: read from the environment
/// variable `SHIPIT_SECRET_<ID>` (the id in capitals, `.` and `-` as `_`)
/// of `docker buildx bake`, never from a variable the manifest names: a
/// manifest arrives in pull requests, and CI's own variables
/// (`GITHUB_TOKEN`, cloud keys) must not reach its build steps unless the
/// pipeline exports them under that name on purpose. `--set
/// TARGET.secret=id=npmrc,src=$HOME/.npmrc` reads a file instead. Ids are
/// checked by the plan: nothing to escape.
fn bake_secret(secret: &crate::manifest::Secret) -> String {
    let name: String = secret
        .id
        .chars()
        .map(|c| match c {
            '.' | '-' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    format!("id={},env=SHIPIT_SECRET_{name}", secret.id)
}

#[derive(Serialize)]
struct Variable {
    default: String,
}

/// A local context path as BuildKit reads it: `.`, `./dir` or `../dir`.
fn local_path(path: &str) -> String {
    if path.is_empty() {
        ".".to_string()
    } else if path == ".." || path.starts_with("../") {
        path.to_string()
    } else {
        format!("./{path}")
    }
}

/// `-o` replaces a bake file, never another file: what is there must be
/// a JSON object of Bake's blocks.
pub(crate) fn refuse_foreign(file: &Path, bake_dir: &Path) -> Result<()> {
    let Some(bytes) = crate::input::read_file(file, bake_dir)? else {
        return Ok(());
    };
    let bake = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes)
        .is_ok_and(|map| {
            map.keys()
                .all(|key| matches!(key.as_str(), "group" | "target" | "variable" | "function"))
        });
    anyhow::ensure!(
        bake,
        "refusing to replace `{}`: it is not a Bake JSON file; choose another `-o`, or remove it first",
        file.display()
    );
    Ok(())
}

/// Bake interpolates `${…}` and `%{…}` in every string of a JSON file too:
/// a directory name must reach it as written.
fn literal(text: &str) -> String {
    text.replace("${", "$${").replace("%{", "%%{")
}

fn absolute(path: &Path) -> Result<PathBuf> {
    std::fs::canonicalize(path).with_context(|| format!("cannot read `{}`", path.display()))
}

/// `to` relative to `from`, both absolute and canonical.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<Component> = from.components().collect();
    let to: Vec<Component> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut path = PathBuf::new();
    for _ in common..from.len() {
        path.push("..");
    }
    for component in &to[common..] {
        path.push(component);
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_and_descend() {
        assert_eq!(
            relative(Path::new("/a/b"), Path::new("/a/b/c/d")),
            PathBuf::from("c/d")
        );
        assert_eq!(
            relative(Path::new("/a/b"), Path::new("/a/x")),
            PathBuf::from("../x")
        );
        assert_eq!(relative(Path::new("/a"), Path::new("/a")), PathBuf::new());
    }

    #[test]
    fn interpolation_is_escaped() {
        assert_eq!(literal("svc/${HOME}/%{x}"), "svc/$${HOME}/%%{x}");
    }
}
