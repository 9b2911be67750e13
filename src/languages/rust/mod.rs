//! Rust: dependencies compiled in their own layer with cargo-chef, the
//! program in a `--locked` release build; it runs on the builder's Debian
//! release (`-slim`, same glibc), or on `scratch` when built for musl.

mod cargo;
mod toolchain;

use serde::Serialize;

use crate::plan::context::{Cx, LanguageDefaults};
use crate::plan::image::DEBIAN;
use cargo::{Package, cargo_toml, is_target_name, workspace};
use toolchain::{is_version, minor_version, pinned_channel, toolchain_files};

pub(crate) struct Rust;

impl crate::languages::support::Support for Rust {
    fn defaults(&self, cx: &mut Cx) -> LanguageDefaults {
        defaults(cx)
    }

    fn recognises(&self, dir: &std::path::Path) -> bool {
        dir.join("Cargo.toml").is_file()
    }

    fn without_libc(&self) -> Option<&'static str> {
        Some("`rust.static = true`")
    }

    fn looked_for(&self) -> &'static str {
        "`Cargo.toml`"
    }

    fn starter(&self) -> &'static str {
        "cargo init"
    }

    fn workspace_root(&self, dir: &std::path::Path) -> bool {
        crate::languages::support::read(&dir.join("Cargo.toml"))
            .and_then(|text| text.parse::<toml::Table>().ok())
            .is_some_and(|cargo| cargo.contains_key("workspace"))
    }

    fn detect(
        &self,
        dir: &std::path::Path,
        root: &std::path::Path,
        _manager: Option<&str>,
    ) -> anyhow::Result<crate::languages::support::Draft> {
        match root == dir {
            true => detect(dir),
            false => detect_member(dir, root),
        }
    }
}

const VERSION: &str = "1.96";

/// The oldest Rust that compiles the pinned cargo-chef (its lockfile's
/// newest MSRV), and so the oldest builder the template works with.
const MIN_VERSION: (u32, u32) = (1, 88);

/// cargo-chef, pinned: it writes the recipe of the dependency layer, so a
/// new release must not change which layers a rebuild reuses.
const CHEF: &str = "cargo-chef@0.1.78";

#[derive(Serialize)]
struct Settings {
    /// `-p` for a workspace member, or none for the root package.
    package: Option<String>,
    /// The binary target (`--bin`).
    bin: String,
    #[serde(rename = "static")]
    static_: bool,
    chef: &'static str,
    /// The toolchain files at the context root (`rust-toolchain.toml`,
    /// `rust-toolchain`): copied before anything runs cargo, so every stage
    /// uses the toolchain they pin.
    toolchain: Vec<String>,
}

fn defaults(cx: &mut Cx) -> LanguageDefaults {
    let table = cx.manifest.rust.clone().unwrap_or_default();
    let (package, bin, package_dir) = select(cx, table.package.as_deref(), table.bin.as_deref());
    let toolchain = toolchain_files(&cx.root);
    for (_, text) in &toolchain {
        if let Err(refused) = text {
            cx.error(
                "language",
                format!("cannot read {refused}: it pins the toolchain rustup uses in the build"),
                "make it a plain file inside the build context (not a link), or remove it",
            );
        }
    }
    let declared =
        pinned_channel(&toolchain).or_else(|| minimum_version(&cx.root, package_dir.as_deref()));
    let version = cx.version(VERSION, declared);
    if let Some(found) = minor_version(&version)
        && found < MIN_VERSION
    {
        let (major, minor) = MIN_VERSION;
        let from = cx.version_from.clone();
        cx.error(
            "build.version",
            format!("Rust {version} (from {from}) is too old for the dependency layer: cargo-chef needs Rust {major}.{minor} or newer"),
            format!("set `build.version` to {major}.{minor} or newer (the default is {VERSION}); `rust-version` in Cargo.toml stays the minimum your crate supports"),
        );
    }
    let builder_image = format!("rust:{version}-{DEBIAN}");
    let runtime_base = if table.static_ {
        "scratch".to_string()
    } else {
        format!("debian:{DEBIAN}-slim")
    };
    // The binary's source where Cargo looks for it by default: the first
    // of these there is.
    let dir = match package_dir.as_deref().unwrap_or_default() {
        "" | "." => String::new(),
        dir => format!("{dir}/"),
    };
    let sources: Vec<String> = [
        format!("{dir}src/bin/{bin}.rs"),
        format!("{dir}src/bin/{bin}/main.rs"),
        format!("{dir}src/main.rs"),
    ]
    .into_iter()
    .filter(|source| crate::languages::support::file_in(&cx.root, source))
    .take(1)
    .collect();
    let (root, custom) = (cx.root.clone(), cx.manifest.runtime.entrypoint.is_some());
    crate::languages::arguments::warn_needs_argument_in(cx, &root, &sources, custom);
    let (artifacts, entrypoint) = crate::languages::support::program(&bin);
    // Cargo's target directory is at the workspace root (the build
    // context); a member has its own there when it was built alone.
    let mut ignore = vec!["/target".to_string()];
    if !cx.member.is_empty() {
        ignore.push(format!("/{}target", cx.member));
    }
    ignore.push("**/*.rs.bk".into());
    LanguageDefaults {
        version,
        builder_image,
        runtime_base,
        build_workdir: "/src".into(),
        build_env: Default::default(),
        helpers: Default::default(),
        // musl-gcc, for crates that compile C (ring, zstd-sys, ...).
        build_packages: if table.static_ {
            vec!["musl-tools".into()]
        } else {
            Vec::new()
        },
        runtime_packages: Vec::new(),
        artifacts,
        entrypoint: Some(entrypoint),
        runtime_workdir: None,
        init: false,
        links_libc: !table.static_,
        ignore,
        settings: serde_json::to_value(Settings {
            package,
            bin,
            static_: table.static_,
            chef: CHEF,
            toolchain: toolchain
                .iter()
                .filter_map(|(path, _)| path.file_name())
                .map(|name| name.to_string_lossy().into_owned())
                .collect(),
        })
        .unwrap_or_default(),
    }
}

