//! No manifest value can add an instruction: for every string field, a
//! hostile value is either rejected or renders to exactly the same
//! sequence of instructions (and flags) as a plain value, as BuildKit's
//! own parser reads them.

mod common;

use shipit::templates::Templates;
use toml::Value;

const HOSTILE: &[&str] = &[
    "a\nRUN echo injected",
    "a\r\nUSER root",
    "a\\",
    "a \\\nRUN echo injected",
    "\"]\nRUN echo injected\n[\"",
    "x\" \\\n  && echo injected \"",
    "$(echo injected)",
    "${HOME}",
    "'; echo injected; '",
    "<<EOF",
    "a<<EOF",
    "--mount=type=bind,target=/x",
    "# comment",
    "a b",
    "ÿ\u{2028}\u{0}",
];

/// (language, field path, whether the field is an array of strings)
const FIELDS: &[(&str, &str, bool)] = &[
    ("go", "name", false),
    ("go", "build.version", false),
    ("go", "build.image", false),
    ("go", "build.workdir", false),
    ("go", "build.packages", true),
    ("go", "build.steps", true),
    ("go", "build.env.VAR", false),
    ("go", "runtime.env.VAR", false),
    ("go", "runtime.labels.label", false),
    ("go", "runtime.cmd", true),
    ("go", "runtime.entrypoint", true),
    ("go", "runtime.workdir", false),
    ("go", "runtime.user", false),
    ("go", "runtime.base", false),
    ("go", "runtime.healthcheck.command", true),
    ("go", "runtime.healthcheck.interval", false),
    ("go", "go.package", false),
    ("c", "runtime.packages", true),
    ("c", "c.sources", true),
    ("c", "c.output", false),
    ("c", "c.flags", true),
    ("c", "c.libs", true),
    ("node", "node.entry", false),
    ("python", "python.requirements", false),
    ("python", "artifacts.from", false),
    ("python", "artifacts.to", false),
];

fn base(language: &str) -> toml::Table {
    let text = match language {
        "go" => {
            "name = \"demo\"\nlanguage = \"go\"\n[runtime]\nhealthcheck = { command = [\"/x\"], interval = \"5s\" }\n"
        }
        "c" => "name = \"demo\"\nlanguage = \"c\"\n[c]\nsources = [\"a.c\"]\n",
        "node" => "name = \"demo\"\nlanguage = \"node\"\n",
        "python" => {
            "name = \"demo\"\nlanguage = \"python\"\n[python]\nrequirements = \"requirements.txt\"\n[runtime]\nentrypoint = [\"python\", \"app.py\"]\n"
        }
        "rust" => "name = \"demo\"\nlanguage = \"rust\"\n",
        _ => unreachable!(),
    };
    toml::from_str(text).unwrap()
}

/// The manifest with `path` set to `value` (wrapped in an array where the
/// field is one). `artifacts.*` sets the one artifact's path.
fn manifest_with(language: &str, path: &str, is_array: bool, value: &str) -> String {
    let mut table = base(language);
    let value = if is_array {
        Value::Array(vec![Value::String(value.into())])
    } else {
        Value::String(value.into())
    };
    if let Some(key) = path.strip_prefix("artifacts.") {
        let mut artifact = toml::Table::new();
        artifact.insert("from".into(), Value::String("/app".into()));
        artifact.insert("to".into(), Value::String("/app".into()));
        artifact.insert(key.into(), value);
        table.insert(
            "artifacts".into(),
            Value::Array(vec![Value::Table(artifact)]),
        );
        return toml::to_string(&table).unwrap();
    }
    let parts: Vec<&str> = path.split('.').collect();
    let current = table_at(&mut table, &parts[..parts.len() - 1]);
    current.insert(parts[parts.len() - 1].to_string(), value);
    toml::to_string(&table).unwrap()
}

/// The table at `path` below `table`, made where missing.
fn table_at<'t>(table: &'t mut toml::Table, path: &[&str]) -> &'t mut toml::Table {
    path.iter().fold(table, |current, part| {
        current
            .entry(part.to_string())
            .or_insert_with(|| Value::Table(toml::Table::new()))
            .as_table_mut()
            .unwrap()
    })
}

