//! `foundry-onboard sandbox`: the sandbox backends in the foreground until SIGINT or SIGTERM.

use crate::args::{Global, SandboxArgs};
use crate::failure::{Exit, Outcome, runtime};
use foundry_onboard_sandbox::{Sandbox, SandboxOptions};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How long `--signed-in` waits for az (a fresh az config dir builds its command index first).
const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(120);

pub fn run(global: &Global, args: SandboxArgs) -> Outcome {
    runtime()?.block_on(async move {
        // Listen for signals before the endpoints are printed: whoever reads them may stop us at
        // once, and a SIGINT that arrives before the handler exists is lost when the parent
        // started us with SIGINT ignored (any background job).
        let mut stop = StopSignals::install();
        let options = SandboxOptions {
            faults: args.faults.0.clone(),
            latency_ms: args.latency_ms,
            dir: args.dir.clone(),
            first_port: args.port,
            foundry_port: args.foundry_port,
            approve_after_ms: args.approve_after_ms,
            extra_accounts: args.accounts.into(),
            budget_used: args.budget_used,
            usage_models: args.usage_models.map(usize::from),
            policy: args.policy.clone(),
        };
        let mut sandbox = match Sandbox::start(options).await {
            Ok(s) => s,
            Err(e) => return Err(e.into()),
        };
        if args.signed_in {
            if !global.json {
                eprintln!("Signing the sandbox's az in (device code, approved by the sandbox)…");
            }
            let (result, stopped) = {
                let cancel = CancellationToken::new();
                let signing_in = sandbox.sign_in(SIGN_IN_TIMEOUT, cancel.clone());
                tokio::pin!(signing_in);
                tokio::select! {
                    r = &mut signing_in => (r, false),
                    _ = stop.wait() => {
                        cancel.cancel();
                        (signing_in.await, true)
                    }
                }
            };
            if stopped || result.is_err() {
                sandbox.shutdown().await;
                return match result {
                    Err(e) if !stopped => Err(e.into()),
                    _ => Ok(Exit::Ok),
                };
            }
        }
        // Only now, with the sandbox ready (signed in when asked): a script that waits for this
        // file must find the sandbox it describes ready to use. `write_config` is atomic.
        if let Some(path) = &args.write_config
            && let Err(e) = sandbox.write_config(path)
        {
            sandbox.shutdown().await;
            return Err(e.into());
        }
        let info = sandbox.info();
        match serde_json::to_string_pretty(&info.endpoints) {
            Ok(json) => {
                if let Err(e) = crate::output::try_write_out(format_args!("{json}\n")) {
                    // Nobody reads the endpoints (`| head` went away): a sandbox no one can find.
                    sandbox.shutdown().await;
                    crate::output::exit_on_stdout_error(&e);
                }
            }
            Err(e) => eprintln!("error: cannot print the endpoints: {e}"),
        }
        if !global.json {
            let faults = if info.faults.is_empty() { "none".to_string() } else { info.faults.join(", ") };
            eprintln!("Sandbox running (faults: {faults}; latency: {} ms). Press Ctrl-C to stop.", info.latency_ms);
            if let Some(path) = &args.write_config {
                eprintln!("Point other commands at it: FOUNDRY_ONBOARD_CONFIG={} foundry-onboard doctor", path.display());
            }
            if let Some(user) = &info.endpoints.signed_in_as {
                let azure = sandbox.dir().join("azure");
                eprintln!(
                    "The sandbox's az is signed in as {user}: AZURE_CONFIG_DIR={} REQUESTS_CA_BUNDLE={} az account show",
                    azure.display(),
                    info.endpoints.ca_file
                );
            }
        }
        stop.wait().await;
        if tokio::time::timeout(std::time::Duration::from_secs(5), sandbox.shutdown()).await.is_err() {
            eprintln!("warning: the sandbox servers did not stop within 5 s; exiting anyway");
        }
        if !global.json {
            eprintln!("Sandbox stopped.");
        }
        Ok(Exit::Ok)
    })
}

/// SIGINT and SIGTERM (Ctrl-C on Windows), registered up front.
struct StopSignals {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl StopSignals {
    #[cfg(unix)]
    fn install() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        Self { signals: signal(SignalKind::interrupt()).ok().zip(signal(SignalKind::terminate()).ok()) }
    }

    #[cfg(not(unix))]
    fn install() -> Self {
        Self {}
    }

    #[cfg(unix)]
    async fn wait(&mut self) {
        match &mut self.signals {
            Some((int, term)) => {
                tokio::select! {
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            None => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }

    #[cfg(not(unix))]
    async fn wait(&mut self) {
        let _ = tokio::signal::ctrl_c().await;
    }
}
