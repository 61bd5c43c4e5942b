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
        if let Some(old) = env.insert((*k).to_string(), Value::String((*v).to_string()))
            && old != Value::String((*v).to_string())
        {
            previous.insert((*k).to_string(), old);
        }
    }
    Ok((serialize(&root), previous))
}

/// The keys in the file's `env` object (none when the file is empty or has no `env`).
pub fn env_keys(path: &Path, bytes: Option<&[u8]>) -> Result<Vec<String>, ProfileError> {
    Ok(match parse(path, bytes)?.get("env") {
        Some(Value::Object(env)) => env.keys().cloned().collect(),
        _ => Vec::new(),
    })
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

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        fn cases(default: u32) -> u32 {
            std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
        }

        const OURS: [&str; 3] = ["CLAUDE_CODE_USE_FOUNDRY", "ANTHROPIC_FOUNDRY_RESOURCE", "ANTHROPIC_DEFAULT_OPUS_MODEL"];

        /// JSON values without floats that do not survive a print-and-parse (the property is
        /// about keys and order, not number formatting).
        fn value() -> impl Strategy<Value = Value> {
            let leaf = prop_oneof![
                Just(Value::Null),
                any::<bool>().prop_map(Value::Bool),
                any::<i64>().prop_map(Value::from),
                prop_oneof![Just(0.5), Just(-1.25e10)].prop_map(Value::from),
                ".{0,12}".prop_map(Value::String),
            ];
            leaf.prop_recursive(3, 24, 6, |inner| {
                prop_oneof![
                    proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                    proptest::collection::vec((".{0,8}", inner), 0..5).prop_map(|kv| Value::Object(kv.into_iter().collect())),
                ]
            })
        }

        fn key() -> impl Strategy<Value = String> {
            prop_oneof![3 => ".{0,10}", 1 => proptest::sample::select(OURS.to_vec()).prop_map(String::from), 1 => Just("env".to_string())]
        }

        /// A settings object: arbitrary keys and values, maybe an `env` with our keys among others.
        fn settings() -> impl Strategy<Value = Map<String, Value>> {
            (proptest::collection::vec((key(), value()), 0..8), proptest::option::of(proptest::collection::vec((key(), value()), 1..6)), 0..8usize).prop_map(
                |(top, env, at)| {
                    let mut m: Map<String, Value> = top.into_iter().filter(|(k, _)| k != "env").collect();
                    if let Some(env) = env {
                        m.shift_insert(at.min(m.len()), "env".into(), Value::Object(env.into_iter().collect()));
                    }
                    m
                },
            )
        }

        /// Every key but ours, in order, at every level that matters (top and `env`).
        fn others(m: &Map<String, Value>) -> Vec<(String, Value)> {
            let mut out = Vec::new();
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("env", Value::Object(env)) => {
                        let kept: Map<String, Value> = env.iter().filter(|(k, _)| !OURS.contains(&k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect();
                        out.push((k.clone(), Value::Object(kept)));
                    }
                    _ => out.push((k.clone(), v.clone())),
                }
            }
            out
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(cases(500)))]

            /// Upsert then remove gives back every key that is not ours, in order, and our keys'
            /// earlier values where they had other ones.
            #[test]
            fn fuzz_settings_json_upsert_then_remove_restores_every_other_key_in_order(before in settings(), pretty in any::<bool>()) {
                let path = Path::new("settings.json");
                let bytes = if pretty { serde_json::to_vec_pretty(&before).unwrap() } else { serde_json::to_vec(&before).unwrap() };
                let before: Map<String, Value> = serde_json::from_slice(&bytes).unwrap(); // duplicates collapsed as a reader sees them
                let entries: Vec<(&str, &str)> = OURS.iter().map(|k| (*k, "v")).collect();
                let env_was_object = matches!(before.get("env"), Some(Value::Object(_)) | None);
                let result = upsert(path, Some(&bytes), &entries);
                if !env_was_object {
                    let named = matches!(&result, Err(e @ ProfileError::SettingsInvalid { .. }) if e.to_string().contains("settings.json") && e.to_string().contains("\"env\" is not an object"));
                    prop_assert!(named, "{:?}", result.err());
                    return Ok(());
                }
                let (after, previous) = result.unwrap();
                let keys: Vec<String> = OURS.iter().map(|k| (*k).to_string()).collect();
                let back: Map<String, Value> = serde_json::from_slice(&remove(path, &after, &keys, &previous).unwrap()).unwrap();
                let mut expected = others(&before);
                // an `env` we created (none before) goes again; one that held only our keys stays, emptied
                let env_created = !before.contains_key("env");
                expected.retain(|(k, _)| !(k == "env" && env_created));
                let mut got = others(&back);
                if !env_created {
                    if let (Some(Value::Object(b)), Some(Value::Object(a))) = (before.get("env"), back.get("env")) {
                        for k in OURS {
                            match b.get(k) {
                                Some(v) if *v != "v" => prop_assert_eq!(a.get(k), Some(v), "{} is restored", k),
                                _ => {}
                            }
                        }
                    }
                    if !back.contains_key("env") {
                        // an env that held only our keys, with our values: dropped, the one loss we accept
                        got.insert(expected.iter().position(|(k, _)| k == "env").unwrap_or(0), ("env".into(), Value::Object(Map::new())));
                    }
                }
                prop_assert_eq!(got, expected);
            }

            /// Arbitrary bytes: a settings object, or an error that names the file and what is wrong.
            #[test]
            fn fuzz_settings_json_arbitrary_bytes_never_panic(bytes in prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..300),
                settings().prop_map(|m| serde_json::to_vec(&m).unwrap()).prop_flat_map(|b| { let n = b.len(); (Just(b), 0..=n) }).prop_map(|(b, cut)| b[..cut].to_vec()),
            ]) {
                let path = Path::new("/home/u/.claude/settings.json");
                match upsert(path, Some(&bytes), &[("CLAUDE_CODE_USE_FOUNDRY", "1")]) {
                    Ok((after, _)) => prop_assert!(serde_json::from_slice::<Map<String, Value>>(&after).is_ok()),
                    Err(e @ (ProfileError::SettingsInvalid { .. } | ProfileError::SettingsNotObject { .. })) => {
                        prop_assert!(e.to_string().starts_with("/home/u/.claude/settings.json "), "{}", e);
                    }
                    Err(e) => prop_assert!(false, "unexpected error: {}", e),
                }
                let _ = env_keys(path, Some(&bytes));
                let _ = remove(path, &bytes, &["CLAUDE_CODE_USE_FOUNDRY".into()], &Map::new());
            }
        }
    }
}
