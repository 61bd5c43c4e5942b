//! Claude Code's `settings.json`: we change only the keys we own inside `env`, keep every other
//! key in its order (serde_json `preserve_order`), and refuse a file that is not valid JSON.

use super::ProfileError;
use serde_json::{Map, Value};
use std::path::Path;

/// Parses `bytes` as a settings object (an empty or missing file is an empty object).
fn parse(path: &Path, bytes: Option<&[u8]>) -> Result<Map<String, Value>, ProfileError> {
    let Some(bytes) = bytes.filter(|b| !b.iter().all(u8::is_ascii_whitespace)) else { return Ok(Map::new()) };
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ProfileError::SettingsNotObject { path: path.into() }),
        Err(e) => Err(ProfileError::SettingsInvalid { path: path.into(), detail: e.to_string() }),
    }
}

fn serialize(map: &Map<String, Value>) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(map).unwrap_or_default();
    out.push(b'\n');
    out
}

/// The file with our `env` keys set; also returns the values those keys had before (to restore).
pub fn upsert(path: &Path, before: Option<&[u8]>, entries: &[(&str, &str)]) -> Result<(Vec<u8>, Map<String, Value>), ProfileError> {
    let mut root = parse(path, before)?;
    let env = root.entry("env").or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(env) = env else {
        return Err(ProfileError::SettingsInvalid { path: path.into(), detail: "\"env\" is not an object".into() });
    };
    let mut previous = Map::new();
    for (k, v) in entries {
        if let Some(old) = env.insert((*k).to_string(), Value::String((*v).to_string())) {
            if old != Value::String((*v).to_string()) {
                previous.insert((*k).to_string(), old);
            }
        }
    }
    Ok((serialize(&root), previous))
}

/// Removes `keys` from `env` (putting back `previous` values), dropping an `env` left empty.
pub fn remove(path: &Path, current: &[u8], keys: &[String], previous: &Map<String, Value>) -> Result<Vec<u8>, ProfileError> {
    let mut root = parse(path, Some(current))?;
    if let Some(Value::Object(env)) = root.get_mut("env") {
        for k in keys {
            match previous.get(k) {
                Some(v) => {
                    env.insert(k.clone(), v.clone());
                }
                None => {
                    env.shift_remove(k);
                }
            }
        }
        if env.is_empty() {
            root.shift_remove("env");
        }
    }
    Ok(serialize(&root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_other_keys_and_their_order() {
        let before = br#"{"permissions":{"allow":["Bash(ls)"]},"hooks":{},"env":{"FOO":"bar"},"statusLine":{"type":"command"}}"#;
        let (after, prev) = upsert(Path::new("s.json"), Some(before), &[("CLAUDE_CODE_USE_FOUNDRY", "1")]).unwrap();
        let v: Value = serde_json::from_slice(&after).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["permissions", "hooks", "env", "statusLine"]);
        assert_eq!(v["env"]["FOO"], "bar");
        assert_eq!(v["env"]["CLAUDE_CODE_USE_FOUNDRY"], "1");
        assert!(prev.is_empty());
        let back = remove(Path::new("s.json"), &after, &["CLAUDE_CODE_USE_FOUNDRY".into()], &prev).unwrap();
        let v: Value = serde_json::from_slice(&back).unwrap();
        assert!(v["env"].get("CLAUDE_CODE_USE_FOUNDRY").is_none());
        assert_eq!(v["env"]["FOO"], "bar");
    }

    #[test]
    fn refuses_invalid_json_and_non_objects() {
        assert!(matches!(upsert(Path::new("s.json"), Some(b"{ // comment\n}"), &[]), Err(ProfileError::SettingsInvalid { .. })));
        assert!(matches!(upsert(Path::new("s.json"), Some(b"[1]"), &[]), Err(ProfileError::SettingsNotObject { .. })));
        assert!(upsert(Path::new("s.json"), Some(b"  \n"), &[]).is_ok());
    }
}
