//! The `shipit.toml` manifest: its typed form ([`Manifest`]), the
//! [`Spans`] index that points diagnostics at the source, and the parse
//! step (`parse`) that turns source text into both.
//!
//! The types here are the single source of truth: serde parses with them,
//! schemars derives the key tree from them (`keys`; doc comments become the
//! schema's descriptions), and the unknown-key pass walks that same tree,
//! so parser, schema and error messages can never disagree.

pub mod keys;
mod language;
pub mod load;
pub mod parse;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use language::Language;

/// A shipit manifest: what to build and how to run it. shipit renders it
/// into a multi-stage Dockerfile.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "shipit.toml",
    description = "A shipit manifest: what to build and how to run it. shipit renders it into a multi-stage Dockerfile."
)]
pub struct Manifest {
    /// The image name: lowercase letters, digits, `.`, `_` and `-`, starting
    /// with a letter or digit. Also names the built program by default.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9._-]*$"), length(max = 128))]
    pub name: String,

    /// The application's language; selects the built-in template and its
    /// defaults. Only the table named after it (`[go]`, `[node]`, ...) may
    /// appear in the manifest.
    pub language: Language,

    /// The builder stage. Everything is optional: the language's defaults
    /// fill the gaps.
    #[serde(default)]
    pub build: Build,

    /// What leaves the builder for the runtime image. Defaults to the built
    /// program (per language); when given, it replaces the defaults.
    pub artifacts: Option<Vec<Artifact>>,

    /// The final, shipped stage.
    #[serde(default)]
    pub runtime: Runtime,

    /// A directory of organisation templates, relative to this manifest,
    /// searched after `--templates` and `$SHIPIT_TEMPLATES` and before the
    /// built-in templates.
    pub templates: Option<String>,

    /// What `shipit bake` needs to build and push the image.
    pub image: Option<ImageTable>,

    /// Settings for `language = "go"`.
    pub go: Option<GoTable>,

    /// Settings for `language = "node"`.
    pub node: Option<NodeTable>,

    /// Settings for `language = "python"`.
    pub python: Option<PythonTable>,

    /// Settings for `language = "c"`.
    pub c: Option<CTable>,

    /// Settings for `language = "rust"`.
    pub rust: Option<RustTable>,
}

/// The builder stage.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Build {
    /// The build context, relative to this manifest: `"."` (the default,
    /// the manifest's directory) or one of its ancestors, e.g. `"../.."`
    /// for a member of a workspace (go.work, pnpm/npm/yarn workspaces, uv
    /// workspaces). The workspace's lockfile and members' manifests are
    /// copied before the install; paths in the language table stay
    /// relative to this manifest.
    #[schemars(regex(pattern = r"^(\.|\.\.(/\.\.)*)/?$"))]
    pub context: Option<String>,

    /// Toolchain version, e.g. `"1.23"` for Go or `"3.12"` for Python; picks
    /// the builder (and default runtime) image tag. A string: quote it.
    pub version: Option<String>,

    /// Builder image, overriding the one derived from `version`. Must carry
    /// a tag or digest; `latest` is refused.
    pub image: Option<String>,

    /// Extra OS packages for the builder (apt or apk, by image family).
    #[serde(default)]
    #[schemars(inner(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9.+_:=~-]*$")))]
    pub packages: Vec<String>,

    /// Environment variables for the builder stage. Values are literal.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" }))]
    pub env: BTreeMap<String, String>,

    /// Shell commands replacing the language's default build commands; each
    /// becomes one `RUN`. One line each.
    pub steps: Option<Vec<String>>,

    /// Extra `.dockerignore` patterns, after the language's own. A pattern
    /// starting with `!` re-includes what an earlier one excluded.
    #[serde(default)]
    pub ignore: Vec<String>,

    /// Working directory of the builder (absolute).
    #[schemars(regex(pattern = r#"^/[^$\\"'`]*$"#))]
    pub workdir: Option<String>,

    /// Forward the SSH agent to the dependency and build steps
    /// (`RUN --mount=type=ssh`; `docker build --ssh default`), e.g. for
    /// private Git dependencies.
    #[serde(default)]
    pub ssh: bool,

    /// BuildKit secrets mounted into the dependency and build steps, never
    /// into an `ARG`, `ENV` or a layer
    /// (`docker build --secret id=ID,src=FILE`).
    #[serde(default)]
    pub secrets: Vec<Secret>,

    /// Stages in a second toolchain whose output the image ships: a
    /// frontend built with npm, pnpm or yarn and copied into a Python or
    /// Go image. Each is its own stage, with its own dependency layer.
    #[serde(default)]
    pub assets: Vec<Asset>,
}

