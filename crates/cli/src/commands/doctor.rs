//! `foundry-onboard doctor`: every check, printed as it lands (or the report as JSON), a redacted
//! Markdown report on request, and the exit code of the worst result (0 pass, 1 warn, 2 fail).

use crate::args::{DoctorArgs, Global};
use crate::failure::{CliError, Exit, Outcome, runtime};
use foundry_onboard_core::doctor::{self, DoctorEvent, DoctorOptions, Status};
use std::sync::Arc;
use std::time::Duration;

pub fn run(global: &Global, args: DoctorArgs) -> Outcome {
    if let Some(bad) = args.only.iter().find(|o| !doctor::names_a_check(o)) {
        let ids: Vec<&str> = doctor::CheckId::ALL.iter().map(|id| id.as_str()).collect();
        return Err(CliError::UnknownCheck(bad.clone(), ids.join(", ")).into());
    }
    let loaded = super::config::load_live(global)?;
    let cwd = args.cwd.clone().or_else(|| std::env::current_dir().ok()).unwrap_or_default();
    let cli = std::env::current_exe().unwrap_or_else(|_| "foundry-onboard".into());
    let mut options = DoctorOptions::new(loaded.path.clone(), cli, cwd);
    options.with_claude = args.with_claude;
    options.only = args.only.clone();
    options.include_identity = args.include_identity;
    options.check_timeout = Duration::from_millis(args.check_timeout_ms);
    options.deadline = Duration::from_millis(args.deadline_ms);
    let rt = runtime()?;
    let json = global.json;
    let emit: Arc<dyn Fn(DoctorEvent) + Send + Sync> = Arc::new(move |event| {
        if !json {
            print_event(&event);
        }
    });
    let cancel = tokio_util::sync::CancellationToken::new();
    let on_signal = cancel.clone();
    let report = rt.block_on(async move {
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_signal.cancel();
            }
        });
        doctor::run(&loaded.config, options, cancel, emit).await
    });
    let report = report?;
    if let Some(path) = &args.report {
        // 0600 even over an existing 0644 file: the report names hosts, addresses and resources.
        foundry_onboard_core::atomic_file::write_private(path, report.markdown().as_bytes())
            .map_err(|source| CliError::WriteReport { path: path.clone(), source })?;
        if !json {
            println!("Report written to {}", path.display());
        }
    }
    // The report is its own documented document (docs/doctor-report.schema.json), not enveloped.
    if json {
        println!("{}", serde_json::to_string(&report).unwrap_or_default());
    } else if let Some((first, held)) = report.problems().into_iter().find(|(c, _)| c.status == Status::Fail) {
        // Over SSH the failing line may have scrolled away: end on the one to fix first.
        let held = if held > 0 { format!(" (it held back {held} other check{})", if held == 1 { "" } else { "s" }) } else { String::new() };
        println!("Fix first: {}{held}. {}", first.id, first.hint);
    }
    Ok(match report.summary.verdict() {
        Status::Pass | Status::Skip => Exit::Ok,
        Status::Warn => Exit::Warnings,
        Status::Fail => Exit::Failures,
    })
}

fn mark(s: Status) -> &'static str {
    match s {
        Status::Pass => "✓ pass",
        Status::Warn => "! warn",
        Status::Fail => "✗ FAIL",
        Status::Skip => "- skip",
    }
}

fn print_event(event: &DoctorEvent) {
    match event {
        DoctorEvent::Planned { checks } => println!("Running {} checks…", checks.len()),
        DoctorEvent::Started { .. } => {}
        DoctorEvent::Finished { result: r, .. } => {
            println!("{} {:<18} {} ({} ms)", mark(r.status), r.id, r.detail, r.duration_ms);
            if matches!(r.status, Status::Fail | Status::Warn) && !r.hint.is_empty() {
                println!("         help: {}", r.hint);
            }
        }
        DoctorEvent::Done { summary: s } => {
            println!(
                "\n{} pass, {} warn, {} fail, {} skip in {} ms{}",
                s.pass,
                s.warn,
                s.fail,
                s.skip,
                s.elapsed_ms,
                if s.incomplete { " — incomplete" } else { "" }
            );
        }
    }
}