/// A value the field accepts, for the reference render.
fn plain_value(path: &str) -> &'static str {
    match path {
        "build.image" => "golang:1.22",
        "runtime.base" => "alpine:3.22",
        "build.workdir" | "runtime.workdir" | "artifacts.from" | "artifacts.to" => "/app",
        "runtime.healthcheck.interval" => "5s",
        "runtime.user" => "1000:1000",
        "c.flags" => "-O2",
        "build.steps" => "make",
        "python.requirements" => "requirements.txt",
        _ => "plain",
    }
}

fn render(manifest: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("requirements.txt"), "flask\n").unwrap();
    // A Cargo package named `plain` with a binary of that name.
    std::fs::write(
        dir.path().join("Cargo.toml"),
        "[package]\nname = \"plain\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("Cargo.lock"), "version = 4\n").unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/main.rs"), "fn main() {}\n").unwrap();
    // A frontend for `[[build.assets]]`.
    std::fs::create_dir(dir.path().join("frontend")).unwrap();
    std::fs::write(
        dir.path().join("frontend/package.json"),
        "{\"scripts\": {\"build\": \"vite build\"}}\n",
    )
    .unwrap();
    let path = dir.path().join("shipit.toml");
    std::fs::write(&path, manifest).unwrap();
    shipit::render_manifest(&path, &Templates::default())
        .ok()
        .map(|(_, rendered)| rendered.text)
}

fn shape(instructions: &[common::Instruction]) -> Vec<(String, Vec<String>)> {
    instructions
        .iter()
        .map(|i| {
            // Flag names only: their values may legitimately carry the value.
            let flags = i
                .flags
                .iter()
                .map(|f| f.split('=').next().unwrap_or(f).to_string())
                .collect();
            (i.cmd.clone(), flags)
        })
        .collect()
}

