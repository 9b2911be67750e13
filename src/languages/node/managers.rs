//! npm, pnpm and yarn: which one a project uses (lockfile,
//! `packageManager`), and each one's install, prune and reinstall.

use super::workspace::{local_dirs, member_package, members};
use crate::manifest::NodeManager;
use crate::plan::context::Cx;

/// Lockfiles, in the order they decide the manager.
pub(super) const LOCKFILES: [(&str, NodeManager); 3] = [
    ("pnpm-lock.yaml", NodeManager::Pnpm),
    ("yarn.lock", NodeManager::Yarn),
    ("package-lock.json", NodeManager::Npm),
];

/// package.json's `packageManager`: `pnpm@9.15.9+sha512...` → (pnpm, major).
pub(super) fn package_manager(package: &serde_json::Value) -> Option<(NodeManager, u32)> {
    let field = package.get("packageManager")?.as_str()?;
    let (name, version) = field.split_once('@')?;
    let manager = match name {
        "npm" => NodeManager::Npm,
        "pnpm" => NodeManager::Pnpm,
        "yarn" => NodeManager::Yarn,
        _ => return None,
    };
    let major = version.split('.').next()?.parse().ok()?;
    Some((manager, major))
}

/// How the dependencies install.
pub(super) struct Install {
    pub(super) manager: NodeManager,
    pub(super) berry: bool,
    /// What the install needs, context-relative, in `COPY` order.
    pub(super) files: Vec<String>,
    pub(super) npmrc: bool,
    /// What a runtime-mode app directory must not ship besides the
    /// managers' credential files (removed wherever they are in the tree):
    /// yarn berry's cache and install state, context-relative.
    pub(super) litter: Vec<String>,
    /// The workspace's members (directories) and their package.json (the
    /// manifest's own, as read beside it), when `build.context` makes the
    /// manifest one: read once, for the install and for what ships.
    /// With the directories the members' `file:`, `link:` and `portal:`
    /// dependencies name: the install reads them, so they are copied
    /// before it, whole.
    pub(super) members: std::sync::Arc<super::workspace::Workspace>,
    /// The lifecycle scripts of the installing package.json (the root's,
    /// for a workspace member) that an install runs: a production install
    /// drops them first.
    pub(super) root_scripts: Vec<&'static str>,
}

/// The scripts npm, pnpm and yarn run for the package being installed
/// itself (not for its dependencies).
const LIFECYCLE: [&str; 8] = [
    "preinstall",
    "install",
    "postinstall",
    "prepublish",
    "preprepare",
    "prepare",
    "postprepare",
    "dependencies",
];

/// The manager and how it installs: the manifest's, else package.json's
/// `packageManager`, else the lockfile. pnpm and yarn need their lockfile
/// (they install frozen); npm falls back to `npm install` without one.
/// A workspace member (`build.context` above the manifest) installs at the
/// workspace root: the root's package.json, lockfile and configuration,
/// and every member's package.json. `production`: the install is narrowed
/// to production dependencies afterwards (an app's; not an asset stage's).
pub(super) fn install(
    cx: &mut Cx,
    chosen: Option<NodeManager>,
    package: &serde_json::Value,
    production: bool,
) -> Install {
    let workspace = !cx.member.is_empty();
    // A root package.json that does not parse is an error at its line
    // and column, not an empty one: its `workspaces` and `packageManager`
    // decide the install.
    let errors = cx.diagnostics.len();
    let root_package = match workspace {
        true => member_package(cx, "", None),
        false => Default::default(),
    };
    let root_broken = cx.diagnostics.len() > errors;
    // The root is the manifest's directory unless `build.context` is
    // above it: the install's files are looked up there either way.
    let declared = package_manager(&root_package).or_else(|| package_manager(package));
    let manager = chosen
        .or(declared.map(|(m, _)| m))
        .or_else(|| {
            LOCKFILES
                .iter()
                .find(|(file, _)| cx.root_exists(file))
                .map(|(_, m)| *m)
        })
        .unwrap_or(NodeManager::Npm);
    let berry = manager == NodeManager::Yarn
        && match declared {
            Some((NodeManager::Yarn, major)) => major >= 2,
            _ => cx.root_exists(".yarnrc.yml"),
        };
    let lockfile = match manager {
        NodeManager::Npm => "package-lock.json",
        NodeManager::Pnpm => "pnpm-lock.yaml",
        NodeManager::Yarn => "yarn.lock",
    };
    let beside = match workspace {
        true => "at the workspace root (`build.context`)",
        false => "beside the manifest",
    };
    if manager != NodeManager::Npm && !cx.root_exists(lockfile) {
        cx.diagnostics.push(
            crate::diagnostic::Diagnostic::new(format!(
                "{} installs from `{lockfile}`, and there is none {beside}",
                manager.key()
            ))
            .with_help(format!(
                "run `{} install` and commit `{lockfile}`: the build installs exactly what it pins",
                manager.key()
            )),
        );
    }
    let mut files = vec!["package.json".to_string()];
    let optional = [
        ".npmrc",
        "pnpm-workspace.yaml",
        ".pnpmfile.cjs",
        ".yarnrc.yml",
        ".yarnrc",
    ];
    files.extend(
        optional
            .iter()
            .filter(|f| cx.root_exists(f))
            .map(|f| f.to_string()),
    );
    // `npm ci` when the lockfile is there: the glob keeps COPY from failing
    // without one.
    files.push(match manager {
        NodeManager::Npm => "package-lock.json*".to_string(),
        _ => lockfile.to_string(),
    });
    let declaring = match workspace {
        true => &root_package,
        false => package,
    };
    let root_scripts = LIFECYCLE
        .into_iter()
        .filter(|script| declaring["scripts"].get(script).is_some())
        .collect();
    files.extend(read_by_install(
        cx,
        manager,
        berry.then(|| declared.map(|(_, major)| major)),
        declaring,
        production,
    ));
    // A manifest at a workspace's root (a Next.js app built from there)
    // installs every member: their package.json come before the install.
    let root_of_workspace =
        !workspace && (cx.exists("pnpm-workspace.yaml") || package.get("workspaces").is_some());
    let listing = match (workspace && !root_broken, root_of_workspace) {
        (_, true) => Some(package),
        (true, false) => Some(root_package.as_ref()),
        // A broken root lists no members: said once, at the root.
        (false, false) => None,
    };
    let members = read_members(cx, manager, listing, package, &mut files);
    Install {
        manager,
        berry,
        files,
        npmrc: cx.root_exists(".npmrc"),
        litter: litter(berry),
        members,
        root_scripts,
    }
}

