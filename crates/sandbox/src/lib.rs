//! The built-in sandbox: loopback servers that behave like Azure Resource Manager, Entra ID,
//! Azure AI Foundry, the LLM gateway and a private DNS zone — so the app, the tests and help-desk
//! training run the production code paths without an Azure tenant.

mod arm;
#[cfg(test)]
mod arm_tests;
mod dns;
mod entra;
mod faults;
pub mod foundry;
mod http;
mod litellm;
mod loganalytics;
#[cfg(test)]
mod policy_tests;
mod signin;
mod tls;
mod transcripts;
mod usage_history;
mod wire;
#[cfg(test)]
mod wire_tests;

pub use arm::{SUB_DEV, SUB_PROD, TEAM_PAGE, team_account};
pub use dns::{PUBLIC_STANDIN, zone_text};
pub use entra::USER;
pub use faults::{Fault, UnknownFault, parse_list as parse_faults};
pub use foundry_onboard_core::sandbox_info::{SandboxEndpoints, SandboxInfo};
pub use http::Service;
pub use tls::{EXPIRED_DAYS_AGO, INSPECTION_CA_NAME, INSPECTION_CA_ORG};
pub use usage_history::{MAX_MODELS, parse_budget_used};
pub use wire::SLOW_LINK;

use foundry_onboard_core::azure::names::{BASE_DOMAINS, FOUNDRY_DOMAIN, privatelink_zone};
use foundry_onboard_core::config::policy::{Policy, PolicyError};
use foundry_onboard_core::config::{BudgetPeriod, Config, GatewayAuth, GatewayKind, KqlPreset, PolicyBudget, SandboxLink};
use foundry_onboard_core::error::{Diagnose, ErrorKind};
use foundry_onboard_core::usage::BudgetUnit;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// The sandbox's Azure AI Foundry resource name.
pub const RESOURCE: &str = "sandbox-ai";
/// The most `--accounts` the sandbox serves: four-digit names, and 102 pages stay well inside
/// discovery's page limit for one list.
pub const MAX_EXTRA_ACCOUNTS: usize = 5000;
/// The sandbox's tenant id.
pub const TENANT: &str = "8a1d3c52-5f0e-4b7a-9c1e-5a4d0b0c5a11";

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("port {port} is already in use (sandbox {what} server)")]
    PortInUse { what: &'static str, port: u16 },
    #[error("cannot listen on 127.0.0.1:{port} for the sandbox {what} server: {detail}")]
    Bind { what: &'static str, port: u16, detail: String },
    #[error("cannot create the sandbox certificate authority: {0}")]
    Tls(String),
    #[error("cannot start the sandbox DNS server: {0}")]
    Dns(String),
    #[error("cannot prepare the sandbox directory {}: {source}", path.display())]
    Dir { path: PathBuf, source: std::io::Error },
    #[error(transparent)]
    Fault(#[from] UnknownFault),
    #[error("cannot make the sandbox Foundry port a blackhole (tcp-blackhole): {0}")]
    Blackhole(String),
    #[error("cannot sign the sandbox's az in: {0}")]
    SignIn(#[source] foundry_onboard_core::azure::AzError),
    #[error(transparent)]
    Policy(#[from] PolicyError),
}

impl Diagnose for SandboxError {
    fn kind(&self) -> ErrorKind {
        match self {
            SandboxError::Fault(_) => ErrorKind::Config,
            SandboxError::SignIn(e) => e.kind(),
            SandboxError::Policy(e) => e.kind(),
            _ => ErrorKind::Sandbox,
        }
    }
    fn hint(&self) -> String {
        match self {
            SandboxError::PortInUse { .. } => {
                "Another program (or another sandbox) holds that port: stop it, pick another --port, or omit --port to use free random ports.".into()
            }
            SandboxError::Bind { .. } => "Check that the loopback interface is up (ip addr show lo).".into(),
            SandboxError::Tls(_) | SandboxError::Dns(_) => {
                "This is a bug in the sandbox; please report it with the output of `foundry-onboard sandbox -v`.".into()
            }
            SandboxError::Dir { .. } => "Choose a writable directory with --dir, or free some disk space.".into(),
            SandboxError::Fault(_) => "Pick faults from the list above, separated by commas.".into(),
            SandboxError::Blackhole(_) => {
                "This platform does not drop SYNs to a full accept queue (Linux and macOS do); run the sandbox without tcp-blackhole.".into()
            }
            SandboxError::SignIn(e @ foundry_onboard_core::azure::AzError::NotInstalled) => {
                format!("{} Or point {} at an az 2.54 or newer, or start the sandbox without --signed-in.", e.hint(), foundry_onboard_core::azure::az::AZ_ENV)
            }
            SandboxError::SignIn(e) => {
                format!("{} The sandbox's az state is in its directory's `azure/`; start without --signed-in to sign in by hand.", e.hint())
            }
            SandboxError::Policy(e) => e.hint(),
        }
    }
}

/// How to start the sandbox.
#[derive(Debug, Clone, Default)]
pub struct SandboxOptions {
    pub faults: Vec<Fault>,
    /// Added to every HTTP answer.
    pub latency_ms: u64,
    /// The sandbox's own directory (CA, home for profiles, az config); a temp dir when None.
    pub dir: Option<PathBuf>,
    /// Use consecutive ports from here instead of random free ones.
    pub first_port: Option<u16>,
    /// Device codes approve themselves after this long (`--approve-after-ms`).
    pub approve_after_ms: Option<u64>,
    /// Serve Foundry's HTTPS on this port (443 inside a network namespace lets a profile name the
    /// resource instead of a URL).
    pub foundry_port: Option<u16>,
    /// `--accounts N`: N extra AIServices accounts (`team-ai-0001`…, each with one to three
    /// Claude deployments) in the first subscription, after `sandbox-ai` and `sandbox-openai`, 50
    /// to a `nextLink` page — a large tenant for the app and discovery. At most
    /// [`MAX_EXTRA_ACCOUNTS`].
    pub extra_accounts: usize,
    /// `--budget-used P`: the key's budget is set so that the generated history's spend in the
    /// period is P % of it (checked by [`usage_history::parse_budget_used`]); real traffic
    /// through the gateway then adds to the spend. None: about 70 %.
    pub budget_used: Option<f64>,
    /// `--policy FILE`: an org policy naming the sandbox's own resource and deployments. It is
    /// read at start (errors name its file and line) and recorded in the written config, which
    /// then loads over it instead of the system-wide policy.
    pub policy: Option<PathBuf>,
    /// `--usage-models N`: the generated usage history has N models (the three deployments, then
    /// others; at most [`usage_history::MAX_MODELS`]) instead of the three deployments.
    pub usage_models: Option<usize>,
}

/// The Foundry HTTPS port: served, or a blackhole (`tcp-blackhole`).
enum FoundryPort {
    Serving(tokio::net::TcpListener),
    Blackhole((wire::Blackhole, u16)),
}

/// A running sandbox. Dropping it stops the servers; [`Sandbox::shutdown`] waits for them.
pub struct Sandbox {
    endpoints: SandboxEndpoints,
    faults: Vec<Fault>,
    latency_ms: u64,
    /// The servers' shared state (the sign-in approves its own device code through it).
    shared: http::Shared,
    cancel: CancellationToken,
    tasks: JoinSet<()>,
    dns: hickory_server::Server<hickory_server::zone_handler::Catalog>,
    dir: PathBuf,
    /// The policy it was started with (absolute path, loaded as a sandbox applies it).
    policy: Option<(PathBuf, Policy)>,
    _temp: Option<tempfile::TempDir>,
}

impl Sandbox {
    pub async fn start(options: SandboxOptions) -> Result<Self, SandboxError> {
        let policy = match &options.policy {
            Some(p) => {
                let abs = std::fs::canonicalize(p).or_else(|_| std::path::absolute(p)).unwrap_or_else(|_| p.clone());
                let policy = Policy::load_named(&abs)?.for_sandbox();
                Some((abs, policy))
            }
            None => None,
        };
        let (dir, temp) = match &options.dir {
            Some(d) => {
                std::fs::create_dir_all(d).map_err(|source| SandboxError::Dir { path: d.clone(), source })?;
                (d.clone(), None)
            }
            None => {
                let t = tempfile::Builder::new()
                    .prefix("foundry-onboard-sandbox-")
                    .tempdir()
                    .map_err(|source| SandboxError::Dir { path: std::env::temp_dir(), source })?;
                (t.path().to_path_buf(), Some(t))
            }
        };
        let usage_models = options.usage_models.map(usage_history::Models::new).unwrap_or_default();
        let home = dir.join("home");
        std::fs::create_dir_all(&home).map_err(|source| SandboxError::Dir { path: home.clone(), source })?;
        transcripts::write(&home, usage_models).map_err(|source| SandboxError::Dir { path: home.join(".claude"), source })?;

        let mut names: Vec<String> = BASE_DOMAINS.iter().flat_map(|b| [format!("{RESOURCE}.{b}"), format!("{RESOURCE}.{}", privatelink_zone(b))]).collect();
        names.extend(["localhost".to_string(), "127.0.0.1".to_string()]);
        let ca = tls::generate(&names, &options.faults)?;
        let ca_file = dir.join("sandbox-ca.pem");
        std::fs::write(&ca_file, &ca.ca_pem).map_err(|source| SandboxError::Dir { path: ca_file.clone(), source })?;
        let inspection_ca_file = match &ca.inspection_ca_pem {
            Some(pem) => {
                let path = dir.join("inspection-ca.pem");
                std::fs::write(&path, pem).map_err(|source| SandboxError::Dir { path: path.clone(), source })?;
                Some(path.display().to_string())
            }
            None => None,
        };

        let port = |offset: u16| options.first_port.map(|p| p.saturating_add(offset)).unwrap_or(0);
        let arm = http::bind("arm", port(0)).await?;
        let login = http::bind("login", port(1)).await?;
        let foundry_wanted = options.foundry_port.unwrap_or(port(2));
        let foundry = if options.faults.contains(&Fault::TcpBlackhole) {
            FoundryPort::Blackhole(wire::blackhole("foundry (https)", foundry_wanted).await?)
        } else {
            FoundryPort::Serving(http::bind("foundry (https)", foundry_wanted).await?)
        };
        let foundry_plain = http::bind("foundry (http)", port(3)).await?;
        let gateway = http::bind("gateway", port(4)).await?;
        let (dns, dns_port) = dns::start(port(5), &options.faults).await?;
        let p = |l: &tokio::net::TcpListener| l.local_addr().map(|a| a.port()).unwrap_or(0);
        let foundry_port = match &foundry {
            FoundryPort::Serving(l) => p(l),
            FoundryPort::Blackhole((_, port)) => *port,
        };

        let endpoints = SandboxEndpoints {
            arm_url: format!("https://127.0.0.1:{}", p(&arm)),
            authority_url: format!("https://127.0.0.1:{}", p(&login)),
            foundry_base_url: format!("https://localhost:{}/anthropic", foundry_port),
            foundry_private_url: format!("https://{RESOURCE}.{FOUNDRY_DOMAIN}:{foundry_port}/anthropic"),
            foundry_http_url: format!("http://127.0.0.1:{}/anthropic", p(&foundry_plain)),
            gateway_url: format!("https://127.0.0.1:{}", p(&gateway)),
            dns: format!("127.0.0.1:{dns_port}"),
            ca_file: ca_file.display().to_string(),
            home: home.display().to_string(),
            config_file: None,
            inspection_ca_file,
            signed_in_as: None,
        };

        let api_key = foundry_onboard_core::Secret::new(format!("sbx-{}", random_hex(16)));
        let token = format!("sbx-token.{}", random_hex(24));
        write_private(&dir.join("foundry-api-key"), api_key.expose())?;
        write_private(&dir.join("entra-token"), &token)?;
        let gateway_key = foundry_onboard_core::Secret::new(format!("sk-sbx-gw-{}", random_hex(16)));
        write_private(&dir.join(foundry_onboard_core::sandbox_info::GATEWAY_KEY_FILE), gateway_key.expose())?;
        let shared = http::Shared {
            faults: faults::ActiveFaults::new(options.faults.clone()),
            latency: Duration::from_millis(options.latency_ms),
            api_key,
            gateway_key,
            tokens: Arc::new(std::sync::Mutex::new(std::iter::once(token).collect())),
            usage: Arc::default(),
            ids: Arc::default(),
            arm_url: endpoints.arm_url.clone(),
            authority_url: endpoints.authority_url.clone(),
            device_codes: Arc::default(),
            refresh_tokens: Arc::default(),
            approve_after: options.approve_after_ms.map(Duration::from_millis),
            extra_accounts: options.extra_accounts.min(MAX_EXTRA_ACCOUNTS),
            budget_used: options.budget_used,
            usage_models,
        };
        let cancel = CancellationToken::new();
        let mut tasks = JoinSet::new();
        let tls = Some(ca.server_config.clone());
        let now = Duration::ZERO;
        http::serve(&mut tasks, arm, http::router(Service::Arm, shared.clone()), tls.clone(), now, cancel.clone());
        http::serve(&mut tasks, login, http::router(Service::Login, shared.clone()), tls.clone(), now, cancel.clone());
        match foundry {
            FoundryPort::Serving(listener) => {
                let delay = if options.faults.contains(&Fault::SlowLink) { wire::SLOW_LINK } else { now };
                http::serve(&mut tasks, listener, http::router(Service::Foundry, shared.clone()), Some(ca.foundry_config.clone()), delay, cancel.clone());
            }
            FoundryPort::Blackhole((black, _)) => {
                tasks.spawn(black.hold(cancel.clone()));
            }
        }
        http::serve(&mut tasks, foundry_plain, http::router(Service::Foundry, shared.clone()), None, now, cancel.clone());
        http::serve(&mut tasks, gateway, http::router(Service::Gateway, shared.clone()), tls, now, cancel.clone());
        tracing::info!(?endpoints, faults = ?options.faults, "sandbox started");
        Ok(Self { endpoints, faults: options.faults, latency_ms: options.latency_ms, shared, cancel, tasks, dns, dir, policy, _temp: temp })
    }

    pub fn endpoints(&self) -> &SandboxEndpoints {
        &self.endpoints
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn info(&self) -> SandboxInfo {
        SandboxInfo {
            endpoints: self.endpoints.clone(),
            faults: self.faults.iter().map(|f| f.name().to_string()).collect(),
            latency_ms: u32::try_from(self.latency_ms).unwrap_or(u32::MAX),
        }
    }

    /// A config that points every command at this sandbox (and turns on the loopback guard).
    pub fn config(&self) -> Config {
        let e = &self.endpoints;
        let mut c = Config::default();
        c.azure.tenant = Some(TENANT.into());
        c.azure.arm_url = e.arm_url.clone();
        c.azure.authority_url = e.authority_url.clone();
        // `https://localhost:<port>/anthropic` always is one; a port it could not be is no endpoint.
        c.foundry.endpoint =
            foundry_onboard_core::config::BaseUrl::new(e.foundry_base_url.clone()).ok().map(foundry_onboard_core::config::FoundryEndpoint::BaseUrl);
        c.models.sonnet = Some("claude-sonnet-4-5".into());
        c.models.haiku = Some("claude-haiku-4-5".into());
        c.models.opus = Some("claude-opus-4-6".into());
        c.gateway.url = Some(e.gateway_url.clone());
        c.gateway.kind = GatewayKind::Litellm;
        // Its LiteLLM takes its key (written beside its home), as most gateways' virtual keys do:
        // the Usage tab asks for it. (Entra needs a `gateway.scope` a sandbox has no app for.)
        c.gateway.auth = GatewayAuth::Key;
        // Usage: LiteLLM's endpoints on the gateway by default; the Log Analytics stand-in on
        // the ARM port and this home's transcripts for the other two sources.
        c.usage.endpoint = e.arm_url.clone();
        c.usage.workspace = Some(loganalytics::WORKSPACE.into());
        c.usage.preset = Some(KqlPreset::ClaudeCodeOtel);
        c.usage.user_dimension = Some("user.id".into());
        // The budget for the sources that know none (Azure Monitor, this machine's record).
        c.usage.budget = Some(PolicyBudget { limit: 400.0, unit: BudgetUnit::Usd, period: BudgetPeriod::Monthly, reset_day: None, team_limit: None });
        c.network.dns_servers = vec![e.dns.clone()];
        c.network.expected_cidrs = vec!["127.0.0.0/8".parse().unwrap_or_else(|_| unreachable!("a literal CIDR"))];
        c.sandbox = Some(SandboxLink {
            home: PathBuf::from(&e.home),
            ca_file: PathBuf::from(&e.ca_file),
            private_base_url: Some(e.foundry_private_url.clone()),
            policy: self.policy.as_ref().map(|(path, _)| path.clone()),
        });
        if self.policy.is_some() {
            // The deployments are the policy's, or the person's (setup, the wizard).
            c.models.sonnet = None;
            c.models.haiku = None;
            c.models.opus = None;
        }
        c
    }

    /// Writes [`Sandbox::config`] to `path` and remembers it in the endpoints.
    pub fn write_config(&mut self, path: &Path) -> Result<(), foundry_onboard_core::config::ConfigError> {
        match &self.policy {
            // Under a policy, what it sets or locks is left to it (but the sandbox's own endpoints,
            // see SANDBOX_OWNED_KEYS).
            Some((_, policy)) => foundry_onboard_core::config::save_under_policy(path, &self.config(), policy)?,
            None => foundry_onboard_core::config::save(path, &self.config(), &Policy::default())?,
        }
        self.endpoints.config_file = Some(path.display().to_string());
        Ok(())
    }

    /// Stops every server and waits until their ports are closed.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        while self.tasks.join_next().await.is_some() {}
        let _ = self.dns.shutdown_gracefully().await;
        tracing::info!("sandbox stopped");
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Random hex for the sandbox's fake credentials (OS-seeded hasher keys: unguessable enough for a
/// loopback stand-in, which is all they guard).
fn random_hex(bytes: usize) -> String {
    let mut out = String::new();
    while out.len() < bytes * 2 {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(out.len());
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out.truncate(bytes * 2);
    out
}

fn write_private(path: &Path, text: &str) -> Result<(), SandboxError> {
    foundry_onboard_core::atomic_file::write_private(path, text.as_bytes()).map_err(|source| SandboxError::Dir { path: path.into(), source })
}
