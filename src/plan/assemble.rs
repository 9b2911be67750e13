//! Defaults + manifest → [`Plan`]: every value filled in, each checked
//! where it is chosen.

use super::context::{Cx, LanguageDefaults};
use super::image::{PackageManager, check_image, check_libc, warn_dev_packages};
use super::model::{AccountPlan, BuildPlan, HealthcheckPlan, InitPlan, Plan, RuntimePlan};
use super::validate::*;
use crate::manifest::Artifact;

/// The default runtime user: non-root, numeric so it works on any base.
const DEFAULT_USER: &str = "65532:65532";

pub(super) fn assemble(cx: &mut Cx, defaults: LanguageDefaults) -> Plan {
    let manifest = cx.manifest;
    let build = &manifest.build;
    let runtime = &manifest.runtime;

    let image = build.image.clone().unwrap_or(defaults.builder_image);
    check_image(cx, "build.image", &image, false);
    let base = runtime.base.clone().unwrap_or(defaults.runtime_base);
    check_image(cx, "runtime.base", &base, true);
    let scratch = base == "scratch";
    if defaults.links_libc {
        let without_libc = crate::languages::support(manifest.language).without_libc();
        check_libc(cx, &image, &base, without_libc);
    }

    let workdir = build_workdir(cx, defaults.build_workdir);
    let mounts = check_build_values(cx);

    let artifacts = artifacts(cx, defaults.artifacts);

    check_runtime_packages(cx, scratch);

    let (entrypoint, cmd) = program(cx, defaults.entrypoint);

    if let Some(dir) = &runtime.workdir {
        check_path(cx, "runtime.workdir", dir);
    }
    // A workspace member's app runs from its own directory of the tree
    // shipped at `runtime.workdir`: the language says which.
    let runtime_workdir = match (&defaults.runtime_workdir, cx.member.is_empty()) {
        (Some(member_workdir), false) => Some(member_workdir.clone()),
        _ => runtime.workdir.clone().or(defaults.runtime_workdir),
    };

    let writable = writable(cx, runtime_workdir.as_deref());
    let assets = super::assets::assets(cx, runtime_workdir.as_deref(), &workdir);
    let (user, uid, gid, account) = user(cx, scratch);
    let init = init(cx, scratch, &base, defaults.init);

    check_runtime_values(cx);
    warn_privileged_ports(cx, &user, uid);

    let healthcheck = healthcheck(cx);

    let mut ports = runtime.ports.clone();
    ports.sort_unstable();
    ports.dedup();

    if defaults.links_libc && !scratch {
        warn_dev_packages(cx);
    }
    let runtime_packages: Vec<String> = init
        .as_ref()
        .map(|_| "tini".to_string())
        .into_iter()
        .chain(defaults.runtime_packages)
        .chain(runtime.packages.iter().cloned())
        .collect();

    Plan {
        name: manifest.name.clone(),
        language: manifest.language,
        build: BuildPlan {
            // One `..` per directory of the member: the normalised
            // `build.context`.
            context: match cx.member_dir() {
                "" => ".".into(),
                member => vec![".."; member.split('/').count()].join("/"),
            },
            member: cx.member.clone(),
            version: defaults.version,
            version_from: cx.version_from.clone(),
            package_manager: PackageManager::for_image(&image),
            image,
            packages: defaults
                .build_packages
                .into_iter()
                .chain(build.packages.iter().cloned())
                .collect(),
            env: build
                .env
                .clone()
                .into_iter()
                .chain(defaults.build_env)
                .collect(),
            steps: build.steps.clone(),
            language_ignore: with_asset_outputs(with_node_modules(defaults.ignore), &assets),
            ignore: build.ignore.clone(),
            workdir,
            helpers: defaults.helpers,
            ssh: build.ssh,
            secrets: build.secrets.clone(),
            mounts,
        },
        assets,
        artifacts,
        runtime: RuntimePlan {
            package_manager: (!scratch).then(|| PackageManager::for_image(&base)),
            base,
            scratch,
            packages: runtime_packages,
            entrypoint,
            cmd,
            workdir: runtime_workdir,
            writable,
            user,
            uid,
            gid,
            ports,
            env: runtime.env.clone(),
            labels: runtime.labels.clone(),
            healthcheck,
            init,
            account,
        },
        settings: defaults.settings,
        warnings: Vec::new(),
    }
}

