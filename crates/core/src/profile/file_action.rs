//! What writing or removing the profile does to one file, as a type the preview, the CLI and the
//! app's outcome list all spell the same way.

use serde::Serialize;
use std::fmt;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum FileAction {
    /// Written where there was no file.
    Create,
    /// Our block added or brought up to date.
    Update,
    /// Already as planned: not touched.
    Unchanged,
    /// Our block (or our settings keys) taken out.
    Remove,
    /// A file we created, deleted again.
    Delete,
    /// Nothing there to remove from.
    Absent,
}

impl FileAction {
    pub fn word(self) -> &'static str {
        match self {
            FileAction::Create => "create",
            FileAction::Update => "update",
            FileAction::Unchanged => "unchanged",
            FileAction::Remove => "remove",
            FileAction::Delete => "delete",
            FileAction::Absent => "absent",
        }
    }
}

impl fmt::Display for FileAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.word())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_spelled_as_before() {
        for a in [FileAction::Create, FileAction::Update, FileAction::Unchanged, FileAction::Remove, FileAction::Delete, FileAction::Absent] {
            assert_eq!(serde_json::to_string(&a).unwrap(), format!("\"{}\"", a.word()));
        }
        assert_eq!(format!("{:<9}|", FileAction::Create), "create   |");
    }
}
