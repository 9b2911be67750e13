//! Resolve: a parsed [`Manifest`] plus its language's defaults becomes a
//! [`Plan`] — every value filled in and validated once, so templates only
//! ever see values that are safe for the instruction they land in.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::languages;
use crate::manifest::{Artifact, Language, Manifest, Spans};

/// The default runtime user: non-root, numeric so it works on any base.
const DEFAULT_USER: &str = "65532:65532";

/// BuildKit parses `--retries` as a 32-bit signed integer.
pub const MAX_RETRIES: u32 = i32::MAX as u32;

/// Healthcheck durations: BuildKit refuses anything under a millisecond
/// (except 0, "the default"); more than a day is a typo.
const MIN_DURATION_NS: u128 = 1_000_000;
const MAX_DURATION_NS: u128 = 24 * 3600 * 1_000_000_000;

/// An image tag is at most 128 characters; a version shares its tag with
/// a suffix such as `-slim-trixie`.
const MAX_VERSION_LEN: usize = 100;

/// The resolved manifest: what the templates render from.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub name: String,
    pub language: Language,
    pub build: BuildPlan,
    pub artifacts: Vec<Artifact>,
    pub runtime: RuntimePlan,
    /// The language table, resolved; templates see it under the language's
    /// key (`go`, `node`, ...).
    #[serde(skip)]
    pub settings: serde_json::Value,
    /// Problems that do not stop the render, but likely the image.
    #[serde(skip)]
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BuildPlan {
    /// The build context relative to the manifest, normalised: `.` or
    /// `..`, `../..`, ...
    pub context: String,
    /// The manifest's directory inside the build context, with a trailing
    /// `/`; empty when the context is the manifest's directory.
    pub member: String,
    pub version: String,
    /// Where `version` came from: `manifest`, `default`, or the project
    /// file that declares it (`.nvmrc`, `go.mod toolchain`, ...).
    pub version_from: String,
    pub image: String,
    pub package_manager: PackageManager,
    pub packages: Vec<String>,
    pub env: BTreeMap<String, String>,
    /// `None`: the template's default build commands.
    pub steps: Option<Vec<String>>,
    /// The language's `.dockerignore` patterns.
    pub language_ignore: Vec<String>,
    /// Extra `.dockerignore` patterns.
    pub ignore: Vec<String>,
    pub workdir: String,
    /// Images the build copies tools from (`COPY --from=IMAGE`), by name:
    /// `uv` → `ghcr.io/astral-sh/uv:<version>`.
    pub helpers: BTreeMap<String, String>,
    pub ssh: bool,
    pub secrets: Vec<crate::manifest::Secret>,
    /// The `--mount` flags every dependency and build `RUN` carries: the
    /// secrets, then the SSH agent.
    pub mounts: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuntimePlan {
    pub base: String,
    /// The base is `scratch`: no shell, no `RUN`, no users.
    pub scratch: bool,
    pub package_manager: Option<PackageManager>,
    pub packages: Vec<String>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub workdir: Option<String>,
    pub user: String,
    /// Numeric ids of `user`, when it is numeric (for a scratch passwd entry).
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub ports: Vec<u16>,
    pub env: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    pub healthcheck: Option<HealthcheckPlan>,
    /// The init that runs as PID 1 in front of the entrypoint, if any.
    pub init: Option<InitPlan>,
    /// The account the final stage creates for a numeric `user` (always on
    /// `scratch`, which has no user database; elsewhere only when the image
    /// has no entry for the UID yet).
    pub account: Option<AccountPlan>,
}

#[derive(Debug, Clone, Serialize)]
pub struct InitPlan {
    /// Where the runtime's package installs it.
    pub path: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AccountPlan {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub home: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct HealthcheckPlan {
    pub command: Vec<String>,
    pub interval: Option<String>,
    pub timeout: Option<String>,
    pub start_period: Option<String>,
    pub retries: Option<u32>,
}

/// How an image installs OS packages, judged from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PackageManager {
    Apt,
    Apk,
}

impl PackageManager {
    pub fn for_image(image: &str) -> PackageManager {
        if image.contains("alpine") {
            PackageManager::Apk
        } else {
            PackageManager::Apt
        }
    }

    /// The C library of the image family: what a dynamically linked
    /// program built in one image needs to find in another.
    pub fn libc(self) -> &'static str {
        match self {
            PackageManager::Apt => "glibc",
            PackageManager::Apk => "musl",
        }
    }

    /// Where the family's `tini` package puts the binary.
    fn tini(self) -> &'static str {
        match self {
            PackageManager::Apt => "/usr/bin/tini",
            PackageManager::Apk => "/sbin/tini",
        }
    }
}

/// What a language contributes: its defaults, already merged with its own
/// table, and that table resolved for the template.
pub struct LanguageDefaults {
    pub version: String,
    pub builder_image: String,
    pub runtime_base: String,
    pub build_workdir: String,
    /// Builder environment the language sets, having seen the manifest's
    /// `build.env` (its entries replace the manifest's).
    pub build_env: BTreeMap<String, String>,
    /// Images the build copies tools from, by name (see `BuildPlan`).
    pub helpers: BTreeMap<String, String>,
    /// OS packages the language's build needs, before `build.packages`.
    pub build_packages: Vec<String>,
    /// OS packages the language's program needs, before `runtime.packages`.
    pub runtime_packages: Vec<String>,
    pub artifacts: Vec<Artifact>,
    /// `None`: the language has no sensible default; the manifest must say.
    pub entrypoint: Option<Vec<String>>,
    pub runtime_workdir: Option<String>,
    /// Whether tini runs as PID 1 unless `runtime.init` says otherwise: the
    /// program ignores SIGTERM when it is PID 1 itself.
    pub init: bool,
    /// What the artifacts need from the runtime image: a C library of the
    /// builder's family (a dynamically linked program, or a virtualenv of
    /// compiled wheels), or nothing (a static binary).
    pub links_libc: bool,
    /// `.dockerignore` patterns for the language's own litter (dependency
    /// trees, build outputs), before `build.ignore`.
    pub ignore: Vec<String>,
    pub settings: serde_json::Value,
}

