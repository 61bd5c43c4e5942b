//! Choices → config, written once: the CLI's `profile write` flags, the wizard's Resource & models
//! step and (later) the org policy's `setup` all build a [`Choice`] and call [`apply`], so the
//! same names are refused, the same reuse needs the same confirmation, and a gateway's URL is
//! derived the same way whichever face the person used.

use crate::azure::discovery::Tier;
use crate::config::{BaseUrl, Config, EndpointError, FoundryEndpoint, LoginMode, ResourceName, validate};
use crate::error::{Diagnose, ErrorKind};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The Resource & models step's choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ModelChoice {
    pub subscription_id: String,
    /// The account's custom subdomain (its resource name for Claude Code).
    pub resource: String,
    pub sonnet: String,
    pub haiku: String,
    pub opus: String,
    /// The same deployment serves two tiers, and the person confirmed it.
    #[serde(default)]
    pub reuse_confirmed: bool,
}

/// The corporate LLM gateway instead of a resource: its URL, and the deployments by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GatewayChoice {
    pub url: String,
    pub sonnet: String,
    pub haiku: String,
    pub opus: String,
    #[serde(default)]
    pub reuse_confirmed: bool,
}

/// Where Claude Code is pointed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointChoice {
    /// An Azure AI Foundry resource by name; the subscription it was found in, when known.
    Resource { name: String, subscription: Option<String> },
    /// A full endpoint ending in `/anthropic`.
    BaseUrl(String),
    /// The corporate gateway: its address (with or without `/anthropic`), or the configured one.
    Gateway(Option<String>),
}

/// What a person chose; `None` keeps what the config has.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choice {
    pub endpoint: Option<EndpointChoice>,
    pub sonnet: Option<String>,
    pub haiku: Option<String>,
    pub opus: Option<String>,
    pub login: Option<LoginMode>,
    pub max_output_tokens: Option<u32>,
    /// The same deployment serves two tiers, and the person confirmed it.
    pub reuse_confirmed: bool,
}

impl From<&ModelChoice> for Choice {
    fn from(c: &ModelChoice) -> Self {
        Self {
            endpoint: Some(EndpointChoice::Resource { name: c.resource.clone(), subscription: Some(c.subscription_id.clone()) }),
            sonnet: Some(c.sonnet.clone()),
            haiku: Some(c.haiku.clone()),
            opus: Some(c.opus.clone()),
            reuse_confirmed: c.reuse_confirmed,
            ..Self::default()
        }
    }
}

