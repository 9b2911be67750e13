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
