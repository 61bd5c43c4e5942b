//! The generator half of the IPC surface: the TypeScript of each declared command, written to
//! `ui/src/ipc/commands.ts` (tests only: the app itself needs just the handler).

use super::commands;
use foundry_onboard_core::azure::discovery::Proposed;
use foundry_onboard_core::setup::{GatewayChoice, ModelChoice};
use tauri::ipc::Channel;
use ts_rs::TS;

/// How one argument reaches the page: a value, or a channel the page sees as a callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgType {
    Value(String),
    Channel(String),
}

/// The TypeScript side of a command argument (only the types commands take implement it).
pub trait IpcArg {
    fn arg_type(cfg: &ts_rs::Config) -> ArgType;
}

impl<T: TS> IpcArg for Channel<T> {
    fn arg_type(cfg: &ts_rs::Config) -> ArgType {
        ArgType::Channel(T::name(cfg))
    }
}

macro_rules! value_args {
    ($($t:ty),* $(,)?) => {$(
        impl IpcArg for $t {
            fn arg_type(cfg: &ts_rs::Config) -> ArgType {
                ArgType::Value(<$t as TS>::name(cfg))
            }
        }
    )*};
}
value_args!(bool, u32, String, Vec<String>, ModelChoice, GatewayChoice, Proposed, crate::doctor::ReportFormat, foundry_onboard_core::usage::tab::TabAsk);

/// One `#[tauri::command]` as the page calls it.
#[derive(Debug, Clone)]
pub struct CommandSig {
    pub doc: Vec<&'static str>,
    pub name: &'static str,
    pub args: Vec<(&'static str, ArgType)>,
    /// Its result on success, as TypeScript (`void` for `()`).
    pub result: String,
}

/// The TypeScript of a command's success value.
pub fn result_type<T: TS>(cfg: &ts_rs::Config) -> String {
    let name = T::name(cfg);
    if name == "null" { "void".to_string() } else { name }
}

/// `open_sign_in_page` → `openSignInPage` (Tauri's default for argument keys, ours for functions).
fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The type names a TypeScript type expression mentions (`Array<AccountDeployments>` → `AccountDeployments`).
fn named_types(ts: &str) -> impl Iterator<Item = &str> {
    ts.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|w| w.starts_with(|c: char| c.is_ascii_uppercase()) && !matches!(*w, "Array" | "Record" | "Partial" | "Promise"))
}

/// The whole of `ui/src/ipc/commands.ts`.
pub fn typescript() -> String {
    let cfg = ts_rs::Config::new();
    let local = [crate::doctor::ReportFormat::decl(&cfg)];
    let local_names = [crate::doctor::ReportFormat::name(&cfg)];
    let commands = commands(&cfg);
    let mut imports: Vec<&str> = commands
        .iter()
        .flat_map(|c| {
            c.args
                .iter()
                .map(|(_, t)| match t {
                    ArgType::Value(s) | ArgType::Channel(s) => s.as_str(),
                })
                .chain([c.result.as_str()])
        })
        .flat_map(named_types)
        .filter(|n| !local_names.iter().any(|l| l == n))
        .collect();
    imports.sort_unstable();
    imports.dedup();

    let mut out =
        String::from("// This file is generated from Rust (src-tauri/src/ipc_surface.rs) by `cargo test -p foundry-onboard-gui ipc_surface` — do not edit.\n");
    out.push_str("import { Channel } from '@tauri-apps/api/core';\n");
    out.push_str(&format!("import type {{ {} }} from '../bindings';\n", imports.join(", ")));
    out.push_str("import { call } from './call';\n\n");
    for d in local {
        out.push_str(&format!("export {}\n\n", d.trim()));
    }
    out.push_str("/** Every command of the app, each through the one `call()` (which rejects with an `IpcError`). */\nexport const commands = {\n");
    for c in &commands {
        for line in &c.doc {
            out.push_str(&format!("  /**{line} */\n"));
        }
        let params: Vec<String> = c
            .args
            .iter()
            .map(|(name, t)| match t {
                ArgType::Value(ts) => format!("{}: {ts}", camel(name)),
                ArgType::Channel(ts) => format!("{}: (message: {ts}) => void", camel(name)),
            })
            .collect();
        out.push_str(&format!("  {}({}): Promise<{}> {{\n", camel(c.name), params.join(", "), c.result));
        let mut keys = Vec::new();
        for (name, t) in &c.args {
            let key = camel(name);
            match t {
                ArgType::Value(_) => keys.push(key),
                ArgType::Channel(ts) => {
                    out.push_str(&format!("    const {key}Channel = new Channel<{ts}>();\n    {key}Channel.onmessage = {key};\n"));
                    keys.push(format!("{key}: {key}Channel"));
                }
            }
        }
        let args = if keys.is_empty() { String::new() } else { format!(", {{ {} }}", keys.join(", ")) };
        out.push_str(&format!("    return call<{}>('{}'{args});\n  }},\n", c.result, c.name));
    }
    out.push_str("};\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_ts_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/ipc/commands.ts");
        let fresh = typescript();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "ui/src/ipc/commands.ts is stale: run `UPDATE_BINDINGS=1 cargo test -p foundry-onboard-gui ipc_surface` and commit it.\n--- expected ---\n{fresh}"
        );
    }

    #[test]
    fn names_and_keys_are_the_camel_case_tauri_expects() {
        assert_eq!(camel("open_sign_in_page"), "openSignInPage");
        assert_eq!(camel("app_info"), "appInfo");
        let cfg = ts_rs::Config::new();
        let all = commands(&cfg);
        let start = all.iter().find(|c| c.name == "signin_start").unwrap();
        assert_eq!(start.args, vec![("device_code", ArgType::Value("boolean".into())), ("on_event", ArgType::Channel("LoginEvent".into()))]);
        assert_eq!(start.result, "LoginState");
        let cancel = all.iter().find(|c| c.name == "doctor_cancel").unwrap();
        assert_eq!(cancel.result, "void");
        let ts = typescript();
        assert!(ts.contains("loadDeployments(accountIds: Array<string>, onLoaded: (message: Array<AccountDeployments>) => void): Promise<void>"), "{ts}");
        assert!(ts.contains("return call<void>('load_deployments', { accountIds, onLoaded: onLoadedChannel });"), "{ts}");
        assert!(ts.contains("export type ReportFormat = \"md\" | \"json\";"), "{ts}");
        assert_eq!(named_types("Array<AccountDeployments> | Report").collect::<Vec<_>>(), vec!["AccountDeployments", "Report"]);
    }

    #[test]
    fn every_command_is_declared_once() {
        let all = commands(&ts_rs::Config::new());
        let mut names: Vec<_> = all.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
        assert_eq!(all.len(), 24);
    }
}
