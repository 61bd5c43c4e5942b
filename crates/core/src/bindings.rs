//! The TypeScript types the UI imports, generated from the Rust types so the two cannot drift.
//! `ui/src/bindings.ts` is committed; a test fails when it is stale (`UPDATE_BINDINGS=1` rewrites it).

use ts_rs::TS;

/// The whole of `ui/src/bindings.ts`.
pub fn typescript() -> String {
    let cfg = ts_rs::Config::new();
    let decls = [
        crate::error::ErrorKind::decl(&cfg),
        crate::error::IpcError::decl(&cfg),
        crate::sandbox_info::SandboxEndpoints::decl(&cfg),
        crate::sandbox_info::SandboxInfo::decl(&cfg),
        crate::views::AppInfo::decl(&cfg),
        crate::views::HomeTab::decl(&cfg),
        crate::config::LoginMode::decl(&cfg),
        crate::config::ChooseModels::decl(&cfg),
        crate::setup::DecidedBy::decl(&cfg),
        crate::setup::DecidedEndpoint::decl(&cfg),
        crate::setup::LoginDecision::decl(&cfg),
        crate::setup::EndpointDecision::decl(&cfg),
        crate::setup::TierDecision::decl(&cfg),
        crate::setup::Ask::decl(&cfg),
        crate::setup::Decided::decl(&cfg),
        crate::setup::rollout::PolicyStatus::decl(&cfg),
        crate::setup::rollout::SigninStatus::decl(&cfg),
        crate::setup::rollout::ChooseStatus::decl(&cfg),
        crate::setup::rollout::ProfileStatus::decl(&cfg),
        crate::setup::rollout::FileSummary::decl(&cfg),
        crate::setup::rollout::RolloutEvent::decl(&cfg),
        crate::views::ConfigView::decl(&cfg),
        crate::profile::Target::decl(&cfg),
        crate::profile::AuthMode::decl(&cfg),
        crate::profile::FileAction::decl(&cfg),
        crate::profile::FileChange::decl(&cfg),
        crate::profile::effective::EffectiveVar::decl(&cfg),
        crate::profile::effective::Severity::decl(&cfg),
        crate::profile::effective::FindingAbout::decl(&cfg),
        crate::profile::effective::Finding::decl(&cfg),
        crate::profile::effective::EffectiveEnv::decl(&cfg),
        crate::profile::verify::ShellCheck::decl(&cfg),
        crate::profile::verify::ClientCheck::decl(&cfg),
        crate::profile::ProfilePreview::decl(&cfg),
        crate::profile::ProfileOutcome::decl(&cfg),
        crate::azure::az::LoginState::decl(&cfg),
        crate::azure::session::SignInStatus::decl(&cfg),
        crate::azure::login::LoginEvent::decl(&cfg),
        crate::azure::discovery::Tier::decl(&cfg),
        crate::azure::discovery::Deployment::decl(&cfg),
        crate::azure::discovery::PrivateEndpoint::decl(&cfg),
        crate::azure::discovery::Proposed::decl(&cfg),
        crate::azure::discovery::Account::decl(&cfg),
        crate::azure::discovery::Subscription::decl(&cfg),
        crate::azure::discovery::Discovered::decl(&cfg),
        crate::azure::discovery::AccountDeployments::decl(&cfg),
        crate::setup::choice::ModelChoice::decl(&cfg),
        crate::setup::choice::GatewayChoice::decl(&cfg),
        crate::doctor::Section::decl(&cfg),
        crate::doctor::Status::decl(&cfg),
        crate::doctor::CheckId::decl(&cfg),
        crate::doctor::AddressEvidence::decl(&cfg),
        crate::doctor::NameEvidence::decl(&cfg),
        crate::doctor::CertEvidence::decl(&cfg),
        crate::doctor::HttpEvidence::decl(&cfg),
        crate::doctor::Evidence::decl(&cfg),
        crate::doctor::Fix::decl(&cfg),
        crate::doctor::CheckResult::decl(&cfg),
        crate::doctor::PlannedCheck::decl(&cfg),
        crate::doctor::HeldBack::decl(&cfg),
        crate::doctor::Summary::decl(&cfg),
        crate::doctor::DoctorEvent::decl(&cfg),
        crate::doctor::Report::decl(&cfg),
        crate::usage::Identity::decl(&cfg),
        crate::usage::SourceKind::decl(&cfg),
        crate::usage::Provenance::decl(&cfg),
        crate::usage::Completeness::decl(&cfg),
        crate::usage::BudgetScope::decl(&cfg),
        crate::usage::BudgetUnit::decl(&cfg),
        crate::usage::BudgetState::decl(&cfg),
        crate::usage::Budget::decl(&cfg),
        crate::usage::CostBasis::decl(&cfg),
        crate::usage::Cost::decl(&cfg),
        crate::usage::Latency::decl(&cfg),
        crate::usage::UsageRow::decl(&cfg),
        crate::usage::DroppedRecord::decl(&cfg),
        crate::usage::UsageSnapshot::decl(&cfg),
        crate::usage::RateRange::decl(&cfg),
        crate::usage::ForecastOutcome::decl(&cfg),
        crate::usage::Forecast::decl(&cfg),
        crate::usage::Stale::decl(&cfg),
        crate::usage::UsageReport::decl(&cfg),
        crate::usage::table::TokenKind::decl(&cfg),
        crate::usage::table::Table::decl(&cfg),
        crate::usage::chart::Theme::decl(&cfg),
        crate::usage::view::Gauge::decl(&cfg),
        crate::usage::view::NoticeKind::decl(&cfg),
        crate::usage::view::Notice::decl(&cfg),
        crate::usage::view::Health::decl(&cfg),
        crate::usage::view::Comparison::decl(&cfg),
        crate::usage::view::UsageView::decl(&cfg),
        crate::usage::view_charts::ChartImage::decl(&cfg),
        crate::usage::view_charts::RangeCharts::decl(&cfg),
        crate::usage::tab::TabAsk::decl(&cfg),
        crate::usage::tab::UsageTab::decl(&cfg),
        crate::usage::credential::Remedy::decl(&cfg),
        crate::usage::tab::TabAnswer::decl(&cfg),
        crate::usage::tab::Refreshed::decl(&cfg),
    ];
    let mut out = String::from("// This file is generated from Rust by `cargo test -p foundry-onboard-core bindings` — do not edit.\n");
    for d in decls {
        out.push_str("export ");
        out.push_str(d.trim());
        out.push('\n');
    }
    // The orders the core sorts by, so the UI never restates them.
    let json = |v: serde_json::Result<String>| v.unwrap_or_else(|_| "[]".into());
    out.push_str(&format!(
        "/** Every doctor section, in report order. */\nexport const SECTION_ORDER: readonly Section[] = {};\n",
        json(serde_json::to_string(&crate::doctor::Section::ALL))
    ));
    out.push_str(&format!(
        "/** Every status, best to worst. */\nexport const STATUS_ORDER: readonly Status[] = {};\n",
        json(serde_json::to_string(&crate::doctor::Status::ALL))
    ));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn bindings_are_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings.ts");
        let fresh = super::typescript();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/bindings.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p foundry-onboard-core bindings` and commit it.\n--- expected ---\n{fresh}"
        );
    }
}