/// Each case is (label, render with a plain value, render with the tested
/// value): BuildKit must parse both into the same instructions and flags.
/// All are parsed in one batch.
fn assert_same_shapes(cases: &[(String, String, String)]) {
    let texts: Vec<String> = cases
        .iter()
        .flat_map(|(_, plain, tested)| [plain.clone(), tested.clone()])
        .collect();
    let parsed = common::parse_dockerfiles(&texts);
    let mut failures = Vec::new();
    for (index, (label, _, tested)) in cases.iter().enumerate() {
        // The fuzz target's own Rust-side reading agrees.
        if let Err(error) = shipit::fuzzing::skeleton(tested) {
            failures.push(format!("{label}: {error}\n{tested}"));
        }
        let plain = parsed[2 * index].as_ref().expect("plain renders parse");
        match &parsed[2 * index + 1] {
            Ok(instructions) if shape(instructions) == shape(plain) => {}
            Ok(_) => failures.push(format!("{label}: the structure changed:\n{tested}")),
            Err(error) => failures.push(format!(
                "{label}: BuildKit cannot parse it: {error}\n{tested}"
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn no_field_can_add_an_instruction() {
    let mut cases = Vec::new(); // (label, plain render, hostile render)
    for &(language, path, is_array) in FIELDS {
        let plain_value = plain_value(path);
        let plain = render(&manifest_with(language, path, is_array, plain_value))
            .unwrap_or_else(|| panic!("{path} = {plain_value:?} should render"));
        for hostile in HOSTILE {
            let manifest = manifest_with(language, path, is_array, hostile);
            if let Some(text) = render(&manifest) {
                cases.push((format!("{path} = {hostile:?}"), plain.clone(), text));
            }
        }
    }
    assert!(
        cases.len() > 20,
        "some hostile values are accepted and quoted: {}",
        cases.len()
    );

    assert_same_shapes(&cases);
}

/// What a string in the manifest is: a plain value, an array of them, or
/// the key or the value of a string table (`env`, `labels`).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Value,
    Array,
    MapKey,
    MapValue,
}

/// Every string the manifest can hold, found in its JSON Schema, so a new
/// field is in the corpus the day it is added. `artifacts[]` stands for
/// the one artifact's keys.
fn string_fields() -> Vec<(String, Kind)> {
    fn resolve<'a>(
        root: &'a serde_json::Value,
        mut node: &'a serde_json::Value,
    ) -> &'a serde_json::Value {
        for _ in 0..8 {
            if node.get("properties").is_some() || node.get("type").is_some() {
                break;
            }
            if let Some(reference) = node.get("$ref").and_then(|r| r.as_str()) {
                node = root.pointer(reference.trim_start_matches('#')).unwrap();
            } else if let Some(first) = node.get("allOf").and_then(|a| a.get(0)) {
                node = first;
            } else {
                break;
            }
        }
        node
    }
    fn walk(
        root: &serde_json::Value,
        node: &serde_json::Value,
        path: &str,
        out: &mut Vec<(String, Kind)>,
    ) {
        let node = resolve(root, node);
        let Some(properties) = node.get("properties").and_then(|p| p.as_object()) else {
            return;
        };
        for (key, child) in properties {
            let child = resolve(root, child);
            let child_path = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            let is_string = |v: &serde_json::Value| {
                v.get("type") == Some(&"string".into()) && v.get("enum").is_none()
            };
            match child.get("type").and_then(|t| t.as_str()) {
                Some("string") if is_string(child) => out.push((child_path, Kind::Value)),
                Some("array") => {
                    let items = resolve(root, &child["items"]);
                    if is_string(items) {
                        out.push((child_path, Kind::Array));
                    } else if items.get("properties").is_some() {
                        walk(root, items, &format!("{child_path}[]"), out);
                    }
                }
                Some("object") if child.get("additionalProperties").is_some_and(is_string) => {
                    out.push((child_path.clone(), Kind::MapKey));
                    out.push((child_path, Kind::MapValue));
                }
                _ => walk(root, child, &child_path, out),
            }
        }
    }
    let root = shipit::schema::schema_value();
    let mut out = Vec::new();
    walk(root, root, "", &mut out);
    out
}

/// The language whose manifest exercises `path`.
fn language_of(path: &str) -> &'static str {
    if path == "runtime.packages" {
        return "c"; // go's default runtime is scratch, which has no packages
    }
    if path == "runtime.writable" || path.starts_with("build.assets[]") {
        return "python"; // a shell in the runtime and a default workdir
    }
    match path.split('.').next().unwrap() {
        "c" => "c",
        "node" => "node",
        "python" => "python",
        "rust" => "rust",
        _ => "go",
    }
}

/// A manifest for `language` with the field at `path` set to `value`.
fn manifest_at(path: &str, kind: Kind, value: &str) -> String {
    let language = language_of(path);
    let mut table = base(language);
    if language == "node" {
        // Runtime mode puts `node.entry` into ENTRYPOINT as well.
        table.insert(
            "node".into(),
            toml::from_str::<toml::Table>("mode = \"runtime\"")
                .unwrap()
                .into(),
        );
    }
    let leaf = match kind {
        Kind::Value => Value::String(value.into()),
        Kind::Array => Value::Array(vec![Value::String(value.into())]),
        Kind::MapKey => {
            let mut map = toml::Table::new();
            map.insert(value.into(), Value::String("plain".into()));
            Value::Table(map)
        }
        Kind::MapValue => {
            let mut map = toml::Table::new();
            map.insert("KEY".into(), Value::String(value.into()));
            Value::Table(map)
        }
    };
    if let Some(key) = path.strip_prefix("artifacts[].") {
        let mut artifact: toml::Table =
            toml::from_str("from = \"/out/demo\"\nto = \"/usr/local/bin/demo\"").unwrap();
        artifact.insert(key.into(), leaf);
        table.insert(
            "artifacts".into(),
            Value::Array(vec![Value::Table(artifact)]),
        );
        return toml::to_string(&table).unwrap();
    }
    if let Some(key) = path.strip_prefix("build.assets[].") {
        // The other keys plain: the frontend `render` writes.
        let mut asset: toml::Table = toml::from_str(
            "language = \"node\"\nworkdir = \"frontend\"\noutput = \"dist\"\ninto = \"static\"",
        )
        .unwrap();
        asset.insert(key.into(), leaf);
        table_at(&mut table, &["build"])
            .insert("assets".into(), Value::Array(vec![Value::Table(asset)]));
        return toml::to_string(&table).unwrap();
    }
    if let Some(key) = path.strip_prefix("build.secrets[].") {
        // Exactly one of target and env: the field under test, and an id.
        let mut secret: toml::Table = match key {
            "id" => toml::from_str("target = \"/run/secret\"").unwrap(),
            _ => toml::from_str("id = \"token\"").unwrap(),
        };
        secret.insert(key.into(), leaf);
        table_at(&mut table, &["build"])
            .insert("secrets".into(), Value::Array(vec![Value::Table(secret)]));
        return toml::to_string(&table).unwrap();
    }
    let parts: Vec<&str> = path.split('.').collect();
    let current = table_at(&mut table, &parts[..parts.len() - 1]);
    if path.starts_with("runtime.healthcheck") && !current.contains_key("command") {
        current.insert("command".into(), Value::Array(vec!["/x".into()]));
    }
    current.insert(parts[parts.len() - 1].to_string(), leaf);
    toml::to_string(&table).unwrap()
}

/// A value each field accepts, for the reference render.
fn benign(path: &str, kind: Kind) -> &'static str {
    match (path, kind) {
        (_, Kind::MapKey) => "KEY",
        ("build.image", _) => "golang:1.22",
        ("runtime.base", _) => "alpine:3.22",
        ("build.workdir" | "runtime.workdir" | "artifacts[].from" | "artifacts[].to", _) => "/app",
        (
            "runtime.healthcheck.interval"
            | "runtime.healthcheck.timeout"
            | "runtime.healthcheck.start_period",
            _,
        ) => "5s",
        ("runtime.user", _) => "1000:1000",
        ("c.flags", _) => "-O2",
        ("build.steps", _) => "make",
        ("python.requirements", _) => "requirements.txt",
        ("c.sources", _) => "a.c",
        ("node.entry", _) => "index.js",
        ("build.secrets[].target", _) => "/run/secret",
        ("build.secrets[].env", _) => "TOKEN",
        ("image.platforms", _) => "linux/amd64",
        ("image.repository", _) => "ghcr.io/acme/plain",
        ("build.context", _) => ".",
        ("build.assets[].workdir", _) => "frontend",
        ("build.assets[].output", _) => "dist",
        ("build.assets[].into", _) => "static",
        ("build.assets[].steps", _) => "npm run build",
        _ => "plain",
    }
}