/// Resolution state: the manifest, where its values are written, the
/// directory it lives in, and the problems found so far.
pub struct Cx<'a> {
    pub manifest: &'a Manifest,
    pub spans: &'a Spans,
    /// The manifest's directory: the language's project files (go.mod,
    /// package.json, pyproject.toml) are read here, and the language
    /// table's paths are relative to it.
    pub context: PathBuf,
    /// The build context (`build.context`): the manifest's directory or a
    /// workspace root above it. Workspace files are read here.
    pub root: PathBuf,
    /// The manifest's directory inside `root`, with a trailing `/`, or
    /// empty: the prefix of every context-relative path the Dockerfile
    /// names.
    pub member: String,
    pub diagnostics: Vec<Diagnostic>,
    pub warnings: Vec<Diagnostic>,
    /// Where the build version came from: `manifest`, `default`, or the
    /// project file that declares it.
    pub version_from: String,
}

impl Cx<'_> {
    /// Records a problem with the value at `path`.
    pub fn error(&mut self, path: &str, message: impl Into<String>, help: impl Into<String>) {
        let help = help.into();
        // A problem with a key the manifest does not write (a default, a
        // missing table) points at `language`, which chose the default.
        let span = self
            .spans
            .value(path)
            .or_else(|| self.spans.value("language"));
        let mut diagnostic = Diagnostic::new(message).with_span(span);
        if !help.is_empty() {
            diagnostic.help.push(help);
        }
        self.diagnostics.push(diagnostic);
    }

    /// The build version: the manifest's, else the one the project
    /// declares (`project`: the version and where it was read, e.g. from
    /// `.nvmrc`), else the language's default. Remembers which.
    pub fn version(&mut self, default: &str, project: Option<(String, String)>) -> String {
        match &self.manifest.build.version {
            Some(version) => {
                // It becomes part of image tags such as `golang:<v>-trixie`
                // or `python:<v>-slim-trixie`: the tag grammar, with room
                // for the longest suffix a language adds.
                let valid = version.len() <= MAX_VERSION_LEN
                    && version.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                    && made_of(version, "._-");
                if !valid {
                    self.error(
                        "build.version",
                        format!("`build.version` = `{version}` is not a version tag"),
                        format!("use letters, digits, `.`, `_` and `-`, starting with a letter, digit or `_`, at most {MAX_VERSION_LEN} characters, e.g. `1.23`"),
                    );
                }
                self.version_from = "manifest".into();
                version.clone()
            }
            None => match project {
                Some((version, from))
                    if made_of(&version, "._-") && version.len() <= MAX_VERSION_LEN =>
                {
                    self.version_from = from;
                    version
                }
                _ => {
                    self.version_from = "default".into();
                    default.to_string()
                }
            },
        }
    }

    /// A path relative to the build context (a source file, a package):
    /// no leading `/`, no `..`, and only characters that need no quoting in
    /// `COPY` and `RUN`.
    /// It may not start with `-`: the tools it is passed to (`go build`,
    /// `node`, `pip`, the compiler) would read it as an option.
    pub fn context_path(&mut self, path: &str, value: &str) {
        if !crate::languages::safe_relative(value) {
            self.error(
                path,
                format!("`{path}` = `{value}` is not a path inside the build context"),
                "use a relative path such as `src/main.c`: letters, digits, `.`, `_`, `/`, `@`, `+`, `-`, not starting with `-` or `/`, and no `..`",
            );
        }
    }

    /// A single file name (no directory part).
    pub fn file_name(&mut self, path: &str, value: &str) {
        let safe =
            made_of(value, "._+-") && value != "." && value != ".." && !value.starts_with('-');
        if !safe {
            self.error(
                path,
                format!("`{path}` = `{value}` is not a file name"),
                "use letters, digits, `.`, `_`, `+` and `-`, not starting with `-`",
            );
        }
    }

    /// True when `file` exists in the manifest's directory.
    pub fn exists(&self, file: &str) -> bool {
        self.context.join(file).is_file()
    }

    /// True when `file` exists at the root of the build context.
    pub fn root_exists(&self, file: &str) -> bool {
        self.root.join(file).is_file()
    }

    /// The manifest's directory inside the build context, without the
    /// trailing `/`: empty unless `build.context` is above the manifest.
    pub fn member_dir(&self) -> &str {
        self.member.trim_end_matches('/')
    }

    /// Where a workspace member's app runs in the image: its own
    /// directory in the tree shipped at `app_workdir`.
    pub fn member_workdir(&self, app_workdir: &str) -> String {
        match self.member_dir() {
            "" => app_workdir.to_string(),
            member => format!("{}/{member}", app_workdir.trim_end_matches('/')),
        }
    }

    /// A path relative to the manifest as the Dockerfile names it:
    /// relative to the build context.
    pub fn in_context(&self, path: &str) -> String {
        match path {
            "." | "./" if !self.member.is_empty() => self.member.clone(),
            _ => format!("{}{path}", self.member),
        }
    }

    /// Where an app that ships as a tree (node runtime mode, python) lives:
    /// `runtime.workdir` (default `/app`) in the image, built in
    /// `build.workdir`, which defaults to the same path so absolute paths
    /// recorded at install time (editable installs, venv scripts) hold.
    pub fn app_dirs(&self) -> (String, String) {
        let runtime = self
            .manifest
            .runtime
            .workdir
            .clone()
            .unwrap_or_else(|| "/app".into());
        let build = self
            .manifest
            .build
            .workdir
            .clone()
            .unwrap_or_else(|| runtime.clone());
        (build, runtime)
    }

    /// Records a problem that does not stop the render.
    pub fn warn(&mut self, path: &str, message: impl Into<String>, help: impl Into<String>) {
        let mut diagnostic = Diagnostic::new(message).with_span(self.spans.value(path));
        diagnostic.warning = true;
        let help = help.into();
        if !help.is_empty() {
            diagnostic.help.push(help);
        }
        self.warnings.push(diagnostic);
    }
}

