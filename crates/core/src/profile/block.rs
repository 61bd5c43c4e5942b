//! The managed block: our lines between two marker lines (the `conda init` convention), found,
//! replaced and removed on raw bytes so that everything outside it — invalid UTF-8, CRLF, a
//! missing final newline — survives exactly.

pub const BEGIN: &str = "# >>> foundry-onboard >>>";
pub const END: &str = "# <<< foundry-onboard <<<";
/// The line after [`BEGIN`] that makes a block ours: the id our state recorded for the file.
pub const ID_PREFIX: &str = "# foundry-onboard block ";
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

/// Which block in a file is ours. Marker lines alone prove nothing — a heredoc or a copied
/// snippet can hold them — so a block is ours only when our state says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owned<'a> {
    /// We never wrote this file (or our state is gone): no block in it is ours.
    None,
    /// We wrote it before blocks carried an id: the one id-less block between exact markers.
    Legacy,
    /// The block whose line after [`BEGIN`] is [`ID_PREFIX`] + this id.
    Id(&'a str),
}

/// A fresh block id: 16 hex digits, random per file.
pub fn new_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default());
    h.write_u32(std::process::id());
    format!("{:016x}", h.finish())
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
pub fn find(bytes: &[u8], owned: Owned) -> Result<Option<Span>, BlockError> {
    match owned {
        Owned::None => Ok(None),
        Owned::Legacy => find_legacy(bytes),
        Owned::Id(id) => find_with_id(bytes, id),
    }
}

