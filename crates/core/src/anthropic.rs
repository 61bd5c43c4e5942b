//! The Anthropic Messages wire format as Foundry serves it, typed for what we send (the doctor's
//! probe), what the sandbox accepts (everything Claude Code sends) and what comes back.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A Messages request. Lenient on purpose: Claude Code sends fields this app does not model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MessagesRequest {
    pub model: String,
    pub messages: Vec<InputMessage>,
    pub max_tokens: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_config: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Value>,
    #[serde(flatten)]
    pub other: serde_json::Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputMessage {
    /// "user", "assistant" — and "system", which Claude Code sends for unknown model names.
    pub role: String,
    pub content: Value,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read_input_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_creation_input_tokens: Option<u64>,
}

/// A complete (non-streaming) answer. `model` and `usage` are required by Claude Code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub role: String,
    pub model: String,
    pub content: Vec<ContentBlock>,
    pub stop_reason: Option<String>,
    pub usage: Usage,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    Text { text: String },
    ToolUse { id: String, name: String, input: Value },
    Thinking { thinking: String },
}

/// The server-sent events of a streamed answer, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamEvent {
    MessageStart { message: Value },
    ContentBlockStart { index: u32, content_block: Value },
    ContentBlockDelta { index: u32, delta: Value },
    ContentBlockStop { index: u32 },
    MessageDelta { delta: Value, usage: Value },
    MessageStop,
    Ping,
    Error { error: Value },
}

/// Parses an SSE body into events (`event:` lines are informational; `data:` carries the JSON).
pub fn parse_sse(body: &str) -> Result<Vec<StreamEvent>, serde_json::Error> {
    body.split("\n\n")
        .filter_map(|frame| {
            let data: String = frame.lines().filter_map(|l| l.strip_prefix("data:")).map(str::trim).collect::<Vec<_>>().join("\n");
            (!data.is_empty()).then_some(data)
        })
        .map(|d| serde_json::from_str(&d))
        .collect()
}

/// Azure's error envelope (`{"error":{"code","message"}}`), also carrying Anthropic's `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AzureError {
    pub error: AzureErrorBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AzureErrorBody {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_sse_stream() {
        let body = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"type\":\"message\"}}\n\nevent: ping\ndata: {\"type\":\"ping\"}\n\ndata: {\"type\":\"message_stop\"}\n\n";
        let events = parse_sse(body).unwrap();
        assert_eq!(events.len(), 3);
        assert!(matches!(events[2], StreamEvent::MessageStop));
    }

    #[test]
    fn accepts_what_claude_code_sends_for_unknown_models() {
        let body = r#"{"model":"dep-sonnet","messages":[{"role":"user","content":"hi"},{"role":"system","content":"env"}],"max_tokens":32000,"thinking":{"type":"adaptive","display":"omitted"},"output_config":{"effort":"high"},"context_management":{"edits":[]},"metadata":{"user_id":"{\"device_id\":\"x\"}"},"tools":"<12 tools>","stream":true}"#;
        let r: MessagesRequest = serde_json::from_str(body).unwrap();
        assert_eq!(r.messages[1].role, "system");
        assert!(r.other.contains_key("context_management"));
    }
}
