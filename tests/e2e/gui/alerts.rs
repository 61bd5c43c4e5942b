//! Budget alerts from the real app: the sandbox key's budget set just under 80 % and then just
//! under 100 % (`--budget-used`), real traffic through the sandbox gateway's messages endpoint
//! crossing each, the app's background watcher refreshing on its schedule, and a notification
//! server on the test's own session bus recording what arrives — once at 80 %, once at 100 %,
//! not again after a restart, and a click that opens the Usage tab.

use crate::usage::{configure, keyring_or_skip, sandbox_dir, store_gateway_key};
use foundry_onboard_core::config::policy::Policy;
use foundry_onboard_core::config::{ConfigLocation, load, save};
use foundry_onboard_core::usage::SourceKind;
use foundry_onboard_e2e::SandboxProcess;
use foundry_onboard_e2e::notifications::{NotificationSink, Received};
use foundry_onboard_e2e::webdriver::Session;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a crossing may take to arrive: the watcher refreshes every minute give or take a
/// fifth, after a failure (the sandbox restarting) within 30 s, 60 s…
const ARRIVAL: Duration = Duration::from_secs(180);

/// The sandbox on `dir` and fixed ports with the key's spend at `budget_used` %, configured for
/// the LiteLLM source refreshed every minute, its key stored in the test's keyring.
fn sandbox(dir: &Path, port: &str, budget_used: &str, keyring: &foundry_onboard_e2e::keyring::KeyringSession) -> SandboxProcess {
    let sb = SandboxProcess::start(&["--dir", dir.to_str().unwrap(), "--port", port, "--budget-used", budget_used]);
    configure(&sb, SourceKind::Litellm);
    let mut config = load(&ConfigLocation::Flag(sb.config.clone()), Policy::default()).unwrap().config;
    config.usage.refresh_minutes = 1;
    save(&sb.config, &config, &Policy::default()).unwrap();
    store_gateway_key(&sb, keyring);
    sb
}

fn gateway_key(sb: &SandboxProcess) -> String {
    std::fs::read_to_string(sandbox_dir(sb).join("gateway-key")).unwrap().trim().to_string()
}

/// Sends Claude Code-shaped messages through the sandbox gateway, as a developer would, until the
/// key's spend (as the gateway's `/key/info` reports it) is past `percent` of its budget.
async fn spend_past(sb: &SandboxProcess, percent: f64) -> anyhow::Result<f64> {
    let loaded = load(&ConfigLocation::Flag(sb.config.clone()), Policy::default())?;
    let net = foundry_onboard_core::net::Network::new(&loaded.config, foundry_onboard_core::net::Timeouts::from_total_ms(20_000))?;
    let gateway = sb.endpoint("gatewayUrl");
    let bearer = format!("Bearer {}", gateway_key(sb));
    for _ in 0..20 {
        let rb = net.http.request(reqwest::Method::GET, &format!("{gateway}/key/info"))?.header("authorization", &bearer);
        let info: serde_json::Value = net.http.send(rb).await?.json().await?;
        let (spend, budget) = (info["info"]["spend"].as_f64().unwrap_or(0.0), info["info"]["max_budget"].as_f64().unwrap_or(0.0));
        anyhow::ensure!(budget > 0.0, "a key budget: {info}");
        let used = spend / budget * 100.0;
        if used > percent {
            return Ok(used);
        }
        // The sandbox counts a request's input at $3 per million tokens of about 4 bytes each;
        // aim a little past the threshold, in requests of at most 1.5 MB.
        let usd = (percent + 0.3) / 100.0 * budget - spend;
        let bytes = ((usd / 3.0 * 1_000_000.0 * 4.0) as usize).clamp(1000, 1_500_000);
        let body = serde_json::json!({"model": "claude-sonnet-4-5", "max_tokens": 9, "messages": [{"role": "user", "content": "x".repeat(bytes)}]});
        let rb = net
            .http
            .request(reqwest::Method::POST, &format!("{gateway}/anthropic/v1/messages"))?
            .header("authorization", &bearer)
            .header("anthropic-version", "2023-06-01")
            .header("content-type", "application/json")
            .body(body.to_string());
        let status = net.http.send(rb).await?.status();
        anyhow::ensure!(status == 200, "the gateway answered {status}");
    }
    anyhow::bail!("the spend did not pass {percent} %")
}

/// Waits until the sink holds `n` notifications; then a little longer, so that one too many shows.
async fn notifications(sink: &NotificationSink, n: usize) -> anyhow::Result<Vec<Received>> {
    let start = Instant::now();
    while sink.received().len() < n {
        anyhow::ensure!(start.elapsed() < ARRIVAL, "{n} notification(s) expected within {ARRIVAL:?}, got {:?}", sink.received());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    Ok(sink.received())
}

/// The app's log (its HOME's state dir): what the watcher did.
fn app_log(home: &Path) -> String {
    let dir = home.join(".local/state/foundry-onboard/logs");
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        text.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
    }
    text
}