/// `build.workdir`: an absolute path outside `/out`, where the build
/// collects what ships.
fn build_workdir(cx: &mut Cx, default: String) -> String {
    let build = &cx.manifest.build;
    let workdir = build.workdir.clone().unwrap_or(default);
    check_path(cx, "build.workdir", &workdir);
    // The templates collect what ships under `/out`: a build there would
    // copy into itself, or ship the whole build tree.
    let normal = workdir.trim_end_matches('/');
    if normal == "/out" || normal.starts_with("/out/") || normal.is_empty() {
        cx.error(
            "build.workdir",
            format!("`build.workdir` = `{workdir}` is where the build collects what ships (`/out`), or contains it"),
            "choose another directory, e.g. `/src` or `/app`",
        );
    }
    workdir
}

/// What leaves the builder: the manifest's `[[artifacts]]`, else the
/// language's.
fn artifacts(cx: &mut Cx, default: Vec<Artifact>) -> Vec<Artifact> {
    let manifest = cx.manifest;
    let artifacts = manifest.artifacts.clone().unwrap_or(default);
    if artifacts.is_empty() {
        cx.error(
            "artifacts",
            "`artifacts` is empty: nothing would reach the runtime image",
            "list at least one `[[artifacts]]` with `from` and `to`, or remove the key for the language's default",
        );
    }
    for (index, artifact) in artifacts.iter().enumerate() {
        check_path(cx, &format!("artifacts[{index}].from"), &artifact.from);
        check_path(cx, &format!("artifacts[{index}].to"), &artifact.to);
    }
    artifacts
}

/// The program to run: `runtime.entrypoint` (else the language's) and
/// `runtime.cmd`.
fn program(cx: &mut Cx, default: Option<Vec<String>>) -> (Vec<String>, Vec<String>) {
    let manifest = cx.manifest;
    let runtime = &manifest.runtime;
    let entrypoint = match (&runtime.entrypoint, default) {
        (Some(entrypoint), _) => entrypoint.clone(),
        (None, Some(default)) => default,
        (None, None) => Vec::new(),
    };
    if runtime.entrypoint.as_ref().is_some_and(Vec::is_empty) {
        cx.error(
            "runtime.entrypoint",
            "`runtime.entrypoint` is empty",
            "give the program and its arguments, e.g. `[\"/usr/local/bin/app\"]`, or remove the key for the default",
        );
    }
    let cmd = runtime.cmd.clone().unwrap_or_default();
    check_words(cx, "runtime.entrypoint", runtime.entrypoint.as_deref());
    check_words(cx, "runtime.cmd", runtime.cmd.as_deref());
    if entrypoint.is_empty() && cmd.is_empty() && runtime.entrypoint.is_none() {
        cx.error(
            "language",
            format!(
                "nothing to run: `language = \"{}\"` has no default program",
                manifest.language.key()
            ),
            "set `runtime.entrypoint` (or `runtime.cmd`), e.g. `entrypoint = [\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"app:app\"]`",
        );
    }
    (entrypoint, cmd)
}

/// `runtime.user` (non-root by default), its numeric ids, and the account
/// the final stage creates for it.
fn user(cx: &mut Cx, scratch: bool) -> (String, Option<u32>, Option<u32>, Option<AccountPlan>) {
    let runtime = &cx.manifest.runtime;
    let user = runtime
        .user
        .clone()
        .unwrap_or_else(|| DEFAULT_USER.to_string());
    let (uid, gid) = check_user(cx, &user, scratch);
    let account = match (uid, gid) {
        (Some(0), Some(gid)) if scratch => Some(AccountPlan {
            name: "root".into(),
            uid: 0,
            gid,
            home: "/root".into(),
        }),
        (Some(uid), Some(gid)) if uid != 0 => Some(AccountPlan {
            name: "nonroot".into(),
            uid,
            gid,
            home: "/home/nonroot".into(),
        }),
        _ => None,
    };
    (user, uid, gid, account)
}

