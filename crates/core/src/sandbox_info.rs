//! What the app shows about a running sandbox: plain data, defined here so the TypeScript
//! bindings are generated in the core; `foundry-onboard-sandbox` fills it.

use serde::Serialize;
use ts_rs::TS;

/// The file in a sandbox's directory that holds its gateway's key (private to the user).
pub const GATEWAY_KEY_FILE: &str = "gateway-key";

/// Where the running sandbox answers. Printed as JSON by `foundry-onboard sandbox`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SandboxEndpoints {
    pub arm_url: String,
    pub authority_url: String,
    /// What Claude Code gets as `ANTHROPIC_FOUNDRY_BASE_URL` in sandbox mode: `localhost`, which
    /// every resolver maps to loopback, so a shell that sourced the profile reaches the sandbox.
    pub foundry_base_url: String,
    /// The same endpoint by the resource's Azure name, which only the sandbox DNS resolves
    /// (through its privatelink CNAME, as a private DNS zone would).
    pub foundry_private_url: String,
    /// The same Foundry stand-in over plain HTTP on loopback.
    pub foundry_http_url: String,
    pub gateway_url: String,
    /// `127.0.0.1:port`, UDP and TCP.
    pub dns: String,
    pub ca_file: String,
    pub home: String,
    pub config_file: Option<String>,
    /// With `tls-intercepted`: the PEM of the "inspection" CA that signed the Foundry port's
    /// certificate — not in `caFile`; the fix a help desk offers as `NODE_EXTRA_CA_CERTS`.
    #[ts(optional = nullable)]
    pub inspection_ca_file: Option<String>,
    /// With `--signed-in`: who the sandbox's own az is signed in as (its `AZURE_CONFIG_DIR` is
    /// `azure/` beside `home`).
    #[ts(optional = nullable)]
    pub signed_in_as: Option<String>,
}

/// What the UI shows about the sandbox it runs against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SandboxInfo {
    pub endpoints: SandboxEndpoints,
    pub faults: Vec<String>,
    pub latency_ms: u32,
}
