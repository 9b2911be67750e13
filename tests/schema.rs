//! The JSON Schema: committed copy equals `shipit schema`, it is a valid
//! draft-07 schema, every example validates, and schema and parser give
//! the same verdict on invalid manifests. Editor wiring is tested with the
//! real taplo (scripts/test.sh installs it).

mod common;

use std::path::Path;

use common::{shipit, stderr};

fn schema() -> serde_json::Value {
    shipit::schema::schema_value().clone()
}

fn validate(manifest: &str) -> Result<(), String> {
    let instance: serde_json::Value = toml::from_str(manifest).map_err(|e| e.to_string())?;
    let validator = jsonschema::draft7::new(&schema()).expect("the schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| e.to_string())
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

#[test]
fn committed_schema_equals_shipit_schema() {
    let committed =
        std::fs::read_to_string(common::root().join("schema/shipit.schema.json")).unwrap();
    let output = shipit(&common::root(), &["schema"]);
    assert!(output.status.success());
    assert!(
        committed == common::stdout(&output),
        "schema/shipit.schema.json is stale: run `cargo run -- schema > schema/shipit.schema.json`"
    );
}

#[test]
fn schema_is_valid_draft_07_with_id_and_title() {
    let schema = schema();
    jsonschema::draft7::meta::validate(&schema).expect("valid against the draft-07 meta-schema");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(schema["$id"], shipit::schema::SCHEMA_ID);
    assert_eq!(schema["title"], "shipit.toml");
    assert_eq!(schema["additionalProperties"], false);
}

#[test]
fn every_field_is_described() {
    fn walk(value: &serde_json::Value, path: &str, missing: &mut Vec<String>) {
        if let Some(properties) = value.get("properties").and_then(|p| p.as_object()) {
            for (key, property) in properties {
                if property.get("description").is_none()
                    && property != &serde_json::Value::Bool(false)
                {
                    missing.push(format!("{path}.{key}"));
                }
            }
        }
        if let Some(object) = value.as_object() {
            for (key, child) in object {
                walk(child, &format!("{path}/{key}"), missing);
            }
        }
    }
    let mut missing = Vec::new();
    walk(&schema(), "", &mut missing);
    assert!(
        missing.is_empty(),
        "fields without a description: {missing:?}"
    );
}

#[test]
fn every_example_validates() {
    for manifest in common::example_manifests() {
        let text = std::fs::read_to_string(&manifest).unwrap();
        validate(&text).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    }
}

/// Invalid manifests: the schema rejects each, and so does `shipit render`.
const INVALID: &[(&str, &str)] = &[
    (
        "unknown key",
        "name = \"demo\"\nlanguage = \"go\"\n[runtime]\nportz = [80]\n",
    ),
    (
        "wrong type",
        "name = \"demo\"\nlanguage = \"go\"\n[runtime]\nports = \"80\"\n",
    ),
    ("bad enum value", "name = \"demo\"\nlanguage = \"java\"\n"),
    (
        "bad node mode",
        "name = \"demo\"\nlanguage = \"node\"\n[node]\nmode = \"bundle\"\n",
    ),
    (
        "other language's table",
        "name = \"demo\"\nlanguage = \"go\"\n[python]\nrequirements = \"r.txt\"\n",
    ),
    (
        "port 0",
        "name = \"demo\"\nlanguage = \"go\"\n[runtime]\nports = [0]\n",
    ),
    (
        "port 70000",
        "name = \"demo\"\nlanguage = \"go\"\n[runtime]\nports = [70000]\n",
    ),
    ("bad name", "name = \"My App\"\nlanguage = \"go\"\n"),
    ("missing name", "language = \"go\"\n"),
    (
        "relative workdir",
        "name = \"demo\"\nlanguage = \"go\"\n[runtime]\nworkdir = \"app\"\n",
    ),
    (
        "bad duration",
        "name = \"demo\"\nlanguage = \"go\"\n[runtime]\nhealthcheck = { command = [\"/x\"], interval = \"soon\" }\n",
    ),
    (
        "bad env name",
        "name = \"demo\"\nlanguage = \"go\"\n[runtime]\nenv = { \"1X\" = \"a\" }\n",
    ),
];

#[test]
fn schema_and_render_reject_the_same_invalid_manifests() {
    let dir = tempfile::tempdir().unwrap();
    for (what, manifest) in INVALID {
        assert!(
            validate(manifest).is_err(),
            "the schema accepts a manifest with {what}"
        );
        std::fs::write(dir.path().join("shipit.toml"), manifest).unwrap();
        let output = shipit(dir.path(), &["render"]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "render accepts a manifest with {what}"
        );
        assert!(
            stderr(&output).contains("shipit.toml:"),
            "{what}: {}",
            stderr(&output)
        );
    }
}

fn taplo() -> String {
    common::tool("SHIPIT_TAPLO", "node_modules/.bin/taplo", "taplo")
}

fn taplo_check(dir: &Path, args: &[&str]) -> bool {
    std::process::Command::new(taplo())
        .arg("check")
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "error")
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `{}` (run scripts/test.sh, or npm install @taplo/cli): {e}",
                taplo()
            )
        })
        .status
        .success()
}

#[test]
fn taplo_validates_examples_through_their_schema_directive() {
    let root = common::root();
    for manifest in common::example_manifests() {
        let text = std::fs::read_to_string(&manifest).unwrap();
        assert!(
            text.starts_with("#:schema ../../schema/shipit.schema.json\n"),
            "{}",
            manifest.display()
        );
        let relative = manifest
            .strip_prefix(&root)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            taplo_check(&root, &["--no-auto-config", &relative]),
            "{relative}"
        );
    }
    // The directive alone (no config) catches an unknown key.
    let bad = root.join("examples/go-hello/shipit.bad.toml");
    std::fs::write(
        &bad,
        "#:schema ../../schema/shipit.schema.json\nname = \"x\"\nlanguage = \"go\"\n[python]\n",
    )
    .unwrap();
    let verdict = taplo_check(
        &root,
        &["--no-auto-config", "examples/go-hello/shipit.bad.toml"],
    );
    std::fs::remove_file(&bad).unwrap();
    assert!(!verdict, "taplo accepts another language's table");
}

#[test]
fn taplo_config_associates_every_shipit_toml_with_the_schema() {
    // A manifest without a directive, anywhere in the tree, is checked
    // through .taplo.toml.
    let root = common::root();
    let dir = tempfile::tempdir_in(root.join("target")).unwrap();
    let manifest = dir.path().join("shipit.toml");
    let relative = manifest
        .strip_prefix(&root)
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    std::fs::write(&manifest, "name = \"x\"\nlanguage = \"go\"\n").unwrap();
    assert!(taplo_check(&root, &[&relative]));
    std::fs::write(
        &manifest,
        "name = \"x\"\nlanguage = \"go\"\n[runtime]\nportz = [1]\n",
    )
    .unwrap();
    assert!(
        !taplo_check(&root, &[&relative]),
        "taplo accepts an unknown key"
    );
}
