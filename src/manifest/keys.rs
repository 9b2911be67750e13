//! The manifest's key tree: the JSON Schema that schemars derives from the
//! [`Manifest`] types (TOML has no null: `Option` means "may be absent"),
//! which the parser walks to find unknown keys. The published schema
//! (`crate::schema`) adds what derive cannot say.

use std::sync::OnceLock;

use schemars::generate::SchemaSettings;
use serde_json::{Value, json};

use super::Manifest;

/// The derived schema (draft-07, which taplo and most editors speak),
/// generated once.
pub fn tree() -> &'static Value {
    static TREE: OnceLock<Value> = OnceLock::new();
    TREE.get_or_init(|| {
        let generator = SchemaSettings::draft07().into_generator();
        let mut value = generator.into_root_schema_for::<Manifest>().to_value();
        strip_null(&mut value);
        value
    })
}

/// True when `path` (`runtime.ports`, `go.package`, `artifacts[0].from`)
/// names a key the manifest may write.
pub fn has_key(path: &str) -> bool {
    let root = tree();
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
