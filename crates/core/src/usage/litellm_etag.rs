//! `ETag` / `If-None-Match` for the `litellm` source: thousands of developers poll one gateway,
//! and an unchanged answer costs it a 304 instead of a spend query.

use crate::Secret;

/// The `ETag`s the gateway sent this process, with the answers they stand for, by URL and
/// credential (kept in memory only): the next request for the same URL sends `If-None-Match`, and
/// a 304 reuses the answer kept.
#[derive(Default)]
pub(super) struct Validators {
    answers: std::sync::Mutex<std::collections::HashMap<(String, u64), (String, String)>>,
    /// Hashes the credential with a key random to this process, so answers of one key never serve another.
    hasher: std::hash::RandomState,
}

/// How many answers are kept at most (a refresh of a year is under 20 requests).
const MAX_VALIDATORS: usize = 256;

impl Validators {
    pub(super) fn shared() -> &'static Validators {
        static SHARED: std::sync::OnceLock<Validators> = std::sync::OnceLock::new();
        SHARED.get_or_init(Validators::default)
    }

    fn key(&self, url: &str, credential: &Secret) -> (String, u64) {
        (url.to_string(), std::hash::BuildHasher::hash_one(&self.hasher, credential.expose()))
    }

    pub(super) fn get(&self, url: &str, credential: &Secret) -> Option<(String, String)> {
        // A panic while holding the lock cannot leave the map inconsistent: take it anyway.
        self.answers.lock().unwrap_or_else(|e| e.into_inner()).get(&self.key(url, credential)).cloned()
    }

    pub(super) fn keep(&self, url: &str, credential: &Secret, etag: String, body: &str) {
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        if answers.len() >= MAX_VALIDATORS {
            answers.clear();
        }
        answers.insert(self.key(url, credential), (etag, body.to_string()));
    }
}