/// Non-empty, and every character an ASCII letter, a digit or one of
/// `extra`.
pub(crate) fn made_of(value: &str, extra: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
}

/// Starts with an ASCII letter or digit.
fn starts_alphanumeric(value: &str) -> bool {
    value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
}

/// Resolves a manifest into a plan, or every problem found.
pub fn resolve(
    manifest: &Manifest,
    spans: &Spans,
    context: &Path,
) -> Result<Plan, Vec<Diagnostic>> {
    let mut cx = Cx {
        manifest,
        spans,
        context: context.to_path_buf(),
        root: context.to_path_buf(),
        member: String::new(),
        diagnostics: Vec::new(),
        warnings: Vec::new(),
        version_from: String::new(),
    };
    check_name(&mut cx);
    check_language_tables(&mut cx);
    check_templates_dir(&mut cx);
    check_image_table(&mut cx);
    check_build_context(&mut cx);
    let defaults = languages::defaults(&mut cx);
    let mut plan = assemble(&mut cx, defaults);
    if cx.diagnostics.is_empty() {
        crate::diagnostic::sort(&mut cx.warnings);
        plan.warnings = cx.warnings;
        Ok(plan)
    } else {
        crate::diagnostic::sort(&mut cx.diagnostics);
        Err(cx.diagnostics)
    }
}

fn check_name(cx: &mut Cx) {
    let name = &cx.manifest.name;
    let valid = name.len() <= 128
        && name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if !valid {
        let name = name.clone();
        cx.error(
            "name",
            format!("`name` = `{name}` is not a valid image name"),
            "use lowercase letters, digits, `.`, `_` and `-`, starting with a letter or digit (at most 128 characters), e.g. `href-counter`",
        );
    }
}

/// `build.context`: `.` or a chain of `..`, so the manifest's directory is
/// inside the context; sets `cx.root` and `cx.member`.
fn check_build_context(cx: &mut Cx) {
    let Some(value) = cx.manifest.build.context.clone() else {
        return;
    };
    let trimmed = value.strip_suffix('/').unwrap_or(&value);
    let ups = trimmed.split('/').filter(|part| *part == "..").count();
    let valid =
        trimmed == "." || (!trimmed.is_empty() && trimmed.split('/').all(|part| part == ".."));
    if !valid {
        cx.error(
            "build.context",
            format!("`build.context` = `{value}` is not the manifest's directory or one above it"),
            "give `.` (the default) or the workspace root above the manifest, e.g. `\"..\"` or `\"../..\"`",
        );
        return;
    }
    if ups == 0 {
        return;
    }
    let dir = match cx.context.canonicalize() {
        Ok(dir) => dir,
        Err(error) => {
            cx.error(
                "build.context",
                format!(
                    "cannot resolve the manifest's directory `{}`: {error}",
                    cx.context.display()
                ),
                "",
            );
            return;
        }
    };
    let mut root = dir.clone();
    for _ in 0..ups {
        if !root.pop() {
            cx.error(
                "build.context",
                format!(
                    "`build.context` = `{value}` climbs above the file system root from `{}`",
                    dir.display()
                ),
                "give fewer `..`: the workspace root that holds this manifest",
            );
            return;
        }
    }
    let member = dir
        .strip_prefix(&root)
        .ok()
        .and_then(|path| path.to_str())
        .map(|path| format!("{path}/"))
        .unwrap_or_default();
    if !crate::languages::safe_relative(&member) {
        cx.error(
            "build.context",
            format!("the manifest's directory inside the build context, `{member}`, is not a path a Dockerfile can name unquoted"),
            "rename its directories with letters, digits, `.`, `_`, `@`, `+` and `-`, not starting with `-`",
        );
        return;
    }
    cx.root = root;
    cx.member = member;
}

fn check_templates_dir(cx: &mut Cx) {
    let Some(dir) = &cx.manifest.templates else {
        return;
    };
    let relative = !dir.is_empty()
        && !Path::new(dir).has_root()
        && dir.trim() == dir
        && !dir.split(['/', '\\']).any(|part| part == "..");
    if !relative {
        let dir = dir.clone();
        cx.error(
            "templates",
            format!("`templates` = `{dir}` is not a relative path inside the project"),
            "give a directory relative to the manifest, without `..`, e.g. `templates = \"ci/templates\"`; use `--templates` or `$SHIPIT_TEMPLATES` for a directory elsewhere",
        );
    } else if !cx.context.join(dir).is_dir() {
        let shown = cx.context.join(dir).display().to_string();
        cx.error(
            "templates",
            format!("`templates` = `{dir}`: no directory `{shown}`"),
            "give a directory of organisation templates, relative to the manifest",
        );
    }
}