/// Waits until the app logged `line` more than `before` times.
async fn logged(home: &Path, line: &str, before: usize) -> anyhow::Result<()> {
    let start = Instant::now();
    while app_log(home).matches(line).count() <= before {
        anyhow::ensure!(start.elapsed() < ARRIVAL, "the app did not log {line:?}:\n{}", app_log(home));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok(())
}

const CHECKED: &str = "usage checked for budget alerts";

#[tokio::test]
async fn budget_alerts_arrive_once_at_80_and_once_at_100_survive_a_restart_and_a_click_opens_the_usage_tab() {
    let Some(keyring) = keyring_or_skip() else { return };
    let sink = NotificationSink::start(&keyring.address).expect("the notification sink owns org.freedesktop.Notifications");
    let dir = tempfile::tempdir().unwrap();
    let port = foundry_onboard_e2e::free_port_run(6).to_string();
    let mut sb = sandbox(dir.path(), &port, "79.9", &keyring);
    let mut keys = vec![gateway_key(&sb)];
    let home = tempfile::tempdir().unwrap();
    let env = [("DBUS_SESSION_BUS_ADDRESS", std::ffi::OsString::from(&keyring.address))];

    let config = sb.config.clone();
    let sb2 = super::in_app(home.path(), &env, &["--config", config.to_str().unwrap()], "gui-alerts", async |s: &Session| {
        // The watcher's first look: 79.9 %, nothing to announce.
        logged(home.path(), CHECKED, 0).await?;
        anyhow::ensure!(sink.received().is_empty(), "nothing under 80 %: {:?}", sink.received());

        // Real traffic crosses 80 %; the next scheduled refresh announces it, once.
        let used = spend_past(&sb, 80.0).await?;
        anyhow::ensure!(used < 81.0, "just past 80 %: {used}");
        let got = notifications(&sink, 1).await?;
        anyhow::ensure!(got.len() == 1, "one notification at 80 %: {got:?}");
        anyhow::ensure!(got[0].summary == "80 % of your budget used", "{:?}", got[0]);
        anyhow::ensure!(got[0].body.starts_with("You have used 80 % of your monthly budget ($") && got[0].body.contains("it resets on"), "{:?}", got[0]);
        anyhow::ensure!(got[0].actions.first().map(String::as_str) == Some("default"), "a click is offered: {:?}", got[0].actions);

        // The sandbox again on the same directory and ports, the key's spend just under 100 %
        // (its gateway key is new: stored again), then traffic past it.
        assert_eq!(sb.stop_with("-TERM"), 0);
        let sb2 = sandbox(dir.path(), &port, "99.9", &keyring);
        keys.push(gateway_key(&sb2));
        spend_past(&sb2, 100.0).await?;
        let got = notifications(&sink, 2).await?;
        anyhow::ensure!(got.len() == 2, "one more at 100 %: {got:?}");
        anyhow::ensure!(got[1].summary == "Budget exceeded: 100 % used", "{:?}", got[1]);
        anyhow::ensure!(got[1].body.contains("The gateway refuses further requests") && got[1].body.contains("platform team"), "what to do: {:?}", got[1]);

        // The person clicks it: the window shows the Usage tab (it was on the wizard).
        anyhow::ensure!(!s.exists("home").await?, "the wizard first");
        sink.click(got[1].id)?;
        super::poll(s, "return document.querySelector('[data-testid=\"tab-usage\"]')?.getAttribute('aria-selected') === 'true' ? true : null", 20).await?;
        logged(home.path(), "budget alert clicked", 0).await?;
        Ok(sb2)
    })
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));

    // A restart within the period: the watcher looks again and announces nothing.
    let before = app_log(home.path()).matches(CHECKED).count();
    super::in_app(home.path(), &env, &["--config", sb2.config.to_str().unwrap()], "gui-alerts-restart", async |_s: &Session| {
        logged(home.path(), CHECKED, before).await?;
        tokio::time::sleep(Duration::from_secs(2)).await;
        Ok(())
    })
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    let got = sink.received();
    let shown: String = got.iter().map(|n| format!("#{} {}\n{}\nactions: {:?}\n\n", n.id, n.summary, n.body, n.actions)).collect();
    let _ = std::fs::write(foundry_onboard_e2e::artifacts_dir().join("gui-alerts-notifications.txt"), &shown);
    assert_eq!(got.len(), 2, "nothing new after the restart: {got:?}");

    for n in &got {
        for key in &keys {
            assert!(!n.summary.contains(key) && !n.body.contains(key), "no key in {n:?}");
        }
        assert!(!n.body.contains("sk-"), "not even part of a key: {n:?}");
    }
    let ledger = std::fs::read_to_string(dir.path().join("home/.local/state/foundry-onboard/alerts.json")).unwrap();
    assert!(ledger.contains("\"litellm key\"") && keys.iter().all(|k| !ledger.contains(k.as_str())), "{ledger}");
}
