//! The AADSTS codes a developer meets at sign-in, in plain sentences with the next step.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Explained {
    pub code: String,
    pub sentence: String,
    pub next_step: String,
}

/// Finds the first `AADSTSnnnn` in `text` and explains it; an unknown code keeps az's own line.
pub fn explain(text: &str) -> Option<Explained> {
    let start = text.find("AADSTS")?;
    let digits: String = text[start + 6..].chars().take_while(char::is_ascii_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let (sentence, next): (&str, &str) = match digits.as_str() {
        "50076" | "50079" => (
            "Your organisation requires multi-factor authentication for this sign-in.",
            "Sign in again and complete the MFA prompt; with SSH, use `foundry-onboard login --device-code` and approve on your phone.",
        ),
        "53003" => (
            "A conditional-access policy blocked the sign-in (for example: unmanaged device or location).",
            "Sign in from a compliant (managed) device or network, or ask your identity team which policy applied.",
        ),
        "50020" | "90072" => (
            "Your account is not a member of this tenant.",
            "Check the tenant (--tenant or azure.tenant in the config), or ask an admin to invite your account.",
        ),
        "65001" => (
            "The Azure CLI has not been granted consent in this tenant.",
            "Ask a tenant admin to consent to the Microsoft Azure CLI app (04b07795-8ddb-461a-bbee-02f9e1bf7b46).",
        ),
        "700082" | "50173" => ("Your saved sign-in has expired or was revoked.", "Run `foundry-onboard login` (or `az login`) again."),
        "7000218" => (
            "The tenant requires a client secret or certificate for this app, so a user sign-in cannot work here.",
            "Ask your identity team to allow public client flows for the Azure CLI, or use an API key.",
        ),
        "70016" => ("The device-code sign-in is still waiting for approval.", "Open the sign-in page, enter the code, and approve."),
        "70020" => ("The device code expired before it was approved.", "Start the sign-in again and approve within 15 minutes."),
        "90002" => ("The tenant was not found.", "Check the tenant ID or domain you gave."),
        _ => {
            let line = text[start..].lines().next().unwrap_or("").trim().to_string();
            return Some(Explained {
                code: format!("AADSTS{digits}"),
                sentence: format!("Entra ID refused the sign-in: {line}"),
                next_step: "Look the code up at https://login.microsoftonline.com/error?code=".to_string() + &digits,
            });
        }
    };
    Some(Explained { code: format!("AADSTS{digits}"), sentence: sentence.into(), next_step: next.into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_become_sentences() {
        for (text, needle) in [
            ("ERROR: AADSTS50076: Due to a configuration change made by your administrator", "multi-factor"),
            ("AADSTS53003: Access has been blocked by Conditional Access policies.", "conditional-access"),
            ("AADSTS50020: User account from identity provider does not exist in tenant", "not a member"),
            ("AADSTS90072: User account x from identity provider y does not exist in tenant", "not a member"),
            ("AADSTS65001: The user or administrator has not consented", "consent"),
            ("AADSTS700082: The refresh token has expired due to inactivity.", "expired"),
            ("AADSTS50173: The provided grant has expired due to it being revoked", "revoked"),
            ("AADSTS7000218: The request body must contain client_assertion or client_secret", "client secret"),
        ] {
            let e = explain(text).unwrap();
            assert!(e.sentence.contains(needle), "{text} → {}", e.sentence);
            assert!(!e.next_step.is_empty());
        }
    }

    #[test]
    fn an_unknown_code_keeps_the_original_line() {
        let e = explain("ERROR: AADSTS9999999: Something new happened.\nmore").unwrap();
        assert_eq!(e.code, "AADSTS9999999");
        assert!(e.sentence.contains("AADSTS9999999: Something new happened."));
        assert!(explain("no code here").is_none());
    }

    /// Entra's error text as az relays it: the code anywhere, with any digits (or none), beside
    /// multi-byte text, with or without the rest of the line. Every code found is explained in a
    /// sentence with a next step; text without one is left alone.
    #[test]
    fn fuzz_aadsts_text_is_explained_or_left_alone() {
        use proptest::prelude::*;
        let pieces = prop::collection::vec(
            prop_oneof![
                3 => ".{0,16}",
                2 => "AADSTS[0-9]{0,9}",
                1 => prop::sample::select(vec!["AADSTS50076", "AADSTS53003", "AADSTS700082", "AADSTS", "AADSTSé", "\n", "日本"]).prop_map(str::to_string),
            ],
            0..8,
        );
        crate::fuzz::runner(3000)
            .run(&pieces, |pieces| {
                let text = pieces.concat();
                match explain(&text) {
                    Some(e) => {
                        prop_assert!(e.code.starts_with("AADSTS") && e.code.len() > 6 && text.contains(&e.code), "{e:?} from {text:?}");
                        prop_assert!(!e.sentence.trim().is_empty() && !e.next_step.trim().is_empty(), "{e:?}");
                    }
                    None => prop_assert!(!text.contains("AADSTS") || text.split("AADSTS").nth(1).is_some_and(|r| !r.starts_with(|c: char| c.is_ascii_digit()))),
                }
                Ok(())
            })
            .unwrap();
    }
}
