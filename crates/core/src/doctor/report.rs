//! The report a help desk pastes: Markdown for people, JSON for tools (schema in
//! `docs/doctor-report.schema.json`) — app version, OS, time, a config summary without secrets,
//! every check with its evidence, and the Foundry limitations that look like bugs but are not.

use super::context::Ctx;
use super::model::{CheckId, CheckResult, Section, Status, Summary};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use ts_rs::TS;

/// Platform behaviour the help desk should recognise (seed; field reports #6, #11).
pub const LIMITATIONS: &[&str] = &[
    "Azure validates tool_use / tool_result pairing strictly: a conversation with a tool_use id and no matching tool_result gets a 400 (seen during /compact). This is platform behaviour, not a broken setup.",
    "Foundry serves only the Messages API: no Message Batches, no Models list, no Admin or usage APIs of api.anthropic.com.",
    "No anthropic-ratelimit-* headers: Claude Code cannot show remaining quota; 429s arrive without warning.",
    "Claude Code's startup model check may show \"Your gateway couldn't serve <model>\" although chat works: when the foundry.* checks pass, that banner is cosmetic.",
    "/login is disabled with Foundry: authentication is `az login` (Entra ID) or the key in the keyring.",
];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub app_version: String,
    pub os: String,
    /// RFC 3339, UTC.
    pub time: String,
    pub sandbox: bool,
    /// (setting, value) — endpoints, tenant, deployments; never a secret.
    pub config: Vec<(String, String)>,
    pub summary: Summary,
    pub checks: Vec<CheckResult>,
    pub limitations: Vec<String>,
}

