//! One core, two faces: the CLI's `profile write` flags and the app's Save (its real IPC commands,
//! in the real window) given the same choices must write the same bytes — the config and every
//! profile file — and refuse the same things with the same words.

use foundry_onboard_e2e::{cli_command, run};
use std::path::{Path, PathBuf};

/// What both faces start from: a real-tenant config (no sandbox), nothing chosen yet.
const BASE: &str = "[azure]\ntenant = \"8a1d3c52-5f0e-4b7a-9c1e-5a4d0b0c5a11\"\n\n[profile]\nshells = [\"bash\", \"zsh\", \"fish\"]\n";

/// Every file either face writes under `home`, with its bytes.
fn written(home: &Path, config: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<PathBuf> =
        [".bashrc", ".zshrc", ".config/fish/conf.d/foundry-onboard.fish", ".claude/settings.json"].iter().map(|f| home.join(f)).collect();
    files.push(config.to_path_buf());
    files.into_iter().map(|f| (f.clone(), std::fs::read(&f).unwrap_or_default())).collect()
}

/// Calls one of the app's commands from its page, as the page's own code does, and waits for it.
async fn invoke(
    s: &foundry_onboard_e2e::webdriver::Session,
    command: &str,
    args: serde_json::Value,
) -> anyhow::Result<Result<serde_json::Value, serde_json::Value>> {
    s.script(&format!(
        "window.__faces = null; window.__TAURI_INTERNALS__.invoke({command:?}, {args}).then(v => window.__faces = {{ok: v ?? true}}, e => window.__faces = {{err: e}}); return true;"
    ))
    .await?;
    let v = super::poll(s, "return window.__faces", 60).await?;
    Ok(match v.get("err") {
        Some(e) => Err(e.clone()),
        None => Ok(v["ok"].clone()),
    })
}

/// The CLI writes with `flags`; then the config goes back to `BASE` and the app, in the same
/// home, saves `command(choice)` and writes: every file must come out byte for byte as the CLI
/// left it (the block keeps its id, so any difference in what the app derived shows as bytes).
async fn same_bytes(name: &str, flags: &[&str], command: &str, choice: serde_json::Value) {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("faces.toml");
    std::fs::write(&config, BASE).unwrap();
    let mut args = vec!["--config", config.to_str().unwrap(), "profile", "write", "--no-verify"];
    args.extend_from_slice(flags);
    let mut c = cli_command(home.path());
    c.args(&args);
    let r = run(c);
    assert_eq!(r.code, 0, "{name}: the CLI wrote: {}", r.stderr);
    let by_cli = written(home.path(), &config);
    assert!(by_cli.iter().all(|(_, b)| !b.is_empty()), "{name}: the CLI wrote every file");
    std::fs::write(&config, BASE).unwrap();
    let app_args = ["--config", config.to_str().unwrap()];
    let (saved, wrote) = super::in_app(home.path(), &[], &app_args, &format!("gui-faces-{name}"), async |s| {
        let saved = invoke(s, command, serde_json::json!({ "choice": choice })).await?;
        let wrote = invoke(s, "profile_write", serde_json::json!({})).await?;
        Ok((saved, wrote))
    })
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    assert!(saved.is_ok(), "{name}: the app saved: {saved:?}");
    assert!(wrote.is_ok(), "{name}: the app wrote: {wrote:?}");
    let by_app = written(home.path(), &config);
    for ((path, cli), (_, app)) in by_cli.iter().zip(&by_app) {
        assert!(cli == app, "{name}: {} differs\n--- CLI\n{}\n--- app\n{}", path.display(), String::from_utf8_lossy(cli), String::from_utf8_lossy(app));
    }
}

