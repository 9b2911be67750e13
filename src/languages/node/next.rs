//! Next.js (`node.mode = "next"`): `next build` with `output:
//! "standalone"` writes a server (`server.js`) and the dependencies it
//! traced into `.next/standalone`, nested at the app's path from the
//! workspace root; the image ships that tree with `.next/static` and
//! `public/` beside the server, not `node_modules`. `init` recognises the
//! app (here, or the one Next.js member of the workspace rooted here); the
//! plan says where the build leaves what.

use std::path::Path;

use crate::manifest::NodeManager;

/// The config files Next.js reads, in its own order.
const CONFIGS: [&str; 5] = [
    "next.config.js",
    "next.config.mjs",
    "next.config.ts",
    "next.config.mts",
    "next.config.cjs",
];

/// Next.js's port unless `PORT` says otherwise.
pub(super) const PORT: i64 = 3000;

fn depends_on_next(package: &serde_json::Value) -> bool {
    ["dependencies", "devDependencies"]
        .iter()
        .any(|field| package[field].get("next").is_some())
}

/// The app's next.config, and whether it asks for standalone output.
pub(super) fn config(app: &Path) -> Option<(&'static str, bool)> {
    CONFIGS.iter().find_map(|name| {
        let text = crate::languages::support::read(&app.join(name))?;
        let standalone = text.lines().any(|line| {
            let line = line.trim_start();
            !line.starts_with("//") && line.contains("output") && line.contains("standalone")
        });
        Some((*name, standalone))
    })
}

/// The Next.js app `init` drafts for in `dir`: `dir` itself when its
/// package.json depends on `next`, else the one member of the workspace
/// declared in `dir` that does (`None` with none, or several). The
/// member's path from `dir` (empty for `dir`) and its package.json.
fn find_app(dir: &Path, package: &serde_json::Value) -> Option<(String, serde_json::Value)> {
    if depends_on_next(package) {
        return Some((String::new(), package.clone()));
    }
    let patterns: Vec<String> =
        match crate::languages::support::read(&dir.join("pnpm-workspace.yaml")) {
            Some(text) => super::workspace::pnpm_packages(&text).ok()?,
            None => {
                let field = &package["workspaces"];
                let list = field.as_array().or_else(|| field["packages"].as_array())?;
                list.iter()
                    .filter_map(|item| item.as_str().map(str::to_string))
                    .collect()
            }
        };
    let found = crate::languages::members::workspace_members(dir, &patterns, "package.json");
    let apps: Vec<(String, serde_json::Value)> = found
        .dirs
        .iter()
        .filter_map(|member| {
            let text = crate::languages::support::read(&dir.join(member).join("package.json"))?;
            let member_package: serde_json::Value = serde_json::from_str(&text).ok()?;
            depends_on_next(&member_package).then(|| (member.clone(), member_package))
        })
        .collect();
    match <[_; 1]>::try_from(apps) {
        Ok([app]) => Some(app),
        Err(_) => None,
    }
}

