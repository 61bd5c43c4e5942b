//! The few flags the app reads. The CLI passes its whole command line through, so anything
//! else (`--json`, `-v`, …) is ignored rather than refused.

use std::path::PathBuf;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct AppArgs {
    pub version: bool,
    pub sandbox: bool,
    pub config: Option<PathBuf>,
    pub faults: Option<String>,
    pub latency_ms: Option<u64>,
    /// `--accounts N`: extra sandbox accounts (a large tenant).
    pub accounts: Option<usize>,
    /// `--policy FILE`: the org policy the sandbox applies (the rollout path, offline).
    pub policy: Option<PathBuf>,
    /// `--budget-used P`: the sandbox key's spend is P % of its budget (checked at start).
    pub budget_used: Option<String>,
    /// `--tab NAME`: open on this home tab (checked at start) instead of the wizard.
    pub tab: Option<String>,
    /// The startup benchmark's baseline: an empty Tauri window, nothing of ours in it.
    pub bench_empty_window: bool,
}

pub fn parse(args: impl IntoIterator<Item = String>) -> AppArgs {
    let mut out = AppArgs::default();
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next());
        match flag.as_str() {
            "--version" | "-V" => out.version = true,
            "--sandbox" => out.sandbox = true,
            "--bench-empty-window" => out.bench_empty_window = true,
            "--config" => out.config = value().map(PathBuf::from),
            "--faults" => out.faults = value(),
            "--latency-ms" => out.latency_ms = value().and_then(|v| v.parse().ok()),
            "--accounts" => out.accounts = value().and_then(|v| v.parse().ok()),
            "--policy" => out.policy = value().map(PathBuf::from),
            "--budget-used" => out.budget_used = value(),
            "--tab" => out.tab = value(),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_known_flags_and_ignores_the_rest() {
        let a = parse(["--json", "--sandbox", "--config", "/x.toml", "-v", "--faults=slow-link", "--accounts", "1000", "--budget-used=79.9"].map(String::from));
        assert!(a.sandbox);
        assert_eq!(a.accounts, Some(1000));
        assert_eq!(a.budget_used.as_deref(), Some("79.9"));
        assert_eq!(a.config, Some(PathBuf::from("/x.toml")));
        assert_eq!(a.faults.as_deref(), Some("slow-link"));
        assert!(!a.version);
        assert_eq!(a.policy, None);
        assert_eq!(a.tab, None);
        assert_eq!(parse(["--tab", "usage"].map(String::from)).tab.as_deref(), Some("usage"));
        assert_eq!(parse(["--tab=doctor"].map(String::from)).tab.as_deref(), Some("doctor"));
    }

    #[test]
    fn reads_the_policy_in_both_spellings() {
        assert_eq!(parse(["--sandbox", "--policy", "docs/p.toml"].map(String::from)).policy, Some(PathBuf::from("docs/p.toml")));
        assert_eq!(parse(["--policy=/etc/p.toml"].map(String::from)).policy, Some(PathBuf::from("/etc/p.toml")));
    }
}
