//! `shipit plan`: the resolved manifest, every default filled in, with
//! where each value came from — the answer to "why does my Dockerfile say
//! that?".

use std::io::Write;

use anyhow::Result;
use serde_json::{Map, Value, json};

use super::env::{EXIT_OK, Env};
use crate::cli::{PlanArgs, PlanFormat};
use crate::manifest::load::LoadedManifest;
use crate::plan::Plan;
use crate::templates::{Loaded, Origin, Templates};

pub(crate) fn run(
    args: PlanArgs,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32> {
    let templates =
        crate::templates::template_dirs(&args.manifest.templates, env.templates_path.as_deref())?;
    let loaded = crate::manifest::load::load_manifest(&args.manifest.manifest)?;
    let plan = crate::plan::plan_manifest(&loaded)?;
    write!(
        err,
        "{}",
        crate::render::outputs::warnings_text(&loaded.source, &plan, env.color_stderr)
    )?;
    let own = crate::templates::manifest_templates(&loaded, &templates);
    let json = super::plan::plan_json(&loaded, &plan, own.as_ref().unwrap_or(&templates));
    match args.format {
        PlanFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &json)?;
            writeln!(out)?;
        }
        PlanFormat::Toml => out.write_all(super::plan::plan_toml(&json).as_bytes())?,
    }
    Ok(EXIT_OK)
}

/// The plan as JSON: `plan` (values), `sources` (for each value:
/// `manifest`, `default` or `derived`) and `templates` (which file each
/// template resolves to).
pub fn plan_json(loaded: &LoadedManifest, plan: &Plan, templates: &Templates) -> Value {
    let mut values = serde_json::to_value(plan).unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut values {
        fields.insert(plan.language.key().to_string(), plan.settings.clone());
    }
    let mut sources = Map::new();
    collect_sources(&values, "", loaded, &mut sources);
    // A version read from the project says which file it came from.
    if !["manifest", "default"].contains(&plan.build.version_from.as_str()) {
        sources.insert(
            "build.version".into(),
            Value::String(format!("derived ({})", plan.build.version_from)),
        );
    }
    let mut used = Map::new();
    for name in [
        format!("{}.Dockerfile.j2", plan.language.key()),
        "base.Dockerfile.j2".to_string(),
        "macros.j2".to_string(),
        crate::templates::DOCKERIGNORE.to_string(),
    ] {
        let origin = match templates.find(&name) {
            Ok(Some(Loaded {
                origin: Origin::Dir(dir),
                ..
            })) => dir.join(&name).display().to_string(),
            _ => "built-in".to_string(),
        };
        used.insert(name, Value::String(origin));
    }
    json!({
        "manifest": loaded.path.display().to_string(),
        "plan": values,
        "sources": sources,
        "templates": used,
    })
}

/// Leaves are scalars, arrays and maps of strings (`env`, `labels`).
fn collect_sources(
    value: &Value,
    path: &str,
    loaded: &LoadedManifest,
    out: &mut Map<String, Value>,
) {
    match value {
        Value::Object(fields) if !is_string_map(path) => {
            for (key, child) in fields {
                let child_path = crate::manifest::join_key(path, key);
                collect_sources(child, &child_path, loaded, out);
            }
        }
        _ => {
            out.insert(
                path.to_string(),
                Value::String(source_of(path, loaded).into()),
            );
        }
    }
}

fn is_string_map(path: &str) -> bool {
    path.ends_with(".env") || path.ends_with(".labels")
}

fn source_of(path: &str, loaded: &LoadedManifest) -> &'static str {
    if loaded.spans.contains(path) {
        "manifest"
    } else if crate::manifest::keys::has_key(path) {
        "default"
    } else {
        "derived"
    }
}

/// The same as TOML, each value followed by its source as a comment.
pub fn plan_toml(json: &Value) -> String {
    let mut out = format!(
        "# shipit plan for {}: every value, and where it came from\n",
        json["manifest"].as_str().unwrap_or_default()
    );
    let sources = json["sources"].as_object().cloned().unwrap_or_default();
    if let Value::Object(plan) = &json["plan"] {
        emit_table(plan, "", &sources, &mut out);
    }
    out.push_str("\n[templates]\n");
    if let Value::Object(templates) = &json["templates"] {
        for (name, origin) in templates {
            out.push_str(&format!("{} = {}\n", toml_key(name), toml_value(origin)));
        }
    }
    out
}

fn emit_table(
    table: &Map<String, Value>,
    path: &str,
    sources: &Map<String, Value>,
    out: &mut String,
) {
    let mut tables = Vec::new();
    for (key, value) in table {
        let child = crate::manifest::join_key(path, key);
        if value.is_object() && !is_string_map(&child) {
            tables.push((child, value));
            continue;
        }
        let source = sources
            .get(&child)
            .and_then(Value::as_str)
            .unwrap_or("derived");
        if value.is_null() {
            out.push_str(&format!("# {} is not set ({source})\n", toml_key(key)));
        } else {
            out.push_str(&format!(
                "{} = {}  # {source}\n",
                toml_key(key),
                toml_value(value)
            ));
        }
    }
    for (child, value) in tables {
        out.push_str(&format!("\n[{child}]\n"));
        if let Value::Object(fields) = value {
            emit_table(fields, &child, sources, out);
        }
    }
}

fn toml_key(key: &str) -> String {
    crate::manifest::join_key("", key)
}

fn toml_value(value: &Value) -> String {
    let value = strip_nulls(value);
    match toml::Value::try_from(&value) {
        Ok(toml) => toml.to_string(),
        Err(_) => value.to_string(),
    }
}

/// TOML has no null: drop null members of inline tables.
fn strip_nulls(value: &Value) -> Value {
    match value {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), strip_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(strip_nulls).collect()),
        other => other.clone(),
    }
}
