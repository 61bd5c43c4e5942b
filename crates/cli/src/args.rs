//! The command line, as PRODUCT.md §2 documents it. Exit codes: 0 ok, 1 warnings only,
//! 2 failures, 3 usage or config error.

use clap::{Args, Parser, Subcommand, ValueEnum};
use foundry_onboard_sandbox::{Fault, parse_budget_used, parse_faults};
use std::path::PathBuf;

pub const EXIT_USAGE: u8 = 3;

#[derive(Debug, Parser)]
#[command(
    name = "foundry-onboard",
    version,
    about = "Set up, check and troubleshoot Claude Code on Azure AI Foundry.",
    long_about = "Set up, check and troubleshoot Claude Code on Azure AI Foundry.\n\nWith no command, starts the desktop app (foundry-onboard-gui).",
    after_help = "Exit codes: 0 ok, 1 warnings only, 2 failures, 3 usage or config error.\n\
Files: the config is --config FILE, else $FOUNDRY_ONBOARD_CONFIG, else ~/.config/foundry-onboard/config.toml;\n\
the org policy is /etc/foundry-onboard/policy.toml (or $FOUNDRY_ONBOARD_POLICY)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    /// Start the desktop app against the built-in sandbox.
    #[arg(long, global = false)]
    pub sandbox: bool,
    /// With --sandbox: the org policy the sandbox applies, so the app shows the rollout path
    /// (what the policy decides is shown as decided; the app asks only what is left).
    #[arg(long, value_name = "FILE", requires = "sandbox")]
    pub policy: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct Global {
    /// The config file (else $FOUNDRY_ONBOARD_CONFIG, else the platform config dir).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Machine-readable output on stdout (a stable, documented schema).
    #[arg(long, global = true)]
    pub json: bool,
    /// Overall budget for network operations, in milliseconds.
    #[arg(long, global = true, value_name = "MS", default_value_t = 20_000, value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub timeout_ms: u64,
    /// More log output on stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the sandbox backends in the foreground and print their endpoints.
    Sandbox(SandboxArgs),
    /// Walk through `az login` in the terminal.
    Login(LoginArgs),
    /// List subscriptions, Azure AI Foundry (AIServices) accounts and their Claude deployments.
    Discover(DiscoverArgs),
    /// Write, show or remove the Claude Code profile in your shells.
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Check every hop of the path to Azure AI Foundry and say what is wrong and how to fix it.
    Doctor(DoctorArgs),
    /// Your token usage and budget from the gateway.
    Usage(UsageArgs),
    /// The whole onboarding from the org policy: sign in, pick what the policy allows, write the
    /// profile, verify it with the real Claude Code, run the doctor.
    Setup(SetupArgs),
    /// Keyring-backed secrets (the value is read from stdin, never from the command line).
    #[command(subcommand)]
    Secret(SecretCommand),
}

impl Command {
    // Every command works since `usage` (#20); kept for the next command that lands before its feature.
    #[allow(dead_code)]
    pub fn name(&self) -> &'static str {
        match self {
            Command::Sandbox(_) => "sandbox",
            Command::Login(_) => "login",
            Command::Discover(_) => "discover",
            Command::Profile(_) => "profile",
            Command::Doctor(_) => "doctor",
            Command::Usage(_) => "usage",
            Command::Setup(_) => "setup",
            Command::Secret(_) => "secret",
        }
    }
}

/// The fault list for `sandbox --help`.
fn faults_help() -> String {
    let mut s = String::from("Faults:\n");
    for f in Fault::ALL {
        s.push_str(&format!("  {:<26} {}\n", f.name(), f.describe()));
    }
    s
}

