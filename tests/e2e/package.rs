//! The release `.deb` (`make package`, which `make test` runs first) is what a platform team hands
//! out: unpacked with `dpkg-deb -x` (never installed system-wide), its control fields, its files,
//! and the packaged CLI and app run from the unpacked tree — the app under Xvfb to first paint,
//! and the packaged CLI taking a new machine to a verified profile with `setup --yes`.

use foundry_onboard_e2e::display::Xvfb;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn arch() -> String {
    let out = Command::new("dpkg").arg("--print-architecture").output().expect("dpkg");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// `dist/foundry-onboard_VERSION_ARCH.deb`, as scripts/package.sh leaves it.
fn deb() -> PathBuf {
    let p = workspace().join("dist").join(format!("foundry-onboard_{VERSION}_{}.deb", arch()));
    assert!(p.is_file(), "{} is missing: run `make package` (make test runs it first)", p.display());
    p
}

/// The package unpacked into a temporary directory.
struct Unpacked {
    dir: tempfile::TempDir,
}

impl Unpacked {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let st = Command::new("dpkg-deb").arg("-x").arg(deb()).arg(dir.path()).status().unwrap();
        assert!(st.success(), "dpkg-deb -x failed: {st}");
        Self { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Every regular file, relative to the root (`usr/bin/…`).
    fn files(&self) -> Vec<String> {
        fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(root, &p, out);
                } else {
                    out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
                }
            }
        }
        let mut out = Vec::new();
        walk(self.dir.path(), self.dir.path(), &mut out);
        out.sort();
        out
    }
}

/// The control file's fields (`dpkg-deb -f`), continuation lines joined.
fn control() -> Vec<(String, String)> {
    let out = Command::new("dpkg-deb").arg("-f").arg(deb()).output().unwrap();
    assert!(out.status.success(), "dpkg-deb -f: {}", String::from_utf8_lossy(&out.stderr));
    let mut fields: Vec<(String, String)> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        match (line.starts_with(' '), line.split_once(':'), fields.last_mut()) {
            (true, _, Some((_, v))) => v.push_str(&format!("\n{}", line.trim())),
            (false, Some((k, v)), _) => fields.push((k.to_string(), v.trim().to_string())),
            _ => panic!("unexpected control line {line:?}"),
        }
    }
    fields
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_else(|| panic!("no {name} in {fields:?}"))
}

/// The package names in a Depends field (alternatives and version constraints dropped).
fn depends_names(depends: &str) -> Vec<String> {
    depends.split([',', '|']).filter_map(|d| d.split_whitespace().next()).map(str::to_string).collect()
}

#[test]
fn the_control_file_names_the_package_its_version_and_what_it_needs() {
    let fields = control();
    assert_eq!(field(&fields, "Package"), "foundry-onboard");
    assert_eq!(field(&fields, "Version"), VERSION, "the package's version is the workspace's");
    assert_eq!(field(&fields, "Architecture"), arch());
    assert_eq!(field(&fields, "Section"), "devel");
    assert!(!field(&fields, "Maintainer").is_empty());
    let description = field(&fields, "Description");
    assert!(description.starts_with("Set up and troubleshoot Claude Code on Azure AI Foundry"), "{description}");
    assert!(description.contains("/usr/share/doc/foundry-onboard/"), "the long description says where the sample policy is: {description}");
    let depends = depends_names(field(&fields, "Depends"));
    for needed in ["libwebkit2gtk-4.1-0", "libgtk-3-0"] {
        assert!(depends.iter().any(|d| d == needed), "Depends lacks {needed}: {depends:?}");
    }
}

