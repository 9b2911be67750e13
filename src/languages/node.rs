//! Node.js: one `@yao-pkg/pkg` executable on `alpine` (default), or
//! `node:<v>-alpine` with production dependencies only.

use serde::Serialize;

use super::DEBIAN;
use crate::manifest::{Artifact, NodeManager, NodeMode};
use crate::plan::{Cx, LanguageDefaults, PackageManager};

pub(crate) struct Node;

impl super::Support for Node {
    fn defaults(&self, cx: &mut Cx) -> LanguageDefaults {
        defaults(cx)
    }

    fn recognises(&self, dir: &std::path::Path) -> bool {
        recognises(dir)
    }

    fn without_libc(&self) -> Option<&'static str> {
        Some("`node.mode = \"pkg\"`")
    }

    fn looked_for(&self) -> &'static str {
        "`package.json`"
    }

    fn starter(&self) -> &'static str {
        "npm init"
    }

    fn chooses_manager(&self) -> bool {
        true
    }

    fn workspace_root(&self, dir: &std::path::Path) -> bool {
        dir.join("pnpm-workspace.yaml").is_file()
            || super::read(&dir.join("package.json"))
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                .is_some_and(|package| package.get("workspaces").is_some())
    }

    fn detect(
        &self,
        dir: &std::path::Path,
        root: &std::path::Path,
        manager: Option<&str>,
    ) -> anyhow::Result<super::Draft> {
        detect(dir, root, manager)
    }
}

const VERSION: &str = "22";
const ALPINE: &str = "3.22";
/// The maintained pkg fork, pinned so a rebuild bundles the same way.
const PKG: &str = "@yao-pkg/pkg@6.23.0";
/// The fetcher of pkg's Node base binaries: the version that `PKG` depends
/// on, so the binary fetched before the source copy is the one pkg uses.
const PKG_FETCH: &str = "@yao-pkg/pkg-fetch@3.6.6";
/// corepack, pinned: it runs pnpm and yarn at the version package.json's
/// `packageManager` names, or at its own known-good version. Node 25 and
/// later images no longer carry it, so the builder installs it.
const COREPACK: &str = "corepack@0.36.0";
/// Sea mode's tools, pinned: esbuild bundles the app into one script,
/// postject injects it into the copy of node.
const ESBUILD: &str = "esbuild@0.28.2";
const POSTJECT: &str = "postject@1.0.0-alpha.6";
/// The oldest Node whose single executable applications shipit builds
/// (`--experimental-sea-config`).
const SEA_MIN_MAJOR: u32 = 20;
/// Lockfiles, in the order they decide the manager.
const LOCKFILES: [(&str, NodeManager); 3] = [
    ("pnpm-lock.yaml", NodeManager::Pnpm),
    ("yarn.lock", NodeManager::Yarn),
    ("package-lock.json", NodeManager::Npm),
];

#[derive(Serialize)]
struct Settings {
    /// The entry, relative to the context root.
    entry: String,
    /// package.json, relative to the context root (pkg's `--config`).
    config: String,
    mode: NodeMode,
    /// Node's major version, for pkg's `node<major>-<platform>-<arch>` target.
    major: String,
    /// pkg's platform, matching the runtime's libc: `alpine` (musl),
    /// `linux` (glibc) or `linuxstatic` (no libc: scratch).
    platform: &'static str,
    pkg: &'static str,
    pkg_fetch: &'static str,
    esbuild: &'static str,
    postject: &'static str,
    binary: String,
    manager: NodeManager,
    /// Yarn 2 and later (`--immutable`) rather than yarn classic.
    berry: bool,
    corepack: &'static str,
    /// What the install needs, copied before it: package.json, the
    /// lockfile, `.npmrc`, the workspace and yarn files, by directory.
    files: Vec<super::CopyGroup>,
    /// An `.npmrc` is in the context: removed before the app is shipped.
    npmrc: bool,
    /// A workspace member's directory, context-relative: pnpm and npm
    /// install its dependencies only (`--filter`, `--workspace`).
    member: Option<String>,
    /// A workspace member in runtime mode: what its image ships, by the
    /// directory of [`SHIPPED`] it is assembled into (the rest of the
    /// workspace stays in the builder).
    ship: Vec<Shipped>,
}

/// Context-relative paths copied into one directory of [`SHIPPED`].
#[derive(Serialize)]
struct Shipped {
    into: String,
    files: Vec<String>,
}

