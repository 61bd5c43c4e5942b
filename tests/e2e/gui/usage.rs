//! The Usage tab in the real window against the sandbox: the gauge's numbers are the CLI's
//! `usage --json` numbers for the same config (one core, two faces), ranges and the table come
//! from the core, the CSV export is the CLI's CSV byte for byte, the stopped gateway turns the
//! tab stale with the last report still shown, the gateway's 422 and an overspent key are states,
//! a hostile model name stays text, and the empty states (no source, signed out, a range without
//! usage) teach. Screenshots of each source and of the stale, partial, over-budget and exceeded
//! states, in light and in dark, are kept in the artifacts (the second theme's window is started
//! with `--tab usage`, straight on the tab).

use super::{dark, in_app, poll};
use crate::usage::{configure, keyring_or_skip, sandbox_dir, store_gateway_key};
use foundry_onboard_core::usage::SourceKind;
use foundry_onboard_e2e::keyring::KeyringSession;
use foundry_onboard_e2e::webdriver::Session;
use foundry_onboard_e2e::{SandboxProcess, artifacts_dir, cli_command, run};
use serde_json::Value;

const HOSTILE: &str = "<img src=x onerror=alert(1)>";

fn cli_json(sb: &SandboxProcess, keyring: Option<&KeyringSession>, args: &[&str]) -> Value {
    let mut c = cli_command(sb.home.path());
    if let Some(k) = keyring {
        c.env("DBUS_SESSION_BUS_ADDRESS", &k.address);
    }
    c.env("FOUNDRY_ONBOARD_AZ", sb.home.path().join("no-az")).arg("--config").arg(&sb.config).args(args);
    let r = run(c);
    assert!(r.code == 0 || r.code == 1, "{args:?}: {}{}", r.stdout, r.stderr);
    r.stdout.lines().find_map(|l| serde_json::from_str(l).ok()).unwrap_or_default()
}

fn env_for(keyring: Option<&KeyringSession>, theme_dark: bool) -> Vec<(&'static str, std::ffi::OsString)> {
    let mut env = if theme_dark { dark() } else { vec![] };
    if let Some(k) = keyring {
        env.push(("DBUS_SESSION_BUS_ADDRESS", k.address.clone().into()));
    }
    env
}

/// From the wizard to the Usage tab, then waits until the tab's state is one of `states`.
async fn open_usage(s: &Session, states: &[&str]) -> anyhow::Result<String> {
    s.script("window.__alerted = false; window.alert = () => { window.__alerted = true; }; return true;").await?;
    s.click("open-doctor").await?;
    s.click("tab-usage").await?;
    wait_state(s, states).await
}

async fn wait_state(s: &Session, states: &[&str]) -> anyhow::Result<String> {
    let list = serde_json::to_string(states)?;
    let script = format!("const st = document.querySelector('[data-testid=\"usage\"]')?.dataset.state; return {list}.includes(st) ? st : null;");
    match poll(s, &script, 60).await {
        Ok(got) => Ok(got.as_str().unwrap_or_default().to_string()),
        Err(e) => {
            // What the backend answers now, for the failure's message.
            s.script("window.__why = null; const ask = {days: 30, kind: 'all', theme: 'light'}; Promise.allSettled([window.__TAURI_INTERNALS__.invoke('usage_cached', {ask}), window.__TAURI_INTERNALS__.invoke('usage_refresh', {ask, force: false})]).then(r => window.__why = JSON.stringify(r).slice(0, 2000)); return true;").await?;
            let why = poll(s, "return window.__why", 20).await.unwrap_or_default();
            let body = s.script("return document.querySelector('[data-testid=\"usage\"]')?.innerText").await.unwrap_or_default();
            Err(e.context(format!("the Usage tab did not reach {states:?}: it shows {body}; the backend answers {why}")))
        }
    }
}

async fn shot(s: &Session, name: &str) {
    let _ = s.script("document.querySelector('[data-testid=\"usage\"]')?.scrollIntoView(); return true;").await;
    // WebKit's screenshot is the last frame painted: let the change just made reach the screen
    // (two frames), or the picture can show the state before it.
    let _ = s.script("return new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))").await;
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    if let Ok(png) = s.screenshot().await {
        let _ = std::fs::write(artifacts_dir().join(name), png);
    }
}

