import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { signinStep } from '../src/signin';
import { resourceStep } from '../src/resource';
import type { Discovered } from '../src/bindings';
import { settle, NOT_SIGNED_IN } from './helpers';

describe('sign in step', () => {
  afterEach(() => clearMocks());

  it('shows the device code large, then who is signed in', async () => {
    const calls: string[] = [];
    mockIPC((cmd, args) => {
      calls.push(cmd);
      if (cmd === 'signin_status') return NOT_SIGNED_IN;
      if (cmd === 'signin_start') {
        const channel = (args as { onEvent: { onmessage: (e: unknown) => void } }).onEvent;
        channel.onmessage({ type: 'deviceCode', code: 'ABCD-1234', url: 'https://127.0.0.1:9/device' });
        channel.onmessage({ type: 'line', text: 'To sign in, use a web browser…' });
        return { ...NOT_SIGNED_IN.state, signedIn: true, user: 'dev@sandbox.example', tenantId: 't1' };
      }
      return null;
    });
    const el = signinStep().el;
    document.body.append(el);
    await settle();
    expect(el.querySelector('[data-testid="az-version"]')?.textContent).toContain('2.91.0');
    (el.querySelector('[data-testid="signin-start"]') as HTMLButtonElement).click();
    await settle();
    expect(el.querySelector('[data-testid="signed-in-as"]')?.textContent).toContain('dev@sandbox.example');
    expect(calls).toEqual(['signin_status', 'signin_start']);
    el.remove();
  });

  it('a missing az shows the install instructions as the hint', async () => {
    mockIPC((cmd) =>
      cmd === 'signin_status'
        ? { ...NOT_SIGNED_IN, azPath: null, azVersion: null, azProblem: { kind: 'config', message: 'the Azure CLI (az) is not installed', hint: 'Install a current Azure CLI: `curl …`' } }
        : null,
    );
    const el = signinStep().el;
    document.body.append(el);
    await settle();
    expect(el.querySelector('[data-testid="error-message"]')?.textContent).toContain('not installed');
    expect(el.querySelector('[data-testid="error-hint"]')?.textContent).toContain('Install a current Azure CLI');
    expect(el.querySelector('[data-testid="signin-start"]')).toBeNull();
    el.remove();
  });
});

/** The whole tree with both phases done (as `discover --json` prints it). */
const found: Discovered = {
  elapsedMs: 80,
  requests: 10,
  subscriptions: [
    {
      id: 's1',
      name: 'Sandbox Dev',
      tenantId: 't1',
      error: null,
      accounts: [
        {
          id: '/a1', name: 'sandbox-ai', location: 'eastus2', sku: 'S0', customSubdomain: 'sandbox-ai', publicNetworkAccess: 'Disabled',
          privateEndpoints: [{ id: 'pe', status: 'Approved' }],
          deployments: [
            { name: 'claude-sonnet-4-5', model: 'claude-sonnet-4-5', modelVersion: '1', format: 'Anthropic', sku: 'GlobalStandard', capacity: 100, tier: 'sonnet' },
            { name: 'claude-haiku-4-5', model: 'claude-haiku-4-5', modelVersion: '1', format: 'Anthropic', sku: 'GlobalStandard', capacity: 100, tier: 'haiku' },
            { name: 'claude-opus-4-6', model: 'claude-opus-4-6', modelVersion: '1', format: 'Anthropic', sku: 'GlobalStandard', capacity: 10, tier: 'opus' },
          ],
          deploymentsLoaded: true,
          proposed: { sonnet: 'claude-sonnet-4-5', haiku: 'claude-haiku-4-5', opus: 'claude-opus-4-6' },
          note: null,
        },
        {
          id: '/a2', name: 'sandbox-openai', location: 'swedencentral', sku: 'S0', customSubdomain: 'sandbox-openai', publicNetworkAccess: 'Disabled',
          privateEndpoints: [], deployments: [], deploymentsLoaded: true, proposed: { sonnet: null, haiku: null, opus: null }, note: 'no Claude deployment on this resource',
        },
      ],
    },
  ],
};

