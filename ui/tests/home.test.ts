import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import type { App } from '../src/app';
import type { ConfigView } from '../src/bindings';
import { appInfoFixture, byTestId, click, CONFIG_VIEW, getByTestId, NOTHING_DECIDED, key, mockBackend, mount, waitFor } from './helpers';

afterEach(() => clearMocks());

const TABS = ['usage', 'doctor', 'settings'] as const;

async function openHome(configView: () => unknown = () => CONFIG_VIEW): Promise<{ app: App; calls: string[] }> {
  const calls = mockBackend({ app_info: () => appInfoFixture(), config_view: configView });
  const app = await mount();
  app.show({ name: 'home' });
  return { app, calls };
}

function selectedTab(): string {
  const selected = TABS.filter((t) => getByTestId(`tab-${t}`).getAttribute('aria-selected') === 'true');
  expect(selected).toHaveLength(1);
  return selected[0];
}

describe('home tabs', () => {
  it('has a proper ARIA tab structure with a roving tabindex', async () => {
    await openHome();
    const tablist = document.querySelector('[role="tablist"]')!;
    const tabs = [...tablist.querySelectorAll('[role="tab"]')];
    expect(tabs.map((t) => t.getAttribute('data-testid'))).toEqual(['tab-usage', 'tab-doctor', 'tab-settings']);

    for (const t of TABS) {
      const tab = getByTestId(`tab-${t}`);
      const panel = getByTestId(`panel-${t}`);
      expect(tab.getAttribute('aria-controls')).toBe(panel.id);
      expect(panel.getAttribute('role')).toBe('tabpanel');
      expect(panel.getAttribute('aria-labelledby')).toBe(tab.id);
      const on = t === 'usage';
      expect(tab.getAttribute('aria-selected')).toBe(String(on));
      expect(tab.tabIndex).toBe(on ? 0 : -1);
      expect(panel.hidden).toBe(!on);
    }
  });

  it('moves between tabs with ArrowRight, ArrowLeft, Home and End (wrapping), moving focus', async () => {
    const { app } = await openHome();
    const usage = getByTestId('tab-usage');
    usage.focus();

    const expectSelected = (t: (typeof TABS)[number]) => {
      expect(selectedTab()).toBe(t);
      expect(document.activeElement).toBe(getByTestId(`tab-${t}`));
      expect(getByTestId(`tab-${t}`).tabIndex).toBe(0);
      expect(getByTestId(`panel-${t}`).hidden).toBe(false);
      expect(app.home?.current).toBe(t);
    };

    const ev = key(usage, 'ArrowRight');
    expect(ev.defaultPrevented).toBe(true);
    expectSelected('doctor');
    key(document.activeElement as HTMLElement, 'ArrowRight');
    expectSelected('settings');
    key(document.activeElement as HTMLElement, 'ArrowRight');
    expectSelected('usage');
    key(document.activeElement as HTMLElement, 'ArrowLeft');
    expectSelected('settings');
    key(document.activeElement as HTMLElement, 'Home');
    expectSelected('usage');
    key(document.activeElement as HTMLElement, 'End');
    expectSelected('settings');

    // Other keys are left alone.
    const other = key(document.activeElement as HTMLElement, 'a');
    expect(other.defaultPrevented).toBe(false);
    expectSelected('settings');
  });

  it('selects a tab on click', async () => {
    await openHome();
    click(getByTestId('tab-doctor'));
    expect(selectedTab()).toBe('doctor');
    expect(getByTestId('panel-usage').hidden).toBe(true);
    expect(getByTestId('panel-doctor').textContent).toMatch(/connectivity checks/);
  });
});

describe('settings', () => {
  it('renders config_view: the TOML, the locked keys and the notices', async () => {
    const { app, calls } = await openHome();
    expect(calls).not.toContain('config_view');
    click(getByTestId('tab-settings'));
    await app.home!.settingsLoaded;

    const panel = getByTestId('panel-settings');
    expect(calls.filter((c) => c === 'config_view')).toHaveLength(1);
    expect(getByTestId('config-toml', panel).tagName).toBe('PRE');
    expect(getByTestId('config-toml', panel).textContent).toBe(CONFIG_VIEW.toml);
    const locked = getByTestId('locked-keys', panel);
    expect([...locked.querySelectorAll('li')].map((li) => li.textContent)).toEqual(CONFIG_VIEW.locked);
    expect(getByTestId('config-notices', panel).textContent).toContain('The org policy sets foundry.resource.');
  });

  it('says so when no key is locked, and shows markup-like TOML as text', async () => {
    const view: ConfigView = { toml: 'note = "<b>not bold</b>"\n', locked: [], notices: [], decided: NOTHING_DECIDED };
    const { app } = await openHome(() => view);
    click(getByTestId('tab-settings'));
    await app.home!.settingsLoaded;

    expect(getByTestId('locked-keys').textContent).toContain('No keys are locked by an org policy');
    expect(getByTestId('config-toml').textContent).toBe(view.toml);
    expect(getByTestId('config-toml').querySelector('b')).toBeNull();
    expect(byTestId('config-notices')).toBeNull();
  });

  it('shows an error panel with message and hint when config_view fails, and Retry recovers', async () => {
    let fail = true;
    const { app, calls } = await openHome(() => {
      if (fail) throw { kind: 'policy', message: 'policy.toml is not valid TOML', hint: 'Ask your IT team to fix the org policy file.' };
      return CONFIG_VIEW;
    });
    click(getByTestId('tab-settings'));
    await app.home!.settingsLoaded;

    const panel = getByTestId('panel-settings');
    const error = getByTestId('error-panel', panel);
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toContain('policy.toml is not valid TOML');
    expect(error.textContent).toContain('Ask your IT team to fix the org policy file.');
    expect(byTestId('config-toml')).toBeNull();

    fail = false;
    click(getByTestId('error-retry', panel));
    await waitFor(() => byTestId('config-toml'));
    expect(calls.filter((c) => c === 'config_view')).toHaveLength(2);
    expect(byTestId('error-panel')).toBeNull();
    expect(getByTestId('config-toml').textContent).toBe(CONFIG_VIEW.toml);
  });
});
