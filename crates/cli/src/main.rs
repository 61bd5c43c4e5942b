//! `foundry-onboard`: the CLI face of Foundry Onboard. It links no GUI library, so it runs on a
//! headless VM over SSH; with no subcommand it starts the desktop app.

// First, so its `println!`/`print!`/`eprintln!`/`eprint!` are the ones every module below uses:
// no print of the CLI can panic on a closed pipe (see `output`).
#[macro_use]
mod output;

mod args;
mod commands;
mod failure;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match args::parse() {
        Ok(cli) => cli,
        Err(code) => return ExitCode::from(code),
    };
    output::init_tracing(cli.global.verbose);
    ExitCode::from(commands::run(cli))
}
