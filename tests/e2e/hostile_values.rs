//! Values that reach a shell or a terminal, through the real CLI (issue #18 items 1, 5, 6, 12,
//! 15): a URL no endpoint can have is refused where it enters, paths with every kind of quote
//! survive every shell, the block names absolute paths, a repository's escape sequences never
//! reach the terminal, and a secret that would inject a header is refused.

use foundry_onboard_e2e::{cli_command, run};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const HOSTILE_URL: &str = "https://gw.example/\u{2019};Start-Process calc;\u{2019}/anthropic";

struct Fixture {
    dir: tempfile::TempDir,
    root: PathBuf,
    config: PathBuf,
    home: PathBuf,
}

/// A TOML basic string (JSON's escapes are TOML's).
fn toml_str(p: &Path) -> String {
    serde_json::to_string(p.to_str().unwrap()).unwrap()
}

/// A sandbox-style config under `<tmp>/<name>/` (its own home and CA), with `extra` TOML first.
fn fixture(name: &str, extra: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join(name);
    let home = root.join("home");
    fs::create_dir_all(&home).unwrap();
    let ca = root.join("ca.pem");
    fs::write(&ca, "not a real CA").unwrap();
    let config = root.join("sandbox.toml");
    fs::write(
        &config,
        format!(
            "{extra}\n[foundry]\nbase_url = \"https://sandbox-ai.services.ai.azure.com:8443/anthropic\"\n[models]\nsonnet = \"claude-sonnet-4-5\"\nhaiku = \"claude-haiku-4-5\"\nopus = \"claude-opus-4-6\"\n[sandbox]\nhome = {}\nca_file = {}\n",
            toml_str(&home),
            toml_str(&ca)
        ),
    )
    .unwrap();
    Fixture { dir, root, config, home }
}

/// The CLI with the scrubbed environment, run in `cwd`, never near a real keyring.
fn cli_in(f: &Fixture, cwd: &Path, args: &[&str]) -> Command {
    let mut c = cli_command(f.dir.path());
    c.current_dir(cwd).env_remove("DBUS_SESSION_BUS_ADDRESS").env("XDG_RUNTIME_DIR", f.dir.path()).args(args);
    c
}

fn cli(f: &Fixture, args: &[&str]) -> foundry_onboard_e2e::Run {
    let mut c = cli_in(f, f.dir.path(), &["--config"]);
    c.arg(&f.config).args(args);
    run(c)
}

/// No file named `pwned` anywhere under `dir`.
fn assert_nothing_ran(dir: &Path) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            assert_ne!(e.file_name(), "pwned", "a command hidden in a value ran: {}", e.path().display());
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            }
        }
    }
}

