//! The KQL the `azure-monitor` source sends: one aggregated query per refresh for each preset
//! (APIM's token metrics, OpenTelemetry GenAI metrics, Claude Code's own metrics) or the org's
//! custom file, with the signed-in user filled in as an escaped KQL string literal.
//!
//! Every query answers the same columns, which a custom query must also give:
//! `Day: datetime` (start of the UTC day), `Model: string`, `TokenType: string` (`input`,
//! `output`, `cacheRead` or `cacheWrite`), `Tokens: real`, and optionally `Requests: long`.
//! A custom query reads the user as `{user}` (and the dimension as `{dimension}`, the days as
//! `{days}`); each placeholder is replaced by a literal, never spliced as text.

use crate::config::KqlPreset;

/// Why a query could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KqlError {
    #[error("the {what} {value:?} holds a control character, which no {what} has")]
    ControlCharacter { what: &'static str, value: String },
    #[error("the custom query in usage.query_file does not use {{user}}: it would read everyone's usage")]
    NoUserPlaceholder,
}

impl crate::Diagnose for KqlError {
    fn kind(&self) -> crate::ErrorKind {
        crate::ErrorKind::Config
    }
    fn hint(&self) -> String {
        match self {
            KqlError::ControlCharacter { .. } => "Check usage.user_dimension in the org policy, and which identity is signed in (az account show).".into(),
            KqlError::NoUserPlaceholder => {
                "The platform team's query must filter on {user}, e.g. `| where tostring(Properties[{dimension}]) == {user}`.".into()
            }
        }
    }
}

/// `value` as a single-quoted KQL string literal: `\` and `'` escaped, tabs and line breaks
/// written as escapes; other control characters are refused (no identity holds them).
pub fn string_literal(what: &'static str, value: &str) -> Result<String, KqlError> {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => return Err(KqlError::ControlCharacter { what, value: value.escape_debug().to_string() }),
            c => out.push(c),
        }
    }
    out.push('\'');
    Ok(out)
}

/// The query for a preset, for `user` (the signed-in identity's claim) in `dimension`, over the
/// last `days` days. `custom` is the text of `usage.query_file` (preset `custom` only).
pub fn query(preset: KqlPreset, custom: Option<&str>, dimension: &str, user: &str, days: u32) -> Result<String, KqlError> {
    let user = string_literal("user name", user)?;
    let dimension = string_literal("dimension name", dimension)?;
    let days = days.max(1);
    let head = format!("let user = {user};\nlet dimension = {dimension};\n");
    let body = match preset {
        KqlPreset::ApimEmitTokenMetric => format!(
            "AppMetrics
| where TimeGenerated >= startofday(ago({days}d))
| where Name in ('Prompt Tokens', 'Completion Tokens')
| where tostring(Properties[dimension]) == user
| summarize Tokens = sum(Sum), Requests = sum(ItemCount)
    by Day = startofday(TimeGenerated), Model = tostring(Properties['Model']), TokenType = iff(Name == 'Prompt Tokens', 'input', 'output')
| order by Day asc"
        ),
        KqlPreset::OtelGenai => format!(
            "AppMetrics
| where TimeGenerated >= startofday(ago({days}d))
| where Name == 'gen_ai.client.token.usage'
| where tostring(Properties[dimension]) == user
| summarize Tokens = sum(Sum), Requests = sum(ItemCount)
    by Day = startofday(TimeGenerated), Model = tostring(Properties['gen_ai.request.model']), TokenType = tostring(Properties['gen_ai.token.type'])
| order by Day asc"
        ),
        KqlPreset::ClaudeCodeOtel => format!(
            "AppMetrics
| where TimeGenerated >= startofday(ago({days}d))
| where Name == 'claude_code.token.usage'
| where tostring(Properties[dimension]) == user
| extend UsageType = tostring(Properties['type'])
| summarize Tokens = sum(Sum)
    by Day = startofday(TimeGenerated), Model = tostring(Properties['model']), TokenType = iff(UsageType == 'cacheCreation', 'cacheWrite', UsageType)
| order by Day asc"
        ),
        KqlPreset::Custom => {
            let text = custom.unwrap_or_default();
            if !text.contains("{user}") {
                return Err(KqlError::NoUserPlaceholder);
            }
            // The placeholders become the names bound by `let` above: the values are never spliced.
            text.replace("{user}", "user").replace("{dimension}", "dimension").replace("{days}", &days.to_string())
        }
    };
    Ok(format!("{head}{body}"))
}