/// `[[build.assets]]`: a stage in a second toolchain (Node.js) whose
/// output lands in the final image.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Asset {
    /// The assets' toolchain. Its version and package manager come from
    /// the asset workdir's own files (`.nvmrc`, `package.json`'s
    /// `engines` and `packageManager`, the lockfile).
    pub language: AssetLanguage,
    /// The assets' project directory, relative to the build context: its
    /// dependency files install in their own layer, then it is copied.
    #[schemars(regex(pattern = r"^[A-Za-z0-9_.@+][A-Za-z0-9._/@+-]*$"))]
    pub workdir: String,
    /// Shell commands run after the dependencies are installed, each one
    /// `RUN`. Default: `["<manager> run build"]` when package.json has a
    /// `build` script; otherwise required.
    pub steps: Option<Vec<String>>,
    /// What the steps produce, relative to `workdir` (e.g. `dist`).
    #[schemars(regex(pattern = r"^[A-Za-z0-9_.@+][A-Za-z0-9._/@+-]*$"))]
    pub output: String,
    /// Where the output lands in the final image, relative to
    /// `runtime.workdir` (e.g. `static`). Compiled languages (go, rust, c)
    /// also find it there, relative to `build.workdir`, before their build
    /// steps (`//go:embed`).
    #[schemars(regex(pattern = r"^[A-Za-z0-9_.@+][A-Za-z0-9._/@+-]*$"))]
    pub into: String,
}

/// The toolchain of a `[[build.assets]]` stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AssetLanguage {
    /// Node.js, with npm, pnpm or yarn.
    Node,
}

/// A BuildKit secret for the dependency and build steps: mounted as a
/// file at `target`, or exposed as the variable `env`, for those steps only.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    /// The secret's id, as given to `docker build --secret id=ID,...`.
    #[schemars(regex(pattern = r"^[A-Za-z0-9_][A-Za-z0-9._-]*$"))]
    pub id: String,
    /// Mount it as a file at this absolute path (e.g. `/root/.npmrc`).
    /// Exactly one of `target` and `env`.
    #[schemars(regex(pattern = r"^/[A-Za-z0-9._/@+-]*$"))]
    pub target: Option<String>,
    /// Expose it as this environment variable (e.g. `NPM_TOKEN`; BuildKit
    /// with Dockerfile syntax 1.10 or later). Exactly one of `target` and
    /// `env`.
    #[schemars(regex(pattern = r"^[A-Za-z_][A-Za-z0-9_]*$"))]
    pub env: Option<String>,
}

/// A path copied from the builder into the runtime image.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    /// Absolute path in the builder (wildcards allowed).
    #[schemars(regex(pattern = r#"^/[^$\\"'`]*$"#))]
    pub from: String,
    /// Absolute path in the runtime image.
    #[schemars(regex(pattern = r#"^/[^$\\"'`]*$"#))]
    pub to: String,
}