/// A workspace member's workspace (`root_package`: the root's package.json,
/// when it lists members): the members and their package.json, read once,
/// the package.json files the install reads (added to `files`), and the
/// `file:` directories the install reads, a lone package's too.
fn read_members(
    cx: &mut Cx,
    manager: NodeManager,
    root_package: Option<&serde_json::Value>,
    package: &serde_json::Value,
    files: &mut Vec<String>,
) -> std::sync::Arc<super::workspace::Workspace> {
    let workspace = !cx.member.is_empty();
    let (members, named_by) = match root_package {
        Some(root_package) => members(cx, manager, root_package),
        // A broken root lists no members: said once, at the root.
        None => (Default::default(), "package.json"),
    };
    // npm and yarn read every member's package.json to install any one
    // of them. pnpm does not: `pnpm fetch` fills its store from the
    // lockfile alone, and the install after the source copy links from
    // it offline, so a version bump in one member leaves the others'
    // dependency layer alone (and the Dockerfile does not grow with the
    // workspace).
    // (At the workspace's root there is no fetch: the install reads them.)
    if manager != NodeManager::Pnpm || cx.member.is_empty() {
        files.extend(
            members
                .iter()
                .map(|member| format!("{member}/package.json")),
        );
    }
    // A package on its own reads its `file:` directories while installing
    // too: they are copied before the install as a member's are.
    if !workspace {
        let alone = [(String::new(), std::sync::Arc::new(package.clone()))].into();
        let local = local_dirs(cx, &alone);
        return std::sync::Arc::new(super::workspace::Workspace {
            local,
            ..Default::default()
        });
    }
    if let Some(clean) = super::workspace::clean_workspace(&cx.root, &members) {
        return clean;
    }
    let own = cx.member_dir().to_string();
    let members = members
        .iter()
        .cloned()
        .map(|member| {
            let value = match member == own {
                true => std::sync::Arc::new(package.clone()),
                false => member_package(cx, &member, Some(named_by)),
            };
            (member, value)
        })
        .collect();
    std::sync::Arc::new(super::workspace::read_workspace(cx, members))
}

/// What else the install reads, beyond package.json, the lockfile and the
/// configuration: yarn berry's own release and plugins (`berry`: its
/// declared major version, if any), and the patches pnpm and yarn apply
/// while installing.
fn read_by_install(
    cx: &mut Cx,
    manager: NodeManager,
    berry: Option<Option<u32>>,
    package: &serde_json::Value,
    production: bool,
) -> Vec<String> {
    let mut files = Vec::new();
    if let Some(major) = berry {
        if production {
            check_berry(cx, major);
        }
        for dir in [".yarn/releases/", ".yarn/plugins/", ".yarn/patches/"] {
            if cx.root.join(dir).is_dir() {
                files.push(dir.to_string());
            }
        }
    }
    if manager == NodeManager::Pnpm {
        files.extend(pnpm_patches(cx, package));
    }
    files
}

