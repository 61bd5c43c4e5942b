//! Which world a config talks to — Azure itself, or a sandbox on this machine — resolved once
//! from the config, so az, the network layer, profiles, secrets and the doctor ask one value
//! instead of each branching on `config.sandbox` its own way.

use crate::config::Config;
use std::path::{Path, PathBuf};

/// The az cloud a sandbox registers in its private az config dir (its ARM URL is the sandbox's).
pub const SANDBOX_AZ_CLOUD: &str = "FoundryOnboardSandbox";

/// Where a config's commands go, and what follows from that: which az state, which home, which
/// certificates, whether the loopback-only guard is on. Built by [`Realm::of`] (or
/// [`Config::realm`]); the on-disk `[sandbox]` table is what makes a config a sandbox's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Realm {
    /// az's state directory: the sandbox's own `azure/` beside its home, else
    /// `$AZURE_CONFIG_DIR` or `~/.azure`.
    az_config_dir: PathBuf,
    /// `network.extra_ca_file`: trusted in both realms.
    extra_ca_file: Option<PathBuf>,
    sandbox: Option<SandboxRealm>,
}

/// What a sandbox config adds: its own home, its CA, the Foundry name only its DNS resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SandboxRealm {
    home: PathBuf,
    ca_file: PathBuf,
    private_base_url: Option<String>,
}

/// Which certificates a TLS client trusts in a realm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trust<'a> {
    /// The platform's verifier, plus `network.extra_ca_file` when set.
    Platform { extra: Option<&'a Path> },
    /// Only these PEM files (the sandbox CA, then `network.extra_ca_file`): a sandbox never
    /// trusts the public roots, so it cannot be mistaken for a real endpoint.
    Only(Vec<&'a Path>),
}

impl Realm {
    /// The realm of `config`. Reads `$AZURE_CONFIG_DIR` and `$HOME` for a config that is no
    /// sandbox's (az's own defaults), nothing else.
    pub fn of(config: &Config) -> Self {
        let extra_ca_file = config.network.extra_ca_file.clone();
        match &config.sandbox {
            Some(s) => Self {
                az_config_dir: s.home.parent().unwrap_or(&s.home).join("azure"),
                extra_ca_file,
                sandbox: Some(SandboxRealm { home: s.home.clone(), ca_file: s.ca_file.clone(), private_base_url: s.private_base_url.clone() }),
            },
            None => {
                let az_config_dir = match std::env::var_os("AZURE_CONFIG_DIR").filter(|d| !d.is_empty()) {
                    Some(d) => PathBuf::from(d),
                    None => std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default().join(".azure"),
                };
                Self { az_config_dir, extra_ca_file, sandbox: None }
            }
        }
    }

    /// A sandbox's realm (shown as "(sandbox)", its own keyring service).
    pub fn is_sandbox(&self) -> bool {
        self.sandbox.is_some()
    }

    /// In a sandbox's realm, the file its LiteLLM stand-in's key is in (beside its home, where the
    /// sandbox writes it): what the platform team would hand a developer, to paste.
    pub fn sandbox_gateway_key_file(&self) -> Option<PathBuf> {
        self.sandbox.as_ref().map(|s| s.home.parent().unwrap_or(&s.home).join(crate::sandbox_info::GATEWAY_KEY_FILE))
    }

    /// The sandbox guard in [`crate::net`]: every address outside 127.0.0.0/8 and ::1 refused.
    pub fn loopback_only(&self) -> bool {
        self.is_sandbox()
    }

    /// Where az keeps its state for this realm.
    pub fn az_config_dir(&self) -> &Path {
        &self.az_config_dir
    }

    /// What points an `az` — ours, or the one Claude Code runs — at this realm's state and CA:
    /// `REQUESTS_CA_BUNDLE` and `AZURE_CONFIG_DIR` for a sandbox, nothing for Azure (az's own).
    pub fn az_env(&self) -> Vec<(&'static str, String)> {
        match &self.sandbox {
            Some(s) => vec![("REQUESTS_CA_BUNDLE", s.ca_file.display().to_string()), ("AZURE_CONFIG_DIR", self.az_config_dir.display().to_string())],
            None => Vec::new(),
        }
    }

    /// Whether MSAL may ask login.microsoftonline.com about the authority (off for a sandbox,
    /// whose authority Microsoft does not know).
    pub fn az_instance_discovery(&self) -> bool {
        !self.is_sandbox()
    }

    /// The az cloud this realm registers in its az config dir, named [`SANDBOX_AZ_CLOUD`]; None:
    /// az's own clouds.
    pub fn az_cloud(&self) -> Option<&'static str> {
        self.is_sandbox().then_some(SANDBOX_AZ_CLOUD)
    }

    /// The home whose profiles and Claude settings are written: the sandbox's own; None for the
    /// real `$HOME`.
    pub fn profile_home(&self) -> Option<&Path> {
        self.sandbox.as_ref().map(|s| s.home.as_path())
    }

    /// The certificates TLS trusts.
    pub fn trust(&self) -> Trust<'_> {
        match &self.sandbox {
            Some(s) => Trust::Only(std::iter::once(s.ca_file.as_path()).chain(self.extra_ca_file.as_deref()).collect()),
            None => Trust::Platform { extra: self.extra_ca_file.as_deref() },
        }
    }

    /// The one PEM file given to a tool that reads a single bundle (Node's
    /// `NODE_EXTRA_CA_CERTS`) and extended by the doctor's trust fix: `network.extra_ca_file`
    /// (for a sandbox, a bundle that already holds its CA), else the sandbox CA.
    pub fn ca_bundle(&self) -> Option<&Path> {
        self.extra_ca_file.as_deref().or(self.sandbox.as_ref().map(|s| s.ca_file.as_path()))
    }

    /// Whether a certificate must also pass the public roots Node (Claude Code) uses: yes for
    /// Azure; a sandbox's chain is its own CA, which Claude Code is given.
    pub fn judged_by_public_roots(&self) -> bool {
        !self.is_sandbox()
    }

    /// Whether plain `http` may name a non-loopback host: only where the guard keeps every
    /// connection on loopback anyway.
    pub fn allows_plain_http_anywhere(&self) -> bool {
        self.loopback_only()
    }

    /// The Foundry endpoint by its Azure name that the doctor follows (through the sandbox's DNS).
    pub fn private_base_url(&self) -> Option<&str> {
        self.sandbox.as_ref().and_then(|s| s.private_base_url.as_deref())
    }

    /// Whether Foundry's URL is the realm's own and a choice made in discovery never replaces it
    /// (a sandbox keeps its loopback base URL; Azure names the chosen resource).
    pub fn pins_foundry_url(&self) -> bool {
        self.is_sandbox()
    }
}