#[derive(Debug, Args)]
#[command(after_help = faults_help())]
pub struct SandboxArgs {
    /// Faults to inject, comma-separated (see the list below).
    #[arg(long, value_name = "F,..", value_parser = parse_fault_list, default_value = "")]
    pub faults: FaultList,
    /// Delay added to every HTTP answer, in milliseconds.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    pub latency_ms: u64,
    /// N extra Azure AI Foundry resources (team-ai-0001…, each with one to three Claude
    /// deployments) in the first subscription, 50 to a nextLink page: a large tenant.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = clap::value_parser!(u16).range(0..=5_000))]
    pub accounts: u16,
    /// Set the sandbox key's budget so that its spend so far is P percent of it (e.g. 79.9, just
    /// under the 80 % alert); traffic through the sandbox's gateway then adds to the spend.
    #[arg(long, value_name = "P", value_parser = parse_budget_used)]
    pub budget_used: Option<f64>,
    /// Give the generated usage history N models (the three deployments, then others; 1 to 12)
    /// instead of the three deployments: a busy developer's charts and tables.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(1..=foundry_onboard_sandbox::MAX_MODELS as i64))]
    pub usage_models: Option<u8>,
    /// Start with the sandbox's az already signed in: runs the real az (FOUNDRY_ONBOARD_AZ, else
    /// PATH; 2.54 or newer) by device code against the sandbox, approved by the sandbox itself.
    #[arg(long)]
    pub signed_in: bool,
    /// Approve a device-code sign-in automatically after N ms.
    #[arg(long, value_name = "N")]
    pub approve_after_ms: Option<u64>,
    /// Write a config that points every other command at this sandbox.
    #[arg(long, value_name = "FILE")]
    pub write_config: Option<PathBuf>,
    /// The sandbox's own directory (CA, home for profiles); a temporary one by default.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Use consecutive ports from N (arm, login, foundry https, foundry http, gateway, dns) instead of random free ports.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1024..=65_000))]
    pub port: Option<u16>,
    /// Serve Foundry's HTTPS on port N (e.g. 443 inside a network namespace, so a profile can name
    /// the resource `sandbox-ai` with a hosts entry instead of a URL).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub foundry_port: Option<u16>,
    /// Apply this org policy (naming the sandbox's resource `sandbox-ai` and its deployments): the
    /// written config loads over it instead of the system-wide policy.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 the profile is verified by the real Claude Code (and the doctor passes), 1 verified with doctor warnings,\n2 not verified or a doctor failure, 3 the policy leaves something undecided that setup may not ask (named), or a config error.\nRunning it again is a no-op that says so."
)]
pub struct SetupArgs {
    /// Write the profile without asking (needed when stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
    /// Apply this policy file instead of the system-wide one (for admins trying a draft; like
    /// $FOUNDRY_ONBOARD_POLICY).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// How long to wait for the device code to be entered, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub login_timeout_secs: u64,
}

#[derive(Debug, Clone, Default)]
pub struct FaultList(pub Vec<Fault>);

fn parse_fault_list(s: &str) -> Result<FaultList, String> {
    parse_faults(s).map(FaultList).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Use the device-code flow (for SSH sessions and machines without a browser).
    #[arg(long)]
    pub device_code: bool,
    /// The Entra ID tenant to sign in to (else the config's azure.tenant).
    #[arg(long, value_name = "T")]
    pub tenant: Option<String>,
    /// Only say who is signed in (read from az's profile; no sign-in).
    #[arg(long)]
    pub status: bool,
    /// Give up on the sign-in after this many seconds.
    #[arg(long, value_name = "S", default_value_t = 600)]
    pub timeout_secs: u64,
}

#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// Only this subscription (id or name).
    #[arg(long, value_name = "S")]
    pub subscription: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellTarget {
    Bash,
    Zsh,
    Fish,
    Pwsh,
    ClaudeSettings,
}