/// Fields the corpus does not render, and why.
const NOT_RENDERED: &[(&str, &str)] = &[(
    "templates",
    "a directory to read templates from, never written into the output",
)];

/// The hostile values: every Unicode space (Zs, Zl, Zp) before a heredoc,
/// heredocs, leading dashes, variable and command substitution, invisible
/// characters, line breaks; each also as an absolute path so that path
/// fields get past their first check.
fn corpus() -> Vec<String> {
    let mut values: Vec<String> = Vec::new();
    let spaces = (0..=0x10FFFFu32)
        .filter_map(char::from_u32)
        .filter(|c| c.is_whitespace() && *c != ' ');
    for space in spaces {
        values.push(format!("a{space}<<EOF"));
        values.push(format!("a{space}--chown=0"));
    }
    for value in [
        "<<EOF",
        "a <<EOF",
        "a<<EOF",
        "<<-EOF",
        "a <<'EOF'",
        "-x",
        "--network=host",
        "--mount=type=bind,target=/x",
        "-",
        "--",
        "${HOME}",
        "a${X:-y}",
        "$(id)",
        "`id`",
        "a\u{202E}b",
        "a\u{200B}b",
        "\u{FEFF}a",
        "a\u{2066}b",
        "a\u{AD}b",
        "a\nRUN x",
        "a\r\nUSER root",
        "a\\",
        "a \\",
        "\"]\nRUN x\n[\"",
        "'; x; '",
        "# c",
        "a b",
        "a ",
        " a",
        "[\"a\"]",
        "<digest>",
        "a=b c=d",
        "a\tb",
    ] {
        values.push(value.to_string());
    }
    let absolute: Vec<String> = values.iter().map(|v| format!("/out/{v}")).collect();
    values.extend(absolute);
    values
}

