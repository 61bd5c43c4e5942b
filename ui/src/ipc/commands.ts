// This file is generated from Rust (src-tauri/src/ipc_surface.rs) by `cargo test -p foundry-onboard-gui ipc_surface` — do not edit.
import { Channel } from '@tauri-apps/api/core';
import type { AccountDeployments, AppInfo, ConfigView, Discovered, DoctorEvent, GatewayChoice, LoginEvent, LoginState, ModelChoice, ProfileOutcome, ProfilePreview, Proposed, Refreshed, Report, SignInStatus, TabAsk, UsageTab } from '../bindings';
import { call } from './call';

export type ReportFormat = "md" | "json";

/** Every command of the app, each through the one `call()` (which rejects with an `IpcError`). */
export const commands = {
  appInfo(): Promise<AppInfo> {
    return call<AppInfo>('app_info');
  },
  configView(): Promise<ConfigView> {
    return call<ConfigView>('config_view');
  },
  /** The first-paint probe the startup benchmark reads. */
  markFirstPaint(): Promise<void> {
    return call<void>('mark_first_paint');
  },
  /** The Profile step's preview: every file's diff and what Claude Code sees now. */
  profilePreview(): Promise<ProfilePreview> {
    return call<ProfilePreview>('profile_preview');
  },
  /** Writes the profile, then checks each shell and the real client. */
  profileWrite(): Promise<ProfileOutcome> {
    return call<ProfileOutcome>('profile_write');
  },
  /** az installed? which version? who is signed in? */
  signinStatus(): Promise<SignInStatus> {
    return call<SignInStatus>('signin_status');
  },
  /** Starts `az login`; `onEvent` sees every line and the device code as they come. */
  signinStart(deviceCode: boolean, onEvent: (message: LoginEvent) => void): Promise<LoginState> {
    const onEventChannel = new Channel<LoginEvent>();
    onEventChannel.onmessage = onEvent;
    return call<LoginState>('signin_start', { deviceCode, onEvent: onEventChannel });
  },
  signinCancel(): Promise<void> {
    return call<void>('signin_cancel');
  },
  /** Opens the device-login page of the sign-in in progress; the app decides which page that is. */
  openSignInPage(): Promise<void> {
    return call<void>('open_sign_in_page');
  },
  /** Subscriptions → resources; their deployments come after, from `loadDeployments`. */
  discover(): Promise<Discovered> {
    return call<Discovered>('discover');
  },
  /** Lists the deployments of these accounts, started in this order; `onLoaded` sees them in batches. */
  loadDeployments(accountIds: Array<string>, onLoaded: (message: Array<AccountDeployments>) => void): Promise<void> {
    const onLoadedChannel = new Channel<Array<AccountDeployments>>();
    onLoadedChannel.onmessage = onLoaded;
    return call<void>('load_deployments', { accountIds, onLoaded: onLoadedChannel });
  },
  saveModels(choice: ModelChoice): Promise<ConfigView> {
    return call<ConfigView>('save_models', { choice });
  },
  saveGateway(choice: GatewayChoice): Promise<ConfigView> {
    return call<ConfigView>('save_gateway', { choice });
  },
  /** The policy names a resource and says `choose = "newest"`: saves the newest deployment of each tier found on it. */
  saveNewest(subscriptionId: string, proposed: Proposed): Promise<ConfigView> {
    return call<ConfigView>('save_newest', { subscriptionId, proposed });
  },
  /** Runs every check; `onEvent` sees the plan, each start and each result. A second run cancels the first. */
  doctorRun(withClaude: boolean, onEvent: (message: DoctorEvent) => void): Promise<Report> {
    const onEventChannel = new Channel<DoctorEvent>();
    onEventChannel.onmessage = onEvent;
    return call<Report>('doctor_run', { withClaude, onEvent: onEventChannel });
  },
  doctorCancel(): Promise<void> {
    return call<void>('doctor_cancel');
  },
  /** The last finished report as Markdown (secrets redacted by the core). */
  doctorReportMarkdown(): Promise<string> {
    return call<string>('doctor_report_markdown');
  },
  /** Saves the last report into Downloads (else Documents, else home); resolves to its path. */
  doctorSaveReport(format: ReportFormat): Promise<string> {
    return call<string>('doctor_save_report', { format });
  },
  /** Trusts the inspection CA the last run offered and rewrites the profile; resolves to the CA bundle's path. */
  doctorTrustCa(pem: string): Promise<string> {
    return call<string>('doctor_trust_ca', { pem });
  },
  /** The Usage tab's first paint: the cached report's view from disk, no network, no charts (null when none). */
  usageCached(): Promise<UsageTab | null> {
    return call<UsageTab | null>('usage_cached');
  },
  /** Refreshes usage (`force` asks the source now); says when to refresh next. */
  usageRefresh(ask: TabAsk, force: boolean): Promise<Refreshed> {
    return call<Refreshed>('usage_refresh', { ask, force });
  },
  /** Another range, token kind or theme, from the report shown (no network). */
  usageCharts(ask: TabAsk): Promise<UsageTab> {
    return call<UsageTab>('usage_charts', { ask });
  },
  /** Writes the last `days` days as CSV into Downloads; resolves to its path. */
  usageExportCsv(days: number): Promise<string> {
    return call<string>('usage_export_csv', { days });
  },
  /** Keeps the gateway key the signed-out tab was given in the keyring (then refresh). */
  usageSaveGatewayKey(key: string): Promise<void> {
    return call<void>('usage_save_gateway_key', { key });
  },
};
