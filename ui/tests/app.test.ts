import { clearMocks } from '@tauri-apps/api/mocks';
import { emit } from '@tauri-apps/api/event';
import { afterEach, describe, expect, it } from 'vitest';
import { mountApp } from '../src/app';
import { LOADING_DELAY_MS } from '../src/async';
import { appInfoFixture, byTestId, click, getByTestId, mockBackend, mount, SANDBOX, waitFor } from './helpers';

afterEach(() => clearMocks());

describe('shell and status line', () => {
  it('shows the version and "no config file yet" and no sandbox badge outside sandbox mode', async () => {
    mockBackend({ app_info: () => appInfoFixture({ version: '1.2.3' }) });
    await mount();

    expect(document.querySelector('h1')?.textContent).toBe('Foundry Onboard');
    const status = getByTestId('status-line');
    expect(getByTestId('app-version', status).textContent).toContain('1.2.3');
    expect(status.textContent).toContain('no config file yet');
    expect(byTestId('sandbox-badge')).toBeNull();
    expect(byTestId('welcome-sandbox')).toBeNull();
  });

  it('shows the sandbox badge with the endpoints in its tooltip when app_info has a sandbox', async () => {
    mockBackend({
      app_info: () =>
        appInfoFixture({
          sandbox: { ...SANDBOX, faults: ['dns-timeout'], latencyMs: 250 as unknown as typeof SANDBOX.latencyMs },
          configFile: '/tmp/sandbox/home/.config/foundry-onboard/config.toml' }),
    });
    await mount();

    const badge = getByTestId('sandbox-badge');
    expect(badge.textContent).toBe('Sandbox');
    const title = badge.getAttribute('title') ?? '';
    for (const url of [SANDBOX.endpoints.armUrl, SANDBOX.endpoints.gatewayUrl, SANDBOX.endpoints.foundryBaseUrl, SANDBOX.endpoints.dns]) {
      expect(title).toContain(url);
    }
    expect(title).toContain('250 ms');
    expect(title).toContain('dns-timeout');
    expect(getByTestId('status-line').textContent).toContain('/tmp/sandbox/home/.config/foundry-onboard/config.toml');
    expect(getByTestId('status-line').textContent).not.toContain('no config file yet');

    const welcome = getByTestId('welcome-sandbox');
    expect(welcome.textContent).toMatch(/built-in sandbox/);
    expect(welcome.textContent).toContain('~/.claude');
  });
});

describe('errors and loading', () => {
  it('renders an IPC rejection with message and hint, and Retry calls the command again and recovers', async () => {
    let fail = true;
    const calls = mockBackend({
      app_info: () => {
        if (fail) throw { kind: 'config', message: 'config.toml line 3: unknown key "foo"', hint: 'Remove the key or fix its spelling.' };
        return appInfoFixture();
      },
    });
    await mount();

    const panel = getByTestId('error-panel');
    expect(panel.getAttribute('role')).toBe('alert');
    expect(panel.textContent).toContain('config.toml line 3: unknown key "foo"');
    expect(getByTestId('error-hint', panel).textContent).toContain('Remove the key or fix its spelling.');
    expect(byTestId('step-welcome')).toBeNull();
    expect(calls.filter((c) => c === 'app_info')).toHaveLength(1);

    fail = false;
    click(getByTestId('error-retry'));
    await waitFor(() => byTestId('step-welcome'));

    expect(calls.filter((c) => c === 'app_info')).toHaveLength(2);
    expect(byTestId('error-panel')).toBeNull();
    expect(byTestId('status-line')).not.toBeNull();
  });

  it('turns a non-IpcError rejection into an internal error that still shows a hint', async () => {
    mockBackend({
      app_info: () => {
        throw 'command app_info not found';
      },
    });
    await mount();

    const panel = getByTestId('error-panel');
    expect(panel.getAttribute('data-kind')).toBe('internal');
    expect(getByTestId('error-message', panel).textContent).toBe('command app_info not found');
    expect(getByTestId('error-hint', panel).textContent?.trim().length).toBeGreaterThan('What to do: '.length);
  });

  it('shows a busy progress indicator only when a call takes longer than 300 ms', async () => {
    let resolve!: (v: unknown) => void;
    mockBackend({ app_info: () => new Promise((r) => (resolve = r)) });
    document.body.replaceChildren();
    const root = document.createElement('div');
    document.body.appendChild(root);
    const app = mountApp(root);

    const main = getByTestId('main');
    expect(main.getAttribute('aria-busy')).toBe('true');
    await new Promise((r) => setTimeout(r, LOADING_DELAY_MS / 3));
    expect(byTestId('loading')).toBeNull();

    const spinner = await waitFor(() => byTestId('loading'), LOADING_DELAY_MS * 3);
    expect(spinner.querySelector('.spinner')).not.toBeNull();
    expect(spinner.getAttribute('role')).toBe('status');

    resolve(appInfoFixture());
    await app.ready;
    expect(byTestId('loading')).toBeNull();
    expect(main.hasAttribute('aria-busy')).toBe(false);
    expect(byTestId('step-welcome')).not.toBeNull();
  });
});

describe('a clicked budget alert', () => {
  it('switches from the wizard to the Usage tab on the open-tab event, and ignores an unknown tab', async () => {
    mockBackend({ app_info: () => appInfoFixture() });
    await mount();
    expect(byTestId('step-welcome')).not.toBeNull();

    await emit('open-tab', 'nonsense');
    expect(byTestId('home')).toBeNull();
    expect(byTestId('step-welcome')).not.toBeNull();

    await emit('open-tab', 'usage');
    const tab = await waitFor(() => byTestId('tab-usage'));
    expect(tab.getAttribute('aria-selected')).toBe('true');
    expect(byTestId('step-welcome')).toBeNull();

    // From another tab of the home, too.
    click(getByTestId('tab-doctor'));
    expect(getByTestId('tab-doctor').getAttribute('aria-selected')).toBe('true');
    await emit('open-tab', 'usage');
    expect(getByTestId('tab-usage').getAttribute('aria-selected')).toBe('true');
  });
});

describe('--tab', () => {
  it('opens the app on the named home tab instead of the wizard, with Run setup again still there', async () => {
    mockBackend({ app_info: () => appInfoFixture({ startTab: 'usage' }) });
    await mount();
    const tab = await waitFor(() => byTestId('tab-usage'));
    expect(tab.getAttribute('aria-selected')).toBe('true');
    expect(byTestId('step-welcome')).toBeNull();
    expect(byTestId('usage')).not.toBeNull();
    expect(byTestId('run-setup-again')).not.toBeNull();
  });
});
