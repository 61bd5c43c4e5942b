//! Shortening what a server sent before it reaches a message or a report: the first bytes only,
//! on a character boundary, with anything that looks like a credential blanked.

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

/// Blanks bearer tokens, `sk-…` keys and JWTs.
pub fn mask_credentials(text: &str) -> String {
    text.split_inclusive(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        .map(|word| {
            let core = word.trim_end_matches(|c: char| c.is_whitespace() || c == '"' || c == '\'');
            let tail = &word[core.len()..];
            let looks_secret = core.starts_with("sk-")
                || core.starts_with("eyJ")
                || (core.len() >= 32 && core.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)));
            if looks_secret { format!("***{tail}") } else { word.to_string() }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_cuts() {
        assert_eq!(mask_credentials("Bearer eyJhbGciOi.x.y ok"), "Bearer *** ok");
        assert_eq!(mask_credentials("key sk-abc123 done"), "key *** done");
        assert_eq!(first_bytes("héllo", 2), "h…");
    }
}
