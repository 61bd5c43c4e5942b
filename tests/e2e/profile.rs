//! The profile through the real CLI and real shells: bash, zsh and fish source what we wrote;
//! write twice equals write once; remove restores every byte; symlinks, modes and other people's
//! JSON keys survive; broken files are refused untouched.

use foundry_onboard_e2e::{cli_command, run};
use std::fs;
use std::path::{Path, PathBuf};

pub(crate) struct Fixture {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) config: PathBuf,
    pub(crate) home: PathBuf,
}

/// A sandbox-style config (its own home, its own CA path) — no sandbox process needed to write.
pub(crate) fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    fs::create_dir_all(&home).unwrap();
    let config = dir.path().join("sandbox.toml");
    fs::write(
        &config,
        format!(
            "[foundry]\nbase_url = \"https://sandbox-ai.services.ai.azure.com:8443/anthropic\"\n[models]\nsonnet = \"claude-sonnet-4-5\"\nhaiku = \"claude-haiku-4-5\"\nopus = \"claude-opus-4-6\"\n[sandbox]\nhome = \"{}\"\nca_file = \"{}\"\n",
            home.display(),
            dir.path().join("ca.pem").display()
        ),
    )
    .unwrap();
    Fixture { dir, config, home }
}

/// The real CLI on the fixture's config.
pub(crate) fn command(f: &Fixture, args: &[&str]) -> std::process::Command {
    let mut c = cli_command(f.dir.path());
    c.arg("--config").arg(&f.config).args(args);
    c
}

pub(crate) fn cli(f: &Fixture, args: &[&str]) -> foundry_onboard_e2e::Run {
    run(command(f, args))
}

