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
    // All dependencies: the build needs its devDependencies, nothing is
    // pruned (so yarn 2 and 3 need no workspace-tools plugin).
    let install = super::managers::install(&mut asset, None, &package, false);
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

/// The subdirectories `init` looks in for a frontend, in this order.
const FRONTEND_DIRS: [&str; 5] = ["frontend", "client", "ui", "web", "assets"];

/// What `init` drafts for a frontend beside a Python or Go app: one
/// `[[build.assets]]` (its keys), and why — or only why not. Conservative:
/// the first of [`FRONTEND_DIRS`] whose package.json has a `build`
/// script, and only when where that build writes can be read. The output
/// lands in `static`, or where the app reads it in place: `in_place`
/// says, for the built path (`frontend/dist`), why the app reads it there.
pub(crate) fn draft_assets(
    dir: &Path,
    in_place: impl Fn(&str) -> Option<String>,
) -> (Option<Vec<(String, toml::Value)>>, Vec<String>) {
    for sub in FRONTEND_DIRS {
        if crate::input::first_link(dir, sub).is_some() {
            continue;
        }
        let Some(text) = crate::languages::support::read(&dir.join(sub).join("package.json"))
        else {
            continue;
        };
        let Ok(package) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let Some(script) = package["scripts"]["build"].as_str() else {
            continue;
        };
        let found = format!("`{sub}/package.json` has a `build` script (`{script}`)");
        let (output, why) = match output_dir(&dir.join(sub), &package, script) {
            Ok(found) => found,
            Err(why) => {
                return (
                    None,
                    vec![format!(
                        "{found}, but {why}: no `[[build.assets]]` drafted; add one by hand (docs/manifest.md)"
                    )],
                );
            }
        };
        let built = format!("{sub}/{output}");
        let read_there = in_place(&built);
        let into = match read_there {
            Some(_) => built.as_str(),
            None => "static",
        };
        let keys = vec![
            ("language".to_string(), toml::Value::from("node")),
            ("workdir".to_string(), sub.into()),
            ("output".to_string(), output.clone().into()),
            ("into".to_string(), into.into()),
        ];
        let mut reasons = vec![format!(
            "{found} writing `{output}` ({why}): built in a Node stage of its own, shipped in `{into}` under the runtime workdir (`[[build.assets]]`)"
        )];
        reasons.extend(read_there);
        return (Some(keys), reasons);
    }
    (None, Vec::new())
}

/// Where a frontend's build writes, relative to its directory, and how
/// that was read: an `--outDir`/`--out-dir` in the script, Vite's
/// `build.outDir` in its config, else the tool's default (Vite `dist`,
/// Create React App `build`).
fn output_dir(
    dir: &Path,
    package: &serde_json::Value,
    script: &str,
) -> Result<(String, String), String> {
    let depends = |name: &str| {
        ["dependencies", "devDependencies"]
            .iter()
            .any(|field| package[field].get(name).is_some())
    };
    let words: Vec<&str> = script.split_whitespace().collect();
    let flagged = words.iter().enumerate().find_map(|(at, word)| {
        ["--outDir", "--out-dir"].iter().find_map(|flag| {
            match word.strip_prefix(flag)?.strip_prefix('=') {
                Some(value) => Some(value.to_string()),
                None if word == flag => words.get(at + 1).map(|v| v.to_string()),
                None => None,
            }
        })
    });
    let (output, why) = if let Some(value) = flagged {
        (value, "its `--outDir`".to_string())
    } else if depends("vite") || script.starts_with("vite") {
        match vite_out_dir(dir) {
            Some((Some(value), file)) => (value, format!("`build.outDir` in `{file}`")),
            Some((None, file)) => {
                return Err(format!(
                    "`build.outDir` in `{file}` is not a plain string shipit can read"
                ));
            }
            None => ("dist".into(), "Vite's default".into()),
        }
    } else if depends("react-scripts") {
        ("build".into(), "Create React App's default".into())
    } else {
        return Err("shipit cannot tell where it writes".into());
    };
    let output = output.trim_matches(['"', '\'']).trim_start_matches("./");
    let output = output.trim_end_matches('/');
    match crate::plan::rules::safe_relative(output) {
        true => Ok((output.to_string(), why)),
        false => Err(format!(
            "it writes to `{}` ({why}), which is not a path inside its directory",
            crate::text::shown_value(output)
        )),
    }
}

/// Vite's `outDir` in its config, and the config's name: the string
/// when it is one (`outDir: "dist"`), `None` when it is an expression
/// (`path.resolve(__dirname, "../static")`). Commented lines do not count.
fn vite_out_dir(dir: &Path) -> Option<(Option<String>, String)> {
    [
        "vite.config.ts",
        "vite.config.js",
        "vite.config.mts",
        "vite.config.mjs",
    ]
    .iter()
    .find_map(|file| {
        let text = crate::languages::support::read_in(dir, file)?;
        let line = text.lines().find(|line| {
            let code = line.trim_start();
            !code.starts_with("//")
                && !code.starts_with('*')
                && !code.starts_with("/*")
                && code.contains("outDir")
        })?;
        let after = line
            .split_once("outDir")?
            .1
            .trim_start()
            .strip_prefix(':')?;
        let after = after.trim_start();
        let literal = after
            .chars()
            .next()
            .filter(|c| "'\"".contains(*c))
            .and_then(|quote| {
                let body = &after[quote.len_utf8()..];
                let end = body.find(quote)?;
                let rest = body[end + quote.len_utf8()..].trim_start();
                (rest.is_empty() || rest.starts_with([',', '}'])).then(|| body[..end].to_string())
            });
        Some((literal, file.to_string()))
    })
}