/// The package to build (`None`: the root package, no `-p`) and its
/// binary. A problem is recorded at `rust.package` or `rust.bin`.
/// The third value is the chosen package's directory in the workspace.
fn select(
    cx: &mut Cx,
    package: Option<&str>,
    bin: Option<&str>,
) -> (Option<String>, String, Option<String>) {
    let fallback = |bin: Option<&str>, cx: &Cx| {
        bin.map(str::to_string)
            .unwrap_or_else(|| cx.manifest.name.clone())
    };
    for (key, value) in [("rust.package", package), ("rust.bin", bin)] {
        if let Some(value) = value
            && !is_target_name(value)
        {
            cx.error(
                key,
                format!("`{key}` = `{value}` is not a Cargo package or target name"),
                "use letters, digits, `_` and `-`, starting with a letter or digit",
            );
        }
    }
    if !cx.root_exists("Cargo.lock") {
        cx.error(
            "language",
            "no `Cargo.lock` at the build context: the build runs `cargo build --locked`",
            "run `cargo generate-lockfile` (or any `cargo build`) and commit Cargo.lock",
        );
    }
    let packages = match workspace(&cx.root) {
        Ok(packages) => packages,
        Err((message, help)) => {
            cx.error("language", message, help);
            return (package.map(str::to_string), fallback(bin, cx), None);
        }
    };
    // The packages worth naming: those with a binary to ship.
    let names = || {
        let shippable: Vec<String> = packages
            .iter()
            .filter(|p| !p.bins.is_empty())
            .map(|p| format!("`{}`", p.name))
            .collect();
        match shippable.as_slice() {
            [] => "none with a binary target".to_string(),
            _ => shippable.join(", "),
        }
    };
    let chosen = match package {
        Some(name) => match packages.iter().find(|p| p.name == name) {
            Some(found) => found,
            None => {
                let message =
                    format!("`rust.package` = `{name}` is not a package of the workspace");
                let help = format!("the workspace's packages with a binary: {}", names());
                cx.error("rust.package", message, help);
                return (Some(name.to_string()), fallback(bin, cx), None);
            }
        },
        None => {
            // A member built from the workspace root above it is its own
            // package; otherwise the root's.
            let own = cx.member_dir().to_string();
            match packages.iter().find(|p| p.dir == own) {
                Some(found) => found,
                None => {
                    let (message, help) = if own.is_empty() {
                        (
                            "the `Cargo.toml` at the build context is a virtual workspace: it has no package to build".to_string(),
                            format!("set `rust.package` to one of its packages with a binary: {}", names()),
                        )
                    } else {
                        (
                            format!(
                                "`{own}` is not a package of the Cargo workspace at `build.context`"
                            ),
                            format!(
                                "add `{own}` to `[workspace] members` in the root Cargo.toml (and out of `exclude`), or build it on its own without `build.context`"
                            ),
                        )
                    };
                    cx.error("rust.package", message, help);
                    return (None, fallback(bin, cx), None);
                }
            }
        }
    };
    // `-p` only where it is needed: a root package builds without it.
    let flag = (!chosen.dir.is_empty() || package.is_some()).then(|| chosen.name.clone());
    let bin = choose_bin(cx, chosen, bin, package.is_some());
    // Names read from Cargo.toml land in `RUN` and `COPY` as they are:
    // Cargo itself allows only letters, digits, `_` and `-`.
    for (key, what, name) in [
        ("rust.package", "package", flag.as_deref()),
        ("rust.bin", "binary", Some(bin.as_str())),
    ] {
        if let Some(name) = name
            && !is_target_name(name)
            && cx.spans.value(key).is_none()
        {
            cx.error(
                key,
                format!("the {what} name `{name}` in the workspace's Cargo.toml is not one Cargo accepts"),
                "Cargo names are letters, digits, `_` and `-`; fix the name in Cargo.toml",
            );
        }
    }
    (flag, bin, Some(chosen.dir.clone()))
}

