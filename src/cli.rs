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
    /// Print the manifest's JSON Schema.
    Schema,
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
