//! Shortening what a server sent before it reaches a message or a report: the first bytes only,
//! on a character boundary, with anything that looks like a credential blanked — and the one
//! masker of credentials, in its two strengths (server text; a doctor report).

/// At most `max` bytes of `text`, cut at a character boundary, credentials masked.
pub fn first_bytes(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = mask_credentials(&text[..end]);
    if end < text.len() {
        out.push('…');
    }
    out
}

/// Blanks what looks like a credential in text a server sent: a JWT, an `sk-` key, the value
/// after `Bearer` or `Authorization:`, and any long opaque token (32+ letters, digits, `-_.`).
pub fn mask_credentials(text: &str) -> String {
    mask(text, &[], Mode::ServerText)
}

/// Blanks credentials in a doctor report the help desk will paste into a ticket: `secrets` by
/// value (the run's own keys and tokens), JWTs, `sk-` keys, `Bearer` values and — unless
/// `keep_upn` — the local part of anything shaped like `user@domain` (domains stay: they tell the
/// tenant). Long opaque words stay: a report's tenant and subscription ids and a CA's PEM lines
/// are what the help desk needs.
pub fn mask_report_text(text: &str, secrets: &[String], keep_upn: bool) -> String {
    mask(text, secrets, Mode::Report { keep_upn })
}

/// The two maskers differ only in what else they blank besides the shared credential shapes.
#[derive(Clone, Copy)]
enum Mode {
    ServerText,
    Report { keep_upn: bool },
}

/// The one word classifier every masker uses.
fn is_credential(core: &str, after_bearer: bool) -> bool {
    (after_bearer && !core.is_empty())
        || (core.starts_with("eyJ") && (core.len() >= 16 || core.matches('.').count() >= 2))
        || (core.starts_with("sk-") && core.len() > 8)
}

fn mask(text: &str, secrets: &[String], mode: Mode) -> String {
    const SEPARATORS: &str = "\"'(),;<>";
    let mut out = text.to_string();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(s.as_str(), "***");
    }
    let mut words: Vec<String> = Vec::new();
    let mut after_bearer = false;
    for word in out.split_inclusive(|c: char| c.is_whitespace() || SEPARATORS.contains(c)) {
        let core = word.trim_end_matches(|c: char| c.is_whitespace() || SEPARATORS.contains(c));
        let tail = &word[core.len()..];
        let opaque = core.len() >= 32 && core.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        let replaced = match mode {
            _ if is_credential(core, after_bearer) => format!("***{tail}"),
            Mode::ServerText if opaque => format!("***{tail}"),
            Mode::Report { keep_upn: false } if looks_like_upn(core) => {
                let (_, domain) = core.split_once('@').unwrap_or(("", core));
                format!("***@{domain}{tail}")
            }
            _ => word.to_string(),
        };
        after_bearer = core.eq_ignore_ascii_case("bearer") || core.eq_ignore_ascii_case("authorization:");
        words.push(replaced);
    }
    words.concat()
}

fn looks_like_upn(word: &str) -> bool {
    let Some((local, domain)) = word.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && local.chars().all(|c| c.is_alphanumeric() || "._-+".contains(c))
        && domain.chars().all(|c| c.is_alphanumeric() || ".-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_cuts() {
        assert_eq!(mask_credentials("Bearer eyJhbGciOi.x.y ok"), "Bearer *** ok");
        assert_eq!(mask_credentials("key sk-abc123 done"), "key *** done");
        assert_eq!(first_bytes("héllo", 2), "h…");
        assert_eq!(mask_credentials("id (0123456789abcdef0123456789abcdef)"), "id (***)", "a long opaque token in server text");
    }

    #[test]
    fn a_report_keeps_ids_and_pem_lines_but_not_tokens_or_user_names() {
        let t = "token sbx-token.abc123 for dev@sandbox.example via Bearer xyz at sandbox-ai.services.ai.azure.com; eyJa.b.c.defghijklmn sk-abcdefgh1234";
        let s = mask_report_text(t, &["sbx-token.abc123".into()], false);
        assert_eq!(s, "token *** for ***@sandbox.example via Bearer *** at sandbox-ai.services.ai.azure.com; *** ***");
        assert!(mask_report_text(t, &[], true).contains("dev@sandbox.example"));
        let id = "subscription 0b1f6471-1bf0-4dda-aec3-111122223333 MIIBkTCB+wIJAKHBfpegPjMCMA0GCSqGSIb3DQEBCwUAMBExDzANBgNVBAMMBnNhbmRi";
        assert_eq!(mask_report_text(id, &[], false), id);
    }
}