#[derive(Debug, Args)]
pub struct ProfileTarget {
    /// Only these targets (repeatable; default: the shells in the config, else the installed ones, plus Claude Code's settings).
    #[arg(long = "shell", value_enum)]
    pub shells: Vec<ShellTarget>,
    /// Show the exact change without writing anything.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
pub struct ProfileChoices {
    /// The Azure AI Foundry resource name (instead of the config's).
    #[arg(long, value_name = "NAME", conflicts_with = "base_url")]
    pub resource: Option<String>,
    /// The subscription the resource is in (as the app's Resource & models step records it).
    #[arg(long, value_name = "ID", requires = "resource")]
    pub subscription: Option<String>,
    /// A full endpoint ending in /anthropic (instead of a resource name).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The sonnet-tier deployment name.
    #[arg(long, value_name = "DEPLOYMENT")]
    pub sonnet: Option<String>,
    /// The haiku-tier deployment name.
    #[arg(long, value_name = "DEPLOYMENT")]
    pub haiku: Option<String>,
    /// The opus-tier deployment name.
    #[arg(long, value_name = "DEPLOYMENT")]
    pub opus: Option<String>,
    /// API-key mode: the key comes from the keyring (`secret set foundry-api-key`).
    #[arg(long, conflicts_with = "gateway")]
    pub api_key: bool,
    /// Gateway mode: the gateway credential comes from the keyring (`secret set gateway-key`).
    #[arg(long)]
    pub gateway: bool,
    /// Confirm that one deployment serves two tiers (the app asks the same).
    #[arg(long)]
    pub reuse_deployment: bool,
    /// Written as CLAUDE_CODE_MAX_OUTPUT_TOKENS.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_output_tokens: Option<u32>,
    /// Do not start each shell afterwards to check what it sees.
    #[arg(long)]
    pub no_verify: bool,
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Write (or update) the managed block in each shell profile and Claude Code's settings.
    Write {
        #[command(flatten)]
        target: ProfileTarget,
        #[command(flatten)]
        choices: ProfileChoices,
    },
    /// Show what Claude Code will see in a directory: each variable, the file that set it, conflicts.
    Show {
        #[command(flatten)]
        target: ProfileTarget,
        /// The directory Claude Code would start in (its .claude/settings*.json count); default: here.
        #[arg(long, value_name = "DIR")]
        cwd: Option<PathBuf>,
    },
    /// Remove the managed block, restoring each file byte for byte.
    Remove(ProfileTarget),
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Run only these checks: ids (path.dns), id prefixes (path, foundry) or sections
    /// (environment, sign-in, private-path, foundry, gateway); comma-separated or repeated. The
    /// checks they need run too.
    #[arg(long, value_name = "ID|SECTION", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Also write a redacted Markdown report to FILE.
    #[arg(long, value_name = "FILE.md")]
    pub report: Option<PathBuf>,
    /// The project directory whose .claude/settings.json counts (default: the current one).
    #[arg(long, value_name = "DIR")]
    pub cwd: Option<PathBuf>,
    /// Also make one real `claude -p` call.
    #[arg(long)]
    pub with_claude: bool,
    /// Keep user names (UPNs) in the output and the report; they are redacted by default.
    #[arg(long)]
    pub include_identity: bool,
    /// Each check's own timeout, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 5_000, value_parser = clap::value_parser!(u64).range(100..=120_000))]
    pub check_timeout_ms: u64,
    /// The whole run's deadline, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 15_000, value_parser = clap::value_parser!(u64).range(100..=600_000))]
    pub deadline_ms: u64,
}

#[derive(Debug, Args)]
pub struct UsageArgs {
    /// How many days of history.
    #[arg(long, value_name = "N", default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=366))]
    pub days: u32,
    /// Draw the chart to FILE.svg or FILE.png.
    #[arg(long, value_name = "FILE")]
    pub chart: Option<PathBuf>,
    /// Write the daily numbers to FILE as CSV.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Read this source instead of the config's usage.source.
    #[arg(long, value_name = "SOURCE", value_parser = ["litellm", "azure-monitor", "local"])]
    pub source: Option<String>,
    /// Ask the source now, even when the last report is younger than usage.refresh_minutes.
    #[arg(long)]
    pub refresh: bool,
}

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Store a secret read from stdin (foundry-api-key or gateway-key). A Foundry key is first
    /// checked by a one-token call to the sonnet deployment.
    Set {
        name: String,
        /// Store it without the check (e.g. while offline).
        #[arg(long)]
        no_verify: bool,
    },
    /// Print a secret (for the shell profile to export at start). Refuses a terminal without --force.
    Print {
        name: String,
        /// Print even when stdout is a terminal.
        #[arg(long)]
        force: bool,
    },
    /// Delete a secret.
    Delete { name: String },
}

/// Parses argv; usage errors exit 3 (clap's own default would be 2).
pub fn parse() -> Result<Cli, u8> {
    match Cli::try_parse() {
        Ok(cli) => Ok(cli),
        Err(e) => {
            let code = match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => 0,
                clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => EXIT_USAGE,
                _ => EXIT_USAGE,
            };
            let _ = e.print();
            Err(code)
        }
    }
}

/// The one-line summary of each command, for when the desktop app cannot start.
pub fn command_summary() -> String {
    use clap::CommandFactory;
    let cmd = Cli::command();
    let mut out = String::new();
    for sub in cmd.get_subcommands() {
        out.push_str(&format!("  foundry-onboard {:<10} {}\n", sub.get_name(), sub.get_about().map(|a| a.to_string()).unwrap_or_default()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn unknown_fault_is_rejected_with_the_list() {
        let err = Cli::try_parse_from(["foundry-onboard", "sandbox", "--faults", "dns-nxdomain,nope"]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("nope") && msg.contains("tls-intercepted"), "{msg}");
    }

    #[test]
    fn the_app_takes_a_policy_for_its_sandbox() {
        let cli = Cli::try_parse_from(["foundry-onboard", "--sandbox", "--policy", "docs/policy.sandbox.toml"]).unwrap();
        assert!(cli.sandbox && cli.command.is_none());
        assert_eq!(cli.policy, Some(PathBuf::from("docs/policy.sandbox.toml")));
        // Without the sandbox a policy is the system-wide file's job: said, not ignored.
        let err = Cli::try_parse_from(["foundry-onboard", "--policy", "p.toml"]).unwrap_err();
        assert!(err.to_string().contains("--sandbox"), "{err}");
    }
}
