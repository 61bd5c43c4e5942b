//! Redaction by construction: every result passes through here before any face, log or report
//! sees it — the run's own secrets by value, anything shaped like a token, `Authorization`
//! values, and (unless the person opts in) user principal names and, in reports, the home directory.

use super::context::Ctx;
use super::model::CheckResult;

impl Ctx {
    /// Remembers a secret this run handles, so no result can carry it.
    pub fn secret_seen(&self, secret: &crate::Secret) {
        if let Ok(mut s) = self.secrets.lock()
            && !secret.expose().is_empty()
        {
            s.push(secret.clone());
        }
    }

    /// A result with every secret and (unless opted in) every user name blanked.
    pub fn scrub(&self, result: CheckResult) -> CheckResult {
        let secrets: Vec<String> = self.secrets.lock().map(|s| s.iter().map(|x| x.expose().to_string()).collect()).unwrap_or_default();
        let keep_upn = self.options.include_identity;
        let clean = |s: &str| scrub_text(s, &secrets, keep_upn);
        let scrubbed = serde_json::to_value(&result).ok().map(|json| map_strings(json, &clean)).and_then(|v| serde_json::from_value::<CheckResult>(v).ok());
        // Never hand on what could not be scrubbed: keep the words, withhold the evidence.
        scrubbed.unwrap_or_else(|| CheckResult {
            detail: clean(&result.detail),
            hint: clean(&result.hint),
            evidence: super::model::Evidence::default().fact("evidence", "withheld: it could not be redacted"),
            fix: None,
            ..result
        })
    }
}

/// `result` with the person's home directory written as `~`: a pasted report should not name
/// the local account (`/home/alice`) any more than the user principal name.
pub(super) fn home_as_tilde(result: CheckResult, home: &str) -> CheckResult {
    if home.len() < 2 {
        return result;
    }
    let shorten = |s: &str| tilde(s, home);
    serde_json::to_value(&result).ok().map(|json| map_strings(json, &shorten)).and_then(|v| serde_json::from_value(v).ok()).unwrap_or(result)
}

/// Every `home` that is a whole path prefix (followed by a separator or the path's end) → `~`.
pub(super) fn tilde(text: &str, home: &str) -> String {
    let home = home.trim_end_matches(['/', '\\']);
    if home.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(home) {
        let after = &rest[at + home.len()..];
        let whole = after.chars().next().is_none_or(|c| c == '/' || c == '\\' || !(c.is_alphanumeric() || "._-".contains(c)));
        out.push_str(&rest[..at]);
        out.push_str(if whole { "~" } else { home });
        rest = after;
    }
    out.push_str(rest);
    out
}

fn map_strings(v: serde_json::Value, f: &dyn Fn(&str) -> String) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::String(s) => Value::String(f(&s)),
        Value::Array(a) => Value::Array(a.into_iter().map(|x| map_strings(x, f)).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, x)| (k, map_strings(x, f))).collect()),
        other => other,
    }
}

/// The report's masker (see [`crate::redact::mask_report_text`]).
pub fn scrub_text(text: &str, secrets: &[String], keep_upn: bool) -> String {
    crate::redact::mask_report_text(text, secrets, keep_upn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_tokens_and_user_names_are_blanked_hosts_are_not() {
        let t = "token sbx-token.abc123 for dev@sandbox.example via Bearer xyz at sandbox-ai.services.ai.azure.com; eyJa.b.c sk-abcdefgh1234";
        let s = scrub_text(t, &["sbx-token.abc123".into()], false);
        assert_eq!(s, "token *** for ***@sandbox.example via Bearer *** at sandbox-ai.services.ai.azure.com; *** ***");
        assert!(scrub_text(t, &[], true).contains("dev@sandbox.example"));
    }

    #[test]
    fn the_home_directory_becomes_a_tilde_only_as_a_whole_path_prefix() {
        assert_eq!(tilde("profile file: /home/alice/.bashrc (/home/alice)", "/home/alice"), "profile file: ~/.bashrc (~)");
        assert_eq!(tilde("/home/alicia/x and /home/alice-2", "/home/alice/"), "/home/alicia/x and /home/alice-2");
        assert_eq!(tilde(r"C:\Users\alice\.claude\settings.json", r"C:\Users\alice"), r"~\.claude\settings.json");
        assert_eq!(tilde("nothing here", "/"), "nothing here");
    }

    #[test]
    fn every_result_shape_survives_the_round_trip_through_the_scrubber() {
        use crate::doctor::model::{CheckResult, Evidence, Fix, Section, Status};
        let r = CheckResult {
            id: crate::doctor::CheckId::SigninAz,
            section: Section::SignIn,
            title: "t".into(),
            status: Status::Pass,
            detail: "signed in as dev@sandbox.example".into(),
            hint: String::new(),
            duration_ms: 1,
            evidence: Evidence::default().fact("user", "dev@sandbox.example"),
            fix: Some(Fix::TrustCa { pem: "p".into(), suggested_path: "/x".into(), issuer: "i".into() }),
        };
        let back: CheckResult = serde_json::from_value(serde_json::to_value(&r).unwrap()).unwrap();
        assert_eq!(back, r, "the scrubber's round trip loses nothing");
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.contains("\"suggestedPath\""), "{json}");
    }
}