/// `runtime.writable`: paths inside the runtime workdir, made absolute.
fn writable(cx: &mut Cx, workdir: Option<&str>) -> Vec<String> {
    const MAX_WRITABLE: usize = 256;
    let entries = cx.manifest.runtime.writable.clone();
    if entries.len() > MAX_WRITABLE {
        cx.error(
            "runtime.writable",
            format!("`runtime.writable` lists {} paths", entries.len()),
            format!(
                "list at most {MAX_WRITABLE}: a directory's contents are made writable with it"
            ),
        );
        return Vec::new();
    }
    let mut paths = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (index, entry) in entries.iter().enumerate() {
        let path = format!("runtime.writable[{index}]");
        let trimmed = entry.trim_end_matches('/');
        if !super::rules::safe_relative(trimmed)
            || trimmed.split('/').any(|p| p == "." || p.is_empty())
        {
            cx.error(
                &path,
                format!("`{path}` = `{entry}` is not a path inside the runtime workdir"),
                "give a relative path such as `logs` or `data/uploads`: letters, digits, `.`, `_`, `/`, `@`, `+`, `-`, not starting with `-` or `/`, and no `..`",
            );
            continue;
        }
        let Some(workdir) = workdir else {
            cx.error(
                &path,
                "`runtime.writable` names paths under the runtime workdir, and there is none",
                "set `runtime.workdir`, e.g. `workdir = \"/app\"`",
            );
            return Vec::new();
        };
        // The app tree is the project's: a link committed on the way would
        // take the chown (as root) wherever it points, `/etc` included.
        if let Some(link) = crate::input::first_link(&cx.context, trimmed) {
            cx.error(
                &path,
                format!("`{path}` = `{entry}` passes through the symbolic link `{}` in the project", crate::text::shown_value(&link)),
                "list a real directory of the app: the runtime user would own whatever the link points at",
            );
            continue;
        }
        let absolute = format!("{}/{trimmed}", workdir.trim_end_matches('/'));
        if seen.insert(absolute.clone()) {
            paths.push(absolute);
        }
    }
    paths
}

/// tini as PID 1, where the runtime can install it.
fn init(cx: &mut Cx, scratch: bool, base: &str, default: bool) -> Option<InitPlan> {
    let runtime = &cx.manifest.runtime;
    if !runtime.init.unwrap_or(default) {
        None
    } else if scratch {
        // The language's default applies where it can; asking for it on
        // scratch is an error.
        if runtime.init == Some(true) {
            cx.error(
                "runtime.init",
                "`runtime.init = true` needs tini installed in the runtime image, and `scratch` has no package manager",
                "remove it (a Go or static C binary handles SIGTERM itself), or use a base with a package manager",
            );
        }
        None
    } else {
        Some(InitPlan {
            path: PackageManager::for_image(base).tini().to_string(),
        })
    }
}

/// `runtime.healthcheck`, each value checked.
fn healthcheck(cx: &mut Cx) -> Option<HealthcheckPlan> {
    let runtime = &cx.manifest.runtime;
    runtime.healthcheck.as_ref().map(|h| {
        if h.command.is_empty() {
            cx.error(
                "runtime.healthcheck.command",
                "`runtime.healthcheck.command` is empty",
                "give the probe in exec form, e.g. `[\"/usr/local/bin/app\", \"health\"]`",
            );
        }
        for (key, value) in [
            ("interval", &h.interval),
            ("timeout", &h.timeout),
            ("start_period", &h.start_period),
        ] {
            if let Some(value) = value {
                check_duration(cx, &format!("runtime.healthcheck.{key}"), value);
            }
        }
        check_words(cx, "runtime.healthcheck.command", Some(&h.command));
        if let Some(retries) = h.retries
            && !(1..=MAX_RETRIES).contains(&retries)
        {
            cx.error(
                "runtime.healthcheck.retries",
                format!("`runtime.healthcheck.retries` = {retries} is out of range"),
                format!("give 1 to {MAX_RETRIES} (BuildKit reads a 32-bit signed number)"),
            );
        }
        HealthcheckPlan {
            command: h.command.clone(),
            interval: h.interval.clone(),
            timeout: h.timeout.clone(),
            start_period: h.start_period.clone(),
            retries: h.retries,
        }
    })
}