#[tokio::test]
async fn the_cli_and_the_app_write_the_same_bytes_for_a_resource() {
    let sub = "0b1f6471-1bf0-4dda-aec3-111122223333";
    same_bytes(
        "resource",
        &["--resource", "contoso-ai", "--subscription", sub, "--sonnet", "claude-sonnet-4-5", "--haiku", "claude-haiku-4-5", "--opus", "claude-opus-4-1"],
        "save_models",
        serde_json::json!({"subscriptionId": sub, "resource": "contoso-ai", "sonnet": "claude-sonnet-4-5", "haiku": "claude-haiku-4-5", "opus": "claude-opus-4-1", "reuseConfirmed": false}),
    )
    .await;
}

/// A gateway under a path: the CLI used to take the URL's origin (dropping `/llm`) where the app
/// strips only `/anthropic`.
#[tokio::test]
async fn the_cli_and_the_app_write_the_same_bytes_for_a_gateway_under_a_path() {
    same_bytes(
        "gateway",
        &["--gateway", "--base-url", "https://gw.contoso.com/llm/anthropic", "--sonnet", "gw-sonnet", "--haiku", "gw-haiku", "--opus", "gw-opus"],
        "save_gateway",
        serde_json::json!({"url": "https://gw.contoso.com/llm", "sonnet": "gw-sonnet", "haiku": "gw-haiku", "opus": "gw-opus", "reuseConfirmed": false}),
    )
    .await;
}

/// One deployment for two tiers needs the same confirmation in both faces, and a bad name the
/// same refusal; the CLI's confirmation is a flag.
#[tokio::test]
async fn both_faces_refuse_the_same_choices_with_the_same_words() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("faces.toml");
    std::fs::write(&config, BASE).unwrap();
    let cli_says = |flags: &[&str]| {
        let mut c = cli_command(home.path());
        c.args(["--json", "--config", config.to_str().unwrap(), "profile", "write", "--no-verify", "--resource", "contoso-ai"]).args(flags);
        let r = run(c);
        (r.code, serde_json::from_str::<serde_json::Value>(&r.stdout).unwrap_or_default())
    };
    let (code, shared) = cli_says(&["--sonnet", "same", "--haiku", "h", "--opus", "same"]);
    assert_eq!(code, 3, "{shared}");
    assert!(shared["error"]["hint"].as_str().unwrap_or_default().contains("--reuse-deployment"), "{shared}");
    let (code, bad) = cli_says(&["--sonnet", "has space", "--haiku", "h", "--opus", "o"]);
    assert_eq!(code, 3, "{bad}");
    let (code, _) = cli_says(&["--sonnet", "same", "--haiku", "h", "--opus", "same", "--reuse-deployment"]);
    assert_eq!(code, 0, "confirmed by the flag");
    std::fs::write(&config, BASE).unwrap();
    let app_args = ["--config", config.to_str().unwrap()];
    let (app_shared, app_bad) = super::in_app(home.path(), &[], &app_args, "gui-faces-refusals", async |s| {
        let choice = |sonnet: &str, opus: &str| serde_json::json!({"choice": {"subscriptionId": "s", "resource": "contoso-ai", "sonnet": sonnet, "haiku": "h", "opus": opus, "reuseConfirmed": false}});
        let shared = invoke(s, "save_models", choice("same", "same")).await?;
        let bad = invoke(s, "save_models", choice("has space", "o")).await?;
        Ok((shared, bad))
    })
    .await
    .unwrap_or_else(|e| panic!("{e:#}"));
    let app_shared = app_shared.expect_err("the app asks to confirm a shared deployment");
    let app_bad = app_bad.expect_err("the app refuses a bad name");
    assert_eq!(app_shared["message"], shared["error"]["message"], "same words");
    assert_eq!(app_shared["kind"], "config");
    assert!(!app_shared["hint"].as_str().unwrap_or_default().contains("--"), "no CLI flag in the app's hint: {app_shared}");
    assert_eq!(app_bad["message"], bad["error"]["message"], "same words");
    assert_eq!(app_bad["hint"], bad["error"]["hint"]);
}