fn check_language_tables(cx: &mut Cx) {
    let chosen = cx.manifest.language;
    for language in Language::ALL.iter().filter(|l| **l != chosen) {
        let key = language.key();
        if !cx.spans.has_key(key) {
            continue;
        }
        let span = cx.spans.key(key);
        cx.diagnostics.push(
            Diagnostic::new(format!(
                "table `[{key}]` does not apply to `language = \"{}\"`",
                chosen.key()
            ))
            .with_span(span)
            .with_help(format!(
                "remove `[{key}]`, or set `language = \"{key}\"`; only the table named by `language` is read"
            )),
        );
    }
}

fn assemble(cx: &mut Cx, defaults: LanguageDefaults) -> Plan {
    let manifest = cx.manifest;
    let build = &manifest.build;
    let runtime = &manifest.runtime;

    let image = build.image.clone().unwrap_or(defaults.builder_image);
    check_image(cx, "build.image", &image, false);
    let base = runtime.base.clone().unwrap_or(defaults.runtime_base);
    check_image(cx, "runtime.base", &base, true);
    let scratch = base == "scratch";
    if defaults.links_libc {
        check_libc(cx, &image, &base);
    }

    let workdir = build.workdir.clone().unwrap_or(defaults.build_workdir);
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
    check_packages(cx, "build.packages", &build.packages);
    check_env(cx, "build.env", &build.env);
    if let Some(steps) = &build.steps {
        check_steps(cx, steps);
    }
    let mounts = check_secrets(cx);

    let artifacts = manifest.artifacts.clone().unwrap_or(defaults.artifacts);
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

    if scratch && !runtime.packages.is_empty() {
        cx.error(
            "runtime.packages",
            "`runtime.packages` cannot be installed on `scratch`: it has no package manager",
            "remove `runtime.packages`, or set `runtime.base` to an image with one (e.g. `alpine:3.22`)",
        );
    }
    check_packages(cx, "runtime.packages", &runtime.packages);

    let entrypoint = match (&runtime.entrypoint, defaults.entrypoint) {
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

    if let Some(dir) = &runtime.workdir {
        check_path(cx, "runtime.workdir", dir);
    }
    // A workspace member's app runs from its own directory of the tree
    // shipped at `runtime.workdir`: the language says which.
    let runtime_workdir = match (&defaults.runtime_workdir, cx.member.is_empty()) {
        (Some(member_workdir), false) => Some(member_workdir.clone()),
        _ => runtime.workdir.clone().or(defaults.runtime_workdir),
    };

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

    let init = if !runtime.init.unwrap_or(defaults.init) {
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
            path: PackageManager::for_image(&base).tini().to_string(),
        })
    };

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

    let healthcheck = runtime.healthcheck.as_ref().map(|h| {
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
    });

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
            language_ignore: defaults.ignore,
            ignore: build.ignore.clone(),
            workdir,
            helpers: defaults.helpers,
            ssh: build.ssh,
            secrets: build.secrets.clone(),
            mounts,
        },
        artifacts,
        runtime: RuntimePlan {
            package_manager: (!scratch).then(|| PackageManager::for_image(&base)),
            base,
            scratch,
            packages: runtime_packages,
            entrypoint,
            cmd,
            workdir: runtime_workdir,
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

/// A dynamically linked program (or a virtualenv of compiled wheels) finds
/// its C library only in a runtime of the builder's family: glibc's loader
/// is not on musl images and the other way round, and `scratch` has none.
fn check_libc(cx: &mut Cx, builder: &str, base: &str) {
    let built = PackageManager::for_image(builder).libc();
    if base == "scratch" {
        let help = match cx.manifest.language.support().without_libc() {
            Some(key) => format!(
                "build without a C library ({key}), or use a base of the builder's family, e.g. `debian:trixie-slim`"
            ),
            None => "use a base of the builder's family, e.g. `debian:trixie-slim`".to_string(),
        };
        cx.error(
            "runtime.base",
            format!("`scratch` has no C library, and what the builder `{builder}` makes links against {built}"),
            help,
        );
        return;
    }
    let runs = PackageManager::for_image(base).libc();
    if runs != built {
        cx.error(
            "runtime.base",
            format!("`runtime.base` = `{base}` has {runs}, but the builder `{builder}` links the program against {built}: it would not start"),
            format!("use a runtime of the builder's family, or set `build.image` to a builder with {runs}"),
        );
        return;
    }
    // Same family, but an older glibc in the runtime: symbols the program
    // was linked against may be missing (`GLIBC_2.38 not found`).
    if let (Some((built_on, built_glibc)), Some((runs_on, runs_glibc))) =
        (glibc_release(builder), glibc_release(base))
        && built_glibc > runs_glibc
    {
        cx.warn(
            "runtime.base",
            format!(
                "the builder `{builder}` is {built_on} (glibc {}.{}) but `runtime.base` = `{base}` is {runs_on} (glibc {}.{}): the program may not start (`GLIBC_2.xx not found`)",
                built_glibc.0, built_glibc.1, runs_glibc.0, runs_glibc.1
            ),
            format!("use a runtime of the builder's release, e.g. `debian:{}-slim`, or a builder of the runtime's", crate::languages::DEBIAN),
        );
    }
}

/// The Debian or Ubuntu release an image is built on, as its tag says
/// (`rust:1.96-trixie`, `debian:bookworm-slim`, `python:3.13-slim-trixie`,
/// `ubuntu:24.04`), and that release's glibc; `None` when the tag does not
/// say.
fn glibc_release(image: &str) -> Option<(String, (u32, u32))> {
    const DEBIAN: [(&str, &str, (u32, u32)); 5] = [
        ("buster", "10", (2, 28)),
        ("bullseye", "11", (2, 31)),
        ("bookworm", "12", (2, 36)),
        ("trixie", "13", (2, 41)),
        ("forky", "14", (2, 42)),
    ];
    const UBUNTU: [(&str, &str, (u32, u32)); 5] = [
        ("20.04", "focal", (2, 31)),
        ("22.04", "jammy", (2, 35)),
        ("24.04", "noble", (2, 39)),
        ("24.10", "oracular", (2, 40)),
        ("25.04", "plucky", (2, 41)),
    ];
    let reference = image.split('@').next().unwrap_or(image);
    let last = reference.rsplit('/').next().unwrap_or(reference);
    let (name, tag) = last.split_once(':')?;
    if name == "ubuntu" {
        let word = tag.split('-').next().unwrap_or(tag);
        return UBUNTU
            .iter()
            .find(|(version, codename, _)| word == *version || word == *codename)
            .map(|(version, _, glibc)| (format!("Ubuntu {version}"), *glibc));
    }
    let debian = |codename: &str, glibc: (u32, u32)| (format!("Debian {codename}"), glibc);
    // distroless names the release in the image: `cc-debian12`.
    if let Some(number) = name.rsplit_once("-debian").map(|(_, n)| n) {
        return DEBIAN
            .iter()
            .find(|(_, n, _)| number == *n)
            .map(|(codename, _, glibc)| debian(codename, *glibc));
    }
    tag.split('-').find_map(|word| {
        // `debian:12` and `debian:12.7-slim` alike.
        let major = word.split('.').next().unwrap_or(word);
        DEBIAN
            .iter()
            .find(|(codename, number, _)| {
                word == *codename || (name == "debian" && major == *number)
            })
            .map(|(codename, _, glibc)| debian(codename, *glibc))
    })
}

/// Compiled extensions link against the libraries whose `-dev` packages
/// the builder installs; the runtime needs the library itself (`libpq-dev`
/// in the builder, `libpq5` at runtime).
fn warn_dev_packages(cx: &mut Cx) {
    // Headers of what every glibc image, or the language's own base, has.
    const NO_COUNTERPART: [&str; 4] = ["libc6", "linux-libc", "python3", "libpython3"];
    let build = &cx.manifest.build.packages;
    let runtime = &cx.manifest.runtime.packages;
    let mut warnings = Vec::new();
    for (index, package) in build.iter().enumerate() {
        let name = package.split('=').next().unwrap_or(package);
        let Some(stem) = name.strip_suffix("-dev") else {
            continue;
        };
        if NO_COUNTERPART.iter().any(|p| stem.starts_with(p)) {
            continue;
        }
        let library = stem.strip_prefix("default-").unwrap_or(stem);
        if !runtime.iter().any(|r| r.starts_with(library)) {
            warnings.push((index, name.to_string(), library.to_string()));
        }
    }
    for (index, name, library) in warnings {
        cx.warn(
            &format!("build.packages[{index}]"),
            format!("`{name}` is in `build.packages`, but `runtime.packages` has no `{library}*`: what is compiled against it will not load at runtime"),
            "add the runtime library to `runtime.packages` (for `libpq-dev`, `libpq5`), unless the runtime base already has it",
        );
    }
}

/// `[image]`: a repository without tag or digest, and distinct
/// `os/arch[/variant]` platforms.
fn check_image_table(cx: &mut Cx) {
    let Some(image) = &cx.manifest.image else {
        return;
    };
    if let Some(repository) = &image.repository {
        let problem = if !starts_alphanumeric(repository) || !made_of(repository, "._-/:") {
            Some("it may hold only lowercase letters, digits, `.`, `_`, `-`, `/` and a registry port".to_string())
        } else if repository
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains(':'))
        {
            Some("it carries a tag; bake adds `:${TAG}` itself".to_string())
        } else {
            reference_problem(repository, None, None)
        };
        if let Some(problem) = problem {
            cx.error(
                "image.repository",
                format!("`image.repository` = `{repository}` is not a repository: {problem}"),
                "write a repository without a tag, e.g. `ghcr.io/acme/api`",
            );
        }
    }
    if image.cache && image.repository.is_none() {
        cx.error(
            "image.cache",
            "`image.cache` needs `image.repository`: the cache is pushed to `<repository>:buildcache`, and the manifest's `name` alone would be Docker Hub's library",
            "set `repository` beside it, e.g. `repository = \"ghcr.io/acme/api\"`",
        );
    }
    for (index, platform) in image.platforms.iter().enumerate() {
        let parts: Vec<&str> = platform.split('/').collect();
        let valid = (2..=3).contains(&parts.len())
            && parts.iter().all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            });
        let path = format!("image.platforms[{index}]");
        if !valid {
            cx.error(
                &path,
                format!("`{path}` = `{platform}` is not a platform"),
                "write `os/arch` or `os/arch/variant`, e.g. `linux/amd64` or `linux/arm/v7`",
            );
        } else if image.platforms[..index].contains(platform) {
            cx.error(
                &path,
                format!("`{path}` = `{platform}` is listed twice"),
                "list each platform once",
            );
        }
    }
}

