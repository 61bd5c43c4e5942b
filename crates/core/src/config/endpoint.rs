//! The Foundry endpoint as a type: a resource name or a base URL, never both, each checked when it
//! is made — so no other code has to ask "which one, and is it valid?" again.

use super::validate::{foundry_base_url, resource_name, shown_url};
use crate::error::{Diagnose, ErrorKind};
use serde::{Deserialize, Serialize};
use std::fmt;

/// An Azure AI Foundry resource name (its custom subdomain), valid by construction.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResourceName(String);

impl ResourceName {
    pub fn new(name: impl Into<String>) -> Result<Self, EndpointError> {
        let name = name.into();
        match resource_name(&name) {
            Ok(()) => Ok(Self(name)),
            Err(why) => Err(EndpointError::Resource { name, why }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ResourceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A Foundry (or gateway) base URL Claude Code accepts: ends in `/anthropic`, no `/v1`, no query,
/// no fragment, no credentials, https except on loopback. Kept as written (a trailing `/` too).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BaseUrl(String);

impl BaseUrl {
    pub fn new(url: impl Into<String>) -> Result<Self, EndpointError> {
        let url = url.into();
        match foundry_base_url(&url) {
            Ok(_) => Ok(Self(url)),
            Err(why) => Err(EndpointError::BaseUrl { shown: shown_url(&url), why }),
        }
    }

    /// As written in the config.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Without a trailing `/`, as the profile and every request use it.
    pub fn trimmed(&self) -> &str {
        self.0.trim_end_matches('/')
    }
}

/// Where Claude Code sends its requests: `foundry.resource` or `foundry.base_url`, exactly one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FoundryEndpoint {
    Resource(ResourceName),
    BaseUrl(BaseUrl),
}

impl FoundryEndpoint {
    /// The rule both config keys follow, in one place: at most one of them, each valid.
    pub fn from_keys(resource: Option<String>, base_url: Option<String>) -> Result<Option<Self>, EndpointError> {
        match (resource, base_url) {
            (Some(_), Some(_)) => Err(EndpointError::Both),
            (Some(r), None) => ResourceName::new(r).map(|r| Some(Self::Resource(r))),
            (None, Some(b)) => BaseUrl::new(b).map(|b| Some(Self::BaseUrl(b))),
            (None, None) => Ok(None),
        }
    }

    /// The endpoint `resource = name` names.
    pub fn named(name: impl Into<String>) -> Result<Self, EndpointError> {
        ResourceName::new(name).map(Self::Resource)
    }

    /// The endpoint `base_url = url` names.
    pub fn at(url: impl Into<String>) -> Result<Self, EndpointError> {
        BaseUrl::new(url).map(Self::BaseUrl)
    }

    /// `https://<resource>.services.ai.azure.com/anthropic` or the base URL, no trailing `/`.
    pub fn base_url(&self) -> String {
        match self {
            Self::Resource(r) => format!("https://{r}.services.ai.azure.com/anthropic"),
            Self::BaseUrl(b) => b.trimmed().to_string(),
        }
    }

    pub fn resource(&self) -> Option<&ResourceName> {
        match self {
            Self::Resource(r) => Some(r),
            Self::BaseUrl(_) => None,
        }
    }

    /// The config key this endpoint is written under.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Resource(_) => "foundry.resource",
            Self::BaseUrl(_) => "foundry.base_url",
        }
    }
}

/// Why a `[foundry]` section names no valid endpoint; each names its key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    #[error("foundry.resource and foundry.base_url are both set")]
    Both,
    #[error("foundry.resource {name:?} is not an Azure resource name: {why}")]
    Resource { name: String, why: &'static str },
    #[error("foundry.base_url {shown} {why}")]
    BaseUrl { shown: String, why: String },
}

impl EndpointError {
    /// The key to point at (for "both", the second one a person would have added).
    pub fn key(&self) -> &'static str {
        match self {
            EndpointError::Resource { .. } => "foundry.resource",
            EndpointError::Both | EndpointError::BaseUrl { .. } => "foundry.base_url",
        }
    }
}

impl Diagnose for EndpointError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Config
    }
    fn hint(&self) -> String {
        match self {
            EndpointError::Both => "Keep one: Claude Code refuses ANTHROPIC_FOUNDRY_RESOURCE and ANTHROPIC_FOUNDRY_BASE_URL together.",
            EndpointError::Resource { .. } => "Give the bare name (e.g. \"my-ai-resource\"); to give a URL, use foundry.base_url instead.",
            EndpointError::BaseUrl { .. } => {
                "Use the form https://<resource>.services.ai.azure.com/anthropic (no /v1, no query string, no #fragment, typed with plain ASCII quotes)."
            }
        }
        .into()
    }
}