#[test]
fn every_shared_library_the_binaries_load_is_a_declared_dependency() {
    // dpkg-shlibdeps (dpkg-dev, which build-essential brings) maps each binary's NEEDED libraries
    // to the packages that ship them; each of those must be in Depends, or an installed package
    // would start and fail to load a library.
    let pkg = Unpacked::new();
    let work = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(work.path().join("debian")).unwrap();
    std::fs::write(work.path().join("debian/control"), "Source: foundry-onboard\n\nPackage: foundry-onboard\nArchitecture: any\n").unwrap();
    let out = Command::new("dpkg-shlibdeps")
        .current_dir(work.path())
        .args(["-O", "--ignore-missing-info"])
        .arg(format!("-e{}", pkg.path("usr/bin/foundry-onboard").display()))
        .arg(format!("-e{}", pkg.path("usr/bin/foundry-onboard-gui").display()))
        .output()
        .expect("dpkg-shlibdeps is installed (dpkg-dev, through build-essential)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "dpkg-shlibdeps failed: {}{}", text, String::from_utf8_lossy(&out.stderr));
    let computed = text.lines().find_map(|l| l.strip_prefix("shlibs:Depends=")).unwrap_or_else(|| panic!("no shlibs:Depends in {text}"));
    let computed = depends_names(computed);
    assert!(computed.iter().any(|d| d == "libc6"), "the binaries link the C library: {computed:?}");
    let declared = depends_names(field(&control(), "Depends"));
    let missing: Vec<_> = computed.iter().filter(|d| !declared.contains(d)).collect();
    assert!(
        missing.is_empty(),
        "the binaries load libraries from {missing:?}, not in Depends {declared:?} (add them to bundle.linux.deb.depends in src-tauri/tauri.conf.json)"
    );
}

#[test]
fn the_package_holds_both_executables_the_desktop_entry_icons_and_the_sample_policy() {
    let pkg = Unpacked::new();
    let files = pkg.files();
    // Only what a user needs: no test file, no key, no source, no debug symbols.
    for f in &files {
        let allowed = ["usr/bin/foundry-onboard", "usr/bin/foundry-onboard-gui"].contains(&f.as_str())
            || f.starts_with("usr/share/applications/")
            || f.starts_with("usr/share/icons/hicolor/")
            || f.starts_with("usr/share/doc/foundry-onboard/");
        assert!(allowed, "unexpected file in the package: {f} (all: {files:?})");
        let lower = f.to_lowercase();
        for bad in ["test", ".pem", ".key", "secret", "sandbox", ".rs"] {
            assert!(!lower.contains(bad), "{f} looks like it does not belong in a package");
        }
    }
    for bin in ["usr/bin/foundry-onboard", "usr/bin/foundry-onboard-gui"] {
        use std::os::unix::fs::PermissionsExt;
        let p = pkg.path(bin);
        let mode = std::fs::metadata(&p).unwrap().permissions().mode();
        assert_eq!(mode & 0o755, 0o755, "{bin} is executable by everyone: {mode:o}");
        let bytes = std::fs::read(&p).unwrap();
        let elf = object::File::parse(&*bytes).unwrap_or_else(|e| panic!("{bin} is not an ELF file: {e}"));
        use object::{Object, ObjectSection};
        assert!(elf.section_by_name(".debug_info").is_none(), "{bin} is a release build without debug info");
        assert!(elf.sections().any(|s| s.name() == Ok(".text")), "{bin} has code");
    }

    // The desktop entry starts the app from PATH, with the icon the package ships.
    let desktop: Vec<&String> = files.iter().filter(|f| f.starts_with("usr/share/applications/") && f.ends_with(".desktop")).collect();
    assert_eq!(desktop.len(), 1, "one desktop entry: {files:?}");
    let entry = std::fs::read_to_string(pkg.path(desktop[0])).unwrap();
    let key = |k: &str| entry.lines().find_map(|l| l.strip_prefix(&format!("{k}="))).unwrap_or_else(|| panic!("no {k}= in {entry}"));
    assert_eq!(key("Type"), "Application");
    assert_eq!(key("Name"), "Foundry Onboard");
    assert_eq!(key("Exec").split_whitespace().next(), Some("foundry-onboard-gui"), "{entry}");
    assert!(key("Categories").split(';').any(|c| c == "Development"), "{entry}");
    let icon = key("Icon");
    let icons: Vec<&String> = files.iter().filter(|f| f.starts_with("usr/share/icons/hicolor/") && f.ends_with(&format!("/apps/{icon}.png"))).collect();
    assert!(icons.len() >= 2, "the icon {icon} in several sizes: {files:?}");
    for i in &icons {
        let png = std::fs::read(pkg.path(i)).unwrap();
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{i} is a PNG");
    }

    // The sample policy is the repository's, and the core reads it as a valid policy whose locked
    // keys are all configuration keys.
    let sample = pkg.path("usr/share/doc/foundry-onboard/policy.example.toml");
    let shipped = std::fs::read_to_string(&sample).unwrap();
    assert_eq!(shipped, std::fs::read_to_string(workspace().join("docs/policy.example.toml")).unwrap());
    let policy = foundry_onboard_core::config::policy::Policy::load(&sample).unwrap_or_else(|e| panic!("the sample policy does not load: {e}"));
    assert!(policy.is_locked("foundry.resource") && policy.is_locked("azure.tenant"), "{:?}", policy.locked);
    assert_eq!(policy.value("foundry.resource").and_then(|v| v.as_str()), Some("contoso-ai-eastus2"));
    // No text file in the package carries a key or a certificate.
    for f in &files {
        let bytes = std::fs::read(pkg.path(f)).unwrap();
        if bytes.starts_with(b"\x7fELF") || bytes.starts_with(b"\x89PNG") {
            continue;
        }
        let text = String::from_utf8_lossy(&bytes);
        for bad in ["-----BEGIN", "sk-ant-", "api_key =", "client_secret"] {
            assert!(!text.contains(bad), "{f} holds {bad:?}");
        }
    }
}

#[test]
fn the_packaged_cli_runs_and_starts_the_packaged_app_to_first_paint() {
    let pkg = Unpacked::new();
    let home = tempfile::tempdir().unwrap();
    let cli = pkg.path("usr/bin/foundry-onboard");
    let packaged = |args: &[&str]| {
        let mut c = Command::new(&cli);
        foundry_onboard_e2e::scrub(&mut c, home.path());
        c.args(args);
        foundry_onboard_e2e::run(c)
    };
    let version = packaged(&["--version"]);
    assert_eq!(version.code, 0, "{}", version.stderr);
    assert_eq!(version.stdout.trim(), format!("foundry-onboard {VERSION}"));
    let help = packaged(&["doctor", "--help"]);
    assert_eq!(help.code, 0, "{}", help.stderr);
    assert!(help.stdout.contains("Usage:") && help.stdout.contains("doctor"), "{}", help.stdout);

    // With no subcommand the CLI starts the app beside it (usr/bin/foundry-onboard-gui of the
    // unpacked tree, not one on PATH), which paints its first frame in sandbox mode.
    let xvfb = Xvfb::start();
    let mut c = Command::new(&cli);
    foundry_onboard_e2e::scrub(&mut c, home.path());
    let tmp = home.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    c.env("PATH", "/usr/bin:/bin").env("DISPLAY", &xvfb.display).env("TMPDIR", &tmp).arg("--sandbox").stdout(Stdio::piped()).stderr(Stdio::null());
    let mut launcher = c.spawn().unwrap();
    let painted = foundry_onboard_e2e::first_paint(launcher.stdout.take().unwrap(), Duration::from_secs(45));
    let app_pid: Option<u32> = foundry_onboard_e2e::descendants(launcher.id()).first().copied();
    let app_exe = app_pid.and_then(|p| std::fs::read_link(format!("/proc/{p}/exe")).ok());
    if let Some(pid) = app_pid {
        let _ = Command::new("kill").arg(pid.to_string()).status();
        assert!(foundry_onboard_e2e::ends_within(pid, Duration::from_secs(10)), "the app (pid {pid}) ended after SIGTERM");
    }
    let code = foundry_onboard_e2e::wait_exit(&mut launcher, Duration::from_secs(10));
    drop(xvfb);
    assert!(painted.is_ok(), "the packaged app painted no first frame within 45 s");
    assert_eq!(app_exe.as_deref(), Some(pkg.path("usr/bin/foundry-onboard-gui").as_path()), "the CLI started the app beside it");
    assert_eq!(code, 0, "SIGTERM closes the app as its window's close does, and the CLI passes its exit on");
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(left, Vec::<PathBuf>::new(), "the packaged app's sandbox removed its directory");
}

/// The platform team's path on a new machine, with the package's own CLI: it starts the sandbox
/// with the sample policy, and `setup --yes` signs in with the real az, writes the profile and has
/// the real Claude Code answer through it (inside the loopback-only namespace), with no decision.
#[test]
fn the_packaged_cli_takes_a_new_machine_to_a_verified_profile_with_setup_yes() {
    let Some(env) = crate::setup::real_tools_in_netns("package::the_packaged_cli_takes_a_new_machine_to_a_verified_profile_with_setup_yes") else {
        return;
    };
    let pkg = Unpacked::new();
    let cli = pkg.path("usr/bin/foundry-onboard");
    let policy = workspace().join("docs/policy.sandbox.toml");
    let sb = foundry_onboard_e2e::SandboxProcess::start_by(&cli, &["--policy", policy.to_str().unwrap(), "--approve-after-ms", "0"], &[]);
    let mut c = Command::new(&cli);
    foundry_onboard_e2e::scrub(&mut c, sb.home.path());
    for (k, v) in &env {
        c.env(k, v);
    }
    c.arg("--config").arg(&sb.config).args(["--json", "setup", "--yes"]);
    let r = foundry_onboard_e2e::run(c);
    let events: Vec<serde_json::Value> = r.stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let _ = std::fs::write(foundry_onboard_e2e::artifacts_dir().join("package-setup.jsonl"), &r.stdout);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let step = |name: &str| events.iter().find(|e| e["step"] == name).cloned().unwrap_or_default();
    assert_eq!(step("choose")["status"], "decided", "no decision left to the developer: {events:#?}");
    assert_eq!(step("verify")["status"], "pass", "the real Claude Code answered: {events:#?}");
    assert_eq!((step("done")["ok"].as_bool(), step("done")["changed"].as_bool()), (Some(true), Some(true)), "{events:#?}");
    // The profile it wrote (in the sandbox's home) names the policy's deployments.
    let bashrc = std::fs::read_to_string(PathBuf::from(sb.endpoint("home")).join(".bashrc")).unwrap();
    assert!(bashrc.contains("ANTHROPIC_DEFAULT_SONNET_MODEL='claude-sonnet-4-5'"), "{bashrc}");
}