impl Report {
    pub(super) fn new(ctx: &Ctx, checks: Vec<CheckResult>, summary: Summary) -> Self {
        let c = &ctx.config;
        let mut config = vec![("mode".to_string(), format!("{:?}", ctx.mode))];
        let mut push = |k: &str, v: Option<String>| {
            if let Some(v) = v.filter(|v| !v.is_empty()) {
                config.push((k.to_string(), v));
            }
        };
        push("endpoint", ctx.endpoint.as_ref().map(|e| e.base_url.clone()));
        if let Some(e) = &c.foundry.endpoint {
            let written = match e {
                crate::config::FoundryEndpoint::Resource(r) => r.as_str(),
                crate::config::FoundryEndpoint::BaseUrl(b) => b.as_str(),
            };
            push(e.key(), Some(written.to_string()));
        }
        push("gateway.url", c.gateway.url.clone().filter(|_| c.foundry.via_gateway));
        push("azure.tenant", c.azure.tenant.clone());
        push("azure.subscription", c.azure.subscription.clone());
        push("azure.arm_url", Some(c.azure.arm_url.clone()));
        push("models.sonnet", c.models.sonnet.clone());
        push("models.haiku", c.models.haiku.clone());
        push("models.opus", c.models.opus.clone());
        push("network.dns_servers", Some(if c.network.dns_servers.is_empty() { "system".into() } else { c.network.dns_servers.join(", ") }));
        push("network.expected_cidrs", Some(c.network.expected_cidrs.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")));
        push("network.max_latency_ms", Some(c.network.max_latency_ms.to_string()));
        push("network.extra_ca_file", c.network.extra_ca_file.as_ref().map(|p| p.display().to_string()));
        let secrets: Vec<String> = ctx.secrets.lock().map(|s| s.iter().map(|x| x.expose().to_string()).collect()).unwrap_or_default();
        let home = (!ctx.options.include_identity)
            .then(|| ctx.process_env.get("HOME").or_else(|| ctx.process_env.get("USERPROFILE")).cloned())
            .flatten()
            .unwrap_or_default();
        let config = config.into_iter().map(|(k, v)| (k, super::scrub::tilde(&super::scrub_text(&v, &secrets, ctx.options.include_identity), &home))).collect();
        let checks = checks.into_iter().map(|c| super::scrub::home_as_tilde(c, &home)).collect();
        Self {
            app_version: crate::VERSION.to_string(),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            time: azure_core::time::to_rfc3339(&azure_core::time::OffsetDateTime::now_utc()),
            sandbox: c.is_sandbox(),
            config,
            summary,
            checks,
            limitations: LIMITATIONS.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// The worst status per section, in section order.
    pub fn headlines(&self) -> Vec<(Section, Status)> {
        let mut out: Vec<(Section, Status)> = Vec::new();
        for c in &self.checks {
            match out.iter_mut().find(|(s, _)| *s == c.section) {
                Some((_, worst)) => *worst = (*worst).max(c.status),
                None => out.push((c.section, c.status)),
            }
        }
        out.sort_by_key(|(s, _)| *s);
        out
    }

    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let s = &self.summary;
        let _ = writeln!(md, "# Foundry Onboard doctor report\n");
        let _ = writeln!(md, "- App: foundry-onboard {}{}", self.app_version, if self.sandbox { " (sandbox)" } else { "" });
        let _ = writeln!(md, "- OS: {}", self.os);
        let _ = writeln!(md, "- Time: {}", self.time);
        let _ = writeln!(
            md,
            "- Result: {} pass, {} warn, {} fail, {} skip in {} ms{}\n",
            s.pass,
            s.warn,
            s.fail,
            s.skip,
            s.elapsed_ms,
            if s.incomplete { " (incomplete)" } else { "" }
        );
        self.what_is_wrong(&mut md);
        let _ = writeln!(md, "## Configuration\n");
        for (k, v) in &self.config {
            let _ = writeln!(md, "- {k}: `{v}`");
        }
        for (section, worst) in self.headlines() {
            let _ = writeln!(md, "\n## {} — {}\n", section.title(), worst.word());
            for c in self.checks.iter().filter(|c| c.section == section) {
                let _ = writeln!(md, "### {} `{}` — {}\n", icon(c.status), c.id, c.title);
                let _ = writeln!(md, "{} ({} ms)\n", c.detail, c.duration_ms);
                if !c.hint.is_empty() && c.status != Status::Pass {
                    let _ = writeln!(md, "**Fix:** {}\n", c.hint);
                }
                evidence(&mut md, c);
            }
        }
        let _ = writeln!(md, "\n## Known Foundry limitations\n");
        for l in &self.limitations {
            let _ = writeln!(md, "- {l}");
        }
        md
    }
}

impl Report {
    /// [`Report::problems`] with their fixes — what the help desk reads first; the sections below
    /// hold the evidence.
    fn what_is_wrong(&self, md: &mut String) {
        let _ = writeln!(md, "## What is wrong\n");
        let problems = self.problems();
        if problems.is_empty() {
            let _ = writeln!(md, "Nothing: every check that ran passed.\n");
            return;
        }
        for (n, (c, held)) in problems.iter().enumerate() {
            let held = match held {
                0 => String::new(),
                1 => " (1 check skipped because of it)".to_string(),
                k => format!(" ({k} checks skipped because of it)"),
            };
            let _ = writeln!(md, "{}. {} `{}` — {}{held}", n + 1, icon(c.status), c.id, c.detail);
            if !c.hint.is_empty() {
                let _ = writeln!(md, "   **Fix:** {}", c.hint);
            }
        }
        md.push('\n');
    }

    /// The failures, then the warnings, each with how many skipped checks it held back.
    pub fn problems(&self) -> Vec<(&CheckResult, usize)> {
        [Status::Fail, Status::Warn]
            .iter()
            .flat_map(|st| self.checks.iter().filter(move |c| c.status == *st))
            .map(|c| (c, self.checks.iter().filter(|s| s.status == Status::Skip && self.root_of(s) == Some(c.id.as_str())).count()))
            .collect()
    }

    /// The check a skipped one was held back by, down the chain ("skipped: path.tcp was skipped"
    /// → path.tcp's own "skipped: path.dns failed" → path.dns).
    fn root_of<'a>(&'a self, skipped: &'a CheckResult) -> Option<&'a str> {
        let mut current = skipped;
        for _ in 0..self.checks.len() {
            let next = current.held_back_by(&self.checks)?;
            if next.status != Status::Skip {
                return Some(next.id.as_str());
            }
            current = next;
        }
        None
    }
}

fn icon(s: Status) -> &'static str {
    match s {
        Status::Pass => "✅ PASS",
        Status::Warn => "⚠️ WARN",
        Status::Fail => "❌ FAIL",
        Status::Skip => "⏭️ SKIP",
    }
}

fn evidence(md: &mut String, c: &CheckResult) {
    let e = &c.evidence;
    let mut lines = Vec::new();
    if let Some(r) = &e.resolver {
        lines.push(format!("resolver: {r}"));
    }
    for n in &e.names {
        let addrs: Vec<String> = n
            .addresses
            .iter()
            .map(|a| {
                let mut tags = vec![if a.private { "private" } else { "PUBLIC" }.to_string()];
                if let Some(x) = a.in_expected_cidrs {
                    tags.push(if x { "in expected_cidrs" } else { "OUTSIDE expected_cidrs" }.into());
                }
                if let Some(x) = a.matches_private_endpoint {
                    tags.push(if x { "= private endpoint" } else { "≠ private endpoint" }.into());
                }
                format!("{} ({})", a.ip, tags.join(", "))
            })
            .collect();
        let mut line = format!("{} → {}", n.name, n.chain.iter().cloned().chain(addrs).collect::<Vec<_>>().join(" → "));
        if let Some(err) = &n.error {
            line.push_str(&format!(" ✗ {err}"));
        }
        if let Some(h) = &n.hosts_override {
            line.push_str(&format!(" (hosts file: {h})"));
        }
        lines.push(line);
    }
    if !e.rtt_ms.is_empty() {
        lines.push(format!("connect RTT ms: {}", e.rtt_ms.iter().map(|r| format!("{r:.1}")).collect::<Vec<_>>().join(", ")));
    }
    for (i, cert) in e.certificates.iter().enumerate() {
        lines.push(format!(
            "cert[{i}]: subject {} · issuer {} · valid {} – {} · names {}",
            cert.subject,
            cert.issuer,
            cert.not_before,
            cert.not_after,
            cert.names.join(", ")
        ));
    }
    if let Some(h) = &e.http {
        lines.push(format!("HTTP {} from {}{}", h.status, h.url, h.content_type.as_ref().map(|c| format!(" ({c})")).unwrap_or_default()));
        if let Some(b) = &h.body_start {
            lines.push(format!("body starts: {}", b.replace('\n', " ")));
        }
    }
    for (k, v) in &e.facts {
        lines.push(format!("{k}: {v}"));
    }
    if !lines.is_empty() {
        let _ = writeln!(md, "```text\n{}\n```\n", lines.join("\n"));
    }
}

/// The longest chain of checks that had to run one after another (each waits for what it
/// `requires` or runs `after`), summed by duration — the floor any scheduler meets. The bench
/// compares a run's total with it (and with the sequential sum).
pub fn longest_chain_ms(planned: &[super::PlannedCheck], results: &[CheckResult]) -> u64 {
    fn finish(id: CheckId, planned: &[super::PlannedCheck], results: &[CheckResult], memo: &mut std::collections::HashMap<CheckId, u64>, depth: usize) -> u64 {
        if let Some(v) = memo.get(&id) {
            return *v;
        }
        let own = results.iter().find(|r| r.id == id).map(|r| r.duration_ms).unwrap_or(0);
        let before = planned
            .iter()
            .find(|p| p.id == id)
            .filter(|_| depth < 64)
            .map(|p| p.requires.iter().chain(&p.after).map(|d| finish(*d, planned, results, memo, depth + 1)).max().unwrap_or(0))
            .unwrap_or(0);
        memo.insert(id, own + before);
        own + before
    }
    let mut memo = std::collections::HashMap::new();
    planned.iter().map(|p| finish(p.id, planned, results, &mut memo, 0)).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doctor::model::Evidence;

    fn result(id: &str, section: Section, status: Status, detail: &str, hint: &str) -> CheckResult {
        CheckResult {
            id: CheckId::parse(id).unwrap(),
            section,
            title: id.into(),
            status,
            detail: detail.into(),
            hint: hint.into(),
            duration_ms: 1,
            evidence: Evidence::default(),
            fix: None,
        }
    }

    fn report(checks: Vec<CheckResult>) -> Report {
        let summary = Summary::of(&checks, 10, false);
        Report { app_version: "0".into(), os: "linux".into(), time: "now".into(), sandbox: true, config: vec![], summary, checks, limitations: vec![] }
    }

    #[test]
    fn what_is_wrong_comes_first_failures_before_warnings_with_what_each_held_back() {
        let md = report(vec![
            result("env.profile", Section::Environment, Status::Warn, "AZURE_TOKEN_CREDENTIALS is missing", "Write the profile again."),
            result("path.dns", Section::PrivatePath, Status::Fail, "resolves to the public address 203.0.113.10", "Platform team: link the zone."),
            result("path.tcp", Section::PrivatePath, Status::Skip, "skipped: path.dns failed", ""),
            result("path.tls", Section::PrivatePath, Status::Skip, "skipped: path.tcp was skipped", ""),
            result("foundry.config", Section::Foundry, Status::Skip, "skipped: the endpoint is not an Azure resource name", ""),
        ])
        .markdown();
        let wrong = md.split("## What is wrong\n\n").nth(1).unwrap().split("## Configuration").next().unwrap();
        assert_eq!(
            wrong,
            "1. ❌ FAIL `path.dns` — resolves to the public address 203.0.113.10 (2 checks skipped because of it)\n   **Fix:** Platform team: link the zone.\n2. ⚠️ WARN `env.profile` — AZURE_TOKEN_CREDENTIALS is missing\n   **Fix:** Write the profile again.\n\n"
        );
        assert!(md.find("## What is wrong").unwrap() < md.find("## Configuration").unwrap());
        let healthy = report(vec![result("path.dns", Section::PrivatePath, Status::Pass, "private", "")]).markdown();
        assert!(healthy.contains("## What is wrong\n\nNothing: every check that ran passed."), "{healthy}");
    }
}
