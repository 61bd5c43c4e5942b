//! The managed block: our lines between two marker lines (the `conda init` convention), found,
//! replaced and removed on raw bytes so that everything outside it — invalid UTF-8, CRLF, a
//! missing final newline — survives exactly.

pub const BEGIN: &str = "# >>> foundry-onboard >>>";
pub const END: &str = "# <<< foundry-onboard <<<";
pub const HOW_TO_REMOVE: &str = "# Managed by Foundry Onboard; remove with `foundry-onboard profile remove`. Edits inside are overwritten.";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    #[error("the file has two foundry-onboard blocks (begin markers on lines {first} and {second})")]
    TwoBlocks { first: usize, second: usize },
    #[error("line {line} opens a foundry-onboard block that is never closed")]
    Unclosed { line: usize },
    #[error("line {line} closes a foundry-onboard block that was never opened")]
    Unopened { line: usize },
}

/// Where the block sits in the file: `start..end` covers the begin line through the end line's
/// newline (if any).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// Splits into lines keeping their terminators: (start offset, line content without "\r\n"/"\n").
fn lines(bytes: &[u8]) -> impl Iterator<Item = (usize, usize, &[u8])> {
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        let end = bytes[start..].iter().position(|b| *b == b'\n').map(|i| start + i + 1).unwrap_or(bytes.len());
        pos = end;
        let mut content = &bytes[start..end];
        if content.ends_with(b"\n") {
            content = &content[..content.len() - 1];
        }
        if content.ends_with(b"\r") {
            content = &content[..content.len() - 1];
        }
        Some((start, end, content))
    })
}

/// Finds our block; `Ok(None)` when there is none.
pub fn find(bytes: &[u8]) -> Result<Option<Span>, BlockError> {
    let mut open: Option<(usize, usize)> = None; // (line number, start)
    let mut found: Option<(usize, Span)> = None;
    for (n, (start, end, content)) in lines(bytes).enumerate() {
        let line = n + 1;
        if content == BEGIN.as_bytes() {
            if let Some((first, _)) = open {
                return Err(BlockError::Unclosed { line: first });
            }
            if let Some((first, _)) = found {
                return Err(BlockError::TwoBlocks { first, second: line });
            }
            open = Some((line, start));
        } else if content == END.as_bytes() {
            match open.take() {
                Some((first, s)) => found = Some((first, Span { start: s, end })),
                None => return Err(BlockError::Unopened { line }),
            }
        }
    }
    if let Some((line, _)) = open {
        return Err(BlockError::Unclosed { line });
    }
    Ok(found.map(|(_, s)| s))
}

/// Whether the file mostly uses CRLF line endings (then the block does too).
pub fn uses_crlf(bytes: &[u8]) -> bool {
    let lf = bytes.iter().filter(|b| **b == b'\n').count();
    let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
    lf > 0 && crlf * 2 > lf
}

/// The block's bytes for `body` lines, with the file's line ending.
pub fn render(body: &[String], crlf: bool) -> Vec<u8> {
    let nl = if crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    for line in std::iter::once(BEGIN).chain(std::iter::once(HOW_TO_REMOVE)).chain(body.iter().map(String::as_str)).chain(std::iter::once(END)) {
        out.push_str(line);
        out.push_str(nl);
    }
    out.into_bytes()
}

/// The result of putting a block into a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inserted {
    pub bytes: Vec<u8>,
    /// The line break added before the block because the file did not end with one ("" if none).
    pub added_newline: Vec<u8>,
}

/// Replaces our block in place, or appends it at the end. `crlf_allowed`: whether the block may
/// follow a CRLF file's line endings (PowerShell); POSIX shells and fish read a `\r` as part of
/// the value, so their block is always LF.
pub fn upsert(original: &[u8], body: &[String], crlf_allowed: bool) -> Result<Inserted, BlockError> {
    let crlf = crlf_allowed && uses_crlf(original);
    let block = render(body, crlf);
    match find(original)? {
        Some(span) => {
            let mut out = Vec::with_capacity(original.len() + block.len());
            out.extend_from_slice(&original[..span.start]);
            out.extend_from_slice(&block);
            // the old block may have been the last line without a newline: keep the rest as is
            out.extend_from_slice(&original[span.end..]);
            Ok(Inserted { bytes: out, added_newline: Vec::new() })
        }
        None => {
            let mut out = original.to_vec();
            let added_newline: Vec<u8> =
                if !original.is_empty() && !original.ends_with(b"\n") { if crlf { b"\r\n".to_vec() } else { b"\n".to_vec() } } else { Vec::new() };
            out.extend_from_slice(&added_newline);
            out.extend_from_slice(&block);
            Ok(Inserted { bytes: out, added_newline })
        }
    }
}

