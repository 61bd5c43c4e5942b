//! The CLI as a user meets it: version, exit codes, config errors, the desktop-app launcher.

use foundry_onboard_e2e::{cli, cli_command, gui, run};
use object::read::elf::{Dyn, ElfFile64};
use std::fs;

/// The shared libraries an ELF binary asks the dynamic loader for.
fn needed_libraries(path: &std::path::Path) -> Vec<String> {
    let data = fs::read(path).expect("read binary");
    let elf = ElfFile64::<object::Endianness>::parse(&*data).expect("an ELF file");
    let endian = elf.endian();
    let mut out = Vec::new();
    let sections = elf.elf_section_table();
    let (Some((dynamic, index)), true) = (sections.dynamic(endian, &*data).expect("dynamic section"), true) else {
        return out; // statically linked: needs nothing
    };
    let strings = sections.strings(endian, &*data, index).expect("dynamic strings");
    for entry in dynamic {
        if entry.d_tag(endian) as u32 == object::elf::DT_NEEDED {
            let offset = entry.d_val(endian) as u32;
            out.push(String::from_utf8_lossy(strings.get(offset).expect("name")).into_owned());
        }
    }
    out
}

#[test]
fn cli_links_no_gui_library_and_the_app_does() {
    let bad = ["gtk", "webkit", "gdk", "soup", "javascriptcore"];
    let cli_libs = needed_libraries(&cli());
    assert!(!cli_libs.is_empty(), "expected a dynamically linked CLI");
    for lib in &cli_libs {
        assert!(!bad.iter().any(|b| lib.contains(b)), "the CLI links {lib}: {cli_libs:?}");
    }
    // The same check finds WebKit in the desktop app, so it can fail.
    let gui_libs = needed_libraries(&gui());
    assert!(gui_libs.iter().any(|l| l.contains("webkit2gtk")), "{gui_libs:?}");
}

#[test]
fn version_and_help() {
    let home = tempfile::tempdir().unwrap();
    let mut c = cli_command(home.path());
    c.arg("--version");
    let r = run(c);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout.trim(), format!("foundry-onboard {}", env!("CARGO_PKG_VERSION")));

    let mut c = cli_command(home.path());
    c.arg("--help");
    let r = run(c);
    assert_eq!(r.code, 0);
    for word in ["sandbox", "login", "discover", "profile", "doctor", "usage", "secret", "Exit codes"] {
        assert!(r.stdout.contains(word), "help lacks {word}: {}", r.stdout);
    }
}

#[test]
fn usage_errors_exit_3() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        &["frobnicate"][..],
        &["doctor", "--nope"],
        &["sandbox", "--latency-ms", "abc"],
        &["sandbox", "--accounts", "5001"],
        &["sandbox", "--budget-used", "250"],
        &["usage", "--days", "0"],
    ] {
        let mut c = cli_command(home.path());
        c.args(args);
        let r = run(c);
        assert_eq!(r.code, 3, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains("error"), "{args:?}: {}", r.stderr);
    }
}

#[test]
fn every_command_reports_a_bad_config_the_same_way() {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("bad.toml");
    fs::write(&cfg, "[azure]\ntenant = \"t\"\n\n[foundry]\nresorce = \"typo\"\n").unwrap();
    let commands: [&[&str]; 9] = [
        &["login"],
        &["discover"],
        &["profile", "write"],
        &["profile", "show"],
        &["profile", "remove"],
        &["doctor"],
        &["usage"],
        &["secret", "print", "foundry-api-key"],
        &["secret", "delete", "x"],
    ];
    for args in commands {
        let mut c = cli_command(home.path());
        c.arg("--config").arg(&cfg).args(args);
        let r = run(c);
        assert_eq!(r.code, 3, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(&format!("{}:5:", cfg.display())), "{args:?} names file and line: {}", r.stderr);
        assert!(r.stderr.contains("resorce"), "{args:?} names the key: {}", r.stderr);
        assert!(r.stderr.contains("help:"), "{args:?} gives a hint: {}", r.stderr);
    }
}

