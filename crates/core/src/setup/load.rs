//! Loading the config the same way in both faces: the file (or the sandbox's), the org policy
//! under it, and — for a sandbox config — whether its sandbox still answers.

use super::SetupError;
use crate::config::{self, Config, ConfigLocation, LoadedConfig};
use std::time::Duration;

/// The effective config at `location`; a sandbox config whose sandbox has stopped is refused
/// (its ports are gone, and every later step would fail with a network error instead).
pub async fn load_live(location: &ConfigLocation) -> Result<LoadedConfig, SetupError> {
    let loaded = config::load_effective(location)?;
    if loaded.config.is_sandbox() && !sandbox_answers(&loaded.config).await {
        return Err(SetupError::SandboxGone { path: loaded.path });
    }
    Ok(loaded)
}

/// Whether the sandbox a config points at is still answering (a sandbox killed mid-run leaves a
/// config behind). Loopback only, 500 ms at most.
pub async fn sandbox_answers(config: &Config) -> bool {
    let Ok(url) = url::Url::parse(&config.azure.arm_url) else { return false };
    let (Some(url::Host::Ipv4(ip)), Some(port)) = (url.host(), url.port_or_known_default()) else { return false };
    if !ip.is_loopback() {
        return false;
    }
    matches!(tokio::time::timeout(Duration::from_millis(500), tokio::net::TcpStream::connect((ip, port))).await, Ok(Ok(_)))
}
