//! C: compiled in `ubuntu:<v>` with `build-essential`, only the binary
//! copied onto the same `ubuntu:<v>` (same glibc), or onto `scratch` when
//! linked statically.

use serde::Serialize;

use crate::manifest::Compiler;
use crate::plan::{Cx, LanguageDefaults, PackageManager};

const VERSION: &str = "24.04";

#[derive(Serialize)]
struct Settings {
    sources: Vec<String>,
    output: String,
    compiler: &'static str,
    flags: Vec<String>,
    libs: Vec<String>,
    #[serde(rename = "static")]
    static_: bool,
}

pub(crate) fn defaults(cx: &mut Cx) -> LanguageDefaults {
    let table = cx.manifest.c.clone().unwrap_or_default();
    let version = cx.version(VERSION);
    for (index, source) in table.sources.iter().enumerate() {
        cx.context_path(&format!("c.sources[{index}]"), source);
    }
    if table.sources.is_empty() && cx.manifest.build.steps.is_none() {
        cx.error(
            "c",
            "nothing to compile: `c.sources` is empty and `build.steps` is not set",
            "list the sources, e.g. `sources = [\"app/hello.c\"]`, or build with `build.steps = [\"make\"]`",
        );
    }
    let output = table.output.unwrap_or_else(|| cx.manifest.name.clone());
    cx.file_name("c.output", &output);
    for (index, lib) in table.libs.iter().enumerate() {
        cx.file_name(&format!("c.libs[{index}]"), lib);
    }
    let flags = table.flags.unwrap_or_else(|| vec!["-O2".into()]);
    for (index, flag) in flags.iter().enumerate() {
        if !flag.starts_with('-') {
            cx.error(
                &format!("c.flags[{index}]"),
                format!("`c.flags[{index}]` = `{flag}` is not a compiler flag"),
                "flags start with `-`, e.g. `-O2` or `-Wall`; sources go in `c.sources`",
            );
        }
    }

    let builder_image = format!("ubuntu:{version}");
    let toolchain = match PackageManager::for_image(
        cx.manifest.build.image.as_deref().unwrap_or(&builder_image),
    ) {
        PackageManager::Apt => "build-essential",
        PackageManager::Apk => "build-base",
    };
    let compiler = table.compiler.unwrap_or(Compiler::Gcc);
    let mut build_packages = vec![toolchain.to_string()];
    if matches!(compiler, Compiler::Clang | Compiler::Clangxx) {
        build_packages.push("clang".into());
    }

    let (artifacts, entrypoint) = super::program(&output);
    LanguageDefaults {
        runtime_base: if table.static_ {
            "scratch".into()
        } else {
            builder_image.clone()
        },
        builder_image,
        build_workdir: "/src".into(),
        build_packages,
        runtime_packages: Vec::new(),
        artifacts,
        entrypoint: Some(entrypoint),
        runtime_workdir: None,
        version,
        settings: serde_json::to_value(Settings {
            sources: table.sources,
            output,
            compiler: compiler.command(),
            flags,
            libs: table.libs,
            static_: table.static_,
        })
        .unwrap_or_default(),
    }
}