/// The binary to ship from the chosen package: `rust.bin`, else its only
/// binary or its `default-run`.
fn choose_bin(cx: &mut Cx, chosen: &Package, bin: Option<&str>, package_given: bool) -> String {
    let listed = || {
        chosen
            .bins
            .iter()
            .map(|b| format!("`{b}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match bin {
        Some(bin) if chosen.bins.iter().any(|b| b == bin) => bin.to_string(),
        Some(bin) => {
            let message = format!(
                "`rust.bin` = `{bin}` is not a binary of the package `{}`",
                chosen.name
            );
            let help = match chosen.bins.as_slice() {
                [] => {
                    "the package has no binary target (`src/main.rs`, `src/bin/*.rs` or `[[bin]]`)"
                        .to_string()
                }
                _ => format!("its binaries are {}", listed()),
            };
            cx.error("rust.bin", message, help);
            bin.to_string()
        }
        None => match (chosen.bins.as_slice(), &chosen.default_run) {
            ([only], _) => only.clone(),
            (_, Some(default)) if chosen.bins.contains(default) => default.clone(),
            ([], _) => {
                let message = format!("the package `{}` has no binary target", chosen.name);
                let help = "add `src/main.rs` (or `[[bin]]`), or choose another package with `rust.package`";
                cx.error(
                    if package_given {
                        "rust.package"
                    } else {
                        "language"
                    },
                    message,
                    help,
                );
                cx.manifest.name.clone()
            }
            _ => {
                let message = format!("the package `{}` has several binaries", chosen.name);
                let help = format!("choose one with `rust.bin`: {}", listed());
                cx.error("rust", message, help);
                chosen.bins[0].clone()
            }
        },
    }
}

/// The toolchain the project pins (`rust-toolchain.toml`'s `channel`, when
/// it is a version), else its `rust-version` (the package's or the
/// workspace's).
fn project_version(root: &std::path::Path, package_dir: Option<&str>) -> Option<(String, String)> {
    pinned_channel(&toolchain_files(root)).or_else(|| minimum_version(root, package_dir))
}

/// What Cargo.toml's `rust-version` asks of the builder: the default when
/// it meets the highest minimum declared, else that minimum.
fn minimum_version(root: &std::path::Path, package_dir: Option<&str>) -> Option<(String, String)> {
    let manifest = cargo_toml(&root.join("Cargo.toml")).ok()?;
    let declared = |table: Option<&toml::Value>| {
        table
            .and_then(|t| t.get("rust-version"))
            .and_then(toml::Value::as_str)
            .filter(|v| is_version(v))
            .map(str::to_string)
    };
    // The package's own, the root's, or the workspace's: the highest
    // minimum is the one the build must meet.
    let own = package_dir
        .filter(|dir| !dir.is_empty())
        .and_then(|dir| cargo_toml(&root.join(dir).join("Cargo.toml")).ok())
        .and_then(|member| declared(member.get("package")));
    let version = [
        own,
        declared(manifest.get("package")),
        declared(manifest.get("workspace").and_then(|w| w.get("package"))),
    ]
    .into_iter()
    .flatten()
    .max_by_key(|v| minor_version(v))?;
    // A minimum: the default builder when it is new enough, else the
    // minimum itself.
    let newer = minor_version(&version)? > minor_version(VERSION)?;
    let chosen = if newer {
        version.clone()
    } else {
        VERSION.to_string()
    };
    Some((chosen, format!("Cargo.toml: rust-version {version}")))
}

/// From Cargo.toml: the package name (or, for a virtual workspace, its
/// members to choose from), the toolchain the project pins, and the
/// binary when the package has several.
fn detect(dir: &std::path::Path) -> anyhow::Result<crate::languages::support::Draft> {
    let mut draft = crate::languages::support::Draft::default();
    let path = dir.join("Cargo.toml");
    let packages =
        workspace(dir).map_err(|(message, help)| anyhow::anyhow!("{message}; {help}"))?;
    let (root_package, members): (Vec<Package>, Vec<Package>) =
        packages.into_iter().partition(|p| p.dir.is_empty());
    let root_package = root_package.into_iter().next();
    let chosen = match root_package {
        Some(root) if !root.bins.is_empty() || members.is_empty() => {
            draft.reason(format!("Cargo.toml: package `{}`", root.name));
            root
        }
        _ => {
            // A virtual workspace (or a library root): the first member
            // with a binary, and the others named for the user.
            let names: Vec<String> = members
                .iter()
                .filter(|m| !m.bins.is_empty())
                .map(|m| format!("`{}`", m.name))
                .collect();
            let Some(first) = members.into_iter().find(|m| !m.bins.is_empty()) else {
                anyhow::bail!(
                    "`{}` has no package with a binary target to ship (`src/main.rs`, `src/bin/*.rs` or `[[bin]]`)",
                    path.display()
                );
            };
            draft.reason(format!(
                "Cargo.toml: a workspace; packages with binaries: {} (`rust.package` chooses)",
                names.join(", ")
            ));
            draft.table("package", first.name.clone());
            first
        }
    };
    finish(draft, dir, chosen)
}

/// A member of the workspace at `root` (which `build.context` makes the
/// build's context): its package, chosen with `rust.package`.
fn detect_member(
    dir: &std::path::Path,
    root: &std::path::Path,
) -> anyhow::Result<crate::languages::support::Draft> {
    let mut draft = crate::languages::support::Draft::default();
    let packages =
        workspace(root).map_err(|(message, help)| anyhow::anyhow!("{message}; {help}"))?;
    let dir = dir.canonicalize()?;
    let member = dir
        .strip_prefix(root)
        .unwrap_or(&dir)
        .to_string_lossy()
        .to_string();
    let Some(chosen) = packages.into_iter().find(|p| p.dir == member) else {
        anyhow::bail!(
            "`{}` is not a package of the Cargo workspace at `{}`",
            dir.display(),
            root.display()
        );
    };
    draft.reason(format!(
        "Cargo.toml: package `{}` of the workspace at `{}`",
        chosen.name,
        root.display()
    ));
    draft.table("package", chosen.name.clone());
    finish(draft, root, chosen)
}

/// The draft for the chosen package of the workspace at `root`: its
/// binary, the toolchain, and the lockfile every build needs.
fn finish(
    mut draft: crate::languages::support::Draft,
    root: &std::path::Path,
    chosen: Package,
) -> anyhow::Result<crate::languages::support::Draft> {
    draft.name = Some(chosen.name.clone());
    match chosen.bins.as_slice() {
        [] | [_] => {}
        several => {
            // Cargo's own choice first (`default-run`), then the binary
            // named after the package (`src/main.rs`).
            let bin = [chosen.default_run.clone(), Some(chosen.name.clone())]
                .into_iter()
                .flatten()
                .find(|b| several.contains(b))
                .unwrap_or_else(|| several[0].clone());
            draft.reason(format!(
                "package `{}` has binaries {}; `rust.bin` chooses",
                chosen.name,
                several.join(", ")
            ));
            draft.table("bin", bin);
        }
    }
    if let Some((version, from)) =
        project_version(root, Some(chosen.dir.as_str())).filter(|(v, _)| v != VERSION)
    {
        draft.reason(format!("{from}: the builder is rust:{version}"));
        draft.build("version", version);
    }
    if !root.join("Cargo.lock").is_file() {
        anyhow::bail!("{}", missing_lock(root));
    }
    Ok(draft)
}

/// Why a project without Cargo.lock cannot be drafted, and what to do: a
/// member of a workspace above builds from that workspace's root.
fn missing_lock(dir: &std::path::Path) -> String {
    let absolute = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let workspace = absolute.ancestors().skip(1).enumerate().find(|(_, root)| {
        root.join("Cargo.lock").is_file()
            && crate::languages::support::read(&root.join("Cargo.toml"))
                .is_some_and(|t| t.contains("[workspace]"))
    });
    match workspace {
        Some((depth, root)) => {
            let context = vec![".."; depth + 1].join("/");
            format!(
                "`{}` is a member of the Cargo workspace at `{}`, whose Cargo.lock every build uses (`--locked`): run `shipit init` there and choose this package with `rust.package`, or set `build.context = \"{context}\"` in a manifest here",
                dir.display(),
                root.display()
            )
        }
        None => format!(
            "no `Cargo.lock` in `{}`: every build is `cargo build --locked`; run `cargo generate-lockfile`, commit Cargo.lock, and run `shipit init` again",
            dir.display()
        ),
    }
}
