//! How the CLI speaks: human text on stderr/stdout, or the documented JSON on stdout.
//!
//! Every print of the CLI goes through [`write_out`] and [`write_err`]: this module defines
//! `println!`, `print!`, `eprintln!` and `eprint!` for the whole crate (declared first in
//! `main.rs`, they shadow std's), so no print can panic. std's versions panic when the reader
//! has gone (`foundry-onboard --json profile show | head -c1` ended in exit 101); here a stdout
//! whose reader went away ends the process quietly with exit 0, like any Unix filter in a
//! pipeline, and stderr errors are dropped (there is nowhere left to report them).

use std::io::Write;

/// `println!` through [`write_out`].
macro_rules! println {
    () => {
        $crate::output::write_out(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` through [`write_out`].
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::output::write_out(format_args!($($arg)*))
    };
}

/// `eprintln!` through [`write_err`].
macro_rules! eprintln {
    () => {
        $crate::output::write_err(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write_err(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!` through [`write_err`] (unused today; here so a future `eprint!` cannot be std's).
#[allow(unused_macros)]
macro_rules! eprint {
    ($($arg:tt)*) => {
        $crate::output::write_err(format_args!($($arg)*))
    };
}

/// Writes to stdout and flushes; on failure ends the process (see [`exit_on_stdout_error`]).
pub fn write_out(args: std::fmt::Arguments<'_>) {
    if let Err(e) = try_write_out(args) {
        exit_on_stdout_error(&e);
    }
}

/// Writes to stdout and flushes, returning the error for callers with something to clean up
/// first (the sandbox stops its servers).
pub fn try_write_out(args: std::fmt::Arguments<'_>) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(args)?;
    out.flush()
}

/// Whether a failed write to stdout means its reader went away (`| head`): a quiet exit, not an error.
pub fn reader_gone(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::BrokenPipe
}

/// A reader that went away: exit 0, saying nothing. Anything else (a full disk): say so, exit 2.
pub fn exit_on_stdout_error(e: &std::io::Error) -> ! {
    if reader_gone(e) {
        std::process::exit(0);
    }
    write_err(format_args!("error: cannot write to stdout: {e}\n  help: check where stdout goes (a full disk, a closed file).\n"));
    std::process::exit(2);
}

/// Writes to stderr; a failure is dropped (nowhere is left to report it).
pub fn write_err(args: std::fmt::Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_fmt(args);
    let _ = err.flush();
}

pub fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("FOUNDRY_ONBOARD_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).try_init();
}

/// The one JSON envelope of every command but `doctor` (whose report has its own schema):
/// `ok` is true when the command ran to its end — its verdict is in the payload and the exit
/// code — and false only beside an `error` saying why it could not.
#[derive(serde::Serialize)]
struct Envelope<'a, T: serde::Serialize> {
    ok: bool,
    #[serde(flatten)]
    payload: &'a T,
}

/// Prints a command's result: the envelope on stdout with `--json`, else the human text.
pub fn emit<T: serde::Serialize>(json: bool, payload: &T, human: impl FnOnce(&T)) {
    if json {
        match serde_json::to_string(&Envelope { ok: true, payload }) {
            Ok(text) => println!("{text}"),
            Err(e) => eprintln!("error: cannot print the result as JSON: {e}"),
        }
    } else {
        human(payload);
    }
}

/// Ends a command: prints its failure (`error: …` + `help: …`, or `{"ok":false,"error":{kind,message,hint}}`)
/// and returns the exit code.
pub fn finish(json: bool, outcome: crate::failure::Outcome) -> u8 {
    match outcome {
        Ok(exit) => exit as u8,
        Err(f) => {
            if json {
                #[derive(serde::Serialize)]
                struct Error<'a> {
                    error: &'a crate::failure::Failure,
                }
                let envelope = serde_json::to_string(&Envelope { ok: false, payload: &Error { error: &f } }).unwrap_or_default();
                println!("{envelope}");
            } else {
                eprintln!("error: {}\n  help: {}", f.message, f.hint);
            }
            f.exit() as u8
        }
    }
}
