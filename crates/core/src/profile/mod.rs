//! The Claude Code profile: exactly the variables Claude Code reads for Foundry (PRODUCT.md §6,
//! facts/claude-code.md), written into each shell's rc file as a managed block and into Claude
//! Code's own settings file — atomically, through symlinks, and removable byte for byte.

mod apply;
pub mod block;
pub mod effective;
mod error;
mod file_action;
mod files;
mod home;
pub mod render;
mod settings_json;
mod spec;
pub mod verify;
pub mod windows_env;
mod write_lock;

pub use apply::{ProfileOutcome, ProfilePreview, default_targets, preview, verify_written, write_and_verify, write_and_verify_holding};
pub use error::ProfileError;
pub use file_action::FileAction;
pub use files::{FileChange, Planned, plan, remove, write};
pub use home::ProfileHome;
pub use render::Target;
pub use spec::{AuthMode, EnvEntry, EnvValue, FOUNDRY_API_KEY, GATEWAY_KEY, MANAGED_VARIABLES, ProfileSpec};
pub use write_lock::WriteLock;
