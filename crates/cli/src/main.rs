//! `foundry-onboard`: the CLI face of Foundry Onboard. It links no GUI library, so it runs on a
//! headless VM over SSH; with no subcommand it starts the desktop app.

mod args;
mod commands;
mod output;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match args::parse() {
        Ok(cli) => cli,
        Err(code) => return ExitCode::from(code),
    };
    output::init_tracing(cli.global.verbose);
    ExitCode::from(commands::run(cli))
}