describe('resource step', () => {
  afterEach(() => clearMocks());

  it('greys out a resource without Claude, proposes the newest per tier, and saves', async () => {
    const saved: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === 'discover') return found;
      if (cmd === 'save_models') {
        saved.push((args as { choice: unknown }).choice);
        return { toml: '', locked: [], notices: [] };
      }
      return null;
    });
    const step = resourceStep();
    const el = step.el;
    expect(step.canLeave()).toBeNull();
    document.body.append(el);
    await settle();
    expect((el.querySelector('[data-testid="account-sandbox-openai"]') as HTMLInputElement).disabled).toBe(true);
    expect(el.querySelector('[data-testid="account-note-sandbox-openai"]')?.textContent).toContain('no Claude deployment');
    const radio = el.querySelector('[data-testid="account-sandbox-ai"]') as HTMLInputElement;
    radio.checked = true;
    radio.dispatchEvent(new Event('change'));
    expect((el.querySelector('[data-testid="tier-opus"]') as HTMLSelectElement).value).toBe('claude-opus-4-6');
    expect(step.canLeave()).toContain('Save the deployments for sandbox-ai');
    // the same deployment for two tiers needs a confirmation
    const opus = el.querySelector('[data-testid="tier-opus"]') as HTMLSelectElement;
    opus.value = 'claude-sonnet-4-5';
    opus.dispatchEvent(new Event('change'));
    expect(el.querySelector('[data-testid="reuse-row"]')?.classList.contains('hidden')).toBe(false);
    opus.value = 'claude-opus-4-6';
    opus.dispatchEvent(new Event('change'));
    (el.querySelector('[data-testid="save-models"]') as HTMLButtonElement).click();
    await settle();
    expect(saved).toEqual([{ subscriptionId: 's1', resource: 'sandbox-ai', sonnet: 'claude-sonnet-4-5', haiku: 'claude-haiku-4-5', opus: 'claude-opus-4-6', reuseConfirmed: false }]);
    expect(el.querySelector('[data-testid="models-saved"]')).not.toBeNull();
    expect(step.canLeave()).toBeNull();
    el.remove();
  });
});

describe('gateway option', () => {
  afterEach(() => clearMocks());

  it('saves the gateway URL and the typed deployment names, and shows refusals with their hint', async () => {
    const saved: unknown[] = [];
    let refuse = true;
    mockIPC((cmd, args) => {
      if (cmd === 'discover') return { ...found, subscriptions: [] };
      if (cmd === 'save_gateway') {
        if (refuse) {
          refuse = false;
          throw { kind: 'config', message: 'gateway URL "http://x": must use https', hint: 'Give the gateway\'s https address.' };
        }
        saved.push((args as { choice: unknown }).choice);
        return { toml: '', locked: [], notices: [] };
      }
      return null;
    });
    const el = resourceStep().el;
    document.body.append(el);
    await settle();
    const set = (id: string, v: string): void => {
      (el.querySelector(`[data-testid="${id}"]`) as HTMLInputElement).value = v;
    };
    set('gateway-url', 'http://x');
    set('gateway-sonnet', 'gw-sonnet');
    set('gateway-haiku', 'gw-haiku');
    set('gateway-opus', 'gw-opus');
    (el.querySelector('[data-testid="save-gateway"]') as HTMLButtonElement).click();
    await settle();
    expect(el.querySelector('[data-testid="error-hint"]')?.textContent).toContain('https address');
    set('gateway-url', 'https://llm.contoso.com');
    (el.querySelector('[data-testid="error-retry"]') as HTMLButtonElement).click();
    await settle();
    expect(saved).toEqual([{ url: 'https://llm.contoso.com', sonnet: 'gw-sonnet', haiku: 'gw-haiku', opus: 'gw-opus', reuseConfirmed: false }]);
    expect(el.querySelector('[data-testid="gateway-saved"]')).not.toBeNull();
    expect(el.querySelector('[data-testid="no-subscriptions"]')).not.toBeNull();
    el.remove();
  });
});
