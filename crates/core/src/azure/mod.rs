//! Azure sign-in and discovery: the real `az` (found, judged, walked through `az login`), tokens
//! from `azure_identity` that never hang and are cached, and ARM discovery of the Claude
//! deployments a developer can use.

pub mod aadsts;
pub mod az;
pub mod discovery;
mod error;
pub mod login;
pub mod names;
pub mod session;
pub mod token;

pub use error::AzError;

pub use names::{ARM_SCOPE, COGNITIVE_SCOPE};

/// The ARM scope for a config's ARM URL (the sandbox's audience is its own URL).
pub fn arm_scope(config: &crate::config::Config) -> String {
    if config.azure.arm_url.trim_end_matches('/') == names::ARM_URL {
        ARM_SCOPE.to_string()
    } else {
        format!("{}//.default", config.azure.arm_url.trim_end_matches('/'))
    }
}