/// The final, shipped stage.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Runtime {
    /// Runtime base image; `scratch` for an empty one. Must carry a tag or
    /// digest.
    pub base: Option<String>,

    /// OS packages for the runtime (apt or apk, by image family). An error
    /// with `scratch`, which has no package manager.
    #[serde(default)]
    #[schemars(inner(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9.+_:=~-]*$")))]
    pub packages: Vec<String>,

    /// The program to start, in exec form (a list of words, no shell).
    pub entrypoint: Option<Vec<String>>,

    /// Default arguments, in exec form.
    pub cmd: Option<Vec<String>>,

    /// Working directory of the running program (absolute).
    #[schemars(regex(pattern = r#"^/[^$\\"'`]*$"#))]
    pub workdir: Option<String>,

    /// Paths under `workdir` the runtime user may write (`logs`,
    /// `uploads`, `data`): each is made a directory when the image has none
    /// there, and owned by `user`. Relative, without `..`.
    #[serde(default)]
    #[schemars(inner(regex(pattern = r"^[A-Za-z0-9_.@+][A-Za-z0-9._/@+-]*$")))]
    pub writable: Vec<String>,

    /// User to run as: `UID[:GID]` or a name that exists in the image.
    /// Non-root (`65532:65532`) unless written explicitly.
    #[schemars(
        regex(pattern = r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$"),
        extend("default" = "65532:65532")
    )]
    pub user: Option<String>,

    /// TCP ports the program listens on (1-65535).
    #[serde(default)]
    #[schemars(inner(range(min = 1, max = 65535)))]
    pub ports: Vec<u16>,

    /// Environment variables for the running program. Values are literal.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" }))]
    pub env: BTreeMap<String, String>,

    /// Image labels, e.g. `"org.opencontainers.image.source"`.
    #[serde(default)]
    #[schemars(extend("propertyNames" = { "pattern": "^[A-Za-z0-9._/-]+$" }))]
    pub labels: BTreeMap<String, String>,

    /// A command the container engine runs to probe the program's health.
    pub healthcheck: Option<Healthcheck>,

    /// Run a minimal init (tini) as PID 1, in front of the entrypoint: it
    /// forwards `docker stop`'s SIGTERM to the program and reaps zombies.
    /// Default `true` for node and python (which ignore SIGTERM as PID 1),
    /// `false` for go and c. Needs a package manager in the runtime image.
    pub init: Option<bool>,
}

/// A `HEALTHCHECK`, in exec form.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Healthcheck {
    /// The probe, in exec form; exit 0 means healthy.
    pub command: Vec<String>,
    /// Time between probes, e.g. `"30s"` or `"1m30s"` `0s` or from `1ms` to `24h`.
    #[schemars(regex(pattern = r"^([0-9]+(ns|us|ms|s|m|h))+$"))]
    pub interval: Option<String>,
    /// Time a probe may take, e.g. `"5s"` `0s` or from `1ms` to `24h`.
    #[schemars(regex(pattern = r"^([0-9]+(ns|us|ms|s|m|h))+$"))]
    pub timeout: Option<String>,
    /// Grace period after start, e.g. `"10s"` `0s` or from `1ms` to `24h`.
    #[schemars(regex(pattern = r"^([0-9]+(ns|us|ms|s|m|h))+$"))]
    pub start_period: Option<String>,
    /// Failed probes in a row before the container is unhealthy (1 to
    /// 2147483647).
    #[schemars(range(min = 1, max = 2147483647))]
    pub retries: Option<u32>,
}

/// `[go]`: Go settings.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GoTable {
    /// The main package to build, relative to the build context.
    #[schemars(extend("default" = "."))]
    pub package: Option<String>,
    /// Link against libc (`CGO_ENABLED=1`). A cgo binary needs a libc in the
    /// runtime, so the default base becomes `debian:<release>-slim`.
    #[serde(default)]
    pub cgo: bool,
    /// Copy the time zone database (`/usr/share/zoneinfo`) into the image.
    #[serde(default)]
    pub tzdata: bool,
}