/// An image reference: `name[:tag][@digest]`, pinned (a tag other than
/// `latest`, or a digest), or `scratch` where allowed.
fn check_image(cx: &mut Cx, path: &str, image: &str, scratch_ok: bool) {
    if image == "scratch" {
        if !scratch_ok {
            cx.error(
                path,
                "`scratch` cannot be a builder: it has no shell or tools",
                "",
            );
        }
        return;
    }
    let valid_chars = starts_alphanumeric(image) && made_of(image, "._-/:@");
    if !valid_chars {
        cx.error(
            path,
            format!("`{path}` = `{image}` is not an image reference"),
            "write `name:tag` or `name@sha256:...`, e.g. `debian:bookworm-slim`",
        );
        return;
    }
    let (reference, digest) = match image.split_once('@') {
        Some((reference, digest)) => (reference, Some(digest)),
        None => (image, None),
    };
    // The tag is what follows the last `:` after the last `/` (a registry
    // host may carry a port).
    let last_part = reference.rsplit('/').next().unwrap_or(reference);
    let tag = last_part.split_once(':').map(|(_, tag)| tag);
    let repository = match tag {
        Some(tag) => &reference[..reference.len() - tag.len() - 1],
        None => reference,
    };
    // Only what the manifest writes: a derived image is made of checked
    // parts (`build.version` has its own check and message).
    if cx.spans.contains(path)
        && let Some(problem) = reference_problem(repository, tag, digest)
    {
        cx.error(
            path,
            format!("`{path}` = `{image}` is not an image reference: {problem}"),
            "write `name:tag` or `name@sha256:...`, e.g. `debian:bookworm-slim`; a tag is letters, digits, `_`, `.` and `-`, not starting with `.` or `-`, at most 128 characters",
        );
        return;
    }
    match (tag, digest) {
        (Some("latest"), _) => cx.error(
            path,
            format!("`{path}` = `{image}` uses the `latest` tag, which moves"),
            "pin a version tag (e.g. `alpine:3.22`) or a digest, so rebuilds give the same image",
        ),
        (None, None) => cx.error(
            path,
            format!("`{path}` = `{image}` has no tag"),
            format!("pin a version tag (e.g. `{image}:1.0`) or a digest, so rebuilds give the same image"),
        ),
        _ => {}
    }
}

