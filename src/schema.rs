//! The manifest's published JSON Schema: the key tree derived from the
//! manifest's types (`manifest::keys`), plus what derive cannot say: only
//! the table named by `language` may appear.

use std::sync::OnceLock;

use serde_json::{Value, json};

use crate::manifest::{Language, keys};

/// The schema's stable identifier.
pub const SCHEMA_ID: &str = "https://shipit.dev/schema/shipit.schema.json";

/// The schema as a JSON value (draft-07, which taplo and most editors
/// speak), generated once.
pub fn schema_value() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut value = keys::tree().clone();
        if let Some(root) = value.as_object_mut() {
            root.insert("$id".into(), SCHEMA_ID.into());
            root.insert("allOf".into(), language_tables());
        }
        value
    })
}

/// The schema as pretty-printed JSON with a trailing newline: exactly what
/// `shipit schema` prints and `schema/shipit.schema.json` holds.
pub fn schema_json() -> String {
    let mut text = serde_json::to_string_pretty(schema_value()).unwrap_or_default();
    text.push('\n');
    text
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