/// `[node]`: Node.js settings.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeTable {
    /// The program's entry file, relative to the build context.
    #[schemars(extend("default" = "index.js"))]
    pub entry: Option<String>,
    /// How the program ships.
    #[schemars(extend("default" = "pkg"))]
    pub mode: Option<NodeMode>,
    /// The package manager. Default: from package.json's `packageManager`,
    /// else the lockfile beside the manifest (`pnpm-lock.yaml` → pnpm,
    /// `yarn.lock` → yarn, else npm).
    pub manager: Option<NodeManager>,
}

/// A Node.js package manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NodeManager {
    /// npm, from `package-lock.json` (`npm ci`).
    Npm,
    /// pnpm, from `pnpm-lock.yaml` (`--frozen-lockfile`).
    Pnpm,
    /// yarn: classic (`--frozen-lockfile`) or berry (`--immutable`), from
    /// `yarn.lock`.
    Yarn,
}

impl NodeManager {
    pub fn key(self) -> &'static str {
        match self {
            NodeManager::Npm => "npm",
            NodeManager::Pnpm => "pnpm",
            NodeManager::Yarn => "yarn",
        }
    }
}

/// How a Node.js program ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum NodeMode {
    /// One executable built by `@yao-pkg/pkg`, on `alpine`.
    Pkg,
    /// `node:<version>-alpine` with production `node_modules` and the app.
    Runtime,
    /// One executable made with Node's own single-executable-application
    /// support: the app bundled by esbuild into one script, injected into
    /// a copy of the builder's `node`, on `debian:<release>-slim`.
    Sea,
    /// A Next.js app built with `output: "standalone"`: `build.steps` run
    /// `next build`, and `node:<version>-alpine` gets `.next/standalone`
    /// (the server and the dependencies it traced), `.next/static` and
    /// `public/`, not `node_modules`. `node.entry` is the standalone
    /// `server.js` at the app's path (default `server.js`: the app beside
    /// the manifest).
    Next,
}

impl NodeMode {
    pub fn key(self) -> &'static str {
        match self {
            NodeMode::Pkg => "pkg",
            NodeMode::Runtime => "runtime",
            NodeMode::Sea => "sea",
            NodeMode::Next => "next",
        }
    }
}

/// `[python]`: Python settings.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PythonTable {
    /// The dependency file, relative to the build context: a pip
    /// requirements file, `Pipfile` (pipenv) or `pyproject.toml` (pip, uv
    /// or poetry). Default: the manager's file, found beside the manifest.
    pub requirements: Option<String>,
    /// The package manager that installs the dependencies. Default: from
    /// the lockfile beside the manifest (`uv.lock` → uv, `poetry.lock` →
    /// poetry, `Pipfile` → pipenv, else pip).
    pub manager: Option<PythonManager>,
}

/// A Python package manager.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PythonManager {
    /// pip, from a requirements file or a pyproject.toml.
    Pip,
    /// pipenv, from `Pipfile` and `Pipfile.lock`.
    Pipenv,
    /// poetry, from `pyproject.toml` and `poetry.lock`.
    Poetry,
    /// uv, from `pyproject.toml` and `uv.lock`.
    Uv,
}

impl PythonManager {
    pub fn key(self) -> &'static str {
        match self {
            PythonManager::Pip => "pip",
            PythonManager::Pipenv => "pipenv",
            PythonManager::Poetry => "poetry",
            PythonManager::Uv => "uv",
        }
    }
}

/// `[image]`: where `shipit bake` tags and for which platforms it builds.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageTable {
    /// The repository the image is tagged in, without a tag
    /// (`ghcr.io/acme/api`); bake tags it `<repository>:${TAG}`. Default:
    /// the manifest's `name`.
    pub repository: Option<String>,
    /// The platforms to build, `os/arch[/variant]` (`linux/amd64`,
    /// `linux/arm/v7`). Default: the builder's own platform.
    #[serde(default)]
    pub platforms: Vec<String>,
    /// A registry build cache for `shipit bake`: each build imports
    /// `<repository>:buildcache` and exports all its stages' layers there
    /// (`mode=max`), so CI builders that start empty reuse the dependency
    /// layers of the last build. Needs push access to the repository.
    #[serde(default)]
    pub cache: bool,
}

