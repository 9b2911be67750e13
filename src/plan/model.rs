//! The resolved plan: every value a template renders from, filled in and
//! checked.

use std::collections::BTreeMap;

use serde::Serialize;

use super::image::PackageManager;
use crate::diagnostic::Diagnostic;
use crate::manifest::{Artifact, Language};

/// The resolved manifest: what the templates render from.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub name: String,
    pub language: Language,
    pub build: BuildPlan,
    /// `[[build.assets]]`: the stages whose output the final image ships.
    pub assets: Vec<AssetPlan>,
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

/// A `[[build.assets]]` stage, resolved: its image, its manager, what its
/// install reads, its steps, and where its output lands.
#[derive(Debug, Clone, Serialize)]
pub struct AssetPlan {
    /// The stage's name: `assets-1`, `assets-2`, ... in manifest order.
    pub stage: String,
    /// The toolchain key (`node`).
    pub language: String,
    pub version: String,
    /// Where `version` came from (`default`, `.nvmrc: 22`, ...).
    pub version_from: String,
    pub image: String,
    /// The workdir, context-relative, without a trailing `/`.
    pub workdir: String,
    pub manager: crate::manifest::NodeManager,
    /// Yarn 2 and later (`--immutable`).
    pub berry: bool,
    pub corepack: String,
    /// What the install reads, context-relative, by the directory (relative
    /// to the stage's workdir) it is copied into.
    pub(crate) files: Vec<crate::languages::support::CopyGroup>,
    pub steps: Vec<String>,
    /// Whether `steps` is the default (`<manager> run build`).
    pub default_steps: bool,
    /// The output as the project would hold it after a local build,
    /// context-relative: left out of the build context (`.dockerignore`).
    pub ignored: String,
    /// The output, absolute in the asset stage.
    pub output: String,
    /// Where the output lands in the final image (absolute).
    pub into: String,
    /// Where it lands in a build stage (absolute), for the templates of
    /// languages whose programs may embed it (go, rust, c: `//go:embed`).
    pub build_into: String,
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
    /// `runtime.writable`, absolute: directories (or files already in the
    /// image) the runtime user owns.
    pub writable: Vec<String>,
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
