//! The manifest's JSON Schema, generated from the [`Manifest`] types, plus
//! the two things derive cannot say: TOML has no null, and only the table
//! named by `language` may appear.

use std::sync::OnceLock;

use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

use crate::manifest::{Language, Manifest};

/// The schema's stable identifier.
pub const SCHEMA_ID: &str = "https://shipit.dev/schema/shipit.schema.json";

/// The schema as a JSON value (draft-07, which taplo and most editors
/// speak), generated once.
pub fn schema_value() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(generate)
}

fn generate() -> Value {
    let generator = SchemaSettings::draft07().into_generator();
    let mut value = generator.into_root_schema_for::<Manifest>().to_value();
    strip_null(&mut value);
    if let Some(root) = value.as_object_mut() {
        root.insert("$id".into(), SCHEMA_ID.into());
        root.insert("allOf".into(), language_tables());
    }
    value
}

/// True when `path` (`runtime.ports`, `go.package`, `artifacts[0].from`)
/// names a key the manifest may write.
pub fn has_key(path: &str) -> bool {
    let root = schema_value();
    let mut node = root;
    for part in path.split('.') {
        let (key, indexed) = match part.split_once('[') {
            Some((key, _)) => (key, true),
            None => (part, false),
        };
        let Some(child) = resolve(root, node)
            .get("properties")
            .and_then(|p| p.get(key))
        else {
            return false;
        };
        node = child;
        if indexed {
            match resolve(root, node).get("items") {
                Some(items) => node = items,
                None => return false,
            }
        }
    }
    true
}

/// Follows `$ref`s (bare or in a one-element `allOf`).
fn resolve<'s>(root: &'s Value, mut node: &'s Value) -> &'s Value {
    for _ in 0..8 {
        let next = if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            root.pointer(reference.trim_start_matches('#'))
        } else if node.get("properties").is_none() && node.get("items").is_none() {
            node.get("allOf").and_then(|all| all.get(0))
        } else {
            None
        };
        match next {
            Some(next) => node = next,
            None => break,
        }
    }
    node
}

/// The schema as pretty-printed JSON with a trailing newline: exactly what
/// `shipit schema` prints and `schema/shipit.schema.json` holds.
pub fn schema_json() -> String {
    let mut text = serde_json::to_string_pretty(schema_value()).unwrap_or_default();
    text.push('\n');
    text
}

/// `Option<T>` is "the key may be absent", never "the value may be null":
/// TOML cannot write null, so drop it from types and `anyOf`s.
fn strip_null(value: &mut Value) {
    match value {
        Value::Object(object) => {
            if let Some(Value::Array(types)) = object.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    object.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(variants)) = object.get_mut("anyOf") {
                variants.retain(|v| v.get("type").is_none_or(|t| t != "null"));
                if variants.len() == 1 {
                    let only = variants.remove(0);
                    object.remove("anyOf");
                    object.insert("allOf".into(), json!([only]));
                }
            }
            object.values_mut().for_each(strip_null);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}

/// For each language, `if language is X then no other language's table`.
fn language_tables() -> Value {
    let rules: Vec<Value> = Language::ALL
        .iter()
        .map(|chosen| {
            let forbidden: serde_json::Map<String, Value> = Language::ALL
                .iter()
                .filter(|other| *other != chosen)
                .map(|other| (other.key().to_string(), Value::Bool(false)))
                .collect();
            json!({
                "if": {
                    "properties": { "language": { "const": chosen.key() } },
                    "required": ["language"]
                },
                "then": { "properties": forbidden }
            })
        })
        .collect();
    Value::Array(rules)
}
