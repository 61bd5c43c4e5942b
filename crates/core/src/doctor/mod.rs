//! The connectivity doctor: every hop of the private path — environment, sign-in, DNS through
//! `privatelink`, proxy, TCP, TLS, HTTPS, each deployment — checked concurrently along its
//! dependency graph, each failure named as the real-world fault it is, with its fix; and a
//! redacted report the help desk can paste.

mod catalogue;
mod check_id;
mod context;
mod dns;
mod env;
mod error;
mod facts;
mod fixes;
mod foundry;
mod gateway;
mod live;
mod model;
mod path;
pub mod report;
mod runner;
mod scrub;
mod signin;
mod tls;
mod usage_source;

pub use catalogue::names_a_check;
pub use check_id::CheckId;
pub use context::{DoctorOptions, Endpoint, endpoint_of};
pub use error::DoctorError;
pub use fixes::{FixError, trust_ca};
pub use model::{
    AddressEvidence, CertEvidence, CheckResult, DoctorEvent, Evidence, Fix, HeldBack, HttpEvidence, NameEvidence, PlannedCheck, Section, Status, Summary,
};
pub use report::{Report, longest_chain_ms};
pub use scrub::scrub_text;

use crate::config::Config;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

/// One run: checks, streamed through `emit` as they land, then the whole report.
pub async fn run(
    config: &Config,
    options: DoctorOptions,
    cancel: CancellationToken,
    emit: Arc<dyn Fn(DoctorEvent) + Send + Sync>,
) -> Result<Report, DoctorError> {
    let ctx = context::Ctx::new(config.clone(), options)?;
    let checks = catalogue::checks(&ctx);
    if checks.is_empty() && !ctx.options.only.is_empty() {
        let setup = match &ctx.endpoint {
            _ if ctx.is_gateway() => "the corporate gateway".to_string(),
            Some(e) if !e.tls => format!("{} over plain http", e.host),
            Some(e) => format!("the Azure AI Foundry resource {}", e.resource.clone().unwrap_or_else(|| e.host.clone())),
            None => "no endpoint configured yet".to_string(),
        };
        let available = catalogue::all(&ctx).iter().map(|c| c.id.to_string()).collect();
        return Err(DoctorError::NothingSelected { only: ctx.options.only.join(","), setup, available });
    }
    let (results, summary) = runner::run(ctx.clone(), checks, cancel, emit).await;
    Ok(Report::new(&ctx, results, summary))
}