/// `build.packages`, `build.env`, `build.steps` and `[[build.secrets]]`;
/// the `--mount` flags the secrets and SSH add to each `RUN`.
fn check_build_values(cx: &mut Cx) -> Vec<String> {
    let build = &cx.manifest.build;
    check_packages(cx, "build.packages", &build.packages);
    check_env(cx, "build.env", &build.env);
    if let Some(steps) = &build.steps {
        check_steps(cx, "build.steps", steps);
    }
    check_secrets(cx)
}

/// `runtime.packages`: none on `scratch`, each a package name.
fn check_runtime_packages(cx: &mut Cx, scratch: bool) {
    let runtime = &cx.manifest.runtime;
    if scratch && !runtime.packages.is_empty() {
        cx.error(
            "runtime.packages",
            "`runtime.packages` cannot be installed on `scratch`: it has no package manager",
            "remove `runtime.packages`, or set `runtime.base` to an image with one (e.g. `alpine:3.22`)",
        );
    }
    check_packages(cx, "runtime.packages", &runtime.packages);
}

/// `runtime.ports`, `runtime.env` and `runtime.labels`.
fn check_runtime_values(cx: &mut Cx) {
    let runtime = &cx.manifest.runtime;
    for (index, port) in runtime.ports.iter().enumerate() {
        if *port == 0 {
            cx.error(
                &format!("runtime.ports[{index}]"),
                "port 0 is not a port a program can listen on",
                "ports are 1-65535",
            );
        }
    }
    check_env(cx, "runtime.env", &runtime.env);
    check_labels(cx, &runtime.labels);
}

/// A port below 1024 with a user other than root: Docker (20.10 and
/// later) lets any user bind it, Kubernetes and rootless runtimes by
/// default do not, and the program then fails at start.
fn warn_privileged_ports(cx: &mut Cx, user: &str, uid: Option<u32>) {
    let name = user.split(':').next().unwrap_or(user);
    if uid == Some(0) || name == "root" || name == "0" {
        return;
    }
    let ports = cx.manifest.runtime.ports.clone();
    for (index, port) in ports.iter().enumerate() {
        if (1..1024).contains(port) {
            cx.warn(
                &format!("runtime.ports[{index}]"),
                format!("port {port} is below 1024 and the image runs as `{user}`, not root: binding it needs `net.ipv4.ip_unprivileged_port_start` lowered, which Docker does and Kubernetes and rootless runtimes by default do not"),
                format!("serve on a port from 1024 up (e.g. {}) and map it to {port} where the container runs", 8000 + port % 1000),
            );
        }
    }
}

/// The assets' outputs are built in their stage: a copy left in the
/// project by a local build would only bloat the context, and the app's
/// `COPY . .`.
fn with_asset_outputs(mut ignore: Vec<String>, assets: &[super::model::AssetPlan]) -> Vec<String> {
    for asset in assets {
        if !ignore.contains(&asset.ignored) {
            ignore.push(asset.ignored.clone());
        }
    }
    ignore
}

/// Every language's context leaves out `node_modules` at any depth: a
/// frontend's dependencies beside a Go or Python service are never what
/// its `COPY . .` wants.
fn with_node_modules(mut ignore: Vec<String>) -> Vec<String> {
    const NODE_MODULES: &str = "**/node_modules";
    if !ignore.iter().any(|pattern| pattern == NODE_MODULES) {
        ignore.insert(0, NODE_MODULES.into());
    }
    ignore
}
