//! `foundry-onboard login`: `az login` in the terminal, its output streamed, the device code shown.

use crate::args::{Global, LoginArgs};
use crate::output::report_error;
use foundry_onboard_core::azure::{AzError, cli, login};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub fn run(global: &Global, args: LoginArgs) -> u8 {
    let loaded = match super::config::load_live(global) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let config = loaded.config;
    if args.status {
        let state = cli::login_state(&config);
        if global.json {
            println!("{}", serde_json::json!({"ok": state.signed_in, "state": state}));
        } else if state.signed_in {
            println!(
                "Signed in as {} (tenant {}, subscription {}).",
                state.user.as_deref().unwrap_or("?"),
                state.tenant_id.as_deref().unwrap_or("?"),
                state.subscription.as_deref().unwrap_or("?")
            );
        } else {
            println!("Not signed in (az profile in {}). Run `foundry-onboard login`.", state.config_dir);
        }
        return if state.signed_in { 0 } else { 2 };
    }
    let Some(az) = cli::find() else { return report_error(global.json, &AzError::NotInstalled) };
    let rt = match super::runtime() {
        Ok(rt) => rt,
        Err(e) => return report_error(global.json, &AzError::Spawn(e.to_string())),
    };
    let json = global.json;
    let result = rt.block_on(async {
        let version = cli::version(&az, &config).await?;
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
                    println!("{}", serde_json::json!({"event": "deviceCode", "code": code, "url": url}));
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
    });
    match result {
        Ok(state) => {
            if global.json {
                println!("{}", serde_json::json!({"ok": true, "state": state}));
            } else {
                println!("Signed in as {} (tenant {}).", state.user.as_deref().unwrap_or("?"), state.tenant_id.as_deref().unwrap_or("?"));
            }
            0
        }
        Err(e) => report_error(global.json, &e),
    }
}
