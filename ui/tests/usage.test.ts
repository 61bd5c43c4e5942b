import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import { UsagePanel, svgUrl } from '../src/usage';
import { byTestId, click, getByTestId, mockBackend, waitFor } from './helpers';
import { HOSTILE, NO_SOURCE, shown, STALE, usageTab } from './usage-fixtures';

afterEach(() => {
  clearMocks();
  document.body.replaceChildren();
});

function mountPanel(handlers: Parameters<typeof mockBackend>[0]): { panel: UsagePanel; calls: string[]; args: unknown[] } {
  const args: unknown[] = [];
  const wrapped = Object.fromEntries(Object.entries(handlers).map(([k, f]) => [k, (cmd: string, a: unknown) => (args.push([cmd, a]), f(cmd, a as never))]));
  const calls = mockBackend(wrapped);
  const panel = new UsagePanel();
  document.body.append(panel.el);
  panel.show();
  return { panel, calls, args };
}

describe('usage panel', () => {
  it('paints the cache first (the gauge, no charts yet), then the refresh, with the gauge as a meter', async () => {
    let answer: (v: unknown) => void = () => {};
    const refreshed = new Promise((r) => (answer = r));
    const { panel, calls } = mountPanel({ usage_cached: () => usageTab({ fromCache: true }), usage_refresh: () => refreshed });
    await waitFor(() => panel.el.dataset.state === 'cached');
    expect(getByTestId('usage-gauge-text').textContent).toBe('$35.12 of $50.00 (70 %)');
    expect(getByTestId('usage-provenance').textContent).toContain('(saved report)');
    expect(byTestId('usage-charts-pending')).not.toBeNull();
    answer(shown(usageTab()));
    await waitFor(() => panel.el.dataset.state === 'fresh');
    expect(byTestId('usage-charts-pending')).toBeNull();
    expect(calls.slice(0, 2)).toEqual(['usage_cached', 'usage_refresh']);
    const meter = getByTestId('usage-gauge-meter');
    expect(meter.getAttribute('role')).toBe('meter');
    expect([meter.getAttribute('aria-valuemin'), meter.getAttribute('aria-valuemax'), meter.getAttribute('aria-valuenow')]).toEqual(['0', '50', '35.12']);
    expect(meter.getAttribute('aria-valuetext')).toContain('$35.12 of $50.00 (70 %)');
    expect(getByTestId('usage-forecast').textContent).toBe('At this pace you reach your budget on 28 Nov, 3 days before it resets.');
    expect(getByTestId('usage-provenance').textContent).toBe('From the gateway (LiteLLM), as of 20 Nov 2026, 10:42.');
    // Times are the core's words, in the person's time zone: the page formats nothing.
    expect(getByTestId('usage-gauge-period').textContent).toBe('Period from 1 Nov 2026, 00:00, resets 1 Dec 2026, 00:00');
    expect(getByTestId('usage-live').getAttribute('aria-live')).toBe('polite');
    expect(getByTestId('usage-compare').textContent).toContain('80 %');
    panel.dispose();
  });

  it('shows charts as data: images and a hostile model name as text', async () => {
    const { panel } = mountPanel({ usage_cached: () => null, usage_refresh: () => shown(usageTab()) });
    await waitFor(() => panel.el.dataset.state === 'fresh');
    const img = getByTestId<HTMLImageElement>('usage-chart-tokens-img');
    expect(img.getAttribute('src')?.startsWith('data:image/svg+xml;charset=utf-8,%3Csvg')).toBe(true);
    expect(img.alt).toBe('Tokens per day, by model');
    expect(panel.el.querySelector('svg')).toBeNull();
    click(getByTestId('usage-table-toggle'));
    const table = getByTestId('usage-chart-tokens-table');
    expect(table.querySelector('thead th:nth-child(2)')?.textContent).toBe(HOSTILE);
    expect(table.querySelector('img')).toBeNull();
    expect(getByTestId('usage-table-toggle').getAttribute('aria-pressed')).toBe('true');
    const url = svgUrl('<svg><text>a#b%c é</text></svg>');
    // `#` unencoded would end the URL at a fragment; `%` must not read as an escape.
    expect(url.slice(url.indexOf(',') + 1)).not.toMatch(/[<>#" é]/);
    expect(url).toContain('a%23b%25c');
    expect(decodeURIComponent(url.slice(url.indexOf(',') + 1))).toBe('<svg><text>a#b%c é</text></svg>');
    panel.dispose();
  });

  it('switches range through the core and exports', async () => {
    const { panel, args } = mountPanel({
      usage_cached: () => null,
      usage_refresh: () => shown(usageTab()),
      usage_charts: (_c, a) => usageTab({ days: (a as { ask: { days: number } }).ask.days }),
      usage_export_csv: () => '/home/me/Downloads/foundry-onboard-usage-7d.csv',
    });
    await waitFor(() => panel.el.dataset.state === 'fresh');
    click(getByTestId('usage-range-7'));
    await panel.settled;
    expect(args.at(-1)).toEqual(['usage_charts', { ask: { days: 7, kind: 'all', theme: 'light' } }]);
    expect(getByTestId('usage-range-7').getAttribute('aria-pressed')).toBe('true');
    expect(panel.current.tab?.charts?.days).toBe(7);
    click(getByTestId('usage-export'));
    await waitFor(() => byTestId('usage-exported'));
    expect(getByTestId('usage-exported').textContent).toContain('foundry-onboard-usage-7d.csv');
    panel.dispose();
  });

  it('says a range holds no usage instead of drawing two empty charts, and draws them again for a range that has some', async () => {
    const EMPTY = 'No usage in the last 7 days. The last usage the source has is on 1 Nov 2026; a longer range shows it.';
    const { panel } = mountPanel({
      usage_cached: () => null,
      usage_refresh: () => shown(usageTab()),
      usage_charts: (_c, a) => {
        const days = (a as { ask: { days: number } }).ask.days;
        return usageTab({ days, empty: days === 7 ? EMPTY : undefined });
      },
    });
    await waitFor(() => panel.el.dataset.state === 'fresh');
    click(getByTestId('usage-range-7'));
    await panel.settled;
    expect(getByTestId('usage-charts-empty').textContent).toBe(EMPTY);
    expect(byTestId('usage-chart-tokens-img')).toBeNull();
    expect(byTestId('usage-gauge')).not.toBeNull();
    click(getByTestId('usage-range-30'));
    await panel.settled;
    expect(byTestId('usage-charts-empty')).toBeNull();
    expect(byTestId('usage-chart-tokens-img')).not.toBeNull();
    panel.dispose();
  });

  it('teaches when no source is configured and shows stale with since-when', async () => {
    const { panel } = mountPanel({ usage_cached: () => null, usage_refresh: () => shown(usageTab({ notices: [STALE, NO_SOURCE] })) });
    await waitFor(() => panel.el.dataset.state === 'stale');
    expect(getByTestId('usage-notice-stale').textContent).toContain('Last updated 20 Nov 2026, 09:00. Not up to date');
    expect(getByTestId('usage-notice-noSourceConfigured').textContent).toContain('platform team can point the app at the gateway');
    expect(getByTestId('usage-platform-doc').textContent).toContain('README, section “Usage for platform teams”');
    panel.dispose();
  });

  it('signed out is a state with a hint, and hiding stops the timer', async () => {
    const { panel, calls } = mountPanel({
      usage_cached: () => null,
      usage_refresh: () => ({ answer: { kind: 'signedOut', source: 'azure-monitor', message: 'no Entra token', hint: 'Sign in with az login.', remedy: { kind: 'signIn' } }, nextInMs: 1000 }),
    });
    await waitFor(() => panel.el.dataset.state === 'signedOut');
    expect(getByTestId('usage-signed-out').textContent).toContain('Sign in with az login.');
    expect(getByTestId('usage-gateway-key-form').hidden, 'a sign-in is no key to paste').toBe(true);
    expect(getByTestId('usage-controls').hidden).toBe(true);
    panel.hide();
    const before = calls.length;
    await new Promise((r) => setTimeout(r, 1100));
    expect(calls.length).toBe(before);
    panel.dispose();
  });

  it('a gateway without its key takes one: kept by the core, never shown, and the tab refreshes with it', async () => {
    const SIGNED_OUT = { kind: 'signedOut', source: 'litellm', message: 'no secret named "gateway-key" is stored', hint: 'Store it.', remedy: { kind: 'gatewayKey', sandboxKeyFile: '/tmp/sb/gateway-key' } };
    const refreshes: unknown[] = [];
    let stored: string | null = null;
    const { panel, args } = mountPanel({
      usage_cached: () => null,
      usage_refresh: (_c, a) => (refreshes.push(a), stored === 'sk-good' ? shown(usageTab()) : { answer: SIGNED_OUT, nextInMs: 60_000 }),
      usage_save_gateway_key: (_c, a) => {
        const key = (a as { key: string }).key;
        if (!key.trim()) throw { kind: 'config', message: 'the secret is empty', hint: 'Paste the whole key.' };
        stored = key.trim();
        return null;
      },
    });
    await waitFor(() => panel.el.dataset.state === 'signedOut');
    const form = getByTestId<HTMLFormElement>('usage-gateway-key-form');
    const input = getByTestId<HTMLInputElement>('usage-gateway-key');
    expect(form.hidden).toBe(false);
    expect([input.type, input.getAttribute('autocomplete')]).toEqual(['password', 'off']);
    expect(form.querySelector('label')?.getAttribute('for')).toBe(input.id);
    expect(getByTestId('usage-gateway-key-where').textContent).toBe("In this sandbox, its gateway's key is in /tmp/sb/gateway-key.");
    // Nothing typed: the core's refusal, in words, and the field keeps the focus.
    form.requestSubmit();
    await waitFor(() => !getByTestId('usage-gateway-key-error').hidden);
    expect(getByTestId('usage-gateway-key-error').textContent).toBe('the secret is emptyPaste the whole key.');
    expect(document.activeElement).toBe(input);
    // A wrong key is saved, and the gateway still refuses: asked again, the field emptied.
    input.value = 'sk-wrong';
    form.requestSubmit();
    await waitFor(() => refreshes.length === 2 && !panel.current.refreshing);
    expect(panel.el.dataset.state).toBe('signedOut');
    expect(input.value).toBe('');
    expect(getByTestId('usage-gateway-key-error').hidden).toBe(true);
    expect(document.activeElement).toBe(input);
    // The right one: the numbers, the form gone, and the key in no text of the page.
    input.value = '  sk-good ';
    form.requestSubmit();
    await waitFor(() => panel.el.dataset.state === 'fresh');
    expect(form.hidden).toBe(true);
    expect(refreshes.at(-1)).toMatchObject({ force: true });
    expect(args.filter((a) => (a as [string])[0] === 'usage_save_gateway_key').map((a) => (a as [string, { key: string }])[1].key)).toEqual(['', 'sk-wrong', '  sk-good ']);
    expect(document.body.innerHTML).not.toContain('sk-good');
    expect(getByTestId('usage-live').textContent).toContain('Usage updated.');
    panel.dispose();
  });

  it('a stale report whose key the gateway refused keeps its numbers and takes a new key', async () => {
    const remedy = { kind: 'gatewayKey' as const, sandboxKeyFile: null };
    let stored = false;
    const { panel } = mountPanel({
      usage_cached: () => null,
      usage_refresh: () => (stored ? shown(usageTab()) : shown(usageTab({ notices: [STALE], remedy }))),
      usage_save_gateway_key: () => ((stored = true), null),
    });
    await waitFor(() => panel.el.dataset.state === 'stale');
    expect(getByTestId('usage-gauge-text').textContent).toBe('$35.12 of $50.00 (70 %)');
    expect(getByTestId('usage-gateway-key-form').hidden).toBe(false);
    expect(getByTestId('usage-gateway-key-where').textContent).toBe('Your platform team gives you this key.');
    getByTestId<HTMLInputElement>('usage-gateway-key').value = 'sk-new';
    getByTestId<HTMLFormElement>('usage-gateway-key-form').requestSubmit();
    await waitFor(() => panel.el.dataset.state === 'fresh');
    expect(getByTestId('usage-gateway-key-form').hidden).toBe(true);
    panel.dispose();
  });
});
