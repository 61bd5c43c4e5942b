//! Where each profile file lives — under the real home, or under the sandbox's own home so a
//! sandbox run never touches `~/.bashrc` or `~/.claude`.

use super::{ProfileError, Target};
use crate::config::Config;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileHome {
    pub home: PathBuf,
    /// `$ZDOTDIR` (zsh reads `.zshrc` there when set).
    pub zdotdir: Option<PathBuf>,
    /// `$CLAUDE_CONFIG_DIR` (Claude Code then ignores `~/.claude`).
    pub claude_config_dir: Option<PathBuf>,
    /// `$XDG_CONFIG_HOME` (fish and PowerShell read their files there).
    pub xdg_config_home: Option<PathBuf>,
    /// The `foundry-onboard` executable the shell block calls for secrets.
    pub cli: PathBuf,
    pub sandbox: bool,
    /// The config file the block's `secret print` call must read (the sandbox's, in sandbox mode).
    pub config_file: Option<PathBuf>,
}

/// A path the shell block can use from any directory: absolute (a bare program name is looked up
/// on PATH, as a shell would), UTF-8, and without a control character (the block is line-based).
fn for_the_block(path: &Path, what: &'static str, program: bool) -> Result<PathBuf, ProfileError> {
    let invalid = |message: String| ProfileError::Invalid { key: what, message };
    let mut parts = path.components();
    let bare = matches!((parts.next(), parts.next()), (Some(Component::Normal(_)), None));
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else if bare && program {
        let name = path.to_string_lossy();
        super::verify::which(&name).ok_or_else(|| invalid(format!("{name} is not on PATH, so a new shell could not call it")))?
    } else {
        std::path::absolute(path).map_err(|e| invalid(format!("{}: {e}", path.display())))?
    };
    let Some(text) = absolute.to_str() else { return Err(invalid(format!("{} is not valid UTF-8", absolute.display()))) };
    if let Some(c) = text.chars().find(|c| c.is_control()) {
        return Err(invalid(format!("{text:?} holds the control character U+{:04X}", u32::from(c))));
    }
    Ok(absolute)
}

impl ProfileHome {
    /// The sandbox's home for a sandbox config, else `$HOME` with `$ZDOTDIR`/`$CLAUDE_CONFIG_DIR`.
    /// A plain home at `home` (no `$ZDOTDIR`, `$CLAUDE_CONFIG_DIR` or `$XDG_CONFIG_HOME`), for tests.
    #[cfg(test)]
    pub(crate) fn plain(home: &Path) -> Self {
        Self {
            home: home.to_path_buf(),
            zdotdir: None,
            claude_config_dir: None,
            xdg_config_home: None,
            cli: "foundry-onboard".into(),
            sandbox: false,
            config_file: None,
        }
    }

    /// The CLI and config paths the block calls are made absolute: a shell starts anywhere.
    pub fn for_config(config: &Config, config_file: &Path, cli: PathBuf) -> Result<Self, ProfileError> {
        let cli = for_the_block(&cli, "the foundry-onboard executable", true)?;
        if let Some(home) = config.realm().profile_home() {
            return Ok(Self {
                home: home.to_path_buf(),
                zdotdir: None,
                claude_config_dir: None,
                xdg_config_home: None,
                cli,
                sandbox: true,
                config_file: Some(for_the_block(config_file, "the config file", false)?),
            });
        }
        let home = std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from).ok_or(ProfileError::NoHome)?;
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        Ok(Self {
            home,
            zdotdir: var("ZDOTDIR"),
            claude_config_dir: var("CLAUDE_CONFIG_DIR"),
            xdg_config_home: var("XDG_CONFIG_HOME"),
            cli,
            sandbox: false,
            config_file: None,
        })
    }

    /// How the shell block calls the CLI: its absolute path, and `--config` in sandbox mode.
    pub fn cli_invocation(&self) -> Vec<String> {
        let mut v = vec![self.cli.display().to_string()];
        if let Some(c) = &self.config_file {
            v.push("--config".into());
            v.push(c.display().to_string());
        }
        v
    }

    pub fn path(&self, target: Target) -> PathBuf {
        match target {
            Target::Bash => self.home.join(".bashrc"),
            Target::Zsh => self.zdotdir.clone().unwrap_or_else(|| self.home.clone()).join(".zshrc"),
            Target::Fish => self.config_dir().join("fish/conf.d/foundry-onboard.fish"),
            Target::Pwsh => {
                if cfg!(windows) {
                    self.home.join("Documents/PowerShell/profile.ps1")
                } else {
                    self.config_dir().join("powershell/profile.ps1")
                }
            }
            Target::ClaudeSettings => self.claude_dir().join("settings.json"),
        }
    }

    /// `$XDG_CONFIG_HOME`, else `~/.config`.
    pub fn config_dir(&self) -> PathBuf {
        self.xdg_config_home.clone().unwrap_or_else(|| self.home.join(".config"))
    }

    pub fn claude_dir(&self) -> PathBuf {
        self.claude_config_dir.clone().unwrap_or_else(|| self.home.join(".claude"))
    }

    /// Our own state: what we created, backups. Under the profile home, so a sandbox keeps its own.
    pub fn state_dir(&self) -> PathBuf {
        self.home.join(".local/state/foundry-onboard/profile")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sandbox_config(home: &std::path::Path) -> Config {
        Config {
            sandbox: Some(crate::config::SandboxLink { home: home.to_path_buf(), ca_file: home.join("ca.pem"), private_base_url: None, policy: None }),
            ..Config::default()
        }
    }

    #[test]
    fn finding_05_the_block_calls_the_cli_and_the_config_by_absolute_paths() {
        let dir = tempfile::tempdir().unwrap();
        let home =
            ProfileHome::for_config(&sandbox_config(dir.path()), std::path::Path::new("sb.toml"), PathBuf::from("target/debug/foundry-onboard")).unwrap();
        let call = home.cli_invocation();
        assert_eq!(call.len(), 3, "{call:?}");
        assert!(std::path::Path::new(&call[0]).is_absolute(), "{call:?}");
        assert!(std::path::Path::new(&call[2]).is_absolute() && call[2].ends_with("/sb.toml"), "{call:?}");
        // A bare program name is looked up on PATH, as a shell would.
        let home = ProfileHome::for_config(&sandbox_config(dir.path()), &dir.path().join("sb.toml"), PathBuf::from("sh")).unwrap();
        assert!(home.cli.is_absolute() && home.cli.is_file(), "{:?}", home.cli);
    }
}