fn shell_env(program: &str, args: &[&str], home: &Path, var: &str) -> Option<String> {
    let out = std::process::Command::new(program)
        .args(args)
        .arg(format!("printf '%s' \"${var}\""))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env_remove("ZDOTDIR")
        .env_remove(var)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn real_shells_source_the_profile_and_remove_restores_every_byte() {
    let f = fixture();
    let bashrc_original: &[u8] = b"# my bashrc\r\nalias ll='ls -l'\r\n\xff\xfe not utf-8\r\nexport KEEP=1";
    let dotfiles = f.dir.path().join("dotfiles");
    fs::create_dir_all(&dotfiles).unwrap();
    fs::write(dotfiles.join("bashrc"), bashrc_original).unwrap();
    std::os::unix::fs::symlink(dotfiles.join("bashrc"), f.home.join(".bashrc")).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(dotfiles.join("bashrc"), fs::Permissions::from_mode(0o640)).unwrap();
    let zshrc_original: &[u8] = b"setopt no_beep\n";
    fs::write(f.home.join(".zshrc"), zshrc_original).unwrap();
    fs::create_dir_all(f.home.join(".claude")).unwrap();
    let settings_original = b"{\n  \"permissions\": {\"allow\": [\"Bash(ls)\"]},\n  \"hooks\": {},\n  \"env\": {\"MY_VAR\": \"x\"},\n  \"statusLine\": {\"type\": \"command\", \"command\": \"echo hi\"}\n}\n";
    fs::write(f.home.join(".claude/settings.json"), settings_original).unwrap();

    let r = cli(&f, &["--json", "profile", "write", "--shell", "bash", "--shell", "zsh", "--shell", "fish", "--shell", "claude-settings"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    for shell in v["shells"].as_array().unwrap() {
        assert_eq!(shell["status"], "pass", "{shell}");
    }
    let written: Vec<&str> = v["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert!(written.iter().all(|p| p.starts_with(f.home.to_str().unwrap())), "sandbox writes only under its home: {written:?}");

    // Each real shell, started as a terminal would, sees the deployment name.
    for (program, args) in [("bash", &["-ic"][..]), ("zsh", &["-ic"]), ("fish", &["-c"])] {
        let got = shell_env(program, args, &f.home, "ANTHROPIC_DEFAULT_OPUS_MODEL");
        assert_eq!(got.as_deref(), Some("claude-opus-4-6"), "{program}");
    }
    // The symlink survives and the real file keeps its mode and every byte around the block.
    assert!(fs::symlink_metadata(f.home.join(".bashrc")).unwrap().file_type().is_symlink());
    assert_eq!(fs::metadata(dotfiles.join("bashrc")).unwrap().permissions().mode() & 0o777, 0o640);
    let after_once = fs::read(dotfiles.join("bashrc")).unwrap();
    assert!(after_once.starts_with(bashrc_original));
    // bash would read a \r as part of each value: the block is LF even in a CRLF file, and the
    // newline added after the user's last line is LF too, so their `KEEP=1` stays `1`.
    assert!(after_once.ends_with(b"# <<< foundry-onboard <<<\n"));
    assert_eq!(&after_once[bashrc_original.len()..bashrc_original.len() + 1], b"\n");
    assert_eq!(shell_env("bash", &["-ic"], &f.home, "KEEP").as_deref(), Some("1"));
    let settings: serde_json::Value = serde_json::from_slice(&fs::read(f.home.join(".claude/settings.json")).unwrap()).unwrap();
    let keys: Vec<&String> = settings.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["permissions", "hooks", "env", "statusLine"]);
    assert_eq!(settings["env"]["MY_VAR"], "x");
    assert_eq!(settings["env"]["CLAUDE_CODE_USE_FOUNDRY"], "1");

    // Write twice = write once.
    let r = cli(&f, &["profile", "write", "--no-verify", "--shell", "bash", "--shell", "zsh", "--shell", "fish", "--shell", "claude-settings"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(fs::read(dotfiles.join("bashrc")).unwrap(), after_once);
    assert!(r.stdout.contains("unchanged"), "{}", r.stdout);

    // Remove restores the bytes and deletes what we created.
    let r = cli(&f, &["profile", "remove", "--shell", "bash", "--shell", "zsh", "--shell", "fish", "--shell", "claude-settings"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(fs::read(dotfiles.join("bashrc")).unwrap(), bashrc_original);
    assert!(fs::symlink_metadata(f.home.join(".bashrc")).unwrap().file_type().is_symlink());
    assert_eq!(fs::read(f.home.join(".zshrc")).unwrap(), zshrc_original);
    assert_eq!(fs::read(f.home.join(".claude/settings.json")).unwrap(), settings_original);
    assert!(!f.home.join(".config/fish/conf.d/foundry-onboard.fish").exists(), "the fish file was ours: deleted");
    // Backups of what was there before each change.
    let backups = fs::read_dir(f.home.join(".local/state/foundry-onboard/profile/backups")).unwrap().count();
    assert!(backups >= 3, "{backups}");
}

#[test]
fn dry_run_shows_the_diff_and_writes_nothing() {
    let f = fixture();
    fs::write(f.home.join(".bashrc"), "echo hi\n").unwrap();
    let r = cli(&f, &["profile", "write", "--dry-run", "--shell", "bash"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("+export CLAUDE_CODE_USE_FOUNDRY='1'"), "{}", r.stdout);
    assert!(r.stdout.contains("+# >>> foundry-onboard >>>"), "{}", r.stdout);
    assert_eq!(fs::read_to_string(f.home.join(".bashrc")).unwrap(), "echo hi\n");
}

#[test]
fn broken_files_are_refused_untouched_with_the_lines_named() {
    let f = fixture();
    // Our block, pasted twice (marker lines alone are the user's text: only a block we wrote counts).
    fs::write(f.home.join(".bashrc"), "a\n").unwrap();
    assert_eq!(cli(&f, &["profile", "write", "--no-verify", "--shell", "bash"]).code, 0);
    let once = fs::read_to_string(f.home.join(".bashrc")).unwrap();
    let block = &once["a\n".len()..];
    let two = format!("{once}b\n{block}");
    fs::write(f.home.join(".bashrc"), &two).unwrap();
    let r = cli(&f, &["profile", "write", "--shell", "bash"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("lines 2 and {}", 3 + block.lines().count())), "{}", r.stderr);
    assert!(r.stderr.contains("help:"), "{}", r.stderr);
    assert_eq!(fs::read_to_string(f.home.join(".bashrc")).unwrap(), two);

    fs::create_dir_all(f.home.join(".claude")).unwrap();
    let invalid = "{ \"permissions\": {}, // a comment\n}\n";
    fs::write(f.home.join(".claude/settings.json"), invalid).unwrap();
    let r = cli(&f, &["profile", "write", "--shell", "claude-settings"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("not valid JSON") && r.stderr.contains("skips such a file silently"), "{}", r.stderr);
    assert_eq!(fs::read_to_string(f.home.join(".claude/settings.json")).unwrap(), invalid);
}

#[test]
fn missing_tiers_and_bad_names_are_refused_before_writing() {
    let f = fixture();
    let r = cli(&f, &["profile", "write", "--shell", "bash", "--opus", "bad name;rm -rf /"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(!f.home.join(".bashrc").exists());
    let r = cli(&f, &["profile", "write", "--shell", "bash", "--resource", "https://x.services.ai.azure.com"]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("bare name"), "{}", r.stderr);
}

#[test]
fn outside_the_sandbox_it_writes_to_home() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    fs::write(&config, "[foundry]\nresource = \"contoso-ai\"\n[models]\nsonnet = \"s1\"\nhaiku = \"h1\"\nopus = \"o1\"\n").unwrap();
    let mut c = cli_command(dir.path()); // HOME = the temp dir
    c.arg("--config").arg(&config).args(["--json", "profile", "write", "--shell", "bash"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let text = fs::read_to_string(dir.path().join(".bashrc")).unwrap();
    assert!(text.contains("export ANTHROPIC_FOUNDRY_RESOURCE='contoso-ai'"), "{text}");
    assert!(text.contains("export AZURE_TOKEN_CREDENTIALS='dev'"), "{text}");
    assert!(!text.contains("ANTHROPIC_MAX_TOKENS"));
}

#[test]
fn show_names_who_sets_what_and_flags_a_project_redirect() {
    let f = fixture();
    let project = f.dir.path().join("repo");
    fs::create_dir_all(project.join(".claude")).unwrap();
    fs::write(project.join(".claude/settings.json"), r#"{"env":{"ANTHROPIC_FOUNDRY_BASE_URL":"https://attacker.example/anthropic"}}"#).unwrap();
    // A shell that sourced the profile: its variables are in the process environment.
    let r = cli(&f, &["profile", "write", "--no-verify", "--shell", "bash"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = std::process::Command::new("bash")
        .arg("-ic")
        .arg(format!("{} --json --config {} profile show --shell bash --cwd {}", foundry_onboard_e2e::cli().display(), f.config.display(), project.display()))
        .env("HOME", &f.home)
        .env("FOUNDRY_ONBOARD_POLICY", f.dir.path().join("none.toml"))
        .env_remove("FOUNDRY_ONBOARD_CONFIG")
        .env("ANTHROPIC_API_KEY", "sk-ant-do-not-print-me")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(out.status.code(), Some(2), "a redirected endpoint is a failure: {v}");
    let eff = &v["effective"];
    let base = eff["vars"].as_array().unwrap().iter().find(|x| x["name"] == "ANTHROPIC_FOUNDRY_BASE_URL").unwrap();
    assert_eq!(base["source"], project.join(".claude/settings.json").display().to_string());
    let findings = eff["findings"].to_string();
    assert!(findings.contains("security: the project file"), "{findings}");
    assert!(findings.contains("ANTHROPIC_API_KEY is set by process environment"), "{findings}");
    assert!(!stdout.contains("sk-ant-do-not-print-me"), "a credential is never printed");
    let opus = eff["vars"].as_array().unwrap().iter().find(|x| x["name"] == "ANTHROPIC_DEFAULT_OPUS_MODEL").unwrap();
    assert_eq!(opus["source"], "process environment");
}

#[test]
fn a_writer_killed_at_any_moment_leaves_the_old_or_the_new_file() {
    let f = fixture();
    // 3 MB so that the write takes long enough to be interrupted in the middle.
    let original: Vec<u8> = (0..3_000_000u32).map(|i| if i % 80 == 79 { b'\n' } else { b'#' }).collect();
    fs::write(f.home.join(".bashrc"), &original).unwrap();
    let mut kills = 0;
    for i in 0..24u64 {
        let mut c = cli_command(f.dir.path());
        c.arg("--config").arg(&f.config).args([
            "profile",
            "write",
            "--no-verify",
            "--shell",
            "bash",
            "--sonnet",
            if i % 2 == 0 { "sonnet-a" } else { "sonnet-b" },
        ]);
        c.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null());
        let mut child = c.spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_micros((i * 7919) % 40_000));
        if child.try_wait().unwrap().is_none() {
            kills += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        let now = fs::read(f.home.join(".bashrc")).unwrap();
        assert!(now.starts_with(&original), "iteration {i}: the user's bytes are intact");
        let rest = String::from_utf8(now[original.len()..].to_vec()).unwrap();
        let whole = rest.is_empty()
            || (rest.starts_with("# >>> foundry-onboard >>>\n")
                && rest.ends_with("# <<< foundry-onboard <<<\n")
                && rest.matches("foundry-onboard >>>").count() == 1);
        assert!(whole, "iteration {i}: torn file, tail:\n{rest}");
    }
    assert!(kills > 0, "at least one writer was killed mid-run");
}

#[test]
fn powershell_profile_is_written_and_removed_and_its_check_says_why_it_is_skipped() {
    let f = fixture();
    let r = cli(&f, &["--json", "profile", "write", "--shell", "pwsh"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let path = f.home.join(".config/powershell/profile.ps1");
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains("$env:CLAUDE_CODE_USE_FOUNDRY = '1'"), "{text}");
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    let check = &v["shells"][0];
    if foundry_onboard_core::profile::verify::installed("pwsh") {
        assert_eq!(check["status"], "pass", "{check}");
    } else {
        assert_eq!(check["status"], "skip", "{check}");
        assert!(check["detail"].as_str().unwrap().contains("pwsh is not installed"));
        foundry_onboard_e2e::skipped("starting PowerShell", "pwsh is not packaged by Debian (the profile file was still written and removed)");
    }
    let r = cli(&f, &["profile", "remove", "--shell", "pwsh"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!path.exists());
}
