//! One adapter per subcommand: parse → one core call → print.

mod config;
mod discover;
mod doctor;
mod launch;
mod login;
mod profile;
mod readiness;
mod sandbox;
mod secret;
mod setup;
#[allow(dead_code)] // Every command works since `usage` (#20); kept for the next command that lands before its feature.
mod stub;
mod usage;

use crate::args::{Cli, Command};
use crate::output::finish;

pub use readiness::working;

/// Runs the command and prints how it ended; returns the exit code.
pub fn run(cli: Cli) -> u8 {
    let json = cli.global.json;
    let outcome = match cli.command {
        None => return launch::run(&cli.global, cli.sandbox),
        Some(Command::Sandbox(args)) => sandbox::run(&cli.global, args),
        Some(Command::Profile(cmd)) => profile::run(&cli.global, cmd),
        Some(Command::Login(args)) => login::run(&cli.global, args),
        Some(Command::Discover(args)) => discover::run(&cli.global, args),
        Some(Command::Doctor(args)) => doctor::run(&cli.global, args),
        Some(Command::Secret(cmd)) => secret::run(&cli.global, cmd),
        Some(Command::Usage(args)) => usage::run(&cli.global, args),
        Some(Command::Setup(args)) => setup::run(&cli.global, args),
    };
    finish(json, outcome)
}

/// A small multi-threaded runtime: checks and servers run concurrently on 2 cores.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()
}
