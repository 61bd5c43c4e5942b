//! Running a program we did not write (`az`, a shell that starts `claude`) in its own process
//! group, with a deadline that kills the whole group: killing only the parent leaves its children.

use std::ffi::OsStr;
use std::process::{Output, Stdio};
use std::time::Duration;

/// Starts `program args` in a new process group with `env` added.
pub fn command(program: &OsStr, args: &[&OsStr], env: &[(String, String)]) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(program);
    c.args(args).envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str()))).stdin(Stdio::null()).kill_on_drop(true);
    #[cfg(unix)]
    c.process_group(0);
    c
}

/// Kills the process group led by `pid` (SIGTERM, then SIGKILL).
pub fn kill_group(pid: Option<u32>) {
    #[cfg(unix)]
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        use nix::sys::signal::{Signal, killpg};
        use nix::unistd::Pid;
        let _ = killpg(Pid::from_raw(pid), Signal::SIGTERM);
        std::thread::sleep(Duration::from_millis(50));
        let _ = killpg(Pid::from_raw(pid), Signal::SIGKILL);
    }
    #[cfg(not(unix))]
    let _ = pid;
}

/// Runs to completion, or kills the group after `timeout` (Err(TimedOut)).
pub async fn output(mut cmd: tokio::process::Command, timeout: Duration) -> std::io::Result<Output> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = cmd.spawn()?;
    let pid = child.id();
    match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Ok(r) => r,
        Err(_) => {
            kill_group(pid);
            Err(std::io::Error::new(std::io::ErrorKind::TimedOut, format!("still running after {} s", timeout.as_secs())))
        }
    }
}
