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

    /// A streamed answer as any server might send it: frames of `event:`/`data:` lines holding
    /// events of any shape, junk, CRLF, cut short. Events or a JSON error that says where.
    #[test]
    fn fuzz_sse_bodies_parse_or_say_where() {
        use proptest::prelude::*;
        let event = crate::fuzz::object_of(vec![
            ("type", prop::sample::select(vec!["message_start", "content_block_delta", "message_stop", "ping", "error", "nope"]).prop_map(Value::from).boxed()),
            ("index", crate::fuzz::json_value().boxed()),
            ("delta", crate::fuzz::json_value().boxed()),
            ("message", crate::fuzz::json_value().boxed()),
        ]);
        let line = prop_oneof![
            3 => crate::fuzz::body(event).prop_map(|b| format!("data: {}", String::from_utf8_lossy(&b))),
            1 => ".{0,20}",
            1 => Just("event: message_start".to_string()),
            1 => Just("data:".to_string()),
            1 => Just(String::new()),
        ];
        let frames = (prop::collection::vec(line, 0..12), any::<bool>());
        crate::fuzz::runner(500)
            .run(&frames, |(lines, crlf)| {
                let body = lines.join(if crlf { "\r\n" } else { "\n" });
                if let Err(e) = parse_sse(&body) {
                    // serde_json says where ("at line 1 column 9"), except for a tagged event whose
                    // fields it buffered: then it names the field, the variant or what it expected.
                    prop_assert!(crate::fuzz::names_what(&e.to_string(), &["line", "field", "variant", "expected"]), "{e}");
                }
                Ok(())
            })
            .unwrap();
    }

    /// The answer, the error envelope and one stream event from any body: parsed, or a JSON error
    /// that says what and where.
    #[test]
    fn fuzz_answer_and_error_bodies_parse_or_say_where() {
        use proptest::prelude::*;
        let envelope = crate::fuzz::object_of(vec![(
            "error",
            crate::fuzz::object_of(vec![
                ("code", crate::fuzz::string_value()),
                ("message", crate::fuzz::string_value()),
                ("type", crate::fuzz::string_value()),
            ])
            .boxed(),
        )]);
        crate::fuzz::runner(2000)
            .run(&crate::fuzz::body(envelope), |body| {
                let errors = [
                    serde_json::from_slice::<Message>(&body).err(),
                    serde_json::from_slice::<AzureError>(&body).err(),
                    serde_json::from_slice::<StreamEvent>(&body).err(),
                    serde_json::from_slice::<MessagesRequest>(&body).err(),
                ];
                for e in errors.into_iter().flatten() {
                    prop_assert!(crate::fuzz::names_what(&e.to_string(), &["line"]), "{e}");
                }
                Ok(())
            })
            .unwrap();
    }
}
