//! The transcript index over real files in a temp dir: unchanged files are not read again, an
//! appended file only from its offset, a truncated or rewritten one from the start, a deleted one
//! forgotten — and a message found in two files is counted once by the local source.

use super::*;
use crate::config::Usage;
use crate::usage::RefreshRequest;
use crate::usage::local::LocalSource;
use chrono::TimeZone;
use serde_json::json;

fn line(id: &str, input: u64) -> String {
    json!({"type": "assistant", "timestamp": "2026-11-23T10:00:00.000Z", "requestId": format!("req_{id}"),
           "message": {"id": id, "model": "claude-sonnet-4-5", "content": [{"type": "text", "text": "ok"}],
                       "usage": {"input_tokens": input, "output_tokens": 1, "cache_read_input_tokens": 0, "cache_creation_input_tokens": 0}}})
    .to_string()
        + "\n"
}

fn inputs(index: &TranscriptIndex, file: &Path) -> Vec<u64> {
    index.files[file].records.iter().map(|r| r.tokens[0]).collect()
}

#[test]
fn an_unchanged_file_is_not_read_again_and_an_appended_one_only_from_its_offset() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a.jsonl");
    let first = line("m1", 10) + "{\"type\":\"user\",\"message\":{\"content\":\"hi\"}}\n";
    std::fs::write(&file, &first).unwrap();
    let mut index = TranscriptIndex::default();
    let u = index.update(std::slice::from_ref(&file));
    assert_eq!((u.read, u.bytes), (1, first.len() as u64));
    assert_eq!(inputs(&index, &file), vec![10]);

    let stored = dir.path().join("state/index.json");
    index.store(&stored);
    let mut index = TranscriptIndex::load(&stored);
    let u = index.update(std::slice::from_ref(&file));
    assert_eq!((u.read, u.bytes, u.changed()), (0, 0, false), "served from the index on disk");

    // Appended, the last line still being written (no newline yet, not whole JSON).
    let appended = line("m2", 20);
    let half = &line("m3", 30)[..40];
    std::fs::write(&file, format!("{first}{appended}{half}")).unwrap();
    let u = index.update(std::slice::from_ref(&file));
    assert_eq!((u.read, u.bytes), (1, (appended.len() + half.len()) as u64), "only what was appended is read");
    assert_eq!(inputs(&index, &file), vec![10, 20], "the half-written line waits");
    assert_eq!(index.files[&file].offset, (first.len() + appended.len()) as u64);

    std::fs::write(&file, format!("{first}{appended}{}", line("m3", 30))).unwrap();
    index.update(std::slice::from_ref(&file));
    assert_eq!(inputs(&index, &file), vec![10, 20, 30], "finished: read from the offset");
}

#[test]
fn a_truncated_or_rewritten_file_is_read_from_the_start_and_a_deleted_one_forgotten() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.jsonl"), dir.path().join("b.jsonl"));
    std::fs::write(&a, line("m1", 10) + &line("m2", 20)).unwrap();
    std::fs::write(&b, line("m9", 90)).unwrap();
    let mut index = TranscriptIndex::default();
    index.update(&[a.clone(), b.clone()]);
    assert_eq!(inputs(&index, &a), vec![10, 20]);

    std::fs::write(&a, line("m5", 50)).unwrap();
    let u = index.update(&[a.clone(), b.clone()]);
    assert_eq!((u.read, inputs(&index, &a)), (1, vec![50]), "shrunk: read again, the old messages gone");

    // Rewritten, longer than before: the bytes before the old offset differ.
    let rewritten = line("m6", 60) + &line("m7", 70) + &line("m8", 80);
    std::fs::write(&a, &rewritten).unwrap();
    let u = index.update(&[a.clone(), b.clone()]);
    assert_eq!(u.bytes, rewritten.len() as u64);
    assert_eq!(inputs(&index, &a), vec![60, 70, 80], "not appended to: read from the start");

    std::fs::remove_file(&b).unwrap();
    let u = index.update(std::slice::from_ref(&a));
    assert_eq!((u.forgotten, u.changed(), index.files.contains_key(&b)), (1, true, false));
}

#[test]
fn the_same_message_in_two_files_counts_once_and_the_second_read_comes_from_the_index() {
    let home = tempfile::tempdir().unwrap();
    let projects = home.path().join(".claude/projects/-work-repo");
    std::fs::create_dir_all(&projects).unwrap();
    // A resumed session copies the earlier messages into its new file.
    std::fs::write(projects.join("s1.jsonl"), line("m1", 100) + &line("m2", 200)).unwrap();
    std::fs::write(projects.join("s2.jsonl"), line("m1", 100) + &line("m2", 200) + &line("m3", 300)).unwrap();
    let index_file = home.path().join(".local/state/foundry-onboard/usage-transcripts.json");
    let source = LocalSource::new(home.path(), None, &Usage::default()).with_index(Some(index_file.clone()));
    let request = RefreshRequest { as_of: Utc.with_ymd_and_hms(2026, 11, 24, 18, 0, 0).unwrap(), days: 30 };
    let s = source.read(&request).unwrap();
    let totals: Vec<(u64, u64)> = s.rows.iter().map(|r| (r.input_tokens, r.requests)).collect();
    assert_eq!(totals, vec![(600, 3)], "m1 and m2 once each");
    assert!(index_file.exists());

    let before = std::fs::metadata(&index_file).unwrap().modified().unwrap();
    let again = source.read(&request).unwrap();
    assert_eq!(again.rows, s.rows, "the index gives the same rows");
    assert_eq!(std::fs::metadata(&index_file).unwrap().modified().unwrap(), before, "nothing new: the index is not rewritten");
    let text = std::fs::read_to_string(&index_file).unwrap();
    assert!(!text.contains("\"m1\"") && !text.contains("req_"), "message ids are kept as hashes only");
}
