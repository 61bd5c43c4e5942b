//! The IPC surface: each command takes the state, makes one core call, maps the error.

use crate::failure::{AppError, ipc};
use crate::state::AppState;
use foundry_onboard_core::IpcError;
use foundry_onboard_core::azure::{
    AzError, az,
    discovery::{AccountDeployments, Discovered, Proposed},
    login, session,
};
use foundry_onboard_core::profile::{self, ProfileOutcome, ProfilePreview};
use foundry_onboard_core::setup::{self, Choice, GatewayChoice, ModelChoice, rollout::RolloutError};
use foundry_onboard_core::views::{AppInfo, ConfigView};
use tauri::State;
use tauri::ipc::Channel;

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> Result<AppInfo, IpcError> {
    Ok(AppInfo::gather(&state.loaded()?, state.sandbox_info(), state.start_tab))
}

#[tauri::command]
pub fn config_view(state: State<'_, AppState>) -> Result<ConfigView, IpcError> {
    Ok(ConfigView::of(&state.loaded()?))
}

/// The first-paint probe the startup benchmark reads from stdout.
#[tauri::command]
pub fn mark_first_paint(state: State<'_, AppState>) {
    state.mark_first_paint();
}

/// The Profile step's preview: every file's diff and what Claude Code sees now.
#[tauri::command]
pub fn profile_preview(state: State<'_, AppState>) -> Result<ProfilePreview, IpcError> {
    let (loaded, home) = state.profile_home()?;
    profile::preview(&loaded.config, &home, &profile::default_targets(&loaded.config), &home.home).map_err(ipc)
}

/// Writes the profile, then checks each shell and the real client (off the UI thread): the
/// core's one write job, the same `profile write` runs.
#[tauri::command]
pub async fn profile_write(state: State<'_, AppState>) -> Result<ProfileOutcome, IpcError> {
    let job = state.profile_job()?;
    let (loaded, outcome) = setup::write_profile(&job, &Choice::default(), true).await.map_err(ipc)?;
    state.set_loaded(loaded);
    Ok(outcome)
}

/// az installed? which version? who is signed in?
#[tauri::command]
pub async fn signin_status(state: State<'_, AppState>) -> Result<session::SignInStatus, IpcError> {
    Ok(session::status(&state.loaded()?.config).await)
}

/// Runs `az login`, streaming every line and the device code to the page; ends with who is signed in.
#[tauri::command]
pub async fn signin_start(state: State<'_, AppState>, device_code: bool, on_event: Channel<login::LoginEvent>) -> Result<az::LoginState, IpcError> {
    let config = state.loaded()?.config;
    let az = az::find().ok_or(AzError::NotInstalled).map_err(ipc)?;
    let cancel = tokio_util::sync::CancellationToken::new();
    if let Ok(mut s) = state.signin.lock()
        && let Some(old) = s.replace(cancel.clone())
    {
        old.cancel();
    }
    let pages = &state.sign_in_page;
    set_sign_in_page(pages, None);
    let options = login::LoginOptions { device_code, tenant: None, timeout: std::time::Duration::from_secs(600) };
    login::login(&az, &config, &options, cancel, |e| {
        if let login::LoginEvent::DeviceCode { url, .. } = &e {
            set_sign_in_page(pages, Some(login::sign_in_page(&config, url).map(String::from).map_err(IpcError::from)));
        }
        let _ = on_event.send(e);
    })
    .await
    .map_err(ipc)
}

fn set_sign_in_page(pages: &std::sync::Mutex<Option<Result<String, IpcError>>>, page: Option<Result<String, IpcError>>) {
    if let Ok(mut p) = pages.lock() {
        *p = page;
    }
}

/// Stops the sign-in in progress (its whole process group).
#[tauri::command]
pub fn signin_cancel(state: State<'_, AppState>) {
    if let Some(c) = state.signin.lock().ok().and_then(|mut s| s.take()) {
        c.cancel();
    }
}

/// Opens the device-login page of the sign-in in progress — the one az printed, if the core
/// judged it a sign-in page of the configured authority (see `login::sign_in_page`). The webview
/// names no URL: it can only ask for that page.
#[tauri::command]
pub fn open_sign_in_page(app: tauri::AppHandle, state: State<'_, AppState>) -> Result<(), IpcError> {
    use tauri_plugin_opener::OpenerExt;
    let page = state.sign_in_page.lock().ok().and_then(|p| p.clone());
    let url = page.unwrap_or_else(|| Err(ipc(login::SignInPageError::NoneWaiting)))?;
    app.opener().open_url(url, None::<&str>).map_err(|e| ipc(AppError::Browser(e.to_string())))
}

/// Subscriptions → Foundry resources, as the signed-in user; deployments come after, from `load_deployments`.
#[tauri::command]
pub async fn discover(state: State<'_, AppState>) -> Result<Discovered, IpcError> {
    session::discover_signed_in(&state.loaded()?.config, None, 30_000).await.map_err(ipc)
}

/// The deployments of these accounts (started in the order given), streamed in batches as they
/// are listed (see [`crate::batch`]).
#[tauri::command]
pub async fn load_deployments(state: State<'_, AppState>, account_ids: Vec<String>, on_loaded: Channel<Vec<AccountDeployments>>) -> Result<(), IpcError> {
    let batch = crate::batch::Batched::new(on_loaded);
    let loaded = session::load_deployments_signed_in(&state.loaded()?.config, &account_ids, 30_000, batch.sink()).await;
    batch.finish().await;
    loaded.map(|_| ()).map_err(ipc)
}

/// Saves the chosen resource and the three deployments to the config (the core's one choice
/// job, the same `profile write --resource … --sonnet …` runs).
#[tauri::command]
pub fn save_models(state: State<'_, AppState>, choice: ModelChoice) -> Result<ConfigView, IpcError> {
    save(&state, &Choice::from(&choice))
}

/// Saves the corporate gateway and the three deployment names to the config.
#[tauri::command]
pub fn save_gateway(state: State<'_, AppState>, choice: GatewayChoice) -> Result<ConfigView, IpcError> {
    save(&state, &Choice::from(&choice))
}

/// Where the policy names a resource and says `choose = "newest"`: the newest deployment of each
/// tier that discovery found there, turned into the choice by the core's `policy_choice` (the one
/// `setup` uses), then saved like any other choice. A tier with none stays an open question.
#[tauri::command]
pub fn save_newest(state: State<'_, AppState>, subscription_id: String, proposed: Proposed) -> Result<ConfigView, IpcError> {
    let decided = setup::decided(&state.loaded()?);
    let found = setup::Found { subscription: &subscription_id, proposed: &proposed };
    let choice = setup::policy_choice(&decided, Some(found)).map_err(|asks| ipc(RolloutError::Undecided { asks, policy: decided.policy_file.clone() }))?;
    save(&state, &choice)
}

fn save(state: &AppState, choice: &Choice) -> Result<ConfigView, IpcError> {
    let loaded = setup::save_choice(&state.profile_job()?, choice).map_err(ipc)?;
    let view = ConfigView::of(&loaded);
    state.set_loaded(loaded);
    Ok(view)
}
