//! The IPC surface declared once: the same list gives Tauri its `generate_handler!` and the UI its
//! typed `commands` object (`ui/src/ipc/commands.ts`), so a command name, an argument key or a
//! type cannot differ between the two. `ui/src/ipc/commands.ts` is committed; a test fails when it
//! is stale (`UPDATE_BINDINGS=1 cargo test -p foundry-onboard-gui ipc_surface` rewrites it).

#[cfg(test)]
mod typescript;

#[cfg(test)]
use foundry_onboard_core::{
    azure::{
        az::LoginState,
        discovery::{AccountDeployments, Discovered, Proposed},
        login::LoginEvent,
        session::SignInStatus,
    },
    doctor::{DoctorEvent, Report},
    profile::{ProfileOutcome, ProfilePreview},
    setup::{GatewayChoice, ModelChoice},
    usage::tab::{Refreshed, TabAsk, UsageTab},
    views::{AppInfo, ConfigView},
};
#[cfg(test)]
use tauri::ipc::Channel;

/// Gives the closure `generate_handler!` makes its argument type (it has none of its own).
fn dispatcher<F: Fn(tauri::ipc::Invoke) -> bool>(f: F) -> F {
    f
}

/// Declares the commands once: `handler()` for Tauri, `commands()` for the generator.
macro_rules! ipc_surface {
    ($( $(#[doc = $doc:literal])* $module:ident :: $name:ident ( $( $arg:ident : $ty:ty ),* ) -> $ret:ty ; )*) => {
        /// What `tauri::Builder::invoke_handler` dispatches to; each call is logged (at debug)
        /// by its name only — never its arguments, which may hold a secret.
        pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
            let dispatch = dispatcher(tauri::generate_handler![$( crate::$module::$name ),*]);
            move |invoke: tauri::ipc::Invoke| {
                tracing::debug!(command = %invoke.message.command(), "ipc call");
                dispatch(invoke)
            }
        }

        /// Every command, in the order declared.
        #[cfg(test)]
        pub fn commands(cfg: &ts_rs::Config) -> Vec<typescript::CommandSig> {
            use typescript::{IpcArg, result_type};
            vec![$( typescript::CommandSig {
                doc: vec![$( $doc ),*],
                name: stringify!($name),
                args: vec![$( (stringify!($arg), <$ty as IpcArg>::arg_type(cfg)) ),*],
                result: result_type::<$ret>(cfg),
            } ),*]
        }
    };
}

ipc_surface! {
    commands::app_info() -> AppInfo;
    commands::config_view() -> ConfigView;
    /// The first-paint probe the startup benchmark reads.
    commands::mark_first_paint() -> ();
    /// The Profile step's preview: every file's diff and what Claude Code sees now.
    commands::profile_preview() -> ProfilePreview;
    /// Writes the profile, then checks each shell and the real client.
    commands::profile_write() -> ProfileOutcome;
    /// az installed? which version? who is signed in?
    commands::signin_status() -> SignInStatus;
    /// Starts `az login`; `onEvent` sees every line and the device code as they come.
    commands::signin_start(device_code: bool, on_event: Channel<LoginEvent>) -> LoginState;
    commands::signin_cancel() -> ();
    /// Opens the device-login page of the sign-in in progress; the app decides which page that is.
    commands::open_sign_in_page() -> ();
    /// Subscriptions → resources; their deployments come after, from `loadDeployments`.
    commands::discover() -> Discovered;
    /// Lists the deployments of these accounts, started in this order; `onLoaded` sees them in batches.
    commands::load_deployments(account_ids: Vec<String>, on_loaded: Channel<Vec<AccountDeployments>>) -> ();
    commands::save_models(choice: ModelChoice) -> ConfigView;
    commands::save_gateway(choice: GatewayChoice) -> ConfigView;
    /// The policy names a resource and says `choose = "newest"`: saves the newest deployment of each tier found on it.
    commands::save_newest(subscription_id: String, proposed: Proposed) -> ConfigView;
    /// Runs every check; `onEvent` sees the plan, each start and each result. A second run cancels the first.
    doctor::doctor_run(with_claude: bool, on_event: Channel<DoctorEvent>) -> Report;
    doctor::doctor_cancel() -> ();
    /// The last finished report as Markdown (secrets redacted by the core).
    doctor::doctor_report_markdown() -> String;
    /// Saves the last report into Downloads (else Documents, else home); resolves to its path.
    doctor::doctor_save_report(format: crate::doctor::ReportFormat) -> String;
    /// Trusts the inspection CA the last run offered and rewrites the profile; resolves to the CA bundle's path.
    doctor::doctor_trust_ca(pem: String) -> String;
    /// The Usage tab's first paint: the cached report's view from disk, no network, no charts (null when none).
    usage::usage_cached() -> Option<UsageTab>;
    /// Refreshes usage (`force` asks the source now); says when to refresh next.
    usage::usage_refresh(ask: TabAsk, force: bool) -> Refreshed;
    /// Another range, token kind or theme, from the report shown (no network).
    usage::usage_charts(ask: TabAsk) -> UsageTab;
    /// Writes the last `days` days as CSV into Downloads; resolves to its path.
    usage::usage_export_csv(days: u32) -> String;
    /// Keeps the gateway key the signed-out tab was given in the keyring (then refresh).
    usage::usage_save_gateway_key(key: String) -> ();
}