/// `.nvmrc` or `.node-version` (a version, `lts/<codename>` or `lts/*`),
/// else package.json's `engines.node` range, resolved to the default major
/// when it allows it, else the newest release it allows: a range such as
/// `>=18` never picks an end-of-life major.
fn project_version(cx: &Cx, package: &serde_json::Value) -> Option<(String, String)> {
    // A workspace keeps them at its root, beside the lockfile.
    let dirs = [&cx.context, &cx.root];
    let found = dirs
        .iter()
        .flat_map(|dir| [".nvmrc", ".node-version"].map(|file| (file, dir.join(file))));
    for (file, path) in found {
        let Some(text) = super::read(&path) else {
            continue;
        };
        let written = text.lines().next().unwrap_or("").trim();
        let version = match written.strip_prefix("lts/") {
            Some("*") => Some(VERSION.to_string()),
            Some(codename) => LTS_CODENAMES
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(codename))
                .map(|(_, major)| major.to_string()),
            None => Some(written.trim_start_matches('v').to_string())
                .filter(|v| v.starts_with(|c: char| c.is_ascii_digit())),
        };
        if let Some(version) = version {
            return Some((version, format!("{file}: {written}")));
        }
    }
    let range = package["engines"]["node"].as_str()?;
    let default: u32 = VERSION.parse().unwrap_or(22);
    let major = super::versions::choose(default, &super::versions::NODE_MAJORS, |m| {
        super::versions::npm_range_allows(range, m)
    })?;
    Some((
        major.to_string(),
        format!("package.json: engines.node \"{range}\""),
    ))
}

/// Node's LTS codenames (`.nvmrc` may say `lts/iron`).
const LTS_CODENAMES: [(&str, u32); 5] = [
    ("hydrogen", 18),
    ("iron", 20),
    ("jod", 22),
    ("krypton", 24),
    ("lithium", 26),
];

