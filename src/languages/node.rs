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
/// The fetcher of pkg's Node base binaries: the version that `PKG` depends
/// on, so the binary fetched before the source copy is the one pkg uses.
const PKG_FETCH: &str = "@yao-pkg/pkg-fetch@3.6.6";

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
    pkg_fetch: &'static str,
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

    let (build_workdir, app_workdir) = cx.app_dirs();
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
            // The app tree moves from where it was built to where it runs;
            // the entry is relative to the runtime WORKDIR.
            let artifacts = vec![Artifact {
                from: build_workdir.clone(),
                to: app_workdir.clone(),
            }];
            let entrypoint = vec!["node".into(), entry.clone()];
            (artifacts, entrypoint, Some(app_workdir), Vec::new())
        }
    };

    LanguageDefaults {
        builder_image,
        runtime_base,
        build_workdir,
        build_env: Default::default(),
        build_packages: Vec::new(),
        runtime_packages,
        artifacts,
        entrypoint: Some(entrypoint),
        runtime_workdir,
        init: true,
        // Native addons built in the builder load only with its libc.
        links_libc: mode == NodeMode::Runtime && platform != "linuxstatic",
        version,
        settings: serde_json::to_value(Settings {
            entry,
            mode,
            major,
            platform,
            pkg: PKG,
            pkg_fetch: PKG_FETCH,
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
    let text = super::read(&dir.join("package.json")).unwrap_or_default();
    let package: serde_json::Value =
        serde_json::from_str(&text).context("package.json is not valid JSON")?;
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
    let start = package["scripts"]["start"]
        .as_str()
        .and_then(|script| script.strip_prefix("node "))
        .and_then(|rest| rest.split_whitespace().next())
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
