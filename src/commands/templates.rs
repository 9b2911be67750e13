//! `shipit templates list|show|eject`: the built-in templates and the
//! organisation templates that replace them.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};

use super::env::{EXIT_OK, Env};
use crate::cli::{TemplateArgs, TemplatesCommand};
use crate::manifest::Language;
use crate::templates::{self, Loaded, Origin, Templates};

/// The search path for `templates list|show`: flags, environment, and the
/// manifest's own directory.
fn template_search(args: &TemplateArgs, env: &Env) -> Result<Templates> {
    let templates =
        crate::templates::template_dirs(&args.templates, env.templates_path.as_deref())?;
    let manifest = match &args.manifest {
        Some(path) => Some(path.clone()),
        None => Some(PathBuf::from("shipit.toml")).filter(|p| p.is_file()),
    };
    Ok(match manifest {
        Some(path) => {
            let loaded = crate::manifest::load::load_manifest(&path)?;
            crate::templates::manifest_templates(&loaded, &templates).unwrap_or(templates)
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

pub(crate) fn run(
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
