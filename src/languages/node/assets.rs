//! A `[[build.assets]]` stage in Node.js: a frontend beside the app (a
//! Vite or React build copied into a Python or Go image). Its version and
//! package manager are read from its own directory exactly as a Node app's
//! are: `.nvmrc`, package.json's `engines` and `packageManager`, the
//! lockfile.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::manifest::{Build, NodeManager, Runtime};
use crate::plan::context::Cx;

/// What an asset stage builds with.
pub(crate) struct AssetToolchain {
    pub(crate) version: String,
    pub(crate) version_from: String,
    pub(crate) image: String,
    pub(crate) manager: NodeManager,
    pub(crate) berry: bool,
    pub(crate) corepack: &'static str,
    /// What the install reads, relative to the asset directory, in `COPY`
    /// order.
    pub(crate) files: Vec<String>,
    /// package.json has a `build` script.
    pub(crate) build_script: bool,
}

/// Reads the asset directory `dir` (`workdir`, as the manifest names it;
/// `at`: the key that names it, where its problems point). The app's own `build.version`,
/// `runtime.base` and `[node]` table are not the assets': the directory is
/// read as if it were a Node project of its own.
pub(crate) fn asset_toolchain(cx: &mut Cx, dir: &Path, workdir: &str, at: &str) -> AssetToolchain {
    let own = crate::manifest::Manifest {
        build: Build::default(),
        runtime: Runtime::default(),
        node: None,
        ..cx.manifest.clone()
    };
    let mut asset = Cx {
        manifest: &own,
        spans: cx.spans,
        context: dir.to_path_buf(),
        root: dir.to_path_buf(),
        member: String::new(),
        diagnostics: Vec::new(),
        warnings: Vec::new(),
        version_from: String::new(),
    };
    let package = super::package_json(&mut asset);
    let project = super::project_version(&asset, &package);
    let version = asset.version(super::VERSION, project);
    let install = super::managers::install(&mut asset, None, &package);
    let image = format!("node:{version}-{}", super::debian_release(&asset, &version));
    let build_script = package["scripts"]["build"].is_string();
    // Problems found in the asset directory point at the key that names it.
    let span = cx.spans.value(at);
    // The node module speaks of a project beside the manifest; here the
    // project is the asset directory.
    let here = format!("in `{workdir}`");
    for mut diagnostic in asset.diagnostics {
        diagnostic.span = span.clone();
        diagnostic.message = diagnostic.message.replace("beside the manifest", &here);
        diagnostic.help.push(format!("in the assets of `{at}`"));
        cx.diagnostics.push(diagnostic);
    }
    cx.warnings
        .extend(asset.warnings.into_iter().map(|w| Diagnostic {
            span: span.clone(),
            ..w
        }));
    AssetToolchain {
        version,
        version_from: asset.version_from,
        image,
        manager: install.manager,
        berry: install.berry,
        corepack: super::COREPACK,
        files: install.files,
        build_script,
    }
}
