//! The jobs both faces run, each written once: the CLI builds its input from flags, the app from
//! the wizard, `setup` from the org policy — and all call these, so validation,
//! confirmations, locking and derived values cannot drift between them.

pub mod choice;
mod decided;
mod error;
mod load;
mod profile;
pub mod rollout;
mod trust;

pub use choice::{Choice, ChoiceError, EndpointChoice, GatewayChoice, ModelChoice};
pub use decided::{Ask, Decided, DecidedBy, DecidedEndpoint, EndpointDecision, Found, LoginDecision, TierDecision, decided, policy_choice};
pub use error::SetupError;
pub use load::{load_live, sandbox_answers};
pub use profile::{ProfileJob, dry_run, remove_profile, save_choice, write_profile};
pub use trust::{TrustError, trust_offered_ca};