/// The `[foundry]` section as the file spells it: two optional keys. Only the config's serde goes
/// through it, so the file format stays what it was.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct FoundryKeys {
    /// The Azure AI Foundry resource name (custom subdomain). Exclusive with `base_url`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// A full endpoint ending in `/anthropic`. Exclusive with `resource`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    pub via_gateway: bool,
}

impl TryFrom<FoundryKeys> for super::Foundry {
    type Error = EndpointError;
    fn try_from(k: FoundryKeys) -> Result<Self, EndpointError> {
        Ok(Self { endpoint: FoundryEndpoint::from_keys(k.resource, k.base_url)?, via_gateway: k.via_gateway })
    }
}

impl From<super::Foundry> for FoundryKeys {
    fn from(f: super::Foundry) -> Self {
        let (resource, base_url) = match f.endpoint {
            Some(FoundryEndpoint::Resource(r)) => (Some(r.0), None),
            Some(FoundryEndpoint::BaseUrl(b)) => (None, Some(b.0)),
            None => (None, None),
        };
        Self { resource, base_url, via_gateway: f.via_gateway }
    }
}

/// The endpoint rule applied to a raw TOML table (a file, or the policy and the user file merged):
/// what the loader reports with the file and line before the table is typed.
pub(super) fn check_table(table: &toml::Table) -> Result<(), EndpointError> {
    let Some(section) = table.get("foundry").and_then(toml::Value::as_table) else { return Ok(()) };
    let text = |key: &str| section.get(key).and_then(toml::Value::as_str).map(str::to_string);
    FoundryEndpoint::from_keys(text("resource"), text("base_url")).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn parse(text: &str) -> Result<Config, String> {
        toml::from_str::<Config>(text).map_err(|e| e.message().to_string())
    }

    #[test]
    fn neither_key_is_no_endpoint() {
        assert_eq!(parse("[foundry]\nvia_gateway = false\n").unwrap().foundry.endpoint, None);
        assert_eq!(parse("").unwrap().foundry.endpoint, None);
    }

    #[test]
    fn both_keys_are_refused_at_parse_time_naming_both() {
        let why = parse("[foundry]\nresource = \"r1\"\nbase_url = \"https://r1.services.ai.azure.com/anthropic\"\n").unwrap_err();
        assert!(why.contains("foundry.resource") && why.contains("foundry.base_url"), "{why}");
    }

    #[test]
    fn a_bad_name_in_either_key_is_refused_at_parse_time() {
        let why = parse("[foundry]\nresource = \"https://x.services.ai.azure.com\"\n").unwrap_err();
        assert!(why.contains("foundry.resource") && why.contains("bare resource name"), "{why}");
        let why = parse("[foundry]\nbase_url = \"https://x.services.ai.azure.com/anthropic/v1\"\n").unwrap_err();
        assert!(why.contains("foundry.base_url") && why.contains("/v1"), "{why}");
        assert!(ResourceName::new("-x").is_err() && BaseUrl::new("http://r.services.ai.azure.com/anthropic").is_err());
    }

    #[test]
    fn each_key_round_trips_as_written() {
        for text in [
            "[foundry]\nresource = \"contoso-ai\"\nvia_gateway = false\n",
            "[foundry]\nbase_url = \"https://llm.contoso.com/anthropic/\"\nvia_gateway = true\n",
        ] {
            let c = parse(text).unwrap();
            assert_eq!(toml::to_string(&c.foundry).unwrap(), text.trim_start_matches("[foundry]\n"));
        }
        let c = parse("[foundry]\nresource = \"contoso-ai\"\n").unwrap();
        assert_eq!(c.foundry.endpoint.as_ref().map(FoundryEndpoint::base_url).as_deref(), Some("https://contoso-ai.services.ai.azure.com/anthropic"));
        let c = parse("[foundry]\nbase_url = \"https://llm.contoso.com/anthropic/\"\n").unwrap();
        assert_eq!(c.foundry.endpoint.as_ref().map(FoundryEndpoint::base_url).as_deref(), Some("https://llm.contoso.com/anthropic"));
    }
}
