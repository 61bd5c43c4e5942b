//! `foundry-onboard login`: `az login` in the terminal, its output streamed, the device code shown.

use crate::args::{Global, LoginArgs};
use crate::failure::{Exit, Outcome, runtime};
use crate::output::emit;
use foundry_onboard_core::azure::{AzError, az, login};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Who is signed in (the JSON payload of `login` and `login --status`).
#[derive(serde::Serialize)]
struct SignedIn {
    state: az::LoginState,
}

/// One line of `login --json` while az waits for the person.
#[derive(serde::Serialize)]
#[serde(tag = "event", rename_all = "camelCase")]
enum Progress<'a> {
    DeviceCode { code: &'a str, url: &'a str },
}

pub fn run(global: &Global, args: LoginArgs) -> Outcome {
    let config = super::config::load_live(global)?.config;
    if args.status {
        let state = az::login_state(&config);
        let exit = if state.signed_in { Exit::Ok } else { Exit::Failures };
        emit(global.json, &SignedIn { state }, |s| {
            let state = &s.state;
            if state.signed_in {
                println!(
                    "Signed in as {} (tenant {}, subscription {}).",
                    state.user.as_deref().unwrap_or("?"),
                    state.tenant_id.as_deref().unwrap_or("?"),
                    state.subscription.as_deref().unwrap_or("?")
                );
            } else {
                println!("Not signed in (az profile in {}). Run `foundry-onboard login`.", state.config_dir);
            }
        });
        return Ok(exit);
    }
    let az = az::find().ok_or(AzError::NotInstalled)?;
    let json = global.json;
    let state = runtime()?.block_on(async {
        let version = az::version(&az, &config).await?;
        if !json {
            eprintln!("Using az {version} ({}){}.", az.display(), if config.is_sandbox() { ", signing in to the sandbox" } else { "" });
        }
        let cancel = CancellationToken::new();
        let ctrl_c = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                ctrl_c.cancel();
            }
        });
        let options = login::LoginOptions { device_code: args.device_code, tenant: args.tenant.clone(), timeout: Duration::from_secs(args.timeout_secs) };
        login::login(&az, &config, &options, cancel, move |event| match event {
            login::LoginEvent::DeviceCode { code, url } => {
                if json {
                    println!("{}", serde_json::to_string(&Progress::DeviceCode { code: &code, url: &url }).unwrap_or_default());
                } else {
                    eprintln!("\n    Open {url}\n    and enter the code:  {code}\n");
                }
            }
            login::LoginEvent::Line { text } => {
                if !json {
                    eprintln!("  az: {text}");
                }
            }
        })
        .await
    })?;
    emit(global.json, &SignedIn { state }, |s| {
        println!("Signed in as {} (tenant {}).", s.state.user.as_deref().unwrap_or("?"), s.state.tenant_id.as_deref().unwrap_or("?"));
    });
    Ok(Exit::Ok)
}
