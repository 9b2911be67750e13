//! Node.js: one `@yao-pkg/pkg` executable on `alpine` (default), or
//! `node:<v>-alpine` with production dependencies only.

pub(crate) mod assets;
mod built;
mod draft;
mod managers;
mod next;
mod typescript;
mod workspace;

use serde::Serialize;

use crate::manifest::{Artifact, NodeManager, NodeMode};
use crate::plan::context::{Cx, LanguageDefaults};
use crate::plan::image::DEBIAN;
use crate::plan::image::PackageManager;
use draft::detect;
use managers::install;
use workspace::{SHIPPED, Shipped, shipped};

pub(crate) struct Node;

impl crate::languages::support::Support for Node {
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
            || crate::languages::support::read(&dir.join("package.json"))
                .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
                .is_some_and(|package| package.get("workspaces").is_some())
    }

    fn detect(
        &self,
        dir: &std::path::Path,
        root: &std::path::Path,
        manager: Option<&str>,
    ) -> anyhow::Result<crate::languages::support::Draft> {
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
    files: Vec<crate::languages::support::CopyGroup>,
    /// An `.npmrc` is in the context: removed before the app is shipped.
    npmrc: bool,
    /// What the shipped app directory must not hold besides the credential
    /// files (removed anywhere in the tree): yarn's cache and install
    /// state, removed before it ships.
    litter: Vec<String>,
    /// The lifecycle scripts of the installing package.json, dropped
    /// before a production install (`npm pkg delete scripts.<name>`).
    root_scripts: Vec<&'static str>,
    /// A workspace member's directory, context-relative: pnpm and npm
    /// install its dependencies only (`--filter`, `--workspace`).
    member: Option<String>,
    /// A workspace member in runtime mode: what its image ships, by the
    /// directory of [`SHIPPED`] it is assembled into (the rest of the
    /// workspace stays in the builder).
    ship: Vec<Shipped>,
    /// Next.js mode: the app's directory in the context (`apps/web/`, or
    /// empty), where `next build` leaves `.next/` and the standalone tree
    /// nests its server.
    next_app: String,
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
        let Some(text) = crate::languages::support::read(&path) else {
            continue;
        };
        let written = text.lines().next().unwrap_or("").trim();
        let version = match written.strip_prefix("lts/") {
            Some("*") => Some(VERSION.to_string()),
            Some(codename) => LTS_CODENAMES
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(codename))
                .map(|(_, major)| major.to_string()),
            // The version alone: `v20.11.1` → `20.11.1`, and a variant
            // suffix (`22.1.0-alpine`, `20-bookworm`) or a wildcard
            // (`20.x`) is dropped, since the tag's variant is shipit's to
            // add; a word (`node`, `stable`) is no version.
            None => Some(written.trim_start_matches('v'))
                .filter(|v| v.starts_with(|c: char| c.is_ascii_digit()))
                .and_then(|v| crate::languages::versions::version_prefix(v, 3)),
        };
        if let Some(version) = version {
            return Some((version, format!("{file}: {written}")));
        }
    }
    let range = package["engines"]["node"].as_str()?;
    let default: u32 = VERSION.parse().unwrap_or(22);
    let major = crate::languages::versions::choose(
        default,
        &crate::languages::versions::NODE_MAJORS,
        |m| crate::languages::versions::npm_range_allows(range, m),
    )?;
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