#[test]
fn every_string_field_times_every_hostile_value_is_refused_or_inert() {
    let fields = string_fields();
    assert!(
        fields.len() >= 30,
        "the schema walk finds the fields: {fields:?}"
    );
    let values = corpus();
    let mut cases = Vec::new();
    let mut refused = 0;
    for (path, kind) in &fields {
        if NOT_RENDERED.iter().any(|(p, _)| p == path) {
            continue;
        }
        let plain = render(&manifest_at(path, *kind, benign(path, *kind))).unwrap_or_else(|| {
            panic!(
                "{path} ({kind:?}) = {:?} should render: give it a benign value",
                benign(path, *kind)
            )
        });
        for value in &values {
            match render(&manifest_at(path, *kind, value)) {
                Some(text) => cases.push((
                    format!("{path} ({kind:?}) = {value:?}"),
                    plain.clone(),
                    text,
                )),
                None => refused += 1,
            }
        }
    }
    assert!(
        refused > 0 && cases.len() > 100,
        "{refused} refused, {} rendered",
        cases.len()
    );
    assert_same_shapes(&cases);
}

#[test]
fn env_and_label_values_stay_literal() {
    let manifest = manifest_with("go", "runtime.env.VAR", false, "$HOME \"quoted\" \\ end");
    let text = render(&manifest).unwrap();
    let parsed = common::parse_dockerfiles(&[text]).remove(0).unwrap();
    let env = parsed
        .iter()
        .find(|i| i.cmd == "ENV" && i.value[0] == "VAR")
        .expect("the ENV");
    assert_eq!(env.value[1], r#""\$HOME \"quoted\" \\ end""#);
}

/// Strings built from the characters and words that break Dockerfiles, and
/// arbitrary Unicode.
fn hostile_strings() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let piece = prop_oneof![
        Just("\n".to_string()),
        Just("\r".to_string()),
        Just("\\".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("$".to_string()),
        Just("${X}".to_string()),
        Just("<<".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just("#".to_string()),
        Just("-".to_string()),
        Just(" ".to_string()),
        Just("\t".to_string()),
        Just("RUN x".to_string()),
        Just("`".to_string()),
        "[a-z0-9./:=]{1,4}",
        any::<char>().prop_map(String::from),
    ];
    prop_oneof![
        proptest::collection::vec(piece, 0..8).prop_map(|pieces| pieces.concat()),
        any::<String>(),
    ]
}

/// The property: for arbitrary strings in every string field, the render
/// is rejected, or BuildKit parses it into the same instructions and flags
/// as with a plain value. Cases are drawn from a fixed seed and parsed in
/// one batch.
#[test]
fn arbitrary_strings_never_change_the_structure() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    const CASES_PER_FIELD: usize = 64;
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = hostile_strings();
    let mut cases = Vec::new(); // (label, plain, hostile)
    let mut rejected = 0;
    for &(language, path, is_array) in FIELDS {
        let plain = render(&manifest_with(language, path, is_array, plain_value(path))).unwrap();
        for _ in 0..CASES_PER_FIELD {
            let value = strategy.new_tree(&mut runner).unwrap().current();
            match render(&manifest_with(language, path, is_array, &value)) {
                Some(text) => cases.push((format!("{path} = {value:?}"), plain.clone(), text)),
                None => rejected += 1,
            }
        }
    }
    assert!(!cases.is_empty() && rejected > 0, "both outcomes occur");

    assert_same_shapes(&cases);
}