/// The app started straight on the Usage tab (`--tab usage`) in light or dark: waits for
/// `state` (for `stale`, after pressing Refresh: a saved report younger than the refresh interval
/// is shown without asking the source), checks the gauge against the CLI's `want` when given, and
/// keeps `<name>.png`.
async fn photograph(
    home: &std::path::Path,
    env: &[(&'static str, std::ffi::OsString)],
    config: &str,
    state: &str,
    want: Option<&(f64, f64, String)>,
    name: &str,
) {
    in_app(home, env, &["--config", config, "--tab", "usage"], &format!("gui-{name}-end"), async |s| {
        s.script("window.__alerted = false; window.alert = () => { window.__alerted = true; }; return true;").await?;
        if state == "stale" {
            wait_state(s, &["fresh"]).await?;
            poll(s, "return document.querySelector('[data-testid=\"usage-refresh\"]').disabled ? null : true", 30).await?;
            s.click("usage-refresh").await?;
        }
        let got = wait_state(s, &[state]).await?;
        anyhow::ensure!(got == state, "{got}");
        anyhow::ensure!(!s.exists("step-welcome").await?, "--tab usage opens the home, not the wizard");
        anyhow::ensure!(s.script("return document.querySelector('[data-testid=\"tab-usage\"]').getAttribute('aria-selected')").await? == Value::from("true"));
        if let Some(want) = want {
            let got = gauge(s).await?;
            anyhow::ensure!((got.0 - want.0).abs() < 1e-9 && (got.1 - want.1).abs() < 1e-9 && got.2 == want.2, "gauge {got:?} vs the CLI's {want:?}");
        }
        shot(s, &format!("{name}.png")).await;
        anyhow::ensure!(s.script("return window.__alerted").await? == Value::Bool(false));
        Ok(())
    })
    .await
    .unwrap_or_else(|e| panic!("{name}: {e:#}"));
}

/// The gauge as the page shows it: (aria-valuenow, aria-valuemax, visible text).
async fn gauge(s: &Session) -> anyhow::Result<(f64, f64, String)> {
    let v = s
        .script("const m = document.querySelector('[data-testid=\"usage-gauge-meter\"]'); return m ? [Number(m.getAttribute('aria-valuenow')), Number(m.getAttribute('aria-valuemax')), document.querySelector('[data-testid=\"usage-gauge-text\"]').textContent] : null;")
        .await?;
    let (now, max, text): (f64, f64, String) = serde_json::from_value(v)?;
    Ok((now, max, text))
}

/// What the CLI says the gauge must show, as the page words it.
fn expected_gauge(cli: &Value) -> (f64, f64, String) {
    let b = &cli["usage"]["snapshot"]["budget"];
    // `+ 0.0` turns a -0.0 (no spend yet) into 0.0, as the page prints it.
    let (spent, limit) = (b["spent"].as_f64().unwrap() + 0.0, b["limit"].as_f64().unwrap());
    let percent = cli["usage"]["percentUsed"].as_f64().unwrap().round() + 0.0;
    (spent.min(limit), limit, format!("${spent:.2} of ${limit:.2} ({percent} %)"))
}

fn sentence(cli: &Value) -> String {
    let s = cli["usage"]["forecast"]["sentence"].as_str().unwrap_or_default();
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect::<String>() + ".").unwrap_or_default()
}

/// An element's text read in one script (the body is re-rendered as answers arrive, so a found
/// element may be replaced before a second WebDriver call reads it).
async fn text(s: &Session, testid: &str) -> anyhow::Result<String> {
    let v = s.script(&format!("return document.querySelector('[data-testid=\"{testid}\"]')?.innerText ?? null")).await?;
    v.as_str().map(str::to_string).ok_or_else(|| anyhow::anyhow!("no {testid} on the page"))
}

async fn table_rows(s: &Session, chart: &str) -> anyhow::Result<usize> {
    let v = s.script(&format!("return document.querySelectorAll('[data-testid=\"usage-chart-{chart}-table\"] tbody tr').length")).await?;
    Ok(v.as_u64().unwrap_or_default() as usize)
}

#[tokio::test]
async fn the_usage_tab_shows_the_gateways_numbers_as_the_cli_does_and_goes_stale_when_it_stops() {
    let Some(keyring) = keyring_or_skip() else { return };
    // The sandbox's directory (its home, with the cached report) outlives it, as a real home does.
    let dir = tempfile::tempdir().unwrap();
    let port = foundry_onboard_e2e::free_port_run(6).to_string();
    let fixed = ["--dir", dir.path().to_str().unwrap(), "--port", port.as_str()];
    let mut sb = SandboxProcess::start(&fixed);
    configure(&sb, SourceKind::Litellm);
    store_gateway_key(&sb, &keyring);
    let cli = cli_json(&sb, Some(&keyring), &["--json", "usage", "--days", "90", "--refresh"]);
    let want = expected_gauge(&cli);
    let forecast = sentence(&cli);
    // The CLI's CSV of that report (from its cache, which the app reads too).
    let csv = sb.home.path().join("cli.csv");
    cli_json(&sb, Some(&keyring), &["usage", "--days", "90", "--csv", csv.to_str().unwrap()]);
    let home = sb.home.path().to_path_buf();
    let config = sb.config.to_str().unwrap().to_string();
    photograph(&home, &env_for(Some(&keyring), true), &config, "fresh", Some(&want), "usage-litellm-dark").await;
    let sb_ref = &mut sb;
    let exported = in_app(&home, &env_for(Some(&keyring), false), &["--config", &config], "gui-usage-litellm-end", async |s| {
        anyhow::ensure!(open_usage(s, &["fresh"]).await? == "fresh");
        let got = gauge(s).await?;
        anyhow::ensure!((got.0 - want.0).abs() < 1e-9 && (got.1 - want.1).abs() < 1e-9 && got.2 == want.2, "gauge {got:?} vs the CLI's {want:?}");
        anyhow::ensure!(text(s, "usage-forecast").await? == forecast, "forecast: {} vs {forecast}", text(s, "usage-forecast").await?);
        anyhow::ensure!(text(s, "usage-provenance").await?.starts_with("From the gateway (LiteLLM), as of "));
        anyhow::ensure!(text(s, "usage-team-text").await?.contains("of $2000.00"), "team budget beside it");
        anyhow::ensure!(text(s, "usage-compare").await?.starts_with("This machine: "), "this machine beside the gateway");
        shot(s, "usage-litellm-light.png").await;

        // Ranges and the table: the core cuts the report, the page only shows it.
        s.click("usage-table-toggle").await?;
        for (range, days) in [("7", 7), ("90", 90), ("30", 30)] {
            s.click(&format!("usage-range-{range}")).await?;
            poll(s, &format!("return document.querySelectorAll('[data-testid=\"usage-chart-tokens-table\"] tbody tr').length === {days} ? true : null"), 10).await?;
            anyhow::ensure!(table_rows(s, "cost").await? == days, "the cost table follows the range");
        }
        s.click("usage-kind-output").await?;
        poll(s, "return document.querySelector('[data-testid=\"usage-kind-output\"]').getAttribute('aria-pressed') === 'true' && document.querySelector('[data-testid=\"usage-chart-tokens-img\"]').alt.startsWith('Output tokens') ? true : null", 10).await?;
        let header = s.script("return [...document.querySelectorAll('[data-testid=\"usage-chart-tokens-table\"] thead th')].map(t => t.textContent)").await?;
        anyhow::ensure!(header.to_string().contains("claude-sonnet-4-5"), "{header}");
        shot(s, "usage-litellm-table-light.png").await;

        // Export: the rows of the range shown, written by the app into Downloads.
        s.click("usage-range-90").await?;
        poll(s, "return document.querySelectorAll('[data-testid=\"usage-chart-tokens-table\"] tbody tr').length === 90 ? true : null", 10).await?;
        s.click("usage-export").await?;
        let said = poll(s, "return document.querySelector('[data-testid=\"usage-exported\"]')?.textContent || null", 10).await?;
        let path = said.as_str().unwrap_or_default().trim_start_matches("Saved the CSV to ").to_string();

        // The gateway stops: Refresh keeps the last report, marked stale with since-when and why.
        anyhow::ensure!(sb_ref.stop_with("-TERM") == 0, "the sandbox stopped");
        s.click("usage-refresh").await?;
        anyhow::ensure!(wait_state(s, &["stale"]).await? == "stale");
        let notice = text(s, "usage-notice-stale").await?;
        anyhow::ensure!(notice.starts_with("Last updated ") && notice.contains("Not up to date: the last refresh failed ("), "{notice}");
        anyhow::ensure!(gauge(s).await? == got, "the last snapshot is still shown");
        s.click("usage-table-toggle").await?;
        shot(s, "usage-litellm-stale-light.png").await;
        anyhow::ensure!(s.script("return window.__alerted").await? == Value::Bool(false));
        Ok(path)
    })
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    // The same report through the CLI's --csv: the same bytes (one core, two faces).
    let by_app = std::fs::read_to_string(&exported).unwrap_or_else(|e| panic!("{exported}: {e}"));
    assert!(std::path::Path::new(&exported).starts_with(&home), "saved under the test's home: {exported}");
    assert_eq!(by_app, std::fs::read_to_string(&csv).unwrap(), "the app's CSV is the CLI's");
    assert_eq!(by_app.lines().count(), 1 + 90 * 3, "90 days × 3 deployments");
    // A sandbox on the same directory and ports whose gateway is down (the app refuses a config
    // whose sandbox is gone): the same source to the cache, so the saved report, marked stale.
    let down: Vec<&str> = fixed.iter().copied().chain(["--faults", "gateway-down"]).collect();
    let sb2 = SandboxProcess::start(&down);
    configure(&sb2, SourceKind::Litellm);
    store_gateway_key(&sb2, &keyring);
    let config = sb2.config.to_str().unwrap().to_string();
    photograph(sb2.home.path(), &env_for(Some(&keyring), true), &config, "stale", Some(&want), "usage-litellm-stale-dark").await;
}

#[tokio::test]
async fn the_usage_tab_shows_the_gateways_refusal_as_a_state_and_fits_800_by_600_in_dark() {
    let Some(keyring) = keyring_or_skip() else { return };
    let sb = SandboxProcess::start(&["--faults", "usage-budget-exceeded"]);
    configure(&sb, SourceKind::Litellm);
    store_gateway_key(&sb, &keyring);
    let cli = cli_json(&sb, Some(&keyring), &["--json", "usage", "--days", "90", "--refresh"]);
    assert_eq!(cli["usage"]["snapshot"]["budget"]["state"]["kind"], "exceeded", "{cli}");
    let want = expected_gauge(&cli);
    let config = sb.config.to_str().unwrap().to_string();
    in_app(sb.home.path(), &env_for(Some(&keyring), true), &["--config", &config], "gui-usage-exceeded-end", async |s| {
        anyhow::ensure!(open_usage(s, &["budgetExceeded"]).await? == "budgetExceeded");
        let notice = text(s, "usage-notice-budgetExceeded").await?;
        anyhow::ensure!(notice.contains("Budget has been exceeded!") && notice.contains("platform team"), "{notice}");
        let got = gauge(s).await?;
        anyhow::ensure!((got.0 - want.0).abs() < 1e-9 && (got.1 - want.1).abs() < 1e-9 && got.2 == want.2, "gauge {got:?} vs the CLI's {want:?}");
        shot(s, "usage-litellm-exceeded-dark.png").await;
        s.resize(800, 600).await?;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let overflow = s.script("return document.documentElement.scrollWidth - document.documentElement.clientWidth").await?;
        anyhow::ensure!(overflow.as_i64() == Some(0), "no horizontal scroll at 800×600: {overflow}");
        shot(s, "usage-litellm-exceeded-800x600-dark.png").await;
        Ok(())
    })
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    photograph(sb.home.path(), &env_for(Some(&keyring), false), &config, "budgetExceeded", Some(&want), "usage-litellm-exceeded-light").await;
}

/// Spent past the org's budget on this machine's record (the `local` source with a policy budget
/// of $0.10): over budget in words, saying nothing refuses calls, the gauge full, light and dark.
#[tokio::test]
async fn the_usage_tab_shows_an_overspent_policy_budget_as_over_budget_in_light_and_dark() {
    use foundry_onboard_core::config::{ConfigLocation, load, policy::Policy, save};
    let sb = SandboxProcess::start(&[]);
    let mut config = load(&ConfigLocation::Flag(sb.config.clone()), Policy::default()).unwrap().config;
    config.usage.source = Some(SourceKind::Local);
    if let Some(b) = config.usage.budget.as_mut() {
        b.limit = 0.10;
    }
    save(&sb.config, &config, &Policy::default()).unwrap();
    let cli = cli_json(&sb, None, &["--json", "usage", "--days", "90", "--refresh"]);
    assert_eq!(cli["usage"]["snapshot"]["budget"]["state"]["kind"], "within", "a policy budget is counted, never refused: {cli}");
    assert!(cli["usage"]["percentUsed"].as_f64().unwrap() > 100.0, "{cli}");
    let want = expected_gauge(&cli);
    let path = sb.config.to_str().unwrap().to_string();
    for dark in [false, true] {
        let name = if dark { "usage-local-over-budget-dark" } else { "usage-local-over-budget-light" };
        photograph(sb.home.path(), &env_for(None, dark), &path, "overBudget", Some(&want), name).await;
    }
}

/// One Claude Code transcript line for a model named `model` today (the client's shape, facts/usage.md §4).
fn transcript_line(model: &str) -> String {
    let today = chrono::Utc::now().date_naive();
    serde_json::json!({
        "type": "assistant", "timestamp": format!("{today}T08:00:00.000Z"), "sessionId": "hostile", "requestId": "req_hostile", "uuid": "hostile-uuid",
        "message": {"id": "msg_hostile", "type": "message", "role": "assistant", "model": model, "content": [],
            "usage": {"input_tokens": 1234, "output_tokens": 567, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}}
    })
    .to_string()
}

#[tokio::test]
async fn the_usage_tab_shows_this_machines_estimate_and_a_hostile_model_name_as_text() {
    let sb = SandboxProcess::start(&[]);
    configure(&sb, SourceKind::Local);
    // A deployment a server named like markup, in a transcript of this test's own.
    let projects = sandbox_dir(&sb).join("home/.claude/projects/-home-dev-hostile");
    std::fs::create_dir_all(&projects).unwrap();
    std::fs::write(projects.join("hostile.jsonl"), format!("{}\n", transcript_line(HOSTILE))).unwrap();
    let cli = cli_json(&sb, None, &["--json", "usage", "--days", "90", "--refresh"]);
    let models: Vec<&str> = cli["usage"]["snapshot"]["rows"].as_array().unwrap().iter().filter_map(|r| r["model"].as_str()).collect();
    assert!(models.contains(&HOSTILE), "the CLI read the hostile transcript: {models:?}");
    let config = sb.config.to_str().unwrap().to_string();
    in_app(sb.home.path(), &dark(), &["--config", &config], "gui-usage-local-end", async |s| {
        let state = open_usage(s, &["fresh", "noData", "partial"]).await?;
        anyhow::ensure!(state == "fresh", "{state}");
        anyhow::ensure!(text(s, "usage-provenance").await?.starts_with("This machine only, estimate, as of "));
        anyhow::ensure!(!s.exists("usage-compare").await?, "no comparison of the estimate with itself");
        s.click("usage-table-toggle").await?;
        s.click("usage-range-7").await?;
        let header = poll(s, "const h = [...document.querySelectorAll('[data-testid=\"usage-chart-tokens-table\"] thead th')].map(t => t.textContent); return h.length > 1 ? h : null", 10).await?;
        anyhow::ensure!(header.as_array().is_some_and(|h| h.iter().any(|t| t == HOSTILE)), "the name is a header's text: {header}");
        // Text, not markup: no element came of it, nothing ran, and the chart's SVG holds it escaped.
        anyhow::ensure!(s.script("return document.querySelectorAll('img[src=\"x\"]').length").await? == Value::from(0));
        anyhow::ensure!(s.script("return window.__alerted").await? == Value::Bool(false), "no script ran");
        let svg = s.script("const src = document.querySelector('[data-testid=\"usage-chart-tokens-img\"]').getAttribute('src'); return decodeURIComponent(src.slice(src.indexOf(',') + 1));").await?;
        let svg = svg.as_str().unwrap_or_default();
        anyhow::ensure!(svg.contains("&lt;img src=x onerror=alert(1)&gt;") && !svg.contains(HOSTILE), "escaped in the chart");
        shot(s, "usage-local-dark.png").await;
        Ok(())
    })
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    photograph(sb.home.path(), &[], &config, "fresh", Some(&expected_gauge(&cli)), "usage-local-light").await;
}

/// The states that teach, in the real window: no source configured (this machine's estimate, and
/// where the platform team's instructions are), a range without usage (the newest week's
/// transcripts gone), and signed out of the gateway (no key in the keyring).
#[tokio::test]
async fn the_usage_tab_teaches_without_a_source_in_an_empty_range_and_when_signed_out() {
    use foundry_onboard_core::config::{ConfigLocation, load, policy::Policy, save};
    let Some(keyring) = keyring_or_skip() else { return };
    let sb = SandboxProcess::start(&[]);
    let mut config = load(&ConfigLocation::Flag(sb.config.clone()), Policy::default()).unwrap().config;
    config.usage.source = None;
    let gateway = config.gateway.url.take();
    save(&sb.config, &config, &Policy::default()).unwrap();
    // Claude Code has not been used this week: the newest seven days' transcripts are gone.
    let projects = sandbox_dir(&sb).join("home/.claude/projects/-home-dev-project");
    let today = chrono::Utc::now().date_naive();
    for ago in 0..7 {
        let day = today - chrono::Duration::days(ago);
        std::fs::remove_file(projects.join(format!("sbx-{day}.jsonl"))).unwrap();
    }
    let last = (today - chrono::Duration::days(7)).format("%-d %b %Y").to_string();
    let path = sb.config.to_str().unwrap().to_string();
    in_app(sb.home.path(), &[], &["--config", &path, "--tab", "usage"], "gui-usage-no-source-end", async |s| {
        anyhow::ensure!(wait_state(s, &["noSource"]).await? == "noSource");
        let notice = text(s, "usage-notice-noSourceConfigured").await?;
        anyhow::ensure!(notice.contains("this machine's own numbers") && notice.contains("platform team can point the app at the gateway"), "{notice}");
        anyhow::ensure!(text(s, "usage-platform-doc").await?.contains("Usage for platform teams"));
        s.click("usage-range-7").await?;
        let empty = poll(s, "return document.querySelector('[data-testid=\"usage-charts-empty\"]')?.textContent || null", 10).await?;
        let want = format!("No usage in the last 7 days. The last usage the source has is on {last}; a longer range shows it.");
        anyhow::ensure!(empty == want.as_str(), "{empty} vs {want}");
        anyhow::ensure!(!s.exists("usage-chart-tokens-img").await?, "no empty chart drawn");
        shot(s, "usage-no-source-empty-week-light.png").await;
        s.click("usage-range-30").await?;
        poll(s, "return document.querySelector('[data-testid=\"usage-chart-tokens-img\"]')?.alt.includes('last 30 days') ? true : null", 10).await?;
        anyhow::ensure!(!s.exists("usage-charts-empty").await?);
        Ok(())
    })
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));

    // The gateway as the source (the sandbox's own config: its LiteLLM takes its key), but no key
    // stored: signed out, and the tab asks for the key. A wrong one is refused by the gateway and
    // asked for again; the sandbox's own brings the numbers, which the CLI then reads with the key
    // the app stored. The key is in no text of the page and no file of the home.
    config.gateway.url = gateway;
    config.usage.source = None;
    save(&sb.config, &config, &Policy::default()).unwrap();
    let key_file = sandbox_dir(&sb).join(foundry_onboard_core::sandbox_info::GATEWAY_KEY_FILE);
    let key = std::fs::read_to_string(&key_file).unwrap().trim().to_string();
    in_app(sb.home.path(), &env_for(Some(&keyring), true), &["--config", &path, "--tab", "usage"], "gui-usage-signed-out-end", async |s| {
        anyhow::ensure!(wait_state(s, &["signedOut"]).await? == "signedOut");
        let said = text(s, "usage-signed-out").await?;
        anyhow::ensure!(said.starts_with("Signed out: ") && said.contains("gateway-key"), "{said}");
        anyhow::ensure!(
            !s.script("return document.querySelector('[data-testid=\"usage-controls\"]').checkVisibility()").await?.as_bool().unwrap_or(true),
            "no range buttons for no report"
        );
        let where_ = text(s, "usage-gateway-key-where").await?;
        anyhow::ensure!(where_.contains(key_file.to_str().unwrap()), "the sandbox names its key's file: {where_}");
        shot(s, "usage-signed-out-dark.png").await;
        s.click("usage-gateway-key").await?;
        s.keys("sk-not-the-sandboxes").await?;
        s.click("usage-gateway-key-save").await?;
        let refused =
            poll(s, "const t = document.querySelector('[data-testid=\"usage-signed-out\"]')?.innerText ?? ''; return t.includes('refused') ? t : null", 30)
                .await?;
        anyhow::ensure!(refused.as_str().is_some_and(|t| t.contains("Invalid API key")), "the gateway's own words: {refused}");
        anyhow::ensure!(s.script("return document.activeElement?.dataset.testid ?? null").await? == "usage-gateway-key", "the field again, for another key");
        s.keys(&format!("  {key} ")).await?;
        s.keys("\u{E007}").await?;
        anyhow::ensure!(wait_state(s, &["fresh", "stale", "partial", "budgetExceeded", "overBudget"]).await? == "fresh");
        anyhow::ensure!(text(s, "usage-gauge-text").await?.contains(" of $"), "the key's budget");
        let page = s.script("return document.documentElement.outerHTML").await?;
        anyhow::ensure!(!page.as_str().unwrap_or_default().contains(&key), "the key is in the page");
        shot(s, "usage-key-pasted-dark.png").await;
        Ok(())
    })
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    let cli = cli_json(&sb, Some(&keyring), &["--json", "usage", "--days", "90", "--refresh"]);
    assert_eq!(cli["usage"]["snapshot"]["source"], "litellm", "the CLI reads the gateway with the key the app stored: {cli}");
    for entry in walkdir(sb.home.path()) {
        let bytes = std::fs::read(&entry).unwrap_or_default();
        assert!(!String::from_utf8_lossy(&bytes).contains(&key), "the gateway key is in {}", entry.display());
    }
}

