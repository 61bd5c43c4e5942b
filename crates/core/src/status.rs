//! The one ordered verdict — pass, skip, warn, fail — shared by the doctor's checks, the profile's
//! shell and client checks and its findings, so no face has to translate between spellings.

use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// Ordered from best to worst, so the worst of several is their `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Skip,
    Warn,
    Fail,
}

impl Status {
    /// Every status, best to worst (the order `Ord` gives them).
    pub const ALL: [Status; 4] = [Status::Pass, Status::Skip, Status::Warn, Status::Fail];

    pub fn word(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Warn => "warn",
            Status::Fail => "fail",
            Status::Skip => "skip",
        }
    }

    /// The worst of `statuses`; a pass when there are none.
    pub fn worst(statuses: impl IntoIterator<Item = Status>) -> Status {
        statuses.into_iter().max().unwrap_or(Status::Pass)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.word())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_order_pass_then_skip_then_warn_then_fail() {
        assert!(Status::Pass < Status::Warn && Status::Warn < Status::Fail);
        assert!(Status::Pass < Status::Skip && Status::Skip < Status::Warn);
        assert_eq!(Status::worst([Status::Warn, Status::Pass, Status::Fail, Status::Skip]), Status::Fail);
        assert_eq!(Status::worst([]), Status::Pass);
        assert_eq!(format!("{:<5}|", Status::Fail), "fail |");
        assert_eq!(serde_json::to_string(&Status::Warn).unwrap(), "\"warn\"");
    }
}