/// Drafts `node.mode = "next"` when `dir` holds a Next.js app (or is the
/// root of a workspace with one): the entry is the standalone
/// `server.js` at the app's path, `next build` is the build step, the
/// port is Next.js's. False when there is no Next.js app.
pub(super) fn detect(
    dir: &Path,
    root: &Path,
    package: &serde_json::Value,
    manager: NodeManager,
    draft: &mut crate::languages::support::Draft,
) -> bool {
    let Some((app, app_package)) = find_app(dir, package) else {
        return false;
    };
    let at = |file: &str| match app.as_str() {
        "" => file.to_string(),
        app => format!("{app}/{file}"),
    };
    draft.reason(format!(
        "{}: depends on `next` → a Next.js app",
        at("package.json")
    ));
    match config(&dir.join(&app)) {
        Some((file, true)) => draft.reason(format!(
            "{}: output \"standalone\" → the image ships `.next/standalone` and runs its `{}` (`node.mode = \"next\"`)",
            at(file),
            at("server.js")
        )),
        Some((file, false)) => draft.reason(format!(
            "{}: no `output: \"standalone\"`: add it, or the build has no server to ship (`node.mode = \"next\"` ships `.next/standalone`)",
            at(file)
        )),
        None => draft.reason(format!(
            "no next.config.js in `{}`: add one with `output: \"standalone\"` (`node.mode = \"next\"` ships `.next/standalone`)",
            at(".")
        )),
    }
    let script = app_package["scripts"]["build"]
        .as_str()
        .filter(|script| script.contains("next build"));
    let build = match (script, manager) {
        (Some(_), _) => super::built::run_script(manager, "build"),
        (None, NodeManager::Npm) => "npx --no-install next build".to_string(),
        (None, NodeManager::Pnpm) => "pnpm exec next build".to_string(),
        (None, NodeManager::Yarn) => "yarn next build".to_string(),
    };
    let step = match app.as_str() {
        "" => super::built::in_member(dir, root, &build),
        app => super::built::in_dir(app.trim_end_matches('/'), &build),
    };
    draft.reason(format!("`next build` → build.steps `{step}`"));
    draft.build("steps", toml::Value::Array(vec![step.into()]));
    draft.reason(format!(
        "Next.js listens on port {PORT} (`PORT`), on every address (`HOSTNAME=0.0.0.0` in the image)"
    ));
    draft.runtime("ports", toml::Value::Array(vec![PORT.into()]));
    // Next writes its image and ISR cache under `.next/cache` at run
    // time: the non-root user must own it (Next's own Dockerfile does).
    draft.runtime("writable", toml::Value::Array(vec![".next/cache".into()]));
    draft.table("entry", at("server.js"));
    draft.table("mode", "next");
    true
}

/// The plan's view of a Next.js app: the app's directory in the build
/// context (`apps/web/`, or empty), read from the entry, which must be the
/// standalone `server.js`. No build step means no `.next/standalone` (an
/// error); a config without standalone output, a warning.
pub(super) fn app_dir(cx: &mut crate::plan::context::Cx, entry: &str) -> String {
    let (dir, file) = entry.rsplit_once('/').unwrap_or(("", entry));
    if file != "server.js" {
        cx.error(
            "node.entry",
            format!("`node.mode = \"next\"` runs the standalone `server.js` that `next build` writes; `node.entry` is `{entry}`"),
            "set `node.entry` to `server.js` at the app's path, e.g. `apps/web/server.js`, or leave it out for the app beside the manifest",
        );
    }
    if cx.manifest.build.steps.as_ref().is_none_or(Vec::is_empty) {
        cx.error(
            "node.mode",
            "`node.mode = \"next\"` ships what `next build` writes, and no `build.steps` run it",
            "add `build.steps = [\"npm run build\"]` (the script that runs `next build`; `cd apps/web && pnpm run build` for an app in a workspace)",
        );
    }
    let app = cx.context.join(dir);
    let shown = match dir {
        "" => "next.config.js".to_string(),
        dir => format!("{dir}/next.config.js"),
    };
    match config(&app) {
        Some((_, true)) => {}
        Some((file, false)) => cx.warn(
            "node.mode",
            format!(
                "`{}` does not set `output: \"standalone\"`: `next build` writes no `.next/standalone` for the image to ship",
                match dir {
                    "" => file.to_string(),
                    dir => format!("{dir}/{file}"),
                }
            ),
            "add `output: \"standalone\"` to the config Next.js reads",
        ),
        None => cx.warn(
            "node.mode",
            format!("no `{shown}` (or .mjs, .ts): without `output: \"standalone\"`, `next build` writes no `.next/standalone` for the image to ship"),
            "add a next.config.js with `output: \"standalone\"`",
        ),
    }
    match cx.in_context(dir) {
        app if app.is_empty() || app.ends_with('/') => app,
        app => format!("{app}/"),
    }
}