/// What is wrong with an image reference, by the distribution reference
/// grammar: path components `[a-z0-9]+` joined by `.`, `_`, `__` or
/// dashes, an optional registry host (with a port) first; a tag
/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`; a digest `algorithm:hex`.
fn reference_problem(repository: &str, tag: Option<&str>, digest: Option<&str>) -> Option<String> {
    let mut components: Vec<&str> = repository.split('/').collect();
    if components.len() > 1 {
        let first = components[0];
        let host = first.contains(['.', ':']) || first == "localhost";
        if host {
            let (name, port) = match first.split_once(':') {
                Some((name, port)) => (name, Some(port)),
                None => (first, None),
            };
            let name_ok = name.split('.').all(|label| {
                starts_alphanumeric(label) && made_of(label, "-") && !label.ends_with('-')
            });
            let port_ok =
                port.is_none_or(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
            if !name_ok || !port_ok {
                return Some(format!("`{first}` is not a registry host"));
            }
            components.remove(0);
        }
    }
    for component in components {
        let lower = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
        let ok = component.starts_with(lower)
            && component.ends_with(lower)
            && component.chars().all(|c| lower(c) || "._-".contains(c))
            && !component.contains("..")
            && !component.contains("___")
            && !component.contains("._")
            && !component.contains("_.")
            && !component.contains(".-")
            && !component.contains("-.")
            && !component.contains("_-")
            && !component.contains("-_");
        if !ok {
            return Some(format!(
                "`{component}` is not a repository name (lowercase letters and digits, joined by `.`, `_`, `__` or `-`)"
            ));
        }
    }
    if let Some(tag) = tag {
        let ok = tag.len() <= 128
            && tag.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
            && made_of(tag, "_.-");
        if !ok {
            return Some(format!("`{tag}` is not a tag"));
        }
    }
    if let Some(digest) = digest {
        let ok = match digest.split_once(':') {
            Some(("sha256", hex)) => {
                hex.len() == 64
                    && hex
                        .chars()
                        .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
            }
            Some((algorithm, hex)) => {
                starts_alphanumeric(algorithm)
                    && algorithm
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".+_-".contains(c))
                    && hex.len() >= 32
                    && hex.chars().all(|c| c.is_ascii_hexdigit())
            }
            None => false,
        };
        if !ok {
            return Some(format!(
                "`{digest}` is not a digest (`sha256:` and 64 hex digits)"
            ));
        }
    }
    None
}

/// An absolute path that stays one word of its instruction: no `$`
/// (variable expansion), quotes or backslashes.
fn check_path(cx: &mut Cx, path: &str, value: &str) {
    let bad = value.chars().find(|c| "$\\\"'`".contains(*c));
    if value.trim() != value {
        // WORKDIR's value would lose it, COPY's would keep it.
        cx.error(
            path,
            format!("`{path}` = `{value}` starts or ends with a space"),
            "remove the spaces around the path",
        );
    } else if !value.starts_with('/') {
        cx.error(
            path,
            format!("`{path}` = `{value}` is not an absolute path"),
            "write a path starting with `/`, e.g. `/usr/local/bin/app`",
        );
    } else if let Some(c) = bad {
        cx.error(
            path,
            format!("`{path}` contains `{c}`, which a Dockerfile would interpret"),
            "paths may not contain `$`, quotes or backslashes",
        );
    }
}

