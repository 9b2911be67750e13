//! Node.js: one `@yao-pkg/pkg` executable on `alpine` (default), or
//! `node:<v>-alpine` with production dependencies only.

use serde::Serialize;

use super::DEBIAN;
use crate::manifest::{Artifact, NodeMode};
use crate::plan::{Cx, LanguageDefaults, PackageManager};

const VERSION: &str = "22";
const ALPINE: &str = "3.22";
/// The maintained pkg fork, pinned so a rebuild bundles the same way.
const PKG: &str = "@yao-pkg/pkg@6.23.0";

#[derive(Serialize)]
struct Settings {
    entry: String,
    mode: NodeMode,
    /// Node's major version, for pkg's `node<major>-<platform>-<arch>` target.
    major: String,
    /// pkg's platform, matching the runtime's libc: `alpine` (musl),
    /// `linux` (glibc) or `linuxstatic` (no libc: scratch).
    platform: &'static str,
    pkg: &'static str,
    binary: String,
}

pub(crate) fn defaults(cx: &mut Cx) -> LanguageDefaults {
    let table = cx.manifest.node.clone().unwrap_or_default();
    let version = cx.version(VERSION);
    let entry = table.entry.unwrap_or_else(|| "index.js".into());
    cx.context_path("node.entry", &entry);
    let mode = table.mode.unwrap_or(NodeMode::Pkg);
    let major = version
        .split(['.', '-'])
        .next()
        .unwrap_or(&version)
        .to_string();
    let binary = cx.manifest.name.clone();

    let runtime_base = match mode {
        NodeMode::Pkg => format!("alpine:{ALPINE}"),
        NodeMode::Runtime => format!("node:{version}-alpine"),
    };
    let effective_base = cx
        .manifest
        .runtime
        .base
        .clone()
        .unwrap_or(runtime_base.clone());
    let platform = if effective_base == "scratch" {
        "linuxstatic"
    } else if PackageManager::for_image(&effective_base) == PackageManager::Apk {
        "alpine"
    } else {
        "linux"
    };
    // Native addons are compiled in the builder: it must have the runtime's
    // libc, so musl runtimes get an alpine builder.
    let builder_image = if platform == "linux" {
        format!("node:{version}-{DEBIAN}")
    } else {
        format!("node:{version}-alpine")
    };

    let (artifacts, entrypoint, runtime_workdir, runtime_packages) = match mode {
        NodeMode::Pkg => {
            let (artifacts, entrypoint) = super::program(&binary);
            // pkg's alpine binaries link libstdc++ and libgcc dynamically.
            let packages = if platform == "alpine" {
                vec!["libgcc".to_string(), "libstdc++".to_string()]
            } else {
                Vec::new()
            };
            (artifacts, entrypoint, None, packages)
        }
        NodeMode::Runtime => {
            if platform == "linuxstatic" {
                cx.error(
                    "runtime.base",
                    "`node.mode = \"runtime\"` needs Node.js in the runtime image; `scratch` has none",
                    "use `node.mode = \"pkg\"` for scratch, or a `node:<version>-alpine` base",
                );
            }
            let artifacts = vec![Artifact {
                from: "/app".into(),
                to: "/app".into(),
            }];
            let entrypoint = vec!["node".into(), entry.clone()];
            (artifacts, entrypoint, Some("/app".to_string()), Vec::new())
        }
    };

    LanguageDefaults {
        builder_image,
        runtime_base,
        build_workdir: "/app".into(),
        build_packages: Vec::new(),
        runtime_packages,
        artifacts,
        entrypoint: Some(entrypoint),
        runtime_workdir,
        version,
        settings: serde_json::to_value(Settings {
            entry,
            mode,
            major,
            platform,
            pkg: PKG,
            binary,
        })
        .unwrap_or_default(),
    }
}

pub(crate) fn recognises(dir: &std::path::Path) -> bool {
    dir.join("package.json").is_file()
}

/// From package.json: the name; `bin` (a CLI: pkg mode) or `main`, or the
/// file `scripts.start` runs (a service: runtime mode) as the entry; the
/// major version of `engines.node`.
pub(crate) fn detect(dir: &std::path::Path) -> anyhow::Result<crate::init::Draft> {
    use anyhow::Context as _;
    let mut draft = crate::init::Draft::default();
    let path = dir.join("package.json");
    let text = super::read(&path)
        .with_context(|| format!("cannot read `{}` as UTF-8 text", path.display()))?;
    let package: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("`{}` is not valid JSON", path.display()))?;
    if let Some(name) = package["name"].as_str() {
        draft.name = Some(name.rsplit('/').next().unwrap_or(name).to_string());
        draft.reason(format!("package.json: name `{name}`"));
    }
    if let Some(version) = package["engines"]["node"]
        .as_str()
        .and_then(|v| crate::init::version_prefix(v, 1))
    {
        draft.reason(format!("package.json: engines.node → Node {version}"));
        draft.build("version", version);
    }
    let bin = match &package["bin"] {
        serde_json::Value::String(path) => Some(path.clone()),
        serde_json::Value::Object(map) => map.values().find_map(|v| v.as_str().map(str::to_string)),
        _ => None,
    };
    // `node --inspect server.js`: the file, not node's own options.
    let start = package["scripts"]["start"]
        .as_str()
        .and_then(|script| script.strip_prefix("node "))
        .and_then(|rest| rest.split_whitespace().find(|word| !word.starts_with('-')))
        .map(str::to_string);
    let (entry, mode) = match (bin, package["main"].as_str(), start) {
        (Some(bin), _, _) => {
            draft.reason(format!("package.json: bin `{bin}` → one executable (pkg)"));
            (bin, "pkg")
        }
        (None, _, Some(start)) => {
            draft.reason(format!(
                "package.json: scripts.start runs `{start}` → node runtime"
            ));
            (start, "runtime")
        }
        (None, Some(main), None) => {
            draft.reason(format!("package.json: main `{main}` → node runtime"));
            (main.to_string(), "runtime")
        }
        (None, None, None) => ("index.js".to_string(), "runtime"),
    };
    let entry = entry.trim_start_matches("./").to_string();
    draft.table("entry", entry);
    draft.table("mode", mode);
    Ok(draft)
}
