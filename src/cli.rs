//! The command line: clap derive types, nothing else.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Turn a typed shipit.toml into an idiomatic multi-stage Dockerfile.
#[derive(Debug, Parser)]
#[command(name = "shipit", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print the Dockerfile a manifest renders to (or write it with -o).
    Render(RenderArgs),
    /// Exit 1 and print a diff when the Dockerfile on disk differs from
    /// what its manifest renders.
    Check(CheckArgs),
    /// Print the resolved manifest, every default filled in, and where
    /// each value came from.
    Plan(PlanArgs),
    /// Pin every image the Dockerfile uses to its digest, in shipit.lock
    /// beside the manifest. The only command that talks to registries.
    Lock(LockArgs),
    /// Write a Buildx Bake file with one target per shipit.toml under DIR,
    /// so `docker buildx bake` builds the whole tree.
    Bake(BakeArgs),
    /// Look at a source tree and write a starter shipit.toml.
    Init {
        /// The project directory.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Use this language instead of detecting one.
        #[arg(long, value_enum)]
        language: Option<crate::manifest::Language>,
        /// Overwrite the files it writes (shipit.toml, shipit.schema.json)
        /// when they exist.
        #[arg(long)]
        force: bool,
        /// The package manager, when the project's files name several
        /// (python: pip, pipenv, poetry, uv; node: npm, pnpm, yarn).
        #[arg(long, value_name = "NAME")]
        manager: Option<String>,
    },
    /// Print the manifest's JSON Schema.
    Schema,
    /// Print a shell completion script.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
    /// List, show and eject the templates (built-in or organisation).
    #[command(subcommand)]
    Templates(TemplatesCommand),
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Each template, and the file that would be used for it.
    List(TemplateArgs),
    /// Print the template that would be used for a language.
    Show {
        /// A language (`go`, `node`, ...) or a template name.
        template: String,
        #[command(flatten)]
        search: TemplateArgs,
    },
    /// Copy a built-in template out for editing.
    Eject {
        /// A language (`go`, `node`, ...) or a template name.
        template: String,
        /// Where to write it.
        #[arg(long, value_name = "DIR", default_value = "templates")]
        to: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// Also search this manifest's `templates` directory. Default:
    /// ./shipit.toml when it exists.
    #[arg(short, long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,

    /// An organisation template directory, searched before the built-in
    /// templates (repeatable; before $SHIPIT_TEMPLATES).
    #[arg(long = "templates", value_name = "DIR")]
    pub templates: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ManifestArgs {
    /// The manifest.
    #[arg(short, long, value_name = "PATH", default_value = "shipit.toml")]
    pub manifest: PathBuf,

    /// An organisation template directory, searched before the built-in
    /// templates (repeatable; before $SHIPIT_TEMPLATES).
    #[arg(long = "templates", value_name = "DIR")]
    pub templates: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub manifest: ManifestArgs,

    /// Write the Dockerfile to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Compare with the Dockerfile on disk instead of printing: the same
    /// as `shipit check`.
    #[arg(long)]
    pub check: bool,

    /// With -o, do not write the `.dockerignore` beside the Dockerfile.
    #[arg(long)]
    pub no_dockerignore: bool,

    /// With -o, replace a Dockerfile or `.dockerignore` that shipit did not
    /// write or that was edited by hand since (what they hold is lost: move
    /// it into the manifest, and ignore patterns into `build.ignore`, first).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub manifest: ManifestArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Toml)]
    pub format: PlanFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// TOML, each value with its source as a comment.
    Toml,
    /// JSON: `plan`, `sources` and `templates`.
    Json,
}

#[derive(Debug, Args)]
pub struct LockArgs {
    #[command(flatten)]
    pub manifest: ManifestArgs,

    /// Lock every shipit.toml under DIR (default `.`), honouring
    /// .gitignore; each image is looked up once.
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = ".")]
    pub all: Option<PathBuf>,

    /// Look every image up again and move the pins; without it, images
    /// the lock already pins keep their digest.
    #[arg(long)]
    pub update: bool,

    /// Speak plain HTTP to this registry (HOST or HOST:PORT; repeatable).
    /// Also: $SHIPIT_INSECURE_REGISTRIES, comma-separated.
    #[arg(long = "insecure-registry", value_name = "HOST[:PORT]")]
    pub insecure_registries: Vec<String>,
}

#[derive(Debug, Args)]
pub struct BakeArgs {
    /// The tree to walk for shipit.toml files (honouring .gitignore).
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Write the bake file to FILE (atomically) instead of stdout; paths in
    /// it are relative to FILE's directory (stdout: the current one).
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Compare with the bake file on disk (default: DIR/docker-bake.json)
    /// instead of writing: exit 1 and a diff on drift.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub manifest: ManifestArgs,

    /// The Dockerfile to compare with. Default: `Dockerfile` beside the
    /// manifest.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Check every shipit.toml under DIR (default `.`), honouring
    /// .gitignore.
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = ".", conflicts_with = "output")]
    pub all: Option<PathBuf>,

    /// How to report.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Do not compare the `.dockerignore` beside the Dockerfile.
    #[arg(long)]
    pub no_dockerignore: bool,

    /// Compare the `.dockerignore` beside the Dockerfile even when shipit
    /// did not write it (no shipit header); without it such a file is
    /// left to its owner, as `render --no-dockerignore` left it.
    #[arg(long, conflicts_with = "no_dockerignore")]
    pub dockerignore: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A diff and a reason, for people.
    Text,
    /// One JSON object per manifest, in an array.
    Json,
    /// GitHub Actions `::error` annotations.
    Github,
}
