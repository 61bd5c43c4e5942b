import { mockIPC } from '@tauri-apps/api/mocks';
import { mountApp, type App } from '../src/app';
import type { AppInfo, ConfigView, Decided, SandboxInfo, SignInStatus } from '../src/bindings';

export const SANDBOX: SandboxInfo = {
  endpoints: {
    armUrl: 'https://127.0.0.1:41001/arm',
    authorityUrl: 'https://127.0.0.1:41001/authority',
    foundryBaseUrl: 'https://contoso.services.ai.azure.com/anthropic',
    foundryPrivateUrl: 'https://sandbox-ai.services.ai.azure.com:41001/anthropic',
    foundryHttpUrl: 'http://127.0.0.1:41002',
    gatewayUrl: 'https://127.0.0.1:41003/gateway',
    dns: '127.0.0.1:41053',
    caFile: '/tmp/sandbox/ca.pem',
    home: '/tmp/sandbox/home',
    configFile: '/tmp/sandbox/home/.config/foundry-onboard/config.toml',
  },
  faults: [],
  // The backend serialises this as a JSON number whatever the generated type says (u64 → bigint in ts-rs).
  latencyMs: 0 as unknown as SandboxInfo['latencyMs'],
};

export function appInfoFixture(overrides: Partial<AppInfo> = {}): AppInfo {
  return {
    version: '0.1.0',
    os: 'linux',
    sandbox: null,
    configFile: null,
    policyFile: null,
    logDir: null,
    sandboxConfig: false,
    startTab: null,
    ...overrides,
  };
}

/** Nothing decided by a policy: every question is left to the person. */
export const NOTHING_DECIDED: Decided = {
  policyFile: null,
  login: null,
  endpoint: null,
  sonnet: null,
  haiku: null,
  opus: null,
  choose: 'ask',
  leftToAsk: ['endpoint', 'sonnet', 'haiku', 'opus'],
};

export const CONFIG_VIEW: ConfigView = {
  toml: '[foundry]\nresource = "contoso-ai"\nregion = "swedencentral"\n',
  locked: ['foundry.resource', 'gateway.url'],
  notices: ['The org policy sets foundry.resource.'],
  decided: NOTHING_DECIDED,
};

export type Handler = (cmd: string, args?: unknown) => unknown;

/** Install an IPC mock that records every command name. */
export function mockBackend(handlers: Record<string, Handler>): string[] {
  const calls: string[] = [];
  mockIPC((cmd, args) => {
    calls.push(cmd);
    const handler = handlers[cmd];
    if (!handler) throw { kind: 'internal', message: `unexpected command ${cmd}`, hint: 'test' };
    return handler(cmd, args);
  }, { shouldMockEvents: true });
  return calls;
}

export async function waitFor<T>(fn: () => T | null | undefined | false, timeoutMs = 1500): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() - start > timeoutMs) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const byTestId = <E extends HTMLElement = HTMLElement>(id: string, root: ParentNode = document): E | null =>
  root.querySelector<E>(`[data-testid="${id}"]`);

export function getByTestId<E extends HTMLElement = HTMLElement>(id: string, root: ParentNode = document): E {
  const el = byTestId<E>(id, root);
  if (!el) throw new Error(`no element with data-testid="${id}"`);
  return el;
}

/** Mount the app into a fresh root and wait for app_info to settle. */
export async function mount(): Promise<App> {
  document.body.replaceChildren();
  const root = document.createElement('div');
  root.id = 'app';
  document.body.appendChild(root);
  const app = mountApp(root);
  await app.ready;
  return app;
}

export function click(el: HTMLElement): void {
  el.dispatchEvent(new MouseEvent('click', { bubbles: true }));
}

export function key(el: HTMLElement, k: string): KeyboardEvent {
  const ev = new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true });
  el.dispatchEvent(ev);
  return ev;
}

/** Lets queued promise callbacks and timers of zero delay run (eight turns of the event loop). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 8; i++) await new Promise((r) => setTimeout(r, 0));
}

/** az found, nobody signed in: the Sign in step's starting point. */
export const NOT_SIGNED_IN: SignInStatus = {
  azPath: '/usr/bin/az',
  azVersion: '2.91.0',
  azProblem: null,
  state: { signedIn: false, user: null, tenantId: null, subscription: null, subscriptionId: null, cloud: null, configDir: '/tmp/sb/azure' },
};