fn check_packages(cx: &mut Cx, path: &str, packages: &[String]) {
    for (index, package) in packages.iter().enumerate() {
        let valid = starts_alphanumeric(package) && made_of(package, ".+_:=~-");
        if !valid {
            cx.error(
                &format!("{path}[{index}]"),
                format!("`{package}` is not a package name"),
                "use the distribution's package name, optionally pinned (`curl=7.88.1-10`); letters, digits and `.+_:=~-`, starting with a letter or digit",
            );
        }
    }
}

fn check_env(cx: &mut Cx, path: &str, env: &BTreeMap<String, String>) {
    for key in env.keys() {
        let valid = made_of(key, "_") && !key.starts_with(|c: char| c.is_ascii_digit());
        if !valid {
            cx.error(
                &crate::manifest::join_key(path, key),
                format!("`{key}` is not an environment variable name"),
                "use letters, digits and `_`, not starting with a digit",
            );
        }
    }
}

fn check_labels(cx: &mut Cx, labels: &BTreeMap<String, String>) {
    for key in labels.keys() {
        // A leading `-` would make `LABEL --key=...` read as a flag.
        let valid = starts_alphanumeric(key) && made_of(key, "._-/");
        if !valid {
            cx.error(
                &crate::manifest::join_key("runtime.labels", key),
                format!("`{key}` is not a label key"),
                "use letters, digits, `.`, `_`, `-` and `/`, starting with a letter or digit, e.g. `org.opencontainers.image.source`",
            );
        }
    }
}

/// Secrets: a well-formed id, used once, mounted as a file at an absolute
/// path or exposed as a variable (exactly one). Returns the `--mount`
/// flags of the dependency and build steps.
fn check_secrets(cx: &mut Cx) -> Vec<String> {
    let mut mounts = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for (index, secret) in cx.manifest.build.secrets.iter().enumerate() {
        let path = format!("build.secrets[{index}]");
        let id_ok = starts_alphanumeric(&secret.id) || secret.id.starts_with('_');
        if !(id_ok && made_of(&secret.id, "._-")) {
            cx.error(
                &format!("{path}.id"),
                format!("`{path}.id` = `{}` is not a secret id", secret.id),
                "use letters, digits, `.`, `_` and `-`, starting with a letter, digit or `_`, e.g. `npmrc`",
            );
        } else if !seen.insert(secret.id.clone()) {
            cx.error(
                &format!("{path}.id"),
                format!("the secret `{}` is listed twice", secret.id),
                "list each secret once; one secret can be a file or a variable, not both",
            );
        }
        match (&secret.target, &secret.env) {
            (Some(target), None) => {
                let safe = target.starts_with('/')
                    && made_of(target, "._/@+-")
                    && !target.split('/').any(|part| part == "..");
                if safe {
                    mounts.push(format!("--mount=type=secret,id={},target={target}", secret.id));
                } else {
                    cx.error(
                        &format!("{path}.target"),
                        format!("`{path}.target` = `{target}` is not an absolute path"),
                        "write where the secret's file goes, e.g. `/root/.npmrc`: `/` then letters, digits, `.`, `_`, `/`, `@`, `+`, `-`",
                    );
                }
            }
            (None, Some(env)) => {
                if made_of(env, "_") && !env.starts_with(|c: char| c.is_ascii_digit()) {
                    mounts.push(format!("--mount=type=secret,id={},env={env}", secret.id));
                } else {
                    cx.error(
                        &format!("{path}.env"),
                        format!("`{env}` is not an environment variable name"),
                        "use letters, digits and `_`, not starting with a digit, e.g. `NPM_TOKEN`",
                    );
                }
            }
            _ => cx.error(
                &path,
                format!("`{path}` needs exactly one of `target` and `env`"),
                "mount the secret as a file (`target = \"/root/.npmrc\"`) or expose it as a variable (`env = \"NPM_TOKEN\"`)",
            ),
        }
    }
    if cx.manifest.build.ssh {
        mounts.push("--mount=type=ssh".to_string());
    }
    mounts
}

/// Build steps are shell commands by design, but each must stay inside its
/// own `RUN`: a trailing `\` would swallow the next line and `<<WORD`
/// would open a BuildKit heredoc over the instructions that follow.
fn check_steps(cx: &mut Cx, steps: &[String]) {
    if steps.is_empty() {
        cx.error(
            "build.steps",
            "`build.steps` is empty: nothing would be built",
            "list the commands, e.g. `[\"make\"]`, or remove the key for the language's default",
        );
    }
    for (index, step) in steps.iter().enumerate() {
        let path = format!("build.steps[{index}]");
        if step.trim().is_empty() {
            cx.error(
                &path,
                format!("`{path}` is empty"),
                "remove it or write a command",
            );
        } else if step.trim_end().ends_with('\\') {
            cx.error(
                &path,
                format!("`{path}` ends with `\\`, which would continue into the next instruction"),
                "write each step as one complete command",
            );
        } else if has_heredoc(step) {
            cx.error(
                &path,
                format!("`{path}` contains a heredoc (`<<`), which would swallow the following instructions"),
                "write the content to a file in the build context and use it, or use `printf`",
            );
        } else if step.trim_start().starts_with('-') {
            cx.error(
                &path,
                format!("`{path}` starts with `-`, which `RUN` would read as its own flag"),
                "write a shell command; RUN flags such as `--mount` are not manifest values",
            );
        } else if step.trim_start().starts_with('#') {
            cx.error(
                &path,
                format!("`{path}` is a comment, not a command"),
                "remove it",
            );
        }
    }
}

