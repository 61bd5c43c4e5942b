//! `foundry-onboard-gui`: the Tauri desktop app, a thin set of commands over
//! `foundry-onboard-core`.

mod alerts;
mod args;
mod batch;
mod commands;
mod doctor;
mod engine;
mod failure;
mod ipc_surface;
mod logging;
mod signals;
mod state;
mod usage;

use foundry_onboard_core::views::HomeTab;
use foundry_onboard_sandbox::{Sandbox, SandboxOptions, parse_faults};
use std::process::ExitCode;
use std::time::Instant;
use tauri::{Emitter, Manager};

pub fn run() -> ExitCode {
    let started = Instant::now();
    let args = args::parse(std::env::args().skip(1));
    if args.version {
        println!("foundry-onboard-gui {}", foundry_onboard_core::VERSION);
        return ExitCode::SUCCESS;
    }
    if !foundry_onboard_core::logging::display_available() {
        eprintln!(
            "error: no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set)\n  help: on a headless machine or over SSH, use the CLI: `foundry-onboard --help`."
        );
        return ExitCode::from(2);
    }
    // Before any thread, and for the bench's empty window too (the same engine settings).
    engine::choose();
    if args.bench_empty_window {
        return empty_window();
    }
    let _log_guard = logging::init();

    let faults = match parse_faults(args.faults.as_deref().unwrap_or("")) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}\n  help: pick faults from that list, separated by commas.");
            return ExitCode::from(3);
        }
    };
    if args.policy.is_some() && !args.sandbox {
        eprintln!(
            "error: --policy applies to the sandbox (with --sandbox)\n  help: outside the sandbox the app reads the org policy from /etc/foundry-onboard/policy.toml (or $FOUNDRY_ONBOARD_POLICY)."
        );
        return ExitCode::from(3);
    }
    let budget_used = match args.budget_used.as_deref().map(foundry_onboard_sandbox::parse_budget_used).transpose() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}\n  help: give the share of the sandbox key's budget already spent, e.g. --budget-used 79.9.");
            return ExitCode::from(3);
        }
    };
    let start_tab = match args.tab.as_deref().map(HomeTab::parse).transpose() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}\n  help: --tab usage opens the app on your budget; leave --tab out to start with the wizard.");
            return ExitCode::from(3);
        }
    };
    let sandbox = if args.sandbox {
        match tauri::async_runtime::block_on(start_sandbox(SandboxOptions {
            faults,
            latency_ms: args.latency_ms.unwrap_or(0),
            extra_accounts: args.accounts.unwrap_or(0),
            policy: args.policy.clone(),
            budget_used,
            ..Default::default()
        })) {
            Ok(s) => Some(s),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        None
    };
    let sandbox_config = sandbox.as_ref().and_then(|s| s.endpoints().config_file.clone()).map(std::path::PathBuf::from);
    let loaded = tauri::async_runtime::block_on(state::load_config(args.config.as_deref(), sandbox_config.as_deref()));
    if let Err(e) = &loaded {
        tracing::warn!(error = %e, "config did not load; the UI shows the error");
    }

    let mut context = tauri::generate_context!();
    if args.sandbox {
        // A sandbox window is a separate single instance and never shares the real app's data.
        context.config_mut().identifier = format!("{}.sandbox", context.config().identifier);
    }
    let app_state = state::AppState::new(loaded, sandbox, started, start_tab);
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
            // A second start with --tab (a "Check my budget" shortcut) opens that tab here.
            if let Some(tab) = args::parse(argv.into_iter().skip(1)).tab.as_deref().and_then(|t| HomeTab::parse(t).ok()) {
                let _ = app.emit(alerts::OPEN_TAB, tab.as_str());
            }
        }))
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .setup(|app| {
            signals::end_on_signals(app.handle());
            // Clicks first: the plugin offers a click only on notifications shown after this.
            alerts::listen_for_clicks(app.handle());
            app.manage(alerts::start_watcher(app.handle()));
            Ok(())
        })
        .manage(app_state)
        .manage(doctor::DoctorState::default())
        .manage(usage::UsageState::default())
        .invoke_handler(ipc_surface::handler())
        .build(context);
    let app = match app {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "error: the desktop app could not start: {e}\n  help: use the CLI (`foundry-onboard --help`) and report this with the log in {}.",
                log_hint()
            );
            return ExitCode::from(2);
        }
    };
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            if let Some(watcher) = handle.try_state::<alerts::Watcher>() {
                watcher.stop();
            }
            if let Some(sandbox) = handle.state::<state::AppState>().take_sandbox() {
                tauri::async_runtime::block_on(sandbox.shutdown());
            }
        }
    });
    ExitCode::SUCCESS
}

/// The benchmark's baseline: the same binary and libraries, an empty page, nothing else.
fn empty_window() -> ExitCode {
    let mut context = tauri::generate_context!();
    context.config_mut().app.windows.clear();
    context.config_mut().identifier = format!("{}.bench-empty", context.config().identifier);
    let result = tauri::Builder::default()
        .setup(|app| {
            // A minimal page served like ours (the same protocol, the same WebKit processes).
            let url = tauri::WebviewUrl::App("empty.html".into());
            tauri::WebviewWindowBuilder::new(app, "main", url).title("Empty").inner_size(960.0, 680.0).build()?;
            Ok(())
        })
        .run(context);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

async fn start_sandbox(options: SandboxOptions) -> Result<Sandbox, String> {
    let mut sandbox = Sandbox::start(options).await.map_err(|e| e.to_string())?;
    let path = sandbox.dir().join("config.toml");
    sandbox.write_config(&path).map_err(|e| e.to_string())?;
    Ok(sandbox)
}

fn log_hint() -> String {
    foundry_onboard_core::logging::log_dir().map(|p| p.display().to_string()).unwrap_or_else(|| "the log directory".into())
}
