import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Discovered, DoctorEvent, Report } from '../src/bindings';
import { appInfoFixture, click, getByTestId, mockBackend, mount, NOT_SIGNED_IN, settle } from './helpers';

const claude = (name: string, tier: 'sonnet' | 'haiku' | 'opus') => ({ name, model: name, modelVersion: '1', format: 'Anthropic', sku: 'GlobalStandard', capacity: 10, tier });

/** One resource whose deployments come in the background (a load_deployments call). */
const DISCOVERED: Discovered = {
  elapsedMs: 5,
  requests: 3,
  subscriptions: [
    {
      id: 's1', name: 'Sandbox Dev', tenantId: 't1', error: null,
      accounts: [
        {
          id: '/a1', name: 'sandbox-ai', location: 'eastus2', sku: 'S0', customSubdomain: 'sandbox-ai', publicNetworkAccess: 'Disabled',
          privateEndpoints: [], deployments: [], deploymentsLoaded: false, proposed: { sonnet: null, haiku: null, opus: null }, note: null,
        },
      ],
    },
  ],
} as unknown as Discovered;

const REPORT = { appVersion: '0.1.0', os: 'linux', time: 'now', sandbox: true, config: [], summary: { pass: 0, warn: 0, fail: 0, skip: 0, elapsedMs: 1, incomplete: false }, checks: [], limitations: [] } as unknown as Report;

let calls: string[];

beforeEach(() => {
  calls = mockBackend({
    app_info: () => appInfoFixture(),
    signin_status: () => NOT_SIGNED_IN,
    discover: () => DISCOVERED,
    load_deployments: (_cmd, args) => {
      const ch = (args as { onLoaded: { onmessage: (b: unknown) => void } }).onLoaded;
      ch.onmessage([{ accountId: '/a1', deployments: [claude('claude-sonnet-4-5', 'sonnet'), claude('claude-haiku-4-5', 'haiku'), claude('claude-opus-4-6', 'opus')], proposed: { sonnet: 'claude-sonnet-4-5', haiku: 'claude-haiku-4-5', opus: 'claude-opus-4-6' }, note: null, error: null }]);
      return null;
    },
    save_models: () => ({ toml: '', locked: [], notices: [] }),
    profile_preview: () => {
      throw { kind: 'config', message: 'no profile in this test', hint: 'none' };
    },
    doctor_run: (_cmd, args) => {
      const ch = (args as { onEvent: { onmessage: (e: DoctorEvent) => void } }).onEvent;
      ch.onmessage({ event: 'planned', checks: [] });
      return REPORT;
    },
    doctor_cancel: () => null,
  });
});
afterEach(() => clearMocks());

const current = (): string => document.querySelector<HTMLElement>('section[data-testid^="step-"]')!.dataset.testid!.replace('step-', '');

describe('wizard IPC', () => {
  it('Next → Back → Next on every step makes no IPC call beyond the first visit', async () => {
    const app = await mount();
    const order = ['welcome', 'signin', 'resource', 'profile', 'verify', 'done'];
    const firstVisit: Record<string, string[]> = {};
    for (let i = 0; i < order.length - 1; i++) {
      expect(current()).toBe(order[i]);
      const before = calls.length;
      click(getByTestId('wizard-next'));
      await settle();
      expect(current()).toBe(order[i + 1]);
      firstVisit[order[i + 1]] = calls.slice(before);
      const after = calls.length;
      click(getByTestId('wizard-back'));
      await settle();
      expect(current()).toBe(order[i]);
      click(getByTestId('wizard-next'));
      await settle();
      expect(current()).toBe(order[i + 1]);
      expect(calls.slice(after), `Back then Next around ${order[i + 1]}`).toEqual([]);
    }
    // Each step asked the backend what it needed, once.
    expect(firstVisit).toEqual({
      signin: ['signin_status'],
      resource: ['discover', 'load_deployments'],
      profile: ['profile_preview'],
      verify: ['doctor_run'],
      done: [],
    });
    // And all the way back to Welcome and forward to Done again: still nothing.
    const settled = calls.length;
    const at = (): string | undefined => app.wizard?.current;
    while (at() !== 'welcome') click(getByTestId('wizard-back'));
    while (at() !== 'done') click(getByTestId('wizard-next'));
    await settle();
    expect(calls.slice(settled)).toEqual([]);
  });

  it('a sign-in that finishes after Next builds the Resource step again, in place (a new discovery)', async () => {
    let finishSignIn: (s: unknown) => void = () => undefined;
    const seen = mockBackend({
      app_info: () => appInfoFixture(),
      signin_status: () => NOT_SIGNED_IN,
      signin_start: () => new Promise((r) => (finishSignIn = r)),
      discover: () => ({ ...DISCOVERED, subscriptions: [] }),
    });
    await mount();
    click(getByTestId('wizard-next'));
    await settle();
    click(getByTestId('signin-start'));
    click(getByTestId('wizard-next'));
    await settle();
    expect(current()).toBe('resource');
    const first = getByTestId('resources');
    finishSignIn({ ...NOT_SIGNED_IN.state, signedIn: true, user: 'dev@sandbox.example' });
    await settle();
    expect(current()).toBe('resource');
    expect(getByTestId('resources')).not.toBe(first);
    expect(seen.filter((c) => c === 'discover')).toHaveLength(2);
  });

  it('an unsaved resource holds Next (canLeave); saving lets it go and rebuilds only the steps derived from it', async () => {
    const app = await mount();
    while (app.wizard?.current !== 'verify') {
      click(getByTestId('wizard-next'));
      await settle();
    }
    click(getByTestId('wizard-back'));
    click(getByTestId('wizard-back'));
    expect(current()).toBe('resource');
    const radio = getByTestId<HTMLInputElement>('account-sandbox-ai');
    radio.checked = true;
    radio.dispatchEvent(new Event('change'));
    const before = calls.length;
    click(getByTestId('wizard-next'));
    expect(current()).toBe('resource');
    expect(getByTestId('wizard-blocked').textContent).toContain('Save the deployments for sandbox-ai');
    expect(document.activeElement).toBe(getByTestId('wizard-blocked'));
    click(getByTestId('save-models'));
    await settle();
    expect(getByTestId('models-saved').textContent).toContain('sandbox-ai');
    click(getByTestId('wizard-next'));
    await settle();
    expect(current()).toBe('profile');
    expect(getByTestId('wizard-blocked').textContent).toBe('');
    click(getByTestId('wizard-next'));
    await settle();
    // The saved choice feeds the profile and the checks: those two ask again; sign-in and discovery do not.
    expect(calls.slice(before)).toEqual(['save_models', 'profile_preview', 'doctor_run']);
  });
});
