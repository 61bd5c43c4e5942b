//! `sandbox --signed-in`: the real `az` signed in to the sandbox before anyone sits down (help-desk
//! training) — found as the app finds it, run as the app's own sign-in runs it (the sandbox
//! registered as az's cloud in the sandbox's private `AZURE_CONFIG_DIR`, instance discovery off,
//! the sandbox CA as `REQUESTS_CA_BUNDLE`, so az talks to 127.0.0.1 only), by device code, the
//! code approved by the sandbox itself.

use super::{Sandbox, SandboxError, http::Shared};
use foundry_onboard_core::azure::{AzError, az, login};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

impl Sandbox {
    /// Signs the sandbox's az in: `FOUNDRY_ONBOARD_AZ`, else PATH, else the usual install places;
    /// at least az 2.54; `az login --use-device-code` with its device code approved as soon as az
    /// prints it. Bounded by `timeout`; `cancel` ends az's whole process group. On success the
    /// endpoints say who is signed in. `auth-expired` is held back during the sign-in, so it
    /// shows afterwards as a stale sign-in does: signed in, but tokens and ARM refuse.
    pub async fn sign_in(&mut self, timeout: Duration, cancel: CancellationToken) -> Result<az::LoginState, SandboxError> {
        let az = az::find().ok_or(SandboxError::SignIn(AzError::NotInstalled))?;
        let config = self.config();
        let version = tokio::select! {
            v = az::version(&az, &config) => v.map_err(SandboxError::SignIn)?,
            _ = cancel.cancelled() => return Err(SandboxError::SignIn(AzError::Cancelled)),
        };
        tracing::info!(az = %az.display(), %version, "signing the sandbox's az in");
        let shared = self.shared.clone();
        let _fresh_sign_in = shared.faults.hold_for_sign_in();
        let options = login::LoginOptions { device_code: true, tenant: None, timeout };
        let state = login::login(&az, &config, &options, cancel, move |event| match event {
            login::LoginEvent::DeviceCode { code, .. } => approve(&shared, &code),
            login::LoginEvent::Line { text } => tracing::debug!(az = %text),
        })
        .await
        .map_err(SandboxError::SignIn)?;
        if !state.signed_in {
            return Err(SandboxError::SignIn(AzError::NotLoggedIn));
        }
        // Persisted beside instance discovery, so an az a person runs by hand in this config dir
        // (the help desk does) does not send telemetry to dc.services.visualstudio.com either.
        az::run(&az, &config, &["config", "set", "core.collect_telemetry=false"], Duration::from_secs(30)).await.map_err(SandboxError::SignIn)?;
        self.endpoints.signed_in_as = state.user.clone();
        Ok(state)
    }
}

/// Approves a device code by its user code, as a person would on the sandbox's sign-in page.
fn approve(shared: &Shared, user_code: &str) {
    if let Ok(mut codes) = shared.device_codes.lock() {
        for c in codes.values_mut().filter(|c| c.user_code == user_code) {
            c.approved = true;
        }
    }
}