/// The previous release's rule: every exact marker line counts.
fn find_legacy(bytes: &[u8]) -> Result<Option<Span>, BlockError> {
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

/// Only a [`BEGIN`] line followed by our id line opens the block; the first [`END`] after it
/// closes it. Marker lines anywhere else are the user's text.
fn find_with_id(bytes: &[u8], id: &str) -> Result<Option<Span>, BlockError> {
    let id_line = format!("{ID_PREFIX}{id}");
    let all: Vec<(usize, usize, &[u8])> = lines(bytes).collect();
    let opens = |i: usize| all[i].2 == BEGIN.as_bytes() && all.get(i + 1).is_some_and(|next| next.2 == id_line.as_bytes());
    let mut found: Option<(usize, Span)> = None;
    let mut i = 0;
    while i < all.len() {
        if !opens(i) {
            i += 1;
            continue;
        }
        let line = i + 1;
        if let Some((first, _)) = found {
            return Err(BlockError::TwoBlocks { first, second: line });
        }
        let mut j = i + 2;
        loop {
            let Some(l) = all.get(j) else { return Err(BlockError::Unclosed { line }) };
            if opens(j) {
                return Err(BlockError::Unclosed { line });
            }
            if l.2 == END.as_bytes() {
                found = Some((line, Span { start: all[i].0, end: l.1 }));
                break;
            }
            j += 1;
        }
        i = j + 1;
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
pub fn render(body: &[String], crlf: bool, id: &str) -> Vec<u8> {
    let nl = if crlf { "\r\n" } else { "\n" };
    let id_line = format!("{ID_PREFIX}{id}");
    let mut out = String::new();
    for line in [BEGIN, &id_line, HOW_TO_REMOVE].into_iter().chain(body.iter().map(String::as_str)).chain(std::iter::once(END)) {
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
    /// Whether the block is new (appended) rather than replaced in place: then `added_newline`
    /// is what a later `remove` must take away, whatever an earlier write recorded.
    pub appended: bool,
}

/// Replaces our block in place, or appends it (carrying `id`) at the end. `crlf_allowed`: whether
/// the block may follow a CRLF file's line endings (PowerShell); POSIX shells and fish read a
/// `\r` as part of the value, so their block is always LF.
pub fn upsert(original: &[u8], body: &[String], crlf_allowed: bool, owned: Owned, id: &str) -> Result<Inserted, BlockError> {
    let crlf = crlf_allowed && uses_crlf(original);
    let block = render(body, crlf, id);
    match find(original, owned)? {
        Some(span) => {
            let mut out = Vec::with_capacity(original.len() + block.len());
            out.extend_from_slice(&original[..span.start]);
            out.extend_from_slice(&block);
            // the old block may have been the last line without a newline: keep the rest as is
            out.extend_from_slice(&original[span.end..]);
            Ok(Inserted { bytes: out, added_newline: Vec::new(), appended: false })
        }
        None => {
            let mut out = original.to_vec();
            let added_newline: Vec<u8> =
                if !original.is_empty() && !original.ends_with(b"\n") { if crlf { b"\r\n".to_vec() } else { b"\n".to_vec() } } else { Vec::new() };
            out.extend_from_slice(&added_newline);
            out.extend_from_slice(&block);
            Ok(Inserted { bytes: out, added_newline, appended: true })
        }
    }
}

/// Removes our block, and the exact line break we added before it on first write (if the block
/// is still last).
pub fn remove(current: &[u8], added_newline: &[u8], owned: Owned) -> Result<Option<Vec<u8>>, BlockError> {
    let Some(span) = find(current, owned)? else { return Ok(None) };
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

    const ID: &str = "0123456789abcdef";

    fn body() -> Vec<String> {
        vec!["export A='1'".into(), "export B='two words'".into()]
    }

    #[test]
    fn write_twice_equals_write_once_and_remove_restores() {
        for original in [&b""[..], b"alias ll='ls -l'\n", b"no final newline", b"crlf\r\nfile\r\n", b"\xff\xfe invalid utf8\n"] {
            let once = upsert(original, &body(), true, Owned::None, ID).unwrap();
            assert!(once.appended);
            let twice = upsert(&once.bytes, &body(), true, Owned::Id(ID), ID).unwrap();
            assert!(!twice.appended);
            assert_eq!(once.bytes, twice.bytes, "{original:?}");
            let removed = remove(&twice.bytes, &once.added_newline, Owned::Id(ID)).unwrap().unwrap();
            assert_eq!(removed, original, "{original:?}");
        }
    }

    #[test]
    fn replaces_a_previous_release_block_in_place_keeping_what_follows() {
        let original = b"before\n# >>> foundry-onboard >>>\nold\n# <<< foundry-onboard <<<\nafter\n";
        let out = upsert(original, &body(), false, Owned::Legacy, ID).unwrap();
        let text = String::from_utf8(out.bytes).unwrap();
        assert!(text.starts_with("before\n# >>> foundry-onboard >>>\n# foundry-onboard block 0123456789abcdef\n"), "{text}");
        assert!(text.ends_with("# <<< foundry-onboard <<<\nafter\n"));
        assert!(!text.contains("old"));
        assert_eq!(find(text.as_bytes(), Owned::Id(ID)).unwrap().map(|s| s.start), Some(7));
    }

    #[test]
    fn crlf_files_get_a_crlf_block_only_where_the_shell_allows_it() {
        let out = upsert(b"a\r\nb\r\n", &body(), true, Owned::None, ID).unwrap();
        assert!(out.bytes.ends_with(b"# <<< foundry-onboard <<<\r\n"));
        assert!(!String::from_utf8_lossy(&out.bytes).replace("\r\n", "").contains('\n'));
        let out = upsert(b"a\r\nno newline", &body(), false, Owned::None, ID).unwrap();
        assert!(out.bytes.starts_with(b"a\r\nno newline\n# >>>"));
        assert!(!out.bytes[b"a\r\n".len()..].contains(&b'\r'));
    }

    #[test]
    fn broken_markers_name_the_lines() {
        let two = b"# >>> foundry-onboard >>>\n# <<< foundry-onboard <<<\nx\n# >>> foundry-onboard >>>\n# <<< foundry-onboard <<<\n";
        assert_eq!(find(two, Owned::Legacy), Err(BlockError::TwoBlocks { first: 1, second: 4 }));
        assert_eq!(find(b"x\ny\n# >>> foundry-onboard >>>\n", Owned::Legacy), Err(BlockError::Unclosed { line: 3 }));
        assert_eq!(find(b"# <<< foundry-onboard <<<\n", Owned::Legacy), Err(BlockError::Unopened { line: 1 }));
        // look-alikes are not markers
        assert_eq!(find(b"  # >>> foundry-onboard >>>\n# >>> foundry-onboard >>> x\n", Owned::Legacy).unwrap(), None);
        // our own block, copied twice or cut short
        let ours = String::from_utf8(render(&body(), false, ID)).unwrap();
        assert_eq!(find(format!("{ours}x\n{ours}").as_bytes(), Owned::Id(ID)), Err(BlockError::TwoBlocks { first: 1, second: 8 }));
        let cut = ours.replace("# <<< foundry-onboard <<<\n", "");
        assert_eq!(find(format!("a\n{cut}").as_bytes(), Owned::Id(ID)), Err(BlockError::Unclosed { line: 2 }));
    }

    #[test]
    fn finding_11_exact_markers_in_a_heredoc_are_the_users_text_not_our_block() {
        let heredoc: &[u8] = b"cat > ~/snippet.sh <<'EOF'\n# >>> foundry-onboard >>>\nexport MINE=1\n# <<< foundry-onboard <<<\nEOF\n";
        // a file we never wrote: nothing in it is ours, the block is appended after it
        assert_eq!(find(heredoc, Owned::None).unwrap(), None);
        let once = upsert(heredoc, &body(), false, Owned::None, ID).unwrap();
        assert!(once.bytes.starts_with(heredoc) && once.appended);
        // written again and removed: the user's marker lines and their `export MINE=1` stay
        let twice = upsert(&once.bytes, &body(), false, Owned::Id(ID), ID).unwrap();
        assert_eq!(twice.bytes, once.bytes);
        assert_eq!(remove(&twice.bytes, &once.added_newline, Owned::Id(ID)).unwrap().unwrap(), heredoc);
        // the heredoc after our block, too (a stray END no longer counts either)
        let after = [&once.bytes[..], b"echo '# <<< foundry-onboard <<<'\n# <<< foundry-onboard <<<\n"].concat();
        let back = remove(&after, b"", Owned::Id(ID)).unwrap().unwrap();
        assert_eq!(back, [heredoc, b"echo '# <<< foundry-onboard <<<'\n# <<< foundry-onboard <<<\n"].concat());
        // another id (someone else's copy of a block) is not ours
        let other = render(&body(), false, "ffffffffffffffff");
        assert_eq!(find(&other, Owned::Id(ID)).unwrap(), None);
    }

    #[test]
    fn new_ids_differ() {
        let (a, b) = (new_id(), new_id());
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
    }

    mod properties {
        use super::super::*;
        use super::ID;
        use proptest::prelude::*;

        /// `PROPTEST_CASES` for a long run on demand (`make fuzz`), else a CI-sized default.
        fn cases(default: u32) -> u32 {
            std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
        }

        /// Lines a hostile or merely unusual rc file may contain: our exact markers (a heredoc
        /// or a pasted snippet), look-alikes, another block's id, stray CRs, invalid UTF-8, and
        /// now and then a huge line.
        fn line() -> impl Strategy<Value = Vec<u8>> {
            prop_oneof![
                30 => proptest::collection::vec(any::<u8>(), 0..80),
                2 => Just(BEGIN.as_bytes().to_vec()),
                2 => Just(END.as_bytes().to_vec()),
                1 => Just(format!("{ID_PREFIX}ffffffffffffffff").into_bytes()),
                1 => Just(format!("{ID_PREFIX}{ID} (a copy in a comment)").into_bytes()),
                1 => Just(HOW_TO_REMOVE.as_bytes().to_vec()),
                1 => Just(b"cat <<'EOF'".to_vec()),
                1 => Just(b"EOF".to_vec()),
                1 => Just(b"# >>> foundry-onboard >>> (old)".to_vec()),
                1 => Just(b"  # <<< foundry-onboard <<<".to_vec()),
                1 => Just(b"# >>> foundry-onboard >>>\r\r".to_vec()),
                1 => Just(b"# >>> conda initialize >>>".to_vec()),
                1 => Just(b"\xff\xfe\x00 not utf-8 \xc3\x28".to_vec()),
                1 => (any::<u8>(), 10_000..70_000usize).prop_map(|(b, n)| vec![if b == b'\n' { b'x' } else { b }; n]),
            ]
        }

        fn file() -> impl Strategy<Value = Vec<u8>> {
            (proptest::collection::vec((line(), any::<bool>()), 0..40), any::<bool>()).prop_map(|(lines, final_nl)| {
                let mut out = Vec::new();
                let count = lines.len();
                for (i, (l, crlf)) in lines.into_iter().enumerate() {
                    // a random line must not contain a real line break that forms an exact marker
                    out.extend(l.into_iter().map(|b| if b == b'\n' { b' ' } else { b }));
                    if i + 1 < count || final_nl {
                        out.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
                    }
                }
                out
            })
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(cases(256)))]

            /// The PRODUCT bar: zero bytes lost outside the block, whatever the file holds.
            #[test]
            fn fuzz_block_write_write_remove_loses_nothing(original in file(), pwsh in any::<bool>()) {
                let body = vec!["export A='1'".to_string()];
                let once = upsert(&original, &body, pwsh, Owned::None, ID).unwrap();
                prop_assert!(once.appended);
                prop_assert!(once.bytes.starts_with(&original));
                let twice = upsert(&once.bytes, &body, pwsh, Owned::Id(ID), ID).unwrap();
                prop_assert_eq!(&once.bytes, &twice.bytes);
                let removed = remove(&twice.bytes, &once.added_newline, Owned::Id(ID)).unwrap().unwrap();
                prop_assert_eq!(removed, original);
            }

            /// Arbitrary bytes, read the three ways: never a panic, and an error names a line
            /// that exists.
            #[test]
            fn fuzz_block_reader_never_panics_and_names_real_lines(bytes in prop_oneof![file(), proptest::collection::vec(any::<u8>(), 0..2000)]) {
                let line_count = bytes.split(|b| *b == b'\n').count();
                for owned in [Owned::None, Owned::Legacy, Owned::Id(ID)] {
                    match upsert(&bytes, &["x".to_string()], true, owned, ID) {
                        Ok(ins) => {
                            let back = remove(&ins.bytes, &ins.added_newline, Owned::Id(ID));
                            if ins.appended && owned != Owned::Id(ID) {
                                // appended after text that holds no block of this id: removable exactly
                                prop_assert_eq!(back.unwrap().unwrap(), bytes.clone());
                            }
                        }
                        Err(BlockError::TwoBlocks { first, second }) => prop_assert!(first < second && second <= line_count),
                        Err(BlockError::Unclosed { line } | BlockError::Unopened { line }) => prop_assert!(line >= 1 && line <= line_count),
                    }
                }
            }

            /// A file the previous release wrote (id-less block) upgrades in place, and removing
            /// the upgraded block gives back the user's bytes.
            #[test]
            fn fuzz_block_previous_release_upgrades_and_removes_exactly(original in file()) {
                let text: Vec<u8> = original.split(|b| *b == b'\n').filter(|l| {
                    let l = l.strip_suffix(b"\r").unwrap_or(l);
                    l != BEGIN.as_bytes() && l != END.as_bytes()
                }).collect::<Vec<_>>().join(&b'\n');
                let nl: &[u8] = if text.is_empty() || text.ends_with(b"\n") { b"" } else { b"\n" };
                let legacy = [&text[..], nl, BEGIN.as_bytes(), b"\nexport OLD=1\n", END.as_bytes(), b"\n"].concat();
                let up = upsert(&legacy, &["export A='1'".to_string()], false, Owned::Legacy, ID).unwrap();
                prop_assert!(!up.appended);
                let back = remove(&up.bytes, nl, Owned::Id(ID)).unwrap().unwrap();
                prop_assert_eq!(back, text);
            }
        }

        #[test]
        fn five_megabyte_files() {
            let mut big: Vec<u8> = (0..5_000_000u32).map(|i| if i % 97 == 0 { b'\n' } else { b'a' + (i % 26) as u8 }).collect();
            big.extend_from_slice(b"no final newline");
            let body = vec!["export A='1'".to_string()];
            let once = upsert(&big, &body, false, Owned::None, ID).unwrap();
            assert_eq!(remove(&once.bytes, &once.added_newline, Owned::Id(ID)).unwrap().unwrap(), big);
        }
    }
}