/// Every preset, for the tests that run Microsoft's parser over each query the app can send.
pub const PRESETS: [KqlPreset; 3] = [KqlPreset::ApimEmitTokenMetric, KqlPreset::OtelGenai, KqlPreset::ClaudeCodeOtel];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_in_a_user_name_stays_inside_the_literal() {
        assert_eq!(string_literal("u", "o'brien@contoso.example").unwrap(), r"'o\'brien@contoso.example'");
        assert_eq!(string_literal("u", r"a\' or 1==1 //").unwrap(), r"'a\\\' or 1==1 //'");
        assert_eq!(string_literal("u", "x\ny").unwrap(), r"'x\ny'");
        assert!(matches!(string_literal("u", "x\u{0}y"), Err(KqlError::ControlCharacter { .. })));
        let q = query(KqlPreset::ApimEmitTokenMetric, None, "oid", "o'brien'; AppMetrics | take 1 //", 30).unwrap();
        assert!(q.starts_with("let user = 'o\\'brien\\'; AppMetrics | take 1 //';\n"), "{q}");
        assert_eq!(q.matches("where tostring(Properties[dimension]) == user").count(), 1);
    }

    #[test]
    fn a_custom_query_must_filter_on_the_user() {
        let q = query(KqlPreset::Custom, Some("AppMetrics | where tostring(Properties[{dimension}]) == {user} | take {days}"), "upn", "dev@x", 7).unwrap();
        assert!(q.ends_with("AppMetrics | where tostring(Properties[dimension]) == user | take 7"), "{q}");
        assert_eq!(query(KqlPreset::Custom, Some("AppMetrics | take 10"), "upn", "dev@x", 7), Err(KqlError::NoUserPlaceholder));
    }

    /// Every query the app can send — each preset, with user names holding quotes, backslashes
    /// and KQL of their own — passes Microsoft's Kusto parser (`tests/kql/check.js`, npm
    /// `@kusto/language-service-next`) against the documented schemas with zero diagnostics; a
    /// misspelt column does not, so the check is live.
    #[test]
    fn every_query_the_app_can_send_passes_microsofts_kusto_parser() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/kql");
        assert!(
            dir.join("node_modules/@kusto/language-service-next").is_dir(),
            "the Kusto parser is not installed: run `npm ci --prefix tests/kql` (scripts/install-test-deps.sh)"
        );
        let users = ["3f1c9a52-8d77-4e0b-9a51-6c2b1d0e4f11", "o'brien@contoso.example", r"a\' or 1==1 //", "x\"y\ttab", "名前@例え.jp"];
        let mut queries = Vec::new();
        for preset in PRESETS {
            for (i, user) in users.iter().enumerate() {
                for dimension in ["oid", "User ID", "user's \"id\""] {
                    queries.push(serde_json::json!({"name": format!("{preset:?} user {i} dimension {dimension}"), "query": query(preset, None, dimension, user, 30).unwrap()}));
                }
            }
        }
        let custom = "AppMetrics | where TimeGenerated >= ago({days}d) | where tostring(Properties[{dimension}]) == {user} | summarize Tokens = sum(Sum), Requests = sum(ItemCount) by Day = startofday(TimeGenerated), Model = tostring(Properties['Model']), TokenType = 'input'";
        queries.push(serde_json::json!({"name": "custom", "query": query(KqlPreset::Custom, Some(custom), "oid", users[1], 30).unwrap()}));
        queries.push(serde_json::json!({"name": "control", "query": "AppMetrics | where Nmae == 'x'"}));
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("queries.json");
        std::fs::write(&file, serde_json::to_string(&queries).unwrap()).unwrap();
        let out = std::process::Command::new("node").arg("check.js").arg(&file).current_dir(&dir).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let results: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(results.len(), queries.len());
        for (r, q) in results.iter().zip(&queries) {
            let n = r["diagnostics"].as_array().unwrap().len();
            if r["name"] == "control" {
                assert!(n >= 1, "the parser must flag a misspelt column: {r}");
            } else {
                assert_eq!(n, 0, "{}\n{}\n{}", r["name"], q["query"].as_str().unwrap(), r["diagnostics"]);
            }
        }
    }
}
