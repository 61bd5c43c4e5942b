//! With no subcommand: start the desktop app (`foundry-onboard-gui` next to this executable,
//! else on PATH), passing the arguments through — or say why it cannot, and list the commands.

use crate::args::{Global, command_summary};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const GUI_NAME: &str = if cfg!(windows) { "foundry-onboard-gui.exe" } else { "foundry-onboard-gui" };

pub fn run(global: &Global, _sandbox: bool) -> u8 {
    let Some(gui) = find_gui() else {
        eprintln!(
            "error: the desktop app ({GUI_NAME}) is not installed next to {} or on PATH\n  help: install the app, or use the CLI commands:\n{}",
            std::env::current_exe().map(|p| p.display().to_string()).unwrap_or_else(|_| "this program".into()),
            command_summary()
        );
        return 2;
    };
    if !foundry_onboard_core::logging::display_available() {
        eprintln!(
            "error: no display to open the desktop app on (neither DISPLAY nor WAYLAND_DISPLAY is set)\n  help: on a headless machine or over SSH, use the CLI commands:\n{}",
            command_summary()
        );
        return 2;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    tracing::info!(gui = %gui.display(), ?args, json = global.json, "starting the desktop app");
    match Command::new(&gui).args(&args).status() {
        Ok(status) => match status.code() {
            Some(0) => 0,
            Some(101) => {
                eprintln!(
                    "error: the desktop app could not open a window (display {:?})\n  help: check that the display is reachable (xdpyinfo), or use the CLI commands:\n{}",
                    std::env::var("DISPLAY").or_else(|_| std::env::var("WAYLAND_DISPLAY")).unwrap_or_default(),
                    command_summary()
                );
                2
            }
            Some(code) => u8::try_from(code).unwrap_or(2),
            None => 2,
        },
        Err(e) => {
            eprintln!("error: cannot start {}: {e}\n  help: check that the file is executable.", gui.display());
            2
        }
    }
}

fn find_gui() -> Option<PathBuf> {
    let beside = std::env::current_exe().ok().and_then(|p| p.parent().map(|d| d.join(GUI_NAME)));
    if let Some(p) = beside.filter(|p| is_executable(p)) {
        return Some(p);
    }
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(GUI_NAME)).find(|p| is_executable(p))
}

#[cfg(unix)]
fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(p: &Path) -> bool {
    p.is_file()
}