fn defaults(cx: &mut Cx) -> LanguageDefaults {
    let table = cx.manifest.node.clone().unwrap_or_default();
    // Read once: it declares both the version and the package manager.
    let package = package_json(cx);
    let version = cx.version(VERSION, project_version(cx, &package));
    let mode = table.mode.unwrap_or(NodeMode::Pkg);
    let entry = table.entry.unwrap_or_else(|| match mode {
        NodeMode::Next => "server.js".into(),
        _ => "index.js".into(),
    });
    cx.context_path("node.entry", &entry);
    let next_app = match mode {
        NodeMode::Next => next::app_dir(cx, &entry),
        _ => {
            check_entry(cx, &entry);
            String::new()
        }
    };
    let install = install(cx, table.manager, &package, true);
    let major = version
        .split(['.', '-'])
        .next()
        .unwrap_or(&version)
        .to_string();
    let binary = cx.manifest.name.clone();

    let (runtime_base, platform, builder_image) = images(cx, mode, &version);

    let (build_workdir, _) = cx.app_dirs();
    let ship = match mode == NodeMode::Runtime && !cx.member.is_empty() {
        true => shipped(cx, &install.members, &package),
        false => Vec::new(),
    };
    if mode == NodeMode::Sea {
        check_sea(cx, &major, platform);
        check_sea_format(cx, &entry, &package);
    }
    let (artifacts, entrypoint, runtime_workdir, runtime_packages) =
        program(cx, mode, platform, &binary, &entry, !ship.is_empty());
    let mut ignore = vec![
        "**/node_modules".into(),
        "**/npm-debug.log*".into(),
        "**/.npm".into(),
        format!("{}coverage", cx.member),
    ];
    let mut build_env = std::collections::BTreeMap::new();
    if mode == NodeMode::Next {
        // A build made on the host must not stand in for the image's own.
        ignore.push("**/.next".into());
        if !cx
            .manifest
            .build
            .env
            .contains_key("NEXT_TELEMETRY_DISABLED")
        {
            build_env.insert("NEXT_TELEMETRY_DISABLED".into(), "1".into());
        }
    }

    LanguageDefaults {
        builder_image,
        runtime_base,
        build_workdir,
        build_env,
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
        links_libc: mode != NodeMode::Pkg && platform != "linuxstatic",
        version,
        ignore,
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
            files: crate::languages::support::copy_groups(&install.files)
                .into_iter()
                .chain(install.members.local.iter().map(|dir| {
                    crate::languages::support::CopyGroup {
                        dir: format!("{dir}/"),
                        files: vec![dir.clone()],
                    }
                }))
                .collect(),
            npmrc: install.npmrc,
            litter: install.litter,
            root_scripts: install.root_scripts,
            member: (!cx.member.is_empty()).then(|| cx.member_dir().to_string()),
            next_app,
            ship: crate::languages::support::copy_groups(&ship)
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

/// The runtime base, the platform the program is built for (`linux`,
/// `alpine` or `linuxstatic`), and the builder that builds it.
fn images(cx: &Cx, mode: NodeMode, version: &str) -> (String, &'static str, String) {
    let release = debian_release(cx, version);
    let runtime_base = match mode {
        NodeMode::Pkg => format!("alpine:{ALPINE}"),
        NodeMode::Runtime | NodeMode::Next => format!("node:{version}-alpine"),
        // The builder's own node, which links glibc and libstdc++: the
        // builder's Debian release, whose slim image has both.
        NodeMode::Sea => format!("debian:{release}-slim"),
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
        format!("node:{version}-{release}")
    } else if mode == NodeMode::Sea && effective_base == runtime_alpine {
        // Sea ships the builder's own node: it links the libstdc++ of the
        // builder's Alpine, which must be the runtime's.
        format!("node:{version}-alpine{ALPINE}")
    } else {
        format!("node:{version}-alpine")
    };
    (runtime_base, platform, builder_image)
}

/// The Debian release of a glibc builder: the one `runtime.base` names (a
/// program built on a newer release may not start on an older one), else
/// trixie where the official images have a trixie tag for `version`, else
/// bookworm. Trixie tags started with Node 20.19.4, 22.18.0 and 24.5.0;
/// Node 18 and older never had one.
fn debian_release(cx: &Cx, version: &str) -> String {
    if let Some(codename) = cx
        .manifest
        .runtime
        .base
        .as_deref()
        .and_then(crate::plan::image::debian_codename)
    {
        return codename;
    }
    let numbers: Option<Vec<u32>> = version.split('.').map(|n| n.parse().ok()).collect();
    let has_trixie = match numbers.as_deref() {
        // Not a version number (`current`, a codename): the newest.
        None => true,
        Some([major, rest @ ..]) => {
            let first = match major {
                0..=19 => return "bookworm".to_string(),
                20 => [19, 4],
                22 => [18, 0],
                24 => [5, 0],
                // Odd majors and 21, 23 were never given trixie tags;
                // 25 and later always had them.
                21 | 23 => return "bookworm".to_string(),
                _ => [0, 0],
            };
            // A major or `major.minor` tag names the newest of its line.
            match rest {
                [] => true,
                [minor] => *minor >= first[0],
                [minor, patch, ..] => [*minor, *patch] >= first,
            }
        }
        Some([]) => true,
    };
    match has_trixie {
        true => DEBIAN.to_string(),
        false => "bookworm".to_string(),
    }
}

/// What ships and how it starts, per mode: the artifacts, the entrypoint,
/// the runtime workdir and the runtime's own packages. `shipped`: a
/// workspace member's tree was assembled in `/out/app`.
fn program(
    cx: &mut Cx,
    mode: NodeMode,
    platform: &str,
    binary: &str,
    entry: &str,
    shipped: bool,
) -> (Vec<Artifact>, Vec<String>, Option<String>, Vec<String>) {
    match mode {
        NodeMode::Sea | NodeMode::Pkg => {
            let (artifacts, entrypoint) = crate::languages::support::program(binary);
            // Sea's node and pkg's alpine binaries link libstdc++ and libgcc
            // dynamically; alpine has neither.
            let packages = if platform == "alpine" {
                vec!["libgcc".to_string(), "libstdc++".to_string()]
            } else {
                Vec::new()
            };
            (artifacts, entrypoint, None, packages)
        }
        NodeMode::Runtime | NodeMode::Next => {
            if platform == "linuxstatic" {
                cx.error(
                    "runtime.base",
                    format!("`node.mode = \"{}\"` needs Node.js in the runtime image; `scratch` has none", mode.key()),
                    "use `node.mode = \"pkg\"` for scratch, or a `node:<version>-alpine` base",
                );
            }
            // The app tree moves from where it was built to where it runs;
            // the entry is relative to the runtime WORKDIR. A workspace
            // member's is assembled in `/out/app` from what it needs.
            let (build_workdir, app_workdir) = cx.app_dirs();
            let from = match shipped {
                false => build_workdir,
                true => SHIPPED.to_string(),
            };
            let artifacts = vec![Artifact {
                from,
                to: app_workdir.clone(),
            }];
            // A workspace member runs from its own directory in the tree.
            let entrypoint = vec!["node".into(), entry.to_string()];
            let workdir = cx.member_workdir(&app_workdir);
            if mode == NodeMode::Next {
                // The standalone tree, assembled in `/out/app`, runs its
                // server from the app's path in it.
                let (dir, file) = entry.rsplit_once('/').unwrap_or(("", entry));
                let artifacts = vec![Artifact {
                    from: SHIPPED.to_string(),
                    to: app_workdir.clone(),
                }];
                let workdir = match dir {
                    "" => workdir,
                    dir => format!("{}/{dir}", workdir.trim_end_matches('/')),
                };
                return (
                    artifacts,
                    vec!["node".into(), file.into()],
                    Some(workdir),
                    Vec::new(),
                );
            }
            (artifacts, entrypoint, Some(workdir), Vec::new())
        }
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
    let Some(text) = crate::languages::support::read(&path) else {
        cx.error(
            "language",
            crate::languages::support::unreadable(&path),
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

/// Warns about the entry the image runs: one that exits without an
/// argument and gets none, or one that is not in the project and that no
/// build step can make (the image would build and then fail to start; a
/// warning, since the steps may write it in a way shipit cannot see).
fn check_entry(cx: &mut Cx, entry: &str) {
    // The entry, or the TypeScript its build compiles it from.
    let source = built::source_of(&cx.context, entry);
    let custom = cx.manifest.runtime.entrypoint.is_some();
    crate::languages::arguments::warn_needs_argument(cx, &[source], custom);
    let steps = cx
        .manifest
        .build
        .steps
        .as_ref()
        .is_some_and(|s| !s.is_empty());
    if cx.exists(entry) || steps {
        return;
    }
    let written = cx.manifest.node.as_ref().and_then(|t| t.entry.as_ref());
    let named = match written {
        Some(_) => format!("`node.entry` is `{entry}`"),
        None => format!("`node.entry` defaults to `{entry}`"),
    };
    cx.warn(
        "node.entry",
        format!("{named}, which is not in the project, and no `build.steps` make it: the image would fail to start"),
        "set `node.entry` to the script node runs (package.json's `scripts.start` or `main`), or add the `build.steps` that write it (e.g. `npm run build`)",
    );
}

fn recognises(dir: &std::path::Path) -> bool {
    dir.join("package.json").is_file()
}

/// Sea mode copies the builder's node binary: it needs a Node with
/// `--experimental-sea-config`, and a libc in the runtime.
/// Sea bundles the entry into one CommonJS script (Node's single
/// executables run CommonJS): an ES module would lose `import.meta`, and
/// top-level `await` does not bundle at all. Refused, with the modes that
/// run it as it is.
fn check_sea_format(cx: &mut Cx, entry: &str, package: &serde_json::Value) {
    let module = entry.ends_with(".mjs")
        || (package.get("type").and_then(|t| t.as_str()) == Some("module")
            && !entry.ends_with(".cjs"));
    if module {
        let why = match entry.ends_with(".mjs") {
            true => format!("`{entry}` is an ES module (`.mjs`)"),
            false => {
                format!("package.json says `\"type\": \"module\"`, so `{entry}` is an ES module")
            }
        };
        cx.error(
            "node.mode",
            format!("`node.mode = \"sea\"` bundles the entry as CommonJS, and {why}: `import.meta` would be empty and top-level `await` fails to bundle"),
            "use `node.mode = \"runtime\"` (node runs the module as it is), or point `node.entry` at a CommonJS (`.cjs`) entry",
        );
    }
}

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