/// Every file under `dir`.
fn walkdir(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![];
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() => todo.push(p),
                Ok(t) if t.is_file() => out.push(p),
                _ => {}
            }
        }
    }
    out
}

/// Azure Monitor with the real az signed in to the sandbox (inside a loopback-only namespace, as
/// every client we did not write): the policy budget as the CLI reads it, the provenance with its
/// lag, and the stand-in's `usage-partial` fault shown as partial with the reason.
#[test]
fn the_usage_tab_shows_azure_monitor_partial_data_as_partial() {
    let Some(az) = foundry_onboard_e2e::real_az() else {
        assert!(std::env::var_os("CI").is_none(), "CI must run the real-az tests");
        foundry_onboard_e2e::skipped("the azure-monitor Usage tab test", "azure-cli is not installed in ~/.cache/foundry-onboard-az");
        return;
    };
    if foundry_onboard_e2e::reexec_in_netns("gui::usage::the_usage_tab_shows_azure_monitor_partial_data_as_partial") {
        return;
    }
    let sb = SandboxProcess::start_signed_in(&az, &["--faults", "usage-partial"]);
    configure_azure_monitor(&sb);
    let mut c = cli_command(sb.home.path());
    c.env("FOUNDRY_ONBOARD_AZ", &az).arg("--config").arg(&sb.config).args(["--json", "usage", "--days", "90", "--refresh"]);
    let r = run(c);
    let cli: Value = r.stdout.lines().find_map(|l| serde_json::from_str(l).ok()).unwrap_or_default();
    assert_eq!(cli["usage"]["snapshot"]["completeness"]["kind"], "partial", "{}{}", r.stdout, r.stderr);
    let want = expected_gauge(&cli);
    assert!(want.0 > 0.0, "the partial answer still has this period's spend (else the gauges agree on nothing): {want:?}");
    let config = sb.config.to_str().unwrap().to_string();
    let env = vec![("FOUNDRY_ONBOARD_AZ", az.clone().into_os_string())];
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(in_app(sb.home.path(), &env, &["--config", &config], "gui-usage-azure-end", async |s| {
        anyhow::ensure!(open_usage(s, &["partial"]).await? == "partial");
        let notice = text(s, "usage-notice-partial").await?;
        anyhow::ensure!(notice.starts_with("Partial data: "), "{notice}");
        anyhow::ensure!(text(s, "usage-provenance").await?.starts_with("From Azure Monitor, about "), "the lag in words");
        let got = gauge(s).await?;
        anyhow::ensure!((got.0 - want.0).abs() < 1e-9 && (got.1 - want.1).abs() < 1e-9 && got.2 == want.2, "gauge {got:?} vs the CLI's {want:?}");
        shot(s, "usage-azure-partial-light.png").await;
        Ok(())
    }))
    .unwrap_or_else(|e| panic!("{e:#}"));
    let mut env = env;
    env.extend(dark());
    rt.block_on(photograph(sb.home.path(), &env, &config, "partial", Some(&want), "usage-azure-partial-dark"));
}

fn configure_azure_monitor(sb: &SandboxProcess) {
    use foundry_onboard_core::config::{ConfigLocation, load, policy::Policy, save};
    let mut config = load(&ConfigLocation::Flag(sb.config.clone()), Policy::default()).unwrap().config;
    config.usage.source = Some(SourceKind::AzureMonitor);
    save(&sb.config, &config, &Policy::default()).unwrap();
}
