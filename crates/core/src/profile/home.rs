//! Where each profile file lives — under the real home, or under the sandbox's own home so a
//! sandbox run never touches `~/.bashrc` or `~/.claude`.

use super::{ProfileError, Target};
use crate::config::Config;
use std::path::PathBuf;

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

impl ProfileHome {
    /// The sandbox's home for a sandbox config, else `$HOME` with `$ZDOTDIR`/`$CLAUDE_CONFIG_DIR`.
    pub fn for_config(config: &Config, config_file: &std::path::Path, cli: PathBuf) -> Result<Self, ProfileError> {
        if let Some(s) = &config.sandbox {
            return Ok(Self {
                home: s.home.clone(),
                zdotdir: None,
                claude_config_dir: None,
                xdg_config_home: None,
                cli,
                sandbox: true,
                config_file: Some(config_file.to_path_buf()),
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

    /// How the shell block calls the CLI: its path, and `--config` in sandbox mode.
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
