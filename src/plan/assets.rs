//! `[[build.assets]]` → [`AssetPlan`]s: each path checked (relative,
//! inside the build context, no `..`, no symbolic link on the way), the
//! toolchain read from the asset directory by its language module, the
//! steps defaulted, and where the output lands made absolute.

use super::context::Cx;
use super::model::AssetPlan;
use super::rules::safe_relative;
use super::validate::check_steps;
use crate::manifest::AssetLanguage;

/// More stages than this is a manifest gone wrong, not a project.
const MAX_ASSETS: usize = 16;

const CONTEXT: &str = "the build context";

const RUNTIME: &str = "the runtime workdir";

/// Where an asset stage works: its files are copied here.
const ASSET_WORKDIR: &str = "/assets";

pub(super) fn assets(
    cx: &mut Cx,
    runtime_workdir: Option<&str>,
    build_workdir: &str,
) -> Vec<AssetPlan> {
    let entries = cx.manifest.build.assets.clone();
    if entries.len() > MAX_ASSETS {
        cx.error(
            "build.assets",
            format!("`build.assets` lists {} stages", entries.len()),
            format!("list at most {MAX_ASSETS}: build one frontend per stage"),
        );
        return Vec::new();
    }
    let mut plans = Vec::new();
    let mut targets = std::collections::HashSet::new();
    for (index, asset) in entries.iter().enumerate() {
        let at = format!("build.assets[{index}]");
        let key = |name: &str| format!("{at}.{name}");
        let workdir = relative(cx, &key("workdir"), &asset.workdir, CONTEXT, "`frontend`");
        let output = relative(cx, &key("output"), &asset.output, "`workdir`", "`dist`");
        let into = relative(cx, &key("into"), &asset.into, RUNTIME, "`static`");
        let (Some(workdir), Some(output), Some(into)) = (workdir, output, into) else {
            continue;
        };
        if output == "." {
            // The whole directory, node_modules and sources included.
            cx.error(
                &key("output"),
                format!(
                    "`{at}.output` = `.` would ship all of `{workdir}`, its node_modules included"
                ),
                "name the directory the steps write, e.g. `dist` or `build`",
            );
            continue;
        }
        let Some(runtime_workdir) = runtime_workdir else {
            cx.error(
                &key("into"),
                "`build.assets` land under the runtime workdir, and there is none",
                "set `runtime.workdir`, e.g. `workdir = \"/app\"`",
            );
            return Vec::new();
        };
        // The build stage copies the context root: a workspace member's
        // `into` is under its own directory there (where `//go:embed`
        // in the member's package finds it).
        let member_into = match cx.member_dir() {
            "" => into.clone(),
            member => join(member, &into),
        };
        if !linkless(cx, &key("workdir"), &workdir, true)
            || !linkless(cx, &key("output"), &join(&workdir, &output), true)
            || !linkless(cx, &key("into"), &into, false)
            || !linkless(cx, &key("into"), &member_into, true)
        {
            continue;
        }
        let dir = cx.root.join(&workdir);
        if !dir.is_dir() {
            cx.error(
                &key("workdir"),
                format!("`{at}.workdir` = `{workdir}` is not a directory of the build context"),
                "name the directory that holds the assets' package.json, relative to the build context",
            );
            continue;
        }
        let target = absolute(runtime_workdir, &into);
        if !targets.insert(target.clone()) {
            cx.error(
                &key("into"),
                format!("`{at}.into` = `{into}` is where an earlier asset stage lands"),
                "give each asset stage its own directory",
            );
            continue;
        }
        let AssetLanguage::Node = asset.language;
        let toolchain = crate::languages::asset_toolchain(cx, &dir, &workdir, &key("workdir"));
        let default_steps = asset.steps.is_none();
        let steps = steps(cx, &at, asset.steps.as_deref(), &toolchain, &workdir);
        plans.push(AssetPlan {
            stage: format!("assets-{}", index + 1),
            language: "node".into(),
            version: toolchain.version,
            version_from: toolchain.version_from,
            image: toolchain.image,
            manager: toolchain.manager,
            berry: toolchain.berry,
            corepack: toolchain.corepack.into(),
            files: crate::languages::support::copy_groups(&toolchain.files)
                .into_iter()
                .map(|group| crate::languages::support::CopyGroup {
                    files: group
                        .files
                        .iter()
                        .map(|file| join(&workdir, file))
                        .collect(),
                    dir: group.dir,
                })
                .collect(),
            steps,
            default_steps,
            ignored: join(&workdir, &output),
            output: absolute(ASSET_WORKDIR, &output),
            build_into: absolute(build_workdir, &member_into),
            into: target,
            workdir,
        });
    }
    plans
}

/// The asset's steps, checked, or `<manager> run build` when package.json
/// has a `build` script.
fn steps(
    cx: &mut Cx,
    at: &str,
    steps: Option<&[String]>,
    toolchain: &crate::languages::AssetToolchain,
    workdir: &str,
) -> Vec<String> {
    match steps {
        Some(steps) => {
            check_steps(cx, &format!("{at}.steps"), steps);
            steps.to_vec()
        }
        None if toolchain.build_script => {
            vec![format!("{} run build", toolchain.manager.key())]
        }
        None => {
            cx.error(
                at,
                format!(
                    "`{at}` has no `steps`, and `{workdir}/package.json` has no `build` script"
                ),
                "list the commands that build the assets, e.g. `steps = [\"npm run build\"]`",
            );
            Vec::new()
        }
    }
}

/// A relative path (inside `inside`), normalised (no trailing `/`), or
/// `None` after an error: `.` alone, or parts made only of safe characters,
/// none of them `.`, `..` or empty.
fn relative(cx: &mut Cx, path: &str, value: &str, inside: &str, example: &str) -> Option<String> {
    let trimmed = value.trim_end_matches('/');
    let normal = trimmed == "."
        || (safe_relative(trimmed) && !trimmed.split('/').any(|p| p == "." || p.is_empty()));
    if normal {
        return Some(trimmed.to_string());
    }
    cx.error(
        path,
        format!("`{path}` = `{}` is not a relative path inside {inside}", crate::text::shown_value(value)),
        format!("give a path such as {example}: letters, digits, `.`, `_`, `/`, `@`, `+`, `-`, not starting with `-` or `/`, and no `..`"),
    );
    None
}

/// No symbolic link on the way to `relative`, in the build context
/// (`in_root`) or in the manifest's directory (the app tree shipped at the
/// runtime workdir): a link would take the build out of the context, or
/// the copy somewhere the manifest does not say.
fn linkless(cx: &mut Cx, path: &str, relative: &str, in_root: bool) -> bool {
    let base = match in_root {
        true => &cx.root,
        false => &cx.context,
    };
    match crate::input::first_link(base, relative) {
        None => true,
        Some(link) => {
            cx.error(
                path,
                format!(
                    "`{path}` passes through the symbolic link `{}` in the project",
                    crate::text::shown_value(&link)
                ),
                "name a real directory: the link could lead out of the build context",
            );
            false
        }
    }
}

fn join(dir: &str, file: &str) -> String {
    match dir {
        "." => file.to_string(),
        _ => format!("{dir}/{file}"),
    }
}

/// `base/relative`, without the trailing `/` the templates add: the
/// root itself is the empty string (`COPY … /`, not `//`).
fn absolute(base: &str, relative: &str) -> String {
    let base = base.trim_end_matches('/');
    match relative {
        "." if base.is_empty() => String::new(),
        "." => base.to_string(),
        _ => format!("{base}/{relative}"),
    }
}
