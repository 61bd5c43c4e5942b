//! Foundry Onboard's domain, written once for both faces: the `foundry-onboard` CLI and the
//! `foundry-onboard-gui` desktop app. Nothing here depends on Tauri or any GUI library.

pub mod anthropic;
pub mod atomic_file;
pub mod azure;
pub mod bindings;
pub mod config;
pub mod doctor;
pub mod error;
#[cfg(test)]
mod fuzz;
pub mod keyring;
pub mod limited_read;
pub mod logging;
pub mod net;
pub mod probe;
pub(crate) mod process;
pub mod profile;
pub mod realm;
pub mod redact;
pub mod sandbox_info;
pub mod secret;
pub mod setup;
pub mod status;
pub mod usage;
pub mod views;

pub use error::{Diagnose, ErrorKind, IpcError};
pub use secret::Secret;
pub use status::Status;

/// The version shared by the CLI, the app and every report.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(test)]
mod tests {
    /// The server crates live in `foundry-onboard-sandbox`; the core only ever talks as a client.
    const SERVER_CRATES: [&str; 5] = ["axum", "hyper", "hyper-util", "hickory-server", "rcgen"];

    /// Issue #19: the core's dependency list has no server crates — neither plain, per-target nor
    /// build dependencies (a dev-dependency for a test's own loopback server is allowed).
    #[test]
    fn the_core_depends_on_no_server_crate() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
        let manifest: toml::Table = toml::from_str(&text).unwrap();
        let mut tables: Vec<(String, &toml::Table)> = Vec::new();
        for key in ["dependencies", "build-dependencies"] {
            if let Some(t) = manifest.get(key).and_then(|v| v.as_table()) {
                tables.push((key.to_string(), t));
            }
        }
        for (cfg, target) in manifest.get("target").and_then(|v| v.as_table()).into_iter().flatten() {
            for key in ["dependencies", "build-dependencies"] {
                if let Some(t) = target.get(key).and_then(|v| v.as_table()) {
                    tables.push((format!("target.{cfg}.{key}"), t));
                }
            }
        }
        assert!(tables.iter().any(|(_, t)| t.contains_key("reqwest")), "the manifest was read: {text}");
        for (where_, table) in &tables {
            for (name, spec) in table.iter() {
                // A renamed dependency (`web = { package = "axum" }`) counts under its real name.
                let real = spec.get("package").and_then(|p| p.as_str()).unwrap_or(name);
                assert!(!SERVER_CRATES.contains(&real), "{where_} lists the server crate {real}: it belongs in crates/sandbox");
            }
        }
    }
}
