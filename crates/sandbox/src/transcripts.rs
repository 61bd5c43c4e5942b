//! Claude Code transcripts in the sandbox's home for the `local` usage source: what the real
//! client writes (facts/usage.md §4 — one JSON line per event, the deployment name as the model),
//! for the last weeks of the generated history at this machine's share of it.

use super::usage_history::{self, DayUsage};
use chrono::Days;
use serde_json::json;
use std::path::{Path, PathBuf};

/// How many days of transcripts (Claude Code keeps 30 by default).
pub const DAYS: u64 = 21;
/// This machine's share of the gateway's history (the rest ran on another laptop).
pub const SHARE: f64 = 0.6;

fn share(n: u64) -> u64 {
    (n as f64 * SHARE) as u64
}

fn line(d: &DayUsage, n: usize) -> String {
    let id = format!("msg_sbx_{}_{}_{n}", d.date.format("%Y%m%d"), d.model.replace('-', "_"));
    json!({
        "parentUuid": null, "isSidechain": false, "userType": "external", "cwd": "/home/dev/project", "sessionId": format!("sbx-{}", d.date),
        "version": "2.0.0", "type": "assistant", "uuid": format!("{id}-uuid"), "timestamp": format!("{}T10:00:00.000Z", d.date),
        "requestId": format!("req_{id}"),
        "message": {"id": id, "type": "message", "role": "assistant", "model": d.model, "content": [{"type": "text", "text": "Done."}],
            "stop_reason": "end_turn", "usage": {
                "input_tokens": share(d.input), "cache_creation_input_tokens": share(d.cache_write), "cache_read_input_tokens": share(d.cache_read),
                "output_tokens": share(d.output), "server_tool_use": {"web_search_requests": 0, "web_fetch_requests": 0}, "service_tier": "standard",
                "cache_creation": {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": share(d.cache_write)}
            }}
    })
    .to_string()
}

/// Writes one session file per day under `<home>/.claude/projects/-home-dev-project/`.
pub fn write(home: &Path, models: usage_history::Models) -> std::io::Result<PathBuf> {
    let dir = home.join(".claude/projects/-home-dev-project");
    std::fs::create_dir_all(&dir)?;
    let today = usage_history::today();
    let history = usage_history::history(today, models);
    for ago in (0..DAYS).rev() {
        let Some(day) = today.checked_sub_days(Days::new(ago)) else { continue };
        let lines: Vec<String> = history.iter().filter(|d| d.date == day).enumerate().map(|(n, d)| line(d, n)).collect();
        let user = json!({"type": "user", "timestamp": format!("{day}T09:59:00.000Z"), "message": {"role": "user", "content": "hello"}}).to_string();
        std::fs::write(dir.join(format!("sbx-{day}.jsonl")), format!("{user}\n{}\n", lines.join("\n")))?;
    }
    Ok(dir)
}
