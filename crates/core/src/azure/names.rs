//! Azure's own names that production code relies on — the base domains an AIServices account
//! answers on, their private DNS zones, the public endpoints and the token scopes — written once,
//! so the doctor, discovery, tokens and the sandbox cannot spell them differently.

/// Foundry's own base domain: `https://<resource>.services.ai.azure.com/anthropic`.
pub const FOUNDRY_DOMAIN: &str = "services.ai.azure.com";
/// The Cognitive Services base domain every AIServices account also answers on.
pub const COGNITIVE_DOMAIN: &str = "cognitiveservices.azure.com";
/// The Azure OpenAI base domain every AIServices account also answers on.
pub const OPENAI_DOMAIN: &str = "openai.azure.com";
/// The three names an AIServices account answers on, each with its own private DNS zone.
pub const BASE_DOMAINS: [&str; 3] = [FOUNDRY_DOMAIN, COGNITIVE_DOMAIN, OPENAI_DOMAIN];

/// The label a private endpoint's CNAME goes through: `<resource>.privatelink.<base domain>`.
pub const PRIVATELINK: &str = "privatelink";
/// The private DNS zones a landing zone links to its VNet, one per base domain.
pub const PRIVATELINK_ZONES: [&str; 3] = ["privatelink.services.ai.azure.com", "privatelink.cognitiveservices.azure.com", "privatelink.openai.azure.com"];

/// Public Azure Resource Manager.
pub const ARM_URL: &str = "https://management.azure.com";
/// Public Entra ID.
pub const AUTHORITY_URL: &str = "https://login.microsoftonline.com";

/// The scope ARM discovery asks for on public Azure.
pub const ARM_SCOPE: &str = "https://management.azure.com/.default";
/// The scope Claude Code uses for Foundry.
pub const COGNITIVE_SCOPE: &str = "https://cognitiveservices.azure.com/.default";
/// The scope Log Analytics queries need.
pub const LOG_ANALYTICS_SCOPE: &str = "https://api.loganalytics.io/.default";

/// The private zone for a base domain (`privatelink.services.ai.azure.com`).
pub fn privatelink_zone(base: &str) -> String {
    format!("{PRIVATELINK}.{base}")
}

/// A resource's Foundry base URL on public Azure.
pub fn foundry_base_url(resource: &str) -> String {
    format!("https://{resource}.{FOUNDRY_DOMAIN}/anthropic")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_follow_the_base_domains() {
        let zones: Vec<String> = BASE_DOMAINS.iter().map(|b| privatelink_zone(b)).collect();
        assert_eq!(zones, PRIVATELINK_ZONES);
        assert_eq!(foundry_base_url("r1"), "https://r1.services.ai.azure.com/anthropic");
        assert_eq!(ARM_SCOPE, format!("{ARM_URL}/.default"));
        assert_eq!(COGNITIVE_SCOPE, format!("https://{COGNITIVE_DOMAIN}/.default"));
    }
}
