//! The resolution state a language works with ([`Cx`]): the manifest,
//! where its values are written, the directories it is read from, the
//! problems found so far; and what a language contributes
//! ([`LanguageDefaults`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::rules::{made_of, safe_relative};
use crate::diagnostic::Diagnostic;
use crate::manifest::{Artifact, Manifest, Spans};

/// An image tag is at most 128 characters; a version shares its tag with
/// a suffix such as `-slim-trixie`.
const MAX_VERSION_LEN: usize = 100;

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
                    self.version_from = crate::text::shown_value(&from).into_owned();
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
        if !safe_relative(value) {
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