/// package.json's `packageManager`: `pnpm@9.15.9+sha512...` → (pnpm, major).
fn package_manager(package: &serde_json::Value) -> Option<(NodeManager, u32)> {
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
struct Install {
    manager: NodeManager,
    berry: bool,
    /// What the install needs, context-relative, in `COPY` order.
    files: Vec<String>,
    npmrc: bool,
    /// The workspace's members (directories) and their package.json (the
    /// manifest's own, as read beside it), when `build.context` makes the
    /// manifest one: read once, for the install and for what ships.
    members: std::collections::BTreeMap<String, serde_json::Value>,
    /// The directories the members' `file:`, `link:` and `portal:`
    /// dependencies name: the install reads them, so they are copied
    /// before it, whole.
    local: Vec<String>,
}

/// The directories the workspace members' local dependencies (any kind:
/// the install reads devDependencies too) point to, sorted.
fn local_dirs(
    cx: &mut Cx,
    members: &std::collections::BTreeMap<String, serde_json::Value>,
) -> Vec<String> {
    let mut dirs = std::collections::BTreeSet::new();
    for (member, value) in members {
        for field in [
            "dependencies",
            "devDependencies",
            "optionalDependencies",
            "peerDependencies",
        ] {
            let Some(dependencies) = value[field].as_object() else {
                continue;
            };
            for (name, spec) in dependencies {
                if let Some(Local::Path(path)) = local_spec(spec.as_str().unwrap_or_default()) {
                    dirs.extend(local_dir(cx, member, name, path, true));
                }
            }
        }
    }
    dirs.into_iter().collect()
}

/// The manager and how it installs: the manifest's, else package.json's
/// `packageManager`, else the lockfile. pnpm and yarn need their lockfile
/// (they install frozen); npm falls back to `npm install` without one.
/// A workspace member (`build.context` above the manifest) installs at the
/// workspace root: the root's package.json, lockfile and configuration,
/// and every member's package.json.
fn install(cx: &mut Cx, chosen: Option<NodeManager>, package: &serde_json::Value) -> Install {
    let workspace = !cx.member.is_empty();
    let root_package: serde_json::Value = match workspace {
        true => super::read(&cx.root.join("package.json"))
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default(),
        false => serde_json::Value::Null,
    };
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
    if berry && cx.root.join(".yarn/releases").is_dir() {
        files.push(".yarn/releases/".to_string());
    }
    let members = match workspace {
        true => members(cx, manager, &root_package),
        false => Vec::new(),
    };
    files.extend(
        members
            .iter()
            .map(|member| format!("{member}/package.json")),
    );
    let own = cx.member_dir().to_string();
    let members = members
        .into_iter()
        .map(|member| {
            let value = match member == own {
                true => package.clone(),
                false => member_package(cx, &member),
            };
            (member, value)
        })
        .collect();
    let local = local_dirs(cx, &members);
    Install {
        manager,
        berry,
        files,
        npmrc: cx.root_exists(".npmrc"),
        members,
        local,
    }
}

/// The workspace's members, from the root package.json's `workspaces`
/// (npm, yarn) or pnpm-workspace.yaml's `packages`; the manifest's own
/// directory must be one of them, or the root install would skip its
/// dependencies.
fn members(cx: &mut Cx, manager: NodeManager, root_package: &serde_json::Value) -> Vec<String> {
    let (patterns, declared_in): (Vec<String>, &str) = match manager {
        NodeManager::Pnpm => {
            let text = super::read(&cx.root.join("pnpm-workspace.yaml")).unwrap_or_default();
            let packages = pnpm_packages(&text).unwrap_or_else(|problem| {
                cx.error(
                    "build.context",
                    format!("the workspace's pnpm-workspace.yaml cannot be read: {problem}"),
                    "write `packages:` as a list of glob strings, e.g. `packages: [\"apps/*\", \"packages/*\"]`",
                );
                Vec::new()
            });
            (packages, "pnpm-workspace.yaml's `packages`")
        }
        _ => {
            let field = &root_package["workspaces"];
            let list = field.as_array().or_else(|| field["packages"].as_array());
            let patterns = list
                .map(|list| {
                    list.iter()
                        .filter_map(|item| item.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            (patterns, "the root package.json's `workspaces`")
        }
    };
    super::copied_members(cx, &patterns, "package.json", declared_in)
}

/// Where the build stage assembles what a workspace member ships.
const SHIPPED: &str = "/out/app";

/// What a workspace member's image ships, context-relative: the root's
/// package.json and node_modules, the member, and every directory it needs
/// at run time: the workspace packages its `dependencies`,
/// `optionalDependencies` and `peerDependencies` name (by package name or
/// pnpm's `workspace:` alias or path, transitively) and its `file:`,
/// `link:` and `portal:` directories. Not the other members: their code
/// and dependencies stay in the builder.
fn shipped(
    cx: &mut Cx,
    packages: &std::collections::BTreeMap<String, serde_json::Value>,
    package: &serde_json::Value,
) -> Vec<String> {
    let own = cx.member_dir().to_string();
    let by_name: std::collections::BTreeMap<String, String> = packages
        .iter()
        .filter_map(|(dir, value)| Some((value["name"].as_str()?.to_string(), dir.clone())))
        .collect();
    let mut shipped = std::collections::BTreeSet::new();
    let mut queue = vec![own.clone()];
    while let Some(dir) = queue.pop() {
        if !shipped.insert(dir.clone()) {
            continue;
        }
        let value = match packages.get(&dir) {
            Some(value) => value.clone(),
            // The manifest's own directory, listed or not.
            None if dir == own => package.clone(),
            // A `file:` directory outside the members: its own dependencies.
            None => member_package(cx, &dir),
        };
        for field in ["dependencies", "optionalDependencies", "peerDependencies"] {
            let Some(dependencies) = value[field].as_object() else {
                continue;
            };
            for (name, spec) in dependencies {
                let spec = spec.as_str().unwrap_or_default();
                let next = match local_spec(spec) {
                    // Problems are reported once, by `local_dirs`.
                    Some(Local::Path(path)) => local_dir(cx, &dir, name, path, false),
                    Some(Local::Name(alias)) => by_name.get(alias).cloned(),
                    None => by_name.get(name).cloned(),
                };
                queue.extend(next);
            }
        }
    }
    // A directory inside another one ships with it.
    let mut ship = vec!["package.json".to_string(), "node_modules".to_string()];
    for dir in &shipped {
        let inside = dir
            .match_indices('/')
            .any(|(at, _)| shipped.contains(&dir[..at]));
        if !inside {
            ship.push(dir.clone());
        }
    }
    ship
}

/// Where a dependency's spec points inside the workspace.
enum Local<'a> {
    /// A directory, relative to the package that names it.
    Path(&'a str),
    /// Another workspace package, by name (pnpm's `workspace:name@range`).
    Name(&'a str),
}

/// A spec that names a directory (`file:`, `link:`, `portal:`, pnpm's
/// `workspace:../path`) or a workspace package by another name; `None`
/// for a version, a range, or `workspace:*` (the dependency's own name).
fn local_spec(spec: &str) -> Option<Local<'_>> {
    if let Some(path) = ["file:", "link:", "portal:"]
        .iter()
        .find_map(|protocol| spec.strip_prefix(protocol))
    {
        return Some(Local::Path(path));
    }
    let rest = spec.strip_prefix("workspace:")?;
    if rest.starts_with('.') || rest.starts_with('/') {
        return Some(Local::Path(rest));
    }
    // `workspace:@scope/name@^1` or `workspace:name@*`: the name before the
    // last `@` that is not the scope's.
    let at = rest.rfind('@').filter(|&at| at > 0)?;
    Some(Local::Name(&rest[..at]))
}

/// A member's (or a `file:` directory's) package.json, or `null` when it
/// has none; one that cannot be read or parsed is an error, since what it
/// depends on would be left out of the image.
fn member_package(cx: &mut Cx, dir: &str) -> serde_json::Value {
    let path = cx.root.join(dir).join("package.json");
    if std::fs::symlink_metadata(&path).is_err() {
        return serde_json::Value::Null;
    }
    let Some(text) = super::read(&path) else {
        cx.error(
            "build.context",
            super::unreadable(&path),
            "make it the package's package.json",
        );
        return serde_json::Value::Null;
    };
    serde_json::from_str(&text).unwrap_or_else(|error: serde_json::Error| {
        cx.error(
            "build.context",
            format!(
                "the workspace's `{}:{}:{}` is not valid JSON: {error}",
                path.display(),
                error.line(),
                error.column()
            ),
            "fix it so that the package manager reads it (no trailing commas, no comments)",
        );
        serde_json::Value::Null
    })
}

/// A local dependency's directory, context-relative, when it is a
/// directory inside the context (a tarball installs into node_modules; a
/// path outside the context cannot be in the build at all). One reached
/// through a symbolic link, or named so that a Dockerfile cannot copy it
/// as written, is an error: it would not ship.
fn local_dir(cx: &mut Cx, from: &str, name: &str, path: &str, report: bool) -> Option<String> {
    let dir = super::join_relative(from, path)?;
    if dir.is_empty() {
        return None;
    }
    let problem = if super::through_link(&cx.root, &dir) {
        "through a symbolic link"
    } else if !cx.root.join(&dir).is_dir() {
        return None;
    } else if !super::safe_relative(&dir) {
        "with a name a Dockerfile cannot copy as written"
    } else {
        return Some(dir);
    };
    if !report {
        return None;
    }
    let shown = crate::text::shown(&dir);
    cx.error(
        "build.context",
        format!("the dependency `{}` of `{from}/package.json` is the directory `{shown}`, reached {problem}: it cannot ship", crate::text::shown(name)),
        "make it a real directory of the workspace, named with letters, digits, `.`, `_`, `/`, `@`, `+` and `-`",
    );
    None
}

/// pnpm-workspace.yaml's `packages`, read from the parser's events: an
/// alias is refused rather than expanded (a few lines of nested aliases
/// expand to gigabytes), and every entry must be a plain string.
fn pnpm_packages(text: &str) -> Result<Vec<String>, String> {
    use yaml_rust2::parser::{Event, EventReceiver, Parser};
    struct Events(Vec<Event>);
    impl EventReceiver for Events {
        fn on_event(&mut self, event: Event) {
            self.0.push(event);
        }
    }
    let mut events = Events(Vec::new());
    Parser::new_from_str(text)
        .load(&mut events, false)
        .map_err(|e| format!("not valid YAML: {e}"))?;
    let mut events = events.0.into_iter().skip_while(|e| {
        matches!(
            e,
            Event::StreamStart | Event::DocumentStart | Event::Nothing
        )
    });
    let Some(Event::MappingStart(..)) = events.next() else {
        return Ok(Vec::new());
    };
    // Key, value pairs of the top-level mapping; other values are skipped
    // node by node.
    loop {
        let key = match events.next() {
            Some(Event::Scalar(key, ..)) => key,
            Some(Event::MappingEnd) | None => return Ok(Vec::new()),
            Some(_) => return Err("its top-level keys must be plain strings".into()),
        };
        if key == "packages" {
            match events.next() {
                Some(Event::SequenceStart(..)) => {}
                Some(Event::Alias(_)) => {
                    return Err("`packages` is an alias; write the list out".into());
                }
                _ => return Err("`packages` is not a list".into()),
            }
            let mut packages = Vec::new();
            loop {
                match events.next() {
                    Some(Event::Scalar(item, ..)) => packages.push(item),
                    Some(Event::SequenceEnd) => return Ok(packages),
                    Some(Event::Alias(_)) => {
                        return Err("an entry of `packages` is an alias; write it out".into());
                    }
                    _ => return Err("an entry of `packages` is not a string".into()),
                }
            }
        }
        let mut depth = 0usize;
        loop {
            match events.next() {
                Some(Event::SequenceStart(..) | Event::MappingStart(..)) => depth += 1,
                Some(Event::SequenceEnd | Event::MappingEnd) => depth = depth.saturating_sub(1),
                Some(_) => {}
                None => return Ok(Vec::new()),
            }
            if depth == 0 {
                break;
            }
        }
    }
}

fn defaults(cx: &mut Cx) -> LanguageDefaults {
    let table = cx.manifest.node.clone().unwrap_or_default();
    // Read once: it declares both the version and the package manager.
    let package = package_json(cx);
    let version = cx.version(VERSION, project_version(cx, &package));
    let entry = table.entry.unwrap_or_else(|| "index.js".into());
    cx.context_path("node.entry", &entry);
    let mode = table.mode.unwrap_or(NodeMode::Pkg);
    let install = install(cx, table.manager, &package);
    let major = version
        .split(['.', '-'])
        .next()
        .unwrap_or(&version)
        .to_string();
    let binary = cx.manifest.name.clone();

    let runtime_base = match mode {
        NodeMode::Pkg => format!("alpine:{ALPINE}"),
        NodeMode::Runtime => format!("node:{version}-alpine"),
        // The builder's own node, which links glibc and libstdc++: the
        // builder's Debian release, whose slim image has both.
        NodeMode::Sea => format!("debian:{DEBIAN}-slim"),
    };
    let runtime_alpine = format!("alpine:{ALPINE}");
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
    } else if mode == NodeMode::Sea && effective_base == runtime_alpine {
        // Sea ships the builder's own node: it links the libstdc++ of the
        // builder's Alpine, which must be the runtime's.
        format!("node:{version}-alpine{ALPINE}")
    } else {
        format!("node:{version}-alpine")
    };

    let (build_workdir, app_workdir) = cx.app_dirs();
    let ship = match mode == NodeMode::Runtime && !cx.member.is_empty() {
        true => shipped(cx, &install.members, &package),
        false => Vec::new(),
    };
    if mode == NodeMode::Sea {
        check_sea(cx, &major, platform);
    }
    let (artifacts, entrypoint, runtime_workdir, runtime_packages) = match mode {
        NodeMode::Sea => {
            let (artifacts, entrypoint) = super::program(&binary);
            // node links libstdc++ and libgcc; alpine has neither.
            let packages = if platform == "alpine" {
                vec!["libgcc".to_string(), "libstdc++".to_string()]
            } else {
                Vec::new()
            };
            (artifacts, entrypoint, None, packages)
        }
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
            // the entry is relative to the runtime WORKDIR. A workspace
            // member's is assembled in `/out/app` from what it needs.
            let from = match ship.is_empty() {
                true => build_workdir.clone(),
                false => SHIPPED.to_string(),
            };
            let artifacts = vec![Artifact {
                from,
                to: app_workdir.clone(),
            }];
            // A workspace member runs from its own directory in the tree.
            let entrypoint = vec!["node".into(), entry.clone()];
            let workdir = cx.member_workdir(&app_workdir);
            (artifacts, entrypoint, Some(workdir), Vec::new())
        }
    };

    LanguageDefaults {
        builder_image,
        runtime_base,
        build_workdir,
        build_env: Default::default(),
        helpers: Default::default(),
        build_packages: Vec::new(),
        runtime_packages,
        artifacts,
        entrypoint: Some(entrypoint),
        runtime_workdir,
        init: true,
        // Native addons built in the builder load only with its libc.
        // A sea binary is the builder's node: dynamically linked.
        // (On scratch, check_sea has said why already.)
        links_libc: matches!(mode, NodeMode::Runtime | NodeMode::Sea) && platform != "linuxstatic",
        version,
        ignore: vec![
            "**/node_modules".into(),
            "**/npm-debug.log*".into(),
            "**/.npm".into(),
            format!("{}coverage", cx.member),
        ],
        settings: serde_json::to_value(Settings {
            entry: cx.in_context(&entry),
            config: cx.in_context("package.json"),
            mode,
            major,
            platform,
            pkg: PKG,
            pkg_fetch: PKG_FETCH,
            esbuild: ESBUILD,
            postject: POSTJECT,
            binary,
            manager: install.manager,
            berry: install.berry,
            corepack: COREPACK,
            files: super::copy_groups(&install.files)
                .into_iter()
                .chain(install.local.iter().map(|dir| super::CopyGroup {
                    dir: format!("{dir}/"),
                    files: vec![dir.clone()],
                }))
                .collect(),
            npmrc: install.npmrc,
            member: (!cx.member.is_empty()).then(|| cx.member_dir().to_string()),
            ship: super::copy_groups(&ship)
                .into_iter()
                .map(|group| Shipped {
                    into: format!("{SHIPPED}/{}", group.dir.trim_start_matches("./")),
                    files: group.files,
                })
                .collect(),
        })
        .unwrap_or_default(),
    }
}

/// package.json beside the manifest, or `{}` when there is none. One that
/// cannot be read or parsed is an error at its line and column: its
/// `engines`, `packageManager` and workspaces would be dropped silently.
fn package_json(cx: &mut Cx) -> serde_json::Value {
    let path = cx.context.join("package.json");
    if !path.exists() {
        return serde_json::Value::default();
    }
    let Some(text) = super::read(&path) else {
        cx.error(
            "language",
            super::unreadable(&path),
            "make it the project's package.json",
        );
        return serde_json::Value::default();
    };
    match serde_json::from_str(&text) {
        Ok(value) => value,
        Err(error) => {
            cx.error(
                "language",
                format!(
                    "`{}:{}:{}` is not valid JSON: {error}",
                    path.display(),
                    error.line(),
                    error.column()
                ),
                "fix it so that npm reads it (no trailing commas, no comments)",
            );
            serde_json::Value::default()
        }
    }
}

fn recognises(dir: &std::path::Path) -> bool {
    dir.join("package.json").is_file()
}

/// Sea mode copies the builder's node binary: it needs a Node with
/// `--experimental-sea-config`, and a libc in the runtime.
fn check_sea(cx: &mut Cx, major: &str, platform: &str) {
    if let Ok(major) = major.parse::<u32>()
        && major < SEA_MIN_MAJOR
    {
        cx.error(
            "build.version",
            format!(
                "`node.mode = \"sea\"` needs Node {SEA_MIN_MAJOR} or newer to build a single executable; the build uses Node {major} (from {})",
                cx.version_from
            ),
            format!("set `build.version` to {SEA_MIN_MAJOR} or newer, or use `node.mode = \"pkg\"`"),
        );
    }
    if platform == "linuxstatic" {
        cx.error(
            "runtime.base",
            "`node.mode = \"sea\"` ships the builder's node, which links libc and libstdc++: `scratch` has neither",
            "leave `runtime.base` out (the builder's `debian:<release>-slim`), or use `node.mode = \"pkg\"` for scratch",
        );
    }
}

/// From package.json: the name; `bin` (a CLI: pkg mode) or `main`, or the
/// file `scripts.start` runs (a service: runtime mode) as the entry; the
/// major version of `engines.node`.
fn detect(
    dir: &std::path::Path,
    root: &std::path::Path,
    chosen: Option<&str>,
) -> anyhow::Result<super::Draft> {
    use anyhow::Context as _;
    let mut draft = super::Draft::default();
    let read = |dir: &std::path::Path| -> anyhow::Result<serde_json::Value> {
        let path = dir.join("package.json");
        let text = super::read(&path)
            .with_context(|| format!("cannot read `{}` as UTF-8 text", path.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("`{}` is not valid JSON", path.display()))
    };
    let package = read(dir)?;
    // A workspace's manager is its root's: `packageManager` and the
    // lockfile are there.
    let manager = match root == dir {
        true => detect_manager(dir, &package, chosen, &mut draft)?,
        false => detect_manager(root, &read(root)?, chosen, &mut draft)?,
    };
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
    draft.table("manager", manager.key());
    Ok(draft)
}

/// The manager: `--manager`, else package.json's `packageManager`, else the
/// one lockfile beside it (several are ambiguous: the user chooses), else
/// npm.
fn detect_manager(
    dir: &std::path::Path,
    package: &serde_json::Value,
    chosen: Option<&str>,
    draft: &mut super::Draft,
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