/// What a runtime-mode app directory must not ship beyond the credential
/// files (which the template removes wherever they are in the tree):
/// yarn berry's cache and install state.
fn litter(berry: bool) -> Vec<String> {
    match berry {
        true => vec![
            ".yarn/cache".to_string(),
            ".yarn/install-state.gz".to_string(),
        ],
        false => Vec::new(),
    }
}

/// Yarn 2 and 3 have `yarn workspaces focus`, which the production install
/// runs, only with the workspace-tools plugin (built into yarn 4).
fn check_berry(cx: &mut Cx, declared_major: Option<u32>) {
    let rc = crate::languages::support::read(&cx.root.join(".yarnrc.yml")).unwrap_or_default();
    // `yarnPath: .yarn/releases/yarn-3.8.7.cjs` names the version too.
    let major = declared_major.or_else(|| {
        let path = rc
            .lines()
            .find_map(|l| l.trim().strip_prefix("yarnPath:"))?;
        let release = path.trim().trim_matches(['"', '\'']).rsplit('/').next()?;
        release
            .strip_prefix("yarn-")?
            .split('.')
            .next()?
            .parse()
            .ok()
    });
    let Some(major @ 2..=3) = major else {
        return;
    };
    if rc.contains("plugin-workspace-tools") {
        return;
    }
    cx.error(
        "language",
        format!("yarn {major} has no `yarn workspaces focus` without the workspace-tools plugin, and the production install needs it"),
        "run `yarn plugin import workspace-tools` and commit `.yarnrc.yml` and `.yarn/plugins`, or move to yarn 4 (`\"packageManager\": \"yarn@4...\"` in package.json), which has it built in",
    );
}

/// The patch files pnpm applies while installing: package.json's
/// `pnpm.patchedDependencies`, and the `patches/` directory `pnpm patch-commit`
/// writes to. They are copied before the install, which fails without them.
fn pnpm_patches(cx: &mut Cx, package: &serde_json::Value) -> Vec<String> {
    let mut patches = Vec::new();
    if cx.root.join("patches").is_dir() && crate::input::first_link(&cx.root, "patches").is_none() {
        patches.push("patches/".to_string());
    }
    let declared = package
        .pointer("/pnpm/patchedDependencies")
        .and_then(|p| p.as_object())
        .into_iter()
        .flatten();
    for (dependency, path) in declared {
        let path = path.as_str().unwrap_or_default().trim_start_matches("./");
        let inside = crate::plan::rules::safe_relative(path)
            && crate::input::first_link(&cx.root, path).is_none()
            && cx.root_exists(path);
        if !inside {
            cx.error(
                "language",
                format!(
                    "package.json's `pnpm.patchedDependencies` names `{}` for `{}`, which is not a file in the build context",
                    crate::text::shown_value(path),
                    crate::text::shown_value(dependency)
                ),
                "give a relative path to a patch file inside the project (no links, no `..`), e.g. `patches/is-number@7.0.0.patch`",
            );
        } else if !path.starts_with("patches/") || patches.is_empty() {
            patches.push(path.to_string());
        }
    }
    patches
}

/// The manager: `--manager`, else package.json's `packageManager`, else the
/// one lockfile beside it (several are ambiguous: the user chooses), else
/// npm.
pub(super) fn detect_manager(
    dir: &std::path::Path,
    package: &serde_json::Value,
    chosen: Option<&str>,
    draft: &mut crate::languages::support::Draft,
) -> anyhow::Result<NodeManager> {
    let all = [NodeManager::Npm, NodeManager::Pnpm, NodeManager::Yarn];
    if let Some(chosen) = chosen {
        let manager = all.into_iter().find(|m| m.key() == chosen).ok_or_else(|| {
            anyhow::anyhow!(
                "`--manager {chosen}` is not a Node.js package manager; accepted: `npm`, `pnpm`, `yarn`"
            )
        })?;
        draft.reason(format!("--manager: {chosen}"));
        return Ok(manager);
    }
    if let Some((manager, _)) = package_manager(package) {
        draft.reason(format!(
            "package.json: packageManager `{}` → {} (corepack runs that version)",
            package["packageManager"].as_str().unwrap_or_default(),
            manager.key()
        ));
        return Ok(manager);
    }
    let found: Vec<&(&str, NodeManager)> = LOCKFILES
        .iter()
        .filter(|(file, _)| dir.join(file).is_file())
        .collect();
    match found.as_slice() {
        [] => {
            draft.reason(
                "no lockfile: npm (`npm install`; commit a package-lock.json for `npm ci`)",
            );
            Ok(NodeManager::Npm)
        }
        [(file, manager)] => {
            draft.reason(format!("{file} → {}", manager.key()));
            Ok(*manager)
        }
        several => anyhow::bail!(
            "`{}` has the lockfiles of several package managers ({}); pass `--manager` with one of {}",
            dir.display(),
            several
                .iter()
                .map(|(f, _)| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", "),
            several
                .iter()
                .map(|(_, m)| format!("`{}`", m.key()))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    }
}