impl From<&GatewayChoice> for Choice {
    fn from(c: &GatewayChoice) -> Self {
        Self {
            endpoint: Some(EndpointChoice::Gateway(Some(c.url.clone()))),
            sonnet: Some(c.sonnet.clone()),
            haiku: Some(c.haiku.clone()),
            opus: Some(c.opus.clone()),
            reuse_confirmed: c.reuse_confirmed,
            ..Self::default()
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ChoiceError {
    #[error("no deployment is chosen for the {0} tier")]
    MissingTier(&'static str),
    #[error("deployment {name:?}: {why}")]
    Deployment { name: String, why: String },
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
    #[error("gateway URL {url}: {why}")]
    GatewayUrl { url: String, why: String },
    #[error("no gateway address is configured")]
    NoGateway,
    #[error("the same deployment {0:?} is chosen for two tiers")]
    SharedDeployment(String),
}

impl Diagnose for ChoiceError {
    fn kind(&self) -> ErrorKind {
        ErrorKind::Config
    }
    fn hint(&self) -> String {
        match self {
            ChoiceError::MissingTier(_) => "Choose all three tiers (sonnet, haiku, opus): Claude Code falls back to retired model names without them.".into(),
            ChoiceError::Deployment { .. } => "Choose another deployment, or ask the platform team to create one with a valid name.".into(),
            ChoiceError::Endpoint(e) => e.hint(),
            ChoiceError::GatewayUrl { .. } | ChoiceError::NoGateway => "Give the gateway's https address, e.g. https://llm.contoso.com.".into(),
            ChoiceError::SharedDeployment(_) => "Confirm that one deployment should serve both tiers, or choose another.".into(),
        }
    }
}

impl ChoiceError {
    /// The reuse of one deployment that a person may confirm (the app asks; the CLI takes a flag).
    pub fn needs_confirmation(&self) -> bool {
        matches!(self, ChoiceError::SharedDeployment(_))
    }
}

/// Lays a choice over the config, refusing what Claude Code would reject. What the choice leaves
/// out keeps the config's value (a tier still missing is named when the profile is written).
pub fn apply(config: &Config, choice: &Choice) -> Result<Config, ChoiceError> {
    let mut c = config.clone();
    for (tier, name, slot) in [
        (Tier::Sonnet, &choice.sonnet, &mut c.models.sonnet),
        (Tier::Haiku, &choice.haiku, &mut c.models.haiku),
        (Tier::Opus, &choice.opus, &mut c.models.opus),
    ] {
        if let Some(name) = name {
            let name = name.trim();
            if name.is_empty() {
                return Err(ChoiceError::MissingTier(tier_name(tier)));
            }
            validate::deployment_name(name).map_err(|why| ChoiceError::Deployment { name: name.into(), why: why.into() })?;
            *slot = Some(name.to_string());
        }
    }
    let chose_models = choice.sonnet.is_some() || choice.haiku.is_some() || choice.opus.is_some();
    if chose_models {
        let names = [&c.models.sonnet, &c.models.haiku, &c.models.opus];
        let shared = names.iter().enumerate().find_map(|(i, a)| names.iter().skip(i + 1).find(|b| a.is_some() && a == *b).and(a.as_ref()));
        if let Some(shared) = shared
            && !choice.reuse_confirmed
        {
            return Err(ChoiceError::SharedDeployment(shared.clone()));
        }
    }
    if let Some(login) = choice.login {
        c.azure.login = login;
        if login == LoginMode::ApiKey {
            c.foundry.via_gateway = false;
        }
    }
    match &choice.endpoint {
        None => {}
        Some(EndpointChoice::Resource { name, subscription }) => {
            let name = ResourceName::new(name.trim())?;
            if let Some(s) = subscription {
                c.azure.subscription = Some(s.clone());
            }
            c.foundry.via_gateway = false;
            // A sandbox keeps its loopback base URL: its resource is reached through it.
            if !config.realm().pins_foundry_url() {
                c.foundry.endpoint = Some(FoundryEndpoint::Resource(name));
            }
        }
        Some(EndpointChoice::BaseUrl(url)) => {
            c.foundry.endpoint = Some(FoundryEndpoint::at(url.trim())?);
        }
        Some(EndpointChoice::Gateway(url)) => {
            let configured = match &config.foundry.endpoint {
                Some(FoundryEndpoint::BaseUrl(b)) => Some(b.as_str().to_string()),
                _ => None,
            };
            let given = url.clone().or_else(|| config.gateway.url.clone()).or(configured).ok_or(ChoiceError::NoGateway)?;
            let origin = given.trim().trim_end_matches('/').trim_end_matches("/anthropic").to_string();
            let base = BaseUrl::new(format!("{origin}/anthropic")).map_err(|e| ChoiceError::GatewayUrl {
                url: validate::shown_url(&origin),
                why: match e {
                    EndpointError::BaseUrl { why, .. } => why,
                    other => other.to_string(),
                },
            })?;
            c.foundry.via_gateway = true;
            c.gateway.url = Some(origin);
            c.foundry.endpoint = Some(FoundryEndpoint::BaseUrl(base));
        }
    }
    if let Some(n) = choice.max_output_tokens {
        c.profile.max_output_tokens = Some(n);
    }
    Ok(c)
}

fn tier_name(t: Tier) -> &'static str {
    match t {
        Tier::Sonnet => "sonnet",
        Tier::Haiku => "haiku",
        Tier::Opus => "opus",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wizard() -> ModelChoice {
        ModelChoice {
            subscription_id: "s".into(),
            resource: "contoso-ai".into(),
            sonnet: "a".into(),
            haiku: "b".into(),
            opus: "c".into(),
            reuse_confirmed: false,
        }
    }

    #[test]
    fn a_wizard_choice_becomes_config_and_reuse_needs_confirmation() {
        let c = apply(&Config::default(), &Choice::from(&wizard())).unwrap();
        assert_eq!(c.foundry.endpoint, Some(FoundryEndpoint::named("contoso-ai").unwrap()));
        assert_eq!(c.azure.subscription.as_deref(), Some("s"));
        assert_eq!(c.models.opus.as_deref(), Some("c"));
        let mut twice = wizard();
        twice.opus = "a".into();
        let err = apply(&Config::default(), &Choice::from(&twice)).unwrap_err();
        assert!(err.needs_confirmation(), "{err}");
        twice.reuse_confirmed = true;
        assert!(apply(&Config::default(), &Choice::from(&twice)).is_ok());
        let mut bad = wizard();
        bad.haiku = "has space".into();
        assert!(matches!(apply(&Config::default(), &Choice::from(&bad)), Err(ChoiceError::Deployment { .. })));
        let mut empty = wizard();
        empty.haiku = String::new();
        assert_eq!(apply(&Config::default(), &Choice::from(&empty)), Err(ChoiceError::MissingTier("haiku")));
    }

    #[test]
    fn one_tier_given_is_checked_against_the_configured_two() {
        let mut config = Config::default();
        config.models.sonnet = Some("a".into());
        config.models.haiku = Some("b".into());
        config.models.opus = Some("c".into());
        let only = Choice { opus: Some("a".into()), ..Choice::default() };
        assert_eq!(apply(&config, &only), Err(ChoiceError::SharedDeployment("a".into())), "the CLI's one flag meets the same confirmation");
        let fine = Choice { opus: Some("d".into()), ..Choice::default() };
        assert_eq!(apply(&config, &fine).unwrap().models.opus.as_deref(), Some("d"));
    }

    #[test]
    fn a_gateway_routes_claude_code_through_it_from_either_spelling() {
        let g =
            GatewayChoice { url: "https://llm.contoso.com/".into(), sonnet: "gw-s".into(), haiku: "gw-h".into(), opus: "gw-o".into(), reuse_confirmed: false };
        let c = apply(&Config::default(), &Choice::from(&g)).unwrap();
        assert!(c.foundry.via_gateway);
        assert_eq!(c.foundry.endpoint, Some(FoundryEndpoint::at("https://llm.contoso.com/anthropic").unwrap()));
        assert_eq!(c.gateway.url.as_deref(), Some("https://llm.contoso.com"));
        // The CLI's `--gateway --base-url …/anthropic` and the wizard's gateway URL meet in one place.
        let flags = Choice { endpoint: Some(EndpointChoice::Gateway(Some("https://llm.contoso.com/anthropic".into()))), ..Choice::default() };
        let via_flags = apply(&Config::default(), &flags).unwrap();
        assert_eq!((via_flags.gateway.url, via_flags.foundry.endpoint), (c.gateway.url.clone(), c.foundry.endpoint.clone()));
        // `--gateway` alone takes the configured endpoint, stripping /anthropic the same way.
        let mut configured = Config::default();
        configured.foundry.endpoint = Some(FoundryEndpoint::at("https://llm.contoso.com/anthropic").unwrap());
        let alone = apply(&configured, &Choice { endpoint: Some(EndpointChoice::Gateway(None)), ..Choice::default() }).unwrap();
        assert_eq!(alone.gateway.url.as_deref(), Some("https://llm.contoso.com"));
        let bad = GatewayChoice { url: "http://llm.contoso.com".into(), ..g };
        assert!(matches!(apply(&Config::default(), &Choice::from(&bad)), Err(ChoiceError::GatewayUrl { .. })), "plain http outside loopback");
        assert_eq!(apply(&Config::default(), &Choice { endpoint: Some(EndpointChoice::Gateway(None)), ..Choice::default() }), Err(ChoiceError::NoGateway));
    }

    #[test]
    fn names_are_validated_whichever_face_gave_them() {
        let url_as_resource =
            Choice { endpoint: Some(EndpointChoice::Resource { name: "https://x.services.ai.azure.com".into(), subscription: None }), ..Choice::default() };
        assert!(matches!(apply(&Config::default(), &url_as_resource), Err(ChoiceError::Endpoint(EndpointError::Resource { .. }))));
        let v1 = Choice { endpoint: Some(EndpointChoice::BaseUrl("https://x.services.ai.azure.com/anthropic/v1".into())), ..Choice::default() };
        assert!(matches!(apply(&Config::default(), &v1), Err(ChoiceError::Endpoint(EndpointError::BaseUrl { .. }))));
    }
}