/// `[c]`: C settings.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CTable {
    /// Source files to compile, relative to the build context. Required
    /// unless `build.steps` builds the program (e.g. `["make"]`).
    #[serde(default)]
    pub sources: Vec<String>,
    /// Name of the built program. Default: the manifest's `name`.
    #[schemars(regex(pattern = r"^[A-Za-z0-9._+-]+$"))]
    pub output: Option<String>,
    /// The compiler.
    #[schemars(extend("default" = "gcc"))]
    pub compiler: Option<Compiler>,
    /// Compiler flags.
    #[schemars(extend("default" = ["-O2"]))]
    pub flags: Option<Vec<String>>,
    /// Libraries to link, without `-l`: `["m", "pthread"]`.
    #[serde(default)]
    pub libs: Vec<String>,
    /// Link statically; the runtime base then defaults to `scratch`.
    #[serde(default, rename = "static")]
    pub static_: bool,
}

/// `[rust]`: Rust settings.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RustTable {
    /// The workspace package to build (`cargo build -p`), by its name.
    /// Default: the package at the build context's root (or, with
    /// `build.context`, the manifest's own).
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"))]
    pub package: Option<String>,
    /// The binary target (`--bin`). Default: the package's only binary, or
    /// its `default-run`.
    #[schemars(regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"))]
    pub bin: Option<String>,
    /// Build for the musl target (`<arch>-unknown-linux-musl`), linked
    /// statically; the runtime base then defaults to `scratch`.
    #[serde(default, rename = "static")]
    pub static_: bool,
}

/// A C compiler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Compiler {
    #[serde(rename = "gcc")]
    Gcc,
    #[serde(rename = "g++")]
    Gxx,
    #[serde(rename = "clang")]
    Clang,
    #[serde(rename = "clang++")]
    Clangxx,
}

impl Compiler {
    pub fn command(self) -> &'static str {
        match self {
            Compiler::Gcc => "gcc",
            Compiler::Gxx => "g++",
            Compiler::Clang => "clang",
            Compiler::Clangxx => "clang++",
        }
    }
}

/// Where each key and value of a parsed manifest sits in its source, by
/// dotted path (`runtime.ports[0]`, `runtime.labels."a.b"`).
#[derive(Debug, Default)]
pub struct Spans {
    keys: HashMap<String, Range<usize>>,
    values: HashMap<String, Range<usize>>,
}

impl Spans {
    /// The span of the value at `path`, falling back to its key, then to the
    /// nearest enclosing path that is written in the manifest.
    pub fn value(&self, path: &str) -> Option<Range<usize>> {
        self.lookup(path, &self.values)
    }

    /// The span of the key at `path` (with the same fallbacks).
    pub fn key(&self, path: &str) -> Option<Range<usize>> {
        self.lookup(path, &self.keys)
    }

    /// Whether the manifest writes the key at `path` itself.
    pub fn has_key(&self, path: &str) -> bool {
        self.keys.contains_key(path)
    }

    fn lookup(&self, path: &str, first: &HashMap<String, Range<usize>>) -> Option<Range<usize>> {
        let mut path = path;
        loop {
            if let Some(span) = first.get(path).or_else(|| self.keys.get(path)) {
                return Some(span.clone());
            }
            path = parent_path(path)?;
        }
    }

    /// True when the manifest writes the key at `path`.
    pub fn contains(&self, path: &str) -> bool {
        self.keys.contains_key(path)
    }
}

fn parent_path(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

/// Joins a table path and a key, quoting keys that are not bare TOML keys.
pub fn join_key(parent: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let key = if bare {
        key.to_string()
    } else {
        serde_json::to_string(key).unwrap_or_default()
    };
    if parent.is_empty() {
        key
    } else {
        format!("{parent}.{key}")
    }
}
