//! What a doctor run produces — one result per check, with structured evidence — in the shape
//! the CLI prints, the GUI fills in live and the report carries.

pub use super::check_id::CheckId;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
pub enum Section {
    Environment,
    #[serde(rename = "Sign-in")]
    SignIn,
    #[serde(rename = "Private path")]
    PrivatePath,
    Foundry,
    Gateway,
}

impl Section {
    /// Every section, in the order a report lists them (the UI draws them in this order too).
    pub const ALL: [Section; 5] = [Section::Environment, Section::SignIn, Section::PrivatePath, Section::Foundry, Section::Gateway];

    pub fn title(self) -> &'static str {
        match self {
            Section::Environment => "Environment",
            Section::SignIn => "Sign-in",
            Section::PrivatePath => "Private path",
            Section::Foundry => "Foundry",
            Section::Gateway => "Gateway",
        }
    }
}

pub use crate::status::Status;

/// One DNS answer, hop by hop.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct NameEvidence {
    pub name: String,
    /// Each CNAME target in order, then the addresses.
    pub chain: Vec<String>,
    /// Whether the chain went through `<res>.privatelink.<zone>`.
    pub via_privatelink: bool,
    pub addresses: Vec<AddressEvidence>,
    /// "NXDOMAIN", a timeout, … when the lookup failed.
    pub error: Option<String>,
    /// The hosts-file entry that overrides DNS for this name, when there is one.
    pub hosts_override: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AddressEvidence {
    pub ip: String,
    /// RFC 1918 / ULA / loopback (the sandbox's private network is 127.0.0.0/8).
    pub private: bool,
    /// Inside `network.expected_cidrs` (None when none are configured).
    pub in_expected_cidrs: Option<bool>,
    /// Equal to the private endpoint's own IP from ARM (None when ARM did not say).
    pub matches_private_endpoint: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CertEvidence {
    pub subject: String,
    pub issuer: String,
    pub not_before: String,
    pub not_after: String,
    /// DNS names the certificate is valid for.
    pub names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HttpEvidence {
    pub url: String,
    pub status: u16,
    pub content_type: Option<String>,
    /// The first bytes of an unexpected body, credentials masked.
    pub body_start: Option<String>,
}

/// What a check saw — structured, so the GUI can draw it and the help desk can read it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
pub struct Evidence {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub resolver: Option<String>,
    pub names: Vec<NameEvidence>,
    /// Connect round trips, in milliseconds.
    pub rtt_ms: Vec<f64>,
    /// The presented chain, leaf first.
    pub certificates: Vec<CertEvidence>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub http: Option<HttpEvidence>,
    /// Anything else, as labelled lines (proxy decision, versions, ARM properties…).
    pub facts: Vec<(String, String)>,
}

impl Evidence {
    pub fn fact(mut self, label: impl Into<String>, value: impl Into<String>) -> Self {
        self.facts.push((label.into(), value.into()));
        self
    }
}

/// A fix the GUI can apply in one click.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Fix {
    /// Save the presented CA to `suggested_path` and point `NODE_EXTRA_CA_CERTS` at it through
    /// the profile.
    #[serde(rename_all = "camelCase")]
    TrustCa { pem: String, suggested_path: String, issuer: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    pub id: CheckId,
    pub section: Section,
    pub title: String,
    pub status: Status,
    pub detail: String,
    /// The next step; empty for a pass.
    pub hint: String,
    #[ts(type = "number")]
    pub duration_ms: u64,
    pub evidence: Evidence,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub fix: Option<Fix>,
}

/// Why a check was skipped without running: the prerequisite that did not pass, and the check at
/// the start of that chain (`path.dns` for `path.tls` ← `path.tcp` ← `path.dns`), so no face has
/// to walk the chain again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct HeldBack {
    pub by: CheckId,
    pub cause: CheckId,
}

/// How a skip's detail starts; the runner writes `skipped: <id> failed` (or `was skipped`).
pub const SKIPPED: &str = "skipped: ";

impl CheckResult {
    /// The check that held this skipped one back, as its detail names it (`skipped: path.dns
    /// failed`), when the name is a check of `among`.
    pub fn held_back_by<'a>(&self, among: &'a [CheckResult]) -> Option<&'a CheckResult> {
        let id = CheckId::parse(self.detail.strip_prefix(SKIPPED)?.split(' ').next()?)?;
        among.iter().find(|c| c.id == id)
    }
}

/// A check the run will perform, announced before any result so the UI can lay out its rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PlannedCheck {
    pub id: CheckId,
    pub section: Section,
    pub title: String,
    /// Skipped unless these pass.
    pub requires: Vec<CheckId>,
    /// Waited for (briefly) for their facts, whatever their outcome, before it starts.
    pub after: Vec<CheckId>,
    /// Whose facts it may wait for (briefly) while it runs, when its own findings need them.
    pub uses: Vec<CheckId>,
}

/// What a run streams to its face as it happens.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase", tag = "event")]
pub enum DoctorEvent {
    Planned {
        checks: Vec<PlannedCheck>,
    },
    Started {
        id: CheckId,
    },
    Finished {
        result: Box<CheckResult>,
        /// Set when the check was skipped because a prerequisite did not pass.
        #[serde(rename = "heldBack", skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        held_back: Option<HeldBack>,
    },
    Done {
        summary: Summary,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub pass: u32,
    pub warn: u32,
    pub fail: u32,
    pub skip: u32,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
    /// The run was cancelled or hit its overall deadline before every check ended.
    pub incomplete: bool,
}

impl Summary {
    pub fn of(results: &[CheckResult], elapsed_ms: u64, incomplete: bool) -> Self {
        let count = |s: Status| results.iter().filter(|r| r.status == s).count() as u32;
        Self { pass: count(Status::Pass), warn: count(Status::Warn), fail: count(Status::Fail), skip: count(Status::Skip), elapsed_ms, incomplete }
    }

    /// The run's verdict: a failure or a run cut short fails; else any warning warns.
    pub fn verdict(&self) -> Status {
        if self.fail > 0 || self.incomplete {
            Status::Fail
        } else if self.warn > 0 {
            Status::Warn
        } else {
            Status::Pass
        }
    }
}