impl Config {
    /// This config's [`Realm`].
    pub fn realm(&self) -> Realm {
        Realm::of(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SandboxLink;

    fn sandbox(dir: &Path, extra: Option<&str>) -> Config {
        let mut c = Config {
            sandbox: Some(SandboxLink {
                home: dir.join("home"),
                ca_file: dir.join("ca.pem"),
                private_base_url: Some("https://sandbox-ai.services.ai.azure.com:8443/anthropic".into()),
                policy: None,
            }),
            ..Default::default()
        };
        c.network.extra_ca_file = extra.map(|e| dir.join(e));
        c
    }

    #[test]
    fn a_sandbox_realm_keeps_everything_in_its_own_directory() {
        let dir = tempfile::tempdir().unwrap();
        let r = sandbox(dir.path(), None).realm();
        assert!(r.is_sandbox() && r.loopback_only() && r.pins_foundry_url() && r.allows_plain_http_anywhere());
        assert!(!r.az_instance_discovery() && !r.judged_by_public_roots());
        assert_eq!(r.az_config_dir(), dir.path().join("azure"));
        assert_eq!(r.profile_home(), Some(dir.path().join("home").as_path()));
        assert_eq!(r.az_cloud(), Some(SANDBOX_AZ_CLOUD));
        let ca = dir.path().join("ca.pem");
        let azure = dir.path().join("azure");
        assert_eq!(r.az_env(), vec![("REQUESTS_CA_BUNDLE", ca.display().to_string()), ("AZURE_CONFIG_DIR", azure.display().to_string())]);
        assert_eq!(r.trust(), Trust::Only(vec![ca.as_path()]));
        assert_eq!(r.ca_bundle(), Some(ca.as_path()));
        assert_eq!(r.private_base_url(), Some("https://sandbox-ai.services.ai.azure.com:8443/anthropic"));
    }

    #[test]
    fn a_sandbox_with_an_extra_ca_trusts_both_and_hands_node_the_bundle() {
        let dir = tempfile::tempdir().unwrap();
        let r = sandbox(dir.path(), Some("extra-ca.pem")).realm();
        let (ca, extra) = (dir.path().join("ca.pem"), dir.path().join("extra-ca.pem"));
        assert_eq!(r.trust(), Trust::Only(vec![ca.as_path(), extra.as_path()]));
        assert_eq!(r.ca_bundle(), Some(extra.as_path()));
    }

    #[test]
    fn azure_uses_az_own_state_and_the_platform_trust() {
        let mut c = Config::default();
        let r = c.realm();
        assert!(!r.is_sandbox() && !r.loopback_only() && !r.pins_foundry_url() && !r.allows_plain_http_anywhere());
        assert!(r.az_instance_discovery() && r.judged_by_public_roots());
        assert!(r.az_env().is_empty() && r.profile_home().is_none() && r.az_cloud().is_none() && r.private_base_url().is_none());
        assert_eq!(r.trust(), Trust::Platform { extra: None });
        assert_eq!(r.ca_bundle(), None);
        c.network.extra_ca_file = Some(PathBuf::from("/etc/corp-ca.pem"));
        let r = c.realm();
        assert_eq!(r.trust(), Trust::Platform { extra: Some(Path::new("/etc/corp-ca.pem")) });
        assert_eq!(r.ca_bundle(), Some(Path::new("/etc/corp-ca.pem")));
    }
}