/// Removes our block, and the exact line break we added before it on first write (if the block
/// is still last).
pub fn remove(current: &[u8], added_newline: &[u8]) -> Result<Option<Vec<u8>>, BlockError> {
    let Some(span) = find(current)? else { return Ok(None) };
    let mut start = span.start;
    if !added_newline.is_empty() && span.end == current.len() && current[..start].ends_with(added_newline) {
        start -= added_newline.len();
    }
    let mut out = current[..start].to_vec();
    out.extend_from_slice(&current[span.end..]);
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body() -> Vec<String> {
        vec!["export A='1'".into(), "export B='two words'".into()]
    }

    #[test]
    fn write_twice_equals_write_once_and_remove_restores() {
        for original in [&b""[..], b"alias ll='ls -l'\n", b"no final newline", b"crlf\r\nfile\r\n", b"\xff\xfe invalid utf8\n"] {
            let once = upsert(original, &body(), true).unwrap();
            let twice = upsert(&once.bytes, &body(), true).unwrap();
            assert_eq!(once.bytes, twice.bytes, "{original:?}");
            let removed = remove(&twice.bytes, &once.added_newline).unwrap().unwrap();
            assert_eq!(removed, original, "{original:?}");
        }
    }

    #[test]
    fn replaces_in_place_keeping_what_follows() {
        let original = b"before\n# >>> foundry-onboard >>>\nold\n# <<< foundry-onboard <<<\nafter\n";
        let out = upsert(original, &body(), false).unwrap();
        let text = String::from_utf8(out.bytes).unwrap();
        assert!(text.starts_with("before\n# >>> foundry-onboard >>>\n"));
        assert!(text.ends_with("# <<< foundry-onboard <<<\nafter\n"));
        assert!(!text.contains("old"));
    }

    #[test]
    fn crlf_files_get_a_crlf_block_only_where_the_shell_allows_it() {
        let out = upsert(b"a\r\nb\r\n", &body(), true).unwrap();
        assert!(out.bytes.ends_with(b"# <<< foundry-onboard <<<\r\n"));
        assert!(!String::from_utf8_lossy(&out.bytes).replace("\r\n", "").contains('\n'));
        let out = upsert(b"a\r\nno newline", &body(), false).unwrap();
        assert!(out.bytes.starts_with(b"a\r\nno newline\n# >>>"));
        assert!(!out.bytes[b"a\r\n".len()..].contains(&b'\r'));
    }

    #[test]
    fn broken_markers_name_the_lines() {
        let two = b"# >>> foundry-onboard >>>\n# <<< foundry-onboard <<<\nx\n# >>> foundry-onboard >>>\n# <<< foundry-onboard <<<\n";
        assert_eq!(find(two), Err(BlockError::TwoBlocks { first: 1, second: 4 }));
        assert_eq!(find(b"x\ny\n# >>> foundry-onboard >>>\n"), Err(BlockError::Unclosed { line: 3 }));
        assert_eq!(find(b"# <<< foundry-onboard <<<\n"), Err(BlockError::Unopened { line: 1 }));
        // look-alikes are not markers
        assert_eq!(find(b"  # >>> foundry-onboard >>>\n# >>> foundry-onboard >>> x\n").unwrap(), None);
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        /// Lines that look like ours but are not: what a user's rc may contain.
        fn line() -> impl Strategy<Value = Vec<u8>> {
            prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..80),
                Just(b"# >>> foundry-onboard >>> (old)".to_vec()),
                Just(b"  # <<< foundry-onboard <<<".to_vec()),
                Just(b"# >>> conda initialize >>>".to_vec()),
                Just(b"export PATH=\"$HOME/bin:$PATH\"".to_vec()),
            ]
        }

        fn file() -> impl Strategy<Value = Vec<u8>> {
            (proptest::collection::vec(line(), 0..40), any::<bool>(), any::<bool>()).prop_map(|(lines, crlf, final_nl)| {
                let nl: &[u8] = if crlf { b"\r\n" } else { b"\n" };
                let mut out = Vec::new();
                for (i, l) in lines.iter().enumerate() {
                    // a random line must not contain a real line break that forms an exact marker
                    let l: Vec<u8> = l.iter().map(|b| if *b == b'\n' { b' ' } else { *b }).collect();
                    out.extend_from_slice(&l);
                    if i + 1 < lines.len() || final_nl {
                        out.extend_from_slice(nl);
                    }
                }
                out
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(3000))]
            #[test]
            fn write_write_remove_loses_nothing(original in file(), pwsh in any::<bool>()) {
                prop_assume!(find(&original).map(|s| s.is_none()).unwrap_or(false));
                let body = vec!["export A='1'".to_string()];
                let once = upsert(&original, &body, pwsh).unwrap();
                prop_assert!(once.bytes.starts_with(&original));
                let twice = upsert(&once.bytes, &body, pwsh).unwrap();
                prop_assert_eq!(&once.bytes, &twice.bytes);
                let removed = remove(&twice.bytes, &once.added_newline).unwrap().unwrap();
                prop_assert_eq!(removed, original);
            }
        }

        #[test]
        fn five_megabyte_files() {
            let mut big: Vec<u8> = (0..5_000_000u32).map(|i| if i % 97 == 0 { b'\n' } else { b'a' + (i % 26) as u8 }).collect();
            big.extend_from_slice(b"no final newline");
            let body = vec!["export A='1'".to_string()];
            let once = upsert(&big, &body, false).unwrap();
            assert_eq!(remove(&once.bytes, &once.added_newline).unwrap().unwrap(), big);
        }
    }
}
