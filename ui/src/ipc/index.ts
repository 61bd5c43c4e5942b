// The only module allowed to talk to Tauri. Everything else imports from here.
import { Channel, invoke } from '@tauri-apps/api/core';
import type {
  AccountDeployments,
  AppInfo,
  ConfigView,
  Discovered,
  ErrorKind,
  IpcError,
  LoginEvent,
  LoginState,
  GatewayChoice,
  ModelChoice,
  ProfileOutcome,
  ProfilePreview,
  SignInStatus,
} from '../bindings';

export type {
  AppInfo,
  ClientCheck,
  ConfigView,
  EffectiveEnv,
  ErrorKind,
  FileChange,
  Finding,
  IpcError,
  ProfileOutcome,
  ProfilePreview,
  SandboxEndpoints,
  SandboxInfo,
  ShellCheck,
  Account,
  AccountDeployments,
  Deployment,
  Discovered,
  LoginEvent,
  LoginState,
  ModelChoice,
  SignInStatus,
  Subscription,
  Tier,
} from '../bindings';

const ERROR_KINDS: readonly ErrorKind[] = [
  'config',
  'policy',
  'io',
  'network',
  'guard',
  'sandbox',
  'notBuilt',
  'internal',
];

export const INTERNAL_ERROR_HINT =
  'This looks like a bug in Foundry Onboard. Try again; if it keeps happening, restart the app and report the problem together with the log file.';

function isIpcError(e: unknown): e is IpcError {
  if (typeof e !== 'object' || e === null) return false;
  const o = e as Record<string, unknown>;
  return (
    typeof o.kind === 'string' &&
    (ERROR_KINDS as readonly string[]).includes(o.kind) &&
    typeof o.message === 'string' &&
    typeof o.hint === 'string'
  );
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message || String(e);
  if (typeof e === 'object' && e !== null) {
    try {
      return JSON.stringify(e);
    } catch {
      return String(e);
    }
  }
  return String(e);
}

/** Normalise whatever a rejected `invoke` produced into an {@link IpcError}. */
export function toIpcError(e: unknown): IpcError {
  if (isIpcError(e)) return { kind: e.kind, message: e.message, hint: e.hint };
  return { kind: 'internal', message: describe(e), hint: INTERNAL_ERROR_HINT };
}

async function call<T>(cmd: string): Promise<T> {
  try {
    return await invoke<T>(cmd);
  } catch (e) {
    throw toIpcError(e);
  }
}

export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>('app_info');
}

export function configView(): Promise<ConfigView> {
  return call<ConfigView>('config_view');
}

export function markFirstPaint(): Promise<void> {
  return call<void>('mark_first_paint');
}

export function profilePreview(): Promise<ProfilePreview> {
  return invoke<ProfilePreview>('profile_preview');
}

export function profileWrite(): Promise<ProfileOutcome> {
  return invoke<ProfileOutcome>('profile_write');
}

export function signinStatus(): Promise<SignInStatus> {
  return invoke<SignInStatus>('signin_status');
}

/** Starts `az login`; `onEvent` sees every line and the device code as they come. */
export function signinStart(deviceCode: boolean, onEvent: (e: LoginEvent) => void): Promise<LoginState> {
  const channel = new Channel<LoginEvent>();
  channel.onmessage = onEvent;
  return invoke<LoginState>('signin_start', { deviceCode, onEvent: channel });
}

export function signinCancel(): Promise<void> {
  return invoke<void>('signin_cancel');
}

/** Opens the device-login page of the sign-in in progress; the app decides which page that is. */
export function openSignInPage(): Promise<void> {
  return invoke<void>('open_sign_in_page');
}

/** Subscriptions → resources; their deployments are not listed yet (see {@link loadDeployments}). */
export function discover(): Promise<Discovered> {
  return invoke<Discovered>('discover');
}

/** Lists the deployments of these accounts, started in this order; `onLoaded` sees them in batches as they are done. */
export function loadDeployments(accountIds: string[], onLoaded: (batch: AccountDeployments[]) => void): Promise<void> {
  const channel = new Channel<AccountDeployments[]>();
  channel.onmessage = onLoaded;
  return invoke<void>('load_deployments', { accountIds, onLoaded: channel });
}

export function saveModels(choice: ModelChoice): Promise<ConfigView> {
  return invoke<ConfigView>('save_models', { choice });
}

export function saveGateway(choice: GatewayChoice): Promise<ConfigView> {
  return invoke<ConfigView>('save_gateway', { choice });
}
