//! Go: a static, stripped binary on `scratch` (`CGO_ENABLED=0`), with CA
//! certificates and a passwd entry; glibc-matched Debian images with cgo.

use serde::Serialize;

use super::DEBIAN;
use crate::plan::{Cx, LanguageDefaults};

const VERSION: &str = "1.25";

#[derive(Serialize)]
struct Settings {
    package: String,
    cgo: bool,
    tzdata: bool,
    binary: String,
}

pub(crate) fn defaults(cx: &mut Cx) -> LanguageDefaults {
    let table = cx.manifest.go.clone().unwrap_or_default();
    let version = cx.version(VERSION);
    let package = table.package.unwrap_or_else(|| ".".into());
    cx.context_path("go.package", &package);
    let binary = cx.manifest.name.clone();

    let (builder_image, runtime_base) = if table.cgo {
        (
            format!("golang:{version}-{DEBIAN}"),
            format!("debian:{DEBIAN}-slim"),
        )
    } else {
        (format!("golang:{version}"), "scratch".to_string())
    };
    if table.cgo && cx.manifest.runtime.base.as_deref() == Some("scratch") {
        cx.error(
            "runtime.base",
            "a cgo binary links against libc, which `scratch` does not have",
            format!("set `go.cgo = false`, or use a glibc base such as `debian:{DEBIAN}-slim`"),
        );
    }

    let (artifacts, entrypoint) = super::program(&binary);
    LanguageDefaults {
        version,
        builder_image,
        runtime_base,
        build_workdir: "/src".into(),
        build_packages: Vec::new(),
        runtime_packages: Vec::new(),
        artifacts,
        entrypoint: Some(entrypoint),
        runtime_workdir: None,
        settings: serde_json::to_value(Settings {
            package,
            cgo: table.cgo,
            tzdata: table.tzdata,
            binary,
        })
        .unwrap_or_default(),
    }
}

pub(crate) fn recognises(dir: &std::path::Path) -> bool {
    dir.join("go.mod").is_file()
}

/// From go.mod: the module's last path element as the name, the `go`
/// directive as the version; the main package is `.` when the root has a
/// `package main`, else the only (or first) `cmd/*`.
pub(crate) fn detect(dir: &std::path::Path) -> anyhow::Result<crate::init::Draft> {
    let mut draft = crate::init::Draft::default();
    let path = dir.join("go.mod");
    let go_mod = super::read(&path)
        .ok_or_else(|| anyhow::anyhow!("cannot read `{}` as UTF-8 text", path.display()))?;
    if !go_mod
        .lines()
        .any(|line| line.trim().starts_with("module ") || line.trim().starts_with("module\t"))
    {
        anyhow::bail!(
            "`{}` has no `module` directive; is it a go.mod? (`go mod init example.com/app` writes one)",
            path.display()
        );
    }
    for line in go_mod.lines().map(str::trim) {
        if let Some(module) = line.strip_prefix("module ") {
            let module = module.trim().trim_matches('"');
            draft.name = module.rsplit('/').next().map(str::to_string);
            draft.reason(format!("go.mod: module `{module}`"));
        } else if let Some(version) = line.strip_prefix("go ")
            && let Some(version) = crate::init::version_prefix(version, 2)
        {
            draft.reason(format!("go.mod: go {version}"));
            draft.build("version", version);
        }
    }
    let root_main = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .any(|entry| {
            let path = entry.path();
            path.extension().is_some_and(|e| e == "go")
                && super::read(&path).is_some_and(|text| text.contains("package main"))
        });
    if !root_main {
        let mut commands: Vec<String> = std::fs::read_dir(dir.join("cmd"))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|entry| entry.path().is_dir())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .collect();
        commands.sort();
        if let Some(first) = commands.first() {
            let package = format!("./cmd/{first}");
            if commands.len() > 1 {
                draft.reason(format!(
                    "several commands under cmd/: chose `{package}`; set `go.package` for another"
                ));
            } else {
                draft.reason(format!("main package: `{package}`"));
            }
            draft.table("package", package);
        }
    }
    Ok(draft)
}