/// `<<` not part of `<<<` (a here-string, harmless on one line).
fn has_heredoc(step: &str) -> bool {
    let bytes = step.as_bytes();
    (0..bytes.len().saturating_sub(1)).any(|i| {
        bytes[i] == b'<'
            && bytes[i + 1] == b'<'
            && (i == 0 || bytes[i - 1] != b'<')
            && bytes.get(i + 2) != Some(&b'<')
    })
}

/// `UID[:GID]` or `name[:group]`; numeric on `scratch`, where no name
/// resolves.
fn check_user(cx: &mut Cx, user: &str, scratch: bool) -> (Option<u32>, Option<u32>) {
    let word = |w: &str| made_of(w, "._-") && !w.starts_with(['.', '-']);
    let (name, group) = match user.split_once(':') {
        Some((name, group)) => (name, Some(group)),
        None => (user, None),
    };
    if !word(name) || group.is_some_and(|g| !word(g)) {
        cx.error(
            "runtime.user",
            format!("`runtime.user` = `{user}` is not a user"),
            "write `UID[:GID]` (e.g. `65532:65532`) or a user name that exists in the image",
        );
        return (None, None);
    }
    let uid = name.parse::<u32>().ok();
    let gid = match group {
        Some(group) => group.parse::<u32>().ok(),
        None => uid,
    };
    if scratch && (uid.is_none() || gid.is_none()) {
        cx.error(
            "runtime.user",
            format!("`runtime.user` = `{user}` names a user, but `scratch` has no user database"),
            "use numeric ids on scratch, e.g. `65532:65532`",
        );
    }
    (uid, gid)
}

/// Exec-form words: an empty one is no program and no argument a user
/// means (`entrypoint = [""]` starts nothing).
fn check_words(cx: &mut Cx, path: &str, words: Option<&[String]>) {
    for (index, word) in words.unwrap_or_default().iter().enumerate() {
        if word.trim().is_empty() {
            cx.error(
                &format!("{path}[{index}]"),
                format!("`{path}[{index}]` is an empty word"),
                "remove it, or write the program or argument it stands for",
            );
        }
    }
}

/// Docker durations: one or more `<number><unit>`, units `ns`, `us`, `ms`,
/// `s`, `m`, `h`; 0, or from 1ms (BuildKit's minimum) to 24h.
fn check_duration(cx: &mut Cx, path: &str, value: &str) {
    match duration_ns(value) {
        None => cx.error(
            path,
            format!("`{path}` = `{value}` is not a duration"),
            "write a number and a unit, e.g. `30s`, `500ms` or `1m30s`",
        ),
        Some(ns) if ns != 0 && !(MIN_DURATION_NS..=MAX_DURATION_NS).contains(&ns) => cx.error(
            path,
            format!("`{path}` = `{value}` is out of range"),
            "give `0s` (the engine's default) or a duration from `1ms` to `24h`",
        ),
        Some(_) => {}
    }
}

/// A duration in nanoseconds; `None` when it is not one (or overflows).
fn duration_ns(value: &str) -> Option<u128> {
    let mut rest = value;
    let mut total: u128 = 0;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 || digits > 20 {
            return None;
        }
        let number: u128 = rest[..digits].parse().ok()?;
        let after = &rest[digits..];
        let (unit, scale) = [
            ("ns", 1),
            ("us", 1_000),
            ("ms", 1_000_000),
            ("s", 1_000_000_000),
            ("m", 60_000_000_000),
            ("h", 3_600_000_000_000u128),
        ]
        .into_iter()
        .find(|(u, _)| after.starts_with(u) && !(*u == "m" && after.starts_with("ms")))?;
        total = total.checked_add(number.checked_mul(scale)?)?;
        rest = &after[unit.len()..];
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heredoc_detection_spares_here_strings() {
        assert!(has_heredoc("cat <<EOF"));
        assert!(has_heredoc("cat <<-'EOF' > x"));
        assert!(!has_heredoc("grep x <<< \"$y\""));
        assert!(!has_heredoc("make -j2"));
    }

    #[test]
    fn durations_in_nanoseconds() {
        assert_eq!(duration_ns("1m30s"), Some(90_000_000_000));
        assert_eq!(duration_ns("500ms"), Some(500_000_000));
        assert_eq!(duration_ns("1us"), Some(1_000));
        assert!(duration_ns("99999999999999999999h").unwrap() > MAX_DURATION_NS);
        assert_eq!(duration_ns("999999999999999999999h"), None);
        assert_eq!(duration_ns("5"), None);
        assert_eq!(duration_ns(""), None);
    }

    #[test]
    fn image_references_follow_the_grammar() {
        assert_eq!(reference_problem("golang", Some("1.23-trixie"), None), None);
        assert_eq!(
            reference_problem("registry.example.com:5000/team/app", Some("v1"), None),
            None
        );
        assert!(reference_problem("golang", Some("-x"), None).is_some());
        assert!(reference_problem("golang", Some(".x"), None).is_some());
        assert!(reference_problem("golang", Some(&"x".repeat(129)), None).is_some());
        assert!(reference_problem("Golang", Some("1"), None).is_some());
        assert!(reference_problem("a/-b", Some("1"), None).is_some());
        assert!(reference_problem("a", None, Some("sha256:abc")).is_some());
    }

    #[test]
    fn package_manager_follows_image_family() {
        assert_eq!(
            PackageManager::for_image("node:22-alpine"),
            PackageManager::Apk
        );
        assert_eq!(
            PackageManager::for_image("ubuntu:24.04"),
            PackageManager::Apt
        );
    }
}
