//! The commands: one module each. Each turns parsed arguments into
//! library calls and writes the product to `out`, messages to `err`;
//! `walk` is the tree commands' shared walk and `report` the output
//! formats of `check`.

mod bake;
mod check;
mod completions;
mod env;
mod init;
mod lock;
mod plan;
mod render;
mod report;
mod schema;
mod templates;
mod walk;

use std::io::Write;

use anyhow::Result;

use crate::cli::{CheckArgs, Command, Format};
pub use env::{EXIT_DRIFT, EXIT_ERROR, EXIT_OK, Env};

pub(crate) fn dispatch(
    command: Command,
    env: &Env,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<i32> {
    match command {
        Command::Render(args) if args.check => check::run(
            CheckArgs {
                manifest: args.manifest,
                output: args.output,
                all: None,
                format: Format::Text,
                no_dockerignore: args.no_dockerignore,
                dockerignore: false,
            },
            env,
            out,
            err,
        ),
        Command::Render(args) => render::run(args, env, out, err),
        Command::Check(args) => check::run(args, env, out, err),
        Command::Bake(args) => bake::run(args, env, out, err),
        Command::Schema => schema::run(out),
        Command::Templates(command) => templates::run(command, env, out, err),
        Command::Lock(args) => lock::run(args, env, err),
        Command::Plan(args) => plan::run(args, env, out, err),
        Command::Init {
            dir,
            language,
            force,
            manager,
        } => init::run(dir, language, force, manager, env, err),
        Command::Completions { shell } => completions::completions(shell, out),
        Command::Man => completions::man(out),
    }
}