#[test]
fn finding_01_a_url_no_endpoint_can_have_is_refused_at_every_entrance() {
    let f = fixture("plain", "");
    // The CLI's flag: refused before anything is written.
    let r = cli(&f, &["profile", "write", "--no-verify", "--shell", "pwsh", "--shell", "bash", "--base-url", HOSTILE_URL]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("foundry.base_url") && r.stderr.contains("U+2019"), "{}", r.stderr);
    assert!(!f.home.join(".config/powershell/profile.ps1").exists() && !f.home.join(".bashrc").exists());
    assert!(!fs::read_to_string(&f.config).unwrap().contains('\u{2019}'), "the config was not saved either");

    // The config file: refused when it is loaded, naming the key and the character.
    for (extra, key, ch) in [
        ("[gateway]\nurl = \"https://gw.example/\u{201B}x\"\n".to_string(), "gateway.url", "U+201B"),
        ("[azure]\narm_url = \"https://management.azure.com/\\u0000\"\n".to_string(), "azure.arm_url", "U+0000"),
    ] {
        let g = fixture("plain", &extra);
        let r = cli(&g, &["profile", "show", "--shell", "bash"]);
        assert_eq!(r.code, 3, "{extra}: {}\n{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(key) && r.stderr.contains(ch), "{extra}: {}", r.stderr);
    }
}

#[test]
fn finding_01_a_home_with_every_kind_of_quote_in_its_name_works_in_every_shell() {
    let f = fixture("it's \u{2018}q\u{2019} \u{201A}x\u{201B} \"d\" $(touch pwned) `touch pwned`; #", "");
    let r = cli(&f, &["--json", "profile", "write", "--shell", "bash", "--shell", "zsh", "--shell", "fish", "--shell", "pwsh", "--shell", "claude-settings"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    for shell in v["shells"].as_array().unwrap() {
        if shell["target"] != "pwsh" {
            assert_eq!(shell["status"], "pass", "{shell}");
        }
    }
    assert_nothing_ran(f.dir.path());
    // PowerShell ends a '…' string on any of ' ‘ ’ ‚ ‛: each is doubled (pwsh is not installed here).
    let ps1 = fs::read_to_string(f.home.join(".config/powershell/profile.ps1")).unwrap();
    assert!(ps1.contains("it''s \u{2018}\u{2018}q\u{2019}\u{2019} \u{201A}\u{201A}x\u{201B}\u{201B} \"d\" $(touch pwned)"), "{ps1}");
    let settings: serde_json::Value = serde_json::from_slice(&fs::read(f.home.join(".claude/settings.json")).unwrap()).unwrap();
    assert_eq!(settings["env"]["REQUESTS_CA_BUNDLE"], f.root.join("ca.pem").to_str().unwrap());
}

#[test]
fn finding_05_the_block_calls_the_cli_with_absolute_paths() {
    let f = fixture("rel", "[azure]\nlogin = \"api-key\"\n");
    // `--config sandbox.toml`, relative to where the command runs.
    let r = run(cli_in(&f, &f.root, &["--config", "sandbox.toml", "profile", "write", "--no-verify", "--shell", "bash", "--shell", "fish"]));
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let cli = foundry_onboard_e2e::cli();
    let want = format!("'{}' '--config' '{}' secret print foundry-api-key", cli.display(), f.config.display());
    for file in [f.home.join(".bashrc"), f.home.join(".config/fish/conf.d/foundry-onboard.fish")] {
        let text = fs::read_to_string(&file).unwrap();
        assert!(text.contains(&want), "{}:\n{text}", file.display());
    }
}

#[test]
fn finding_06_profile_show_keeps_a_repositorys_escape_sequences_off_the_terminal() {
    let f = fixture("show", "");
    let repo = f.dir.path().join("repo");
    fs::create_dir_all(repo.join(".claude")).unwrap();
    let settings = serde_json::json!({"env": {
        "ANTHROPIC_BASE_URL": "https://x.example\u{1b}]0;pwned\u{7}\u{1b}[2J",
        "ANTHROPIC_DEFAULT_OPUS_MODEL": "opus\u{9b}8m\r\u{202e}",
    }});
    fs::write(repo.join(".claude/settings.json"), settings.to_string()).unwrap();
    let repo_arg = repo.to_str().unwrap();
    let r = cli(&f, &["profile", "show", "--shell", "bash", "--cwd", repo_arg]);
    let printed = format!("{}{}", r.stdout, r.stderr);
    assert!(printed.contains("https://x.example\\u{1b}]0;pwned\\u{7}\\u{1b}[2J"), "{printed}");
    let bad: Vec<char> = printed.chars().filter(|c| (c.is_control() && *c != '\n') || *c == '\u{202e}').collect();
    assert!(bad.is_empty(), "control characters reached the terminal: {bad:?}");

    let r = cli(&f, &["--json", "profile", "show", "--shell", "bash", "--cwd", repo_arg]);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {}", r.stdout));
    for var in v["effective"]["vars"].as_array().unwrap() {
        let value = var["value"].as_str().unwrap();
        assert!(!value.chars().any(|c| c.is_control() || c == '\u{202e}'), "{var}");
    }
}

/// `secret set NAME` with `input` on stdin.
fn secret_set(f: &Fixture, name: &str, input: &[u8]) -> foundry_onboard_e2e::Run {
    let mut c = cli_in(f, f.dir.path(), &["--config"]);
    c.arg(&f.config).args(["secret", "set", name]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    // The CLI may stop reading early (an over-long value): a closed pipe is no failure here.
    let _ = child.stdin.take().unwrap().write_all(input);
    let out = child.wait_with_output().unwrap();
    foundry_onboard_e2e::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn finding_12_secret_set_refuses_a_header_injection_and_an_overlong_value() {
    let f = fixture("secret", "");
    let r = secret_set(&f, "gateway-key", b"sk-123\r\nX-Injected: 1\n");
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("control character") && !r.stderr.contains("X-Injected") && !r.stderr.contains("sk-123"), "{}", r.stderr);

    let mut long = vec![b'k'; 64 * 1024 + 10];
    long.push(b'\n');
    let r = secret_set(&f, "gateway-key", &long);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("too long"), "{}", r.stderr);
}

#[test]
fn finding_15_a_relative_extra_ca_file_is_read_from_the_configs_directory() {
    let f = fixture("ca", "[network]\nextra_ca_file = \"corp.pem\"\n");
    fs::write(f.root.join("corp.pem"), "pem").unwrap();
    // Run from elsewhere: the path is the config's neighbour, not the working directory's.
    let r = cli(&f, &["profile", "write", "--no-verify", "--shell", "bash"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let text = fs::read_to_string(f.home.join(".bashrc")).unwrap();
    assert!(text.contains(&format!("export NODE_EXTRA_CA_CERTS='{}'", f.root.join("corp.pem").display())), "{text}");

    let g = fixture("ca", "[network]\nextra_ca_file = \"missing.pem\"\n");
    let r = cli(&g, &["profile", "write", "--no-verify", "--shell", "bash"]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(&g.root.join("missing.pem").display().to_string()) && r.stderr.contains("does not exist"), "{}", r.stderr);
    assert!(r.stderr.contains("help:"), "{}", r.stderr);
    assert!(!g.home.join(".bashrc").exists());
}

#[test]
fn finding_15_a_base_url_with_a_fragment_is_refused() {
    let f = fixture("frag", "");
    let r = cli(&f, &["profile", "write", "--no-verify", "--shell", "bash", "--base-url", "https://gw.example/anthropic#x"]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("foundry.base_url") && r.stderr.contains('#'), "{}", r.stderr);
    assert!(!f.home.join(".bashrc").exists());
}