#[test]
fn json_errors_have_kind_message_hint() {
    let home = tempfile::tempdir().unwrap();
    let mut c = cli_command(home.path());
    c.args(["--json", "--config"]).arg(home.path().join("missing.toml")).arg("doctor");
    let r = run(c);
    assert_eq!(r.code, 3);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).expect("JSON on stdout");
    assert_eq!(v["ok"], false);
    assert_eq!(v["error"]["kind"], "config");
    assert!(v["error"]["message"].as_str().unwrap().contains("missing.toml"));
    assert!(v["error"]["hint"].as_str().unwrap().contains("--config"));
}

/// `usage` was the last stub (#20): with the same valid config and no gateway it now reads this
/// machine's own record (an empty HOME: no usage, exit 0).
#[test]
fn usage_with_a_valid_config_and_no_gateway_reads_this_machines_record() {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("ok.toml");
    fs::write(&cfg, "[foundry]\nresource = \"my-res\"\n[models]\nsonnet = \"claude-sonnet-4-5\"\n").unwrap();
    let mut c = cli_command(home.path());
    c.env("FOUNDRY_ONBOARD_CONFIG", &cfg).args(["--json", "usage"]);
    let r = run(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!((v["ok"].as_bool(), v["usage"]["snapshot"]["source"].as_str()), (Some(true), Some("local")));
    assert_eq!(v["usage"]["snapshot"]["completeness"]["kind"], "empty");
    assert_eq!(crate::usage::schema_errors(&v), Vec::<String>::new());
}

#[test]
fn org_policy_errors_name_the_policy_file() {
    let home = tempfile::tempdir().unwrap();
    let policy = home.path().join("policy.toml");
    fs::write(&policy, "locked = [\"foundry.base_url\", \"foundry.nonsense\"]\n").unwrap();
    let mut c = cli_command(home.path());
    c.env("FOUNDRY_ONBOARD_POLICY", &policy).arg("doctor");
    let r = run(c);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains(&format!("{}:1:", policy.display())), "{}", r.stderr);
    assert!(r.stderr.contains("foundry.nonsense"), "{}", r.stderr);
}

#[test]
fn no_display_says_so_and_lists_the_commands() {
    let home = tempfile::tempdir().unwrap();
    let mut c = cli_command(home.path()); // scrubbed: no DISPLAY, no WAYLAND_DISPLAY
    c.arg("--sandbox");
    let r = run(c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no display"), "{}", r.stderr);
    assert!(r.stderr.contains("foundry-onboard doctor"), "lists the CLI commands: {}", r.stderr);
}

#[test]
fn missing_app_binary_says_so_and_lists_the_commands() {
    let home = tempfile::tempdir().unwrap();
    let lonely = home.path().join("bin");
    fs::create_dir(&lonely).unwrap();
    let copy = lonely.join("foundry-onboard");
    fs::copy(cli(), &copy).unwrap();
    let mut c = std::process::Command::new(&copy);
    foundry_onboard_e2e::scrub(&mut c, home.path());
    c.env("PATH", "/usr/bin:/bin").env("DISPLAY", ":99");
    let r = run(c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("foundry-onboard-gui") && r.stderr.contains("not installed"), "{}", r.stderr);
    assert!(r.stderr.contains("foundry-onboard sandbox"), "{}", r.stderr);
}

#[test]
fn the_app_without_a_display_exits_cleanly_instead_of_panicking() {
    let home = tempfile::tempdir().unwrap();
    let mut c = std::process::Command::new(gui());
    foundry_onboard_e2e::scrub(&mut c, home.path());
    c.arg("--sandbox");
    let r = run(c);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no display") && r.stderr.contains("foundry-onboard --help"), "{}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}
