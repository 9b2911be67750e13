//! The manifest's JSON Schema, generated from the [`Manifest`] types.

use std::sync::OnceLock;

use schemars::generate::SchemaSettings;

use crate::manifest::Manifest;

/// The schema's stable identifier.
pub const SCHEMA_ID: &str = "https://shipit.dev/schema/shipit.schema.json";

/// The schema as a JSON value (draft-07, which taplo and most editors
/// speak), generated once.
pub fn schema_value() -> &'static serde_json::Value {
    static SCHEMA: OnceLock<serde_json::Value> = OnceLock::new();
    SCHEMA.get_or_init(generate)
}

fn generate() -> serde_json::Value {
    let generator = SchemaSettings::draft07().into_generator();
    let schema = generator.into_root_schema_for::<Manifest>();
    let mut value = schema.to_value();
    if let Some(object) = value.as_object_mut() {
        object.insert("$id".into(), SCHEMA_ID.into());
    }
    value
}

/// The schema as pretty-printed JSON with a trailing newline: exactly what
/// `shipit schema` prints and `schema/shipit.schema.json` holds.
pub fn schema_json() -> String {
    let mut text = serde_json::to_string_pretty(schema_value()).unwrap_or_default();
    text.push('\n');
    text
}
