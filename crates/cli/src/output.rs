//! How the CLI speaks: human text on stderr/stdout, or the documented JSON on stdout.

use foundry_onboard_core::{Diagnose, IpcError};

pub fn init_tracing(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("FOUNDRY_ONBOARD_LOG").unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).try_init();
}

/// Prints an error as `error: …` + `help: …`, or as `{"ok":false,"error":{kind,message,hint}}`,
/// and returns its exit code.
pub fn report_error(json: bool, err: &(impl Diagnose + ?Sized)) -> u8 {
    let e = IpcError::from_diagnose(err);
    if json {
        println!("{}", serde_json::json!({"ok": false, "error": e}));
    } else {
        eprintln!("error: {}\n  help: {}", e.message, e.hint);
    }
    e.kind.exit_code()
}
