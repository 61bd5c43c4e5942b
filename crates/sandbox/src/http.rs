//! The sandbox's HTTP(S) listeners: one loopback port per stand-in service, plain or TLS,
//! answering with the bodies the real services send; the wire faults of `wire.rs` hook in here.

use super::{SandboxError, dns::bind_error, faults::ActiveFaults};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// The services the sandbox stands in for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Arm,
    Login,
    Foundry,
    Gateway,
}

impl Service {
    pub fn name(self) -> &'static str {
        match self {
            Service::Arm => "arm",
            Service::Login => "login",
            Service::Foundry => "foundry",
            Service::Gateway => "gateway",
        }
    }
}

/// Requests, input and output tokens per deployment.
pub type UsageTotals = Arc<std::sync::Mutex<std::collections::BTreeMap<String, (u64, u64, u64)>>>;

/// Shared state every route sees.
#[derive(Debug, Clone)]
pub struct Shared {
    pub faults: ActiveFaults,
    pub latency: Duration,
    /// The key the Foundry stand-in accepts in `x-api-key`.
    pub api_key: foundry_onboard_core::Secret,
    /// The key the gateway stand-in accepts as `Authorization: Bearer`.
    pub gateway_key: foundry_onboard_core::Secret,
    /// Bearer tokens the sandbox minted (its sign-in issues more).
    pub tokens: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    /// Tokens used per deployment: (requests, input, output).
    pub usage: UsageTotals,
    pub ids: Arc<std::sync::atomic::AtomicU64>,
    /// Base URLs (no trailing `/`) for the absolute links the stand-ins return.
    pub arm_url: String,
    pub authority_url: String,
    /// Device codes the sign-in stand-in handed out, by device code.
    pub device_codes: Arc<std::sync::Mutex<std::collections::HashMap<String, super::entra::DeviceCode>>>,
    pub refresh_tokens: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    /// `--approve-after-ms`: device codes approve themselves after this long.
    pub approve_after: Option<Duration>,
    /// `--accounts N`: this many extra AIServices accounts in the first subscription.
    pub extra_accounts: usize,
    /// `--budget-used P`: the history's period spend is P % of the key's budget (else about 70 %).
    pub budget_used: Option<f64>,
    /// `--usage-models N`: how many models the generated history has.
    pub usage_models: super::usage_history::Models,
}

impl Shared {
    pub fn token_is_valid(&self, token: &str) -> bool {
        self.tokens.lock().map(|t| t.contains(token)).unwrap_or(false)
    }

    pub fn record_usage(&self, deployment: &str, input: u64, output: u64) {
        if let Ok(mut u) = self.usage.lock() {
            let e = u.entry(deployment.to_string()).or_default();
            e.0 += 1;
            e.1 += input;
            e.2 += output;
        }
    }

    pub fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }
}

pub fn router(service: Service, shared: Shared) -> Router {
    let base = Router::new().route("/", get(move || async move { axum::Json(json!({"sandbox": true, "service": service.name()})) }));
    let routes = match service {
        Service::Arm => {
            let metadata_state = shared.clone();
            base.merge(super::arm::routes().with_state(shared.clone())).merge(super::loganalytics::routes().with_state(shared.clone())).fallback(
                move |req: Request| {
                    let shared = metadata_state.clone();
                    async move {
                        // `az cloud register` asks `//metadata/endpoints` when the URL ends in `/`.
                        if req.uri().path().ends_with("/metadata/endpoints") {
                            return super::arm::metadata(State(shared)).await;
                        }
                        error_json(
                            StatusCode::NOT_FOUND,
                            json!({"error": {"code": "NotFound", "message": format!("The sandbox ARM has no resource at '{}'.", req.uri().path())}}),
                        )
                    }
                },
            )
        }
        Service::Login => base.merge(super::entra::routes().with_state(shared.clone())).fallback(|| async {
            error_json(StatusCode::NOT_FOUND, json!({"error": "invalid_request", "error_description": "AADSTS90002: Tenant not found in the sandbox."}))
        }),
        Service::Foundry => base
            .merge(super::foundry::routes(super::foundry::Front::Foundry).with_state(shared.clone()))
            .fallback(|| async { error_json(StatusCode::NOT_FOUND, json!({"error": {"code": "404", "message": "Resource not found"}})) }),
        Service::Gateway => base
            .merge(super::foundry::routes(super::foundry::Front::Gateway).with_state(shared.clone()))
            .route("/health/liveliness", get(|| async { axum::Json("I'm alive!") }))
            .fallback(|| async { error_json(StatusCode::NOT_FOUND, json!({"detail": "Not Found"})) }),
    };
    routes.layer(axum::middleware::from_fn_with_state(shared.clone(), latency)).with_state(())
}

async fn latency(State(shared): State<Shared>, req: Request, next: Next) -> Response {
    if !shared.latency.is_zero() {
        tokio::time::sleep(shared.latency).await;
    }
    next.run(req).await
}

fn error_json(status: StatusCode, body: serde_json::Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// Binds 127.0.0.1:`port` (0 = any free port).
pub async fn bind(what: &'static str, port: u16) -> Result<TcpListener, SandboxError> {
    TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| bind_error(what, port, e))
}

/// Serves `router` on `listener` until `cancel` fires; TLS when `tls` is given. `connect_delay`
/// holds each accepted connection from its first bytes until it is read (`slow-link`, see
/// `wire.rs`).
pub fn serve(
    tasks: &mut JoinSet<()>,
    listener: TcpListener,
    router: Router,
    tls: Option<Arc<rustls::ServerConfig>>,
    connect_delay: Duration,
    cancel: CancellationToken,
) {
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    tasks.spawn(async move {
        let mut conns = JoinSet::new();
        loop {
            let accepted = tokio::select! {
                _ = cancel.cancelled() => break,
                a = listener.accept() => a,
            };
            let Ok((stream, _)) = accepted else { continue };
            let service = TowerToHyperService::new(router.clone());
            let acceptor = acceptor.clone();
            let cancel = cancel.clone();
            conns.spawn(async move {
                if !connect_delay.is_zero() {
                    // From the client's first bytes (its ClientHello), not from accept(): the
                    // client may send them a moment after its connect returned, and the round trip
                    // it measures must never come out shorter than the link's.
                    tokio::select! {
                        _ = cancel.cancelled() => return,
                        _ = async {
                            let _ = tokio::time::timeout(Duration::from_secs(10), stream.readable()).await;
                            let arrived = std::time::Instant::now();
                            // tokio's timer counts whole milliseconds and can wake a fraction of
                            // one early (a client measured 119.5 ms for 120): hold what is left.
                            while let Some(rest) = connect_delay.checked_sub(arrived.elapsed()).filter(|d| !d.is_zero()) {
                                tokio::time::sleep(rest).await;
                            }
                        } => {}
                    }
                }
                let http = hyper::server::conn::http1::Builder::new();
                match acceptor {
                    Some(acceptor) => {
                        let Ok(Ok(tls)) = tokio::time::timeout(Duration::from_secs(10), acceptor.accept(stream)).await else { return };
                        tokio::select! {
                            _ = cancel.cancelled() => {}
                            _ = http.serve_connection(TokioIo::new(tls), service) => {}
                        }
                    }
                    None => {
                        tokio::select! {
                            _ = cancel.cancelled() => {}
                            _ = http.serve_connection(TokioIo::new(stream), service) => {}
                        }
                    }
                }
            });
            while conns.try_join_next().is_some() {}
        }
        conns.shutdown().await;
    });
}
