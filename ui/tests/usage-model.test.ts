import { describe, expect, it } from 'vitest';
import { announce, asksForKey, gaugeText, initialUsage, MAX_WAIT_MS, screen, updateUsage, waitMs, type UsageEvent, type UsageState } from '../src/usage-model';
import { EXCEEDED, NO_DATA, NO_SOURCE, PARTIAL, shown, STALE, usageTab } from './usage-fixtures';

const run = (events: UsageEvent[], s: UsageState = initialUsage()) => events.reduce(updateUsage, s);

describe('usage model', () => {
  it('paints from the cache, then shows the refreshed report', () => {
    let s = initialUsage('dark');
    expect(screen(s)).toBe('loading');
    s = run([{ type: 'cached', tab: usageTab({ fromCache: true }) }, { type: 'refreshStarted' }], s);
    expect(screen(s)).toBe('cached');
    expect(s.refreshing).toBe(true);
    s = updateUsage(s, { type: 'refreshed', refreshed: shown(usageTab(), 1234) });
    expect(screen(s)).toBe('fresh');
    expect(s.nextInMs).toBe(1234);
    expect(s.announcement).toContain('$35.12 of $50.00 (70 %)');
    expect(s.announcement).toContain('At this pace you reach your budget on 28 Nov');
  });

  it('a refresh that answers before the cache keeps the refreshed report', () => {
    const s = run([{ type: 'refreshed', refreshed: shown(usageTab()) }, { type: 'cached', tab: usageTab({ fromCache: true }) }]);
    expect(s.tab?.fromCache).toBe(false);
  });

  it('shows progress only for its own refresh after the delay', () => {
    let s = run([{ type: 'refreshStarted' }]);
    const seq = s.refreshSeq;
    expect(s.showProgress).toBe(false);
    s = updateUsage(s, { type: 'progressDue', seq: seq - 1 });
    expect(s.showProgress).toBe(false);
    s = updateUsage(s, { type: 'progressDue', seq });
    expect(s.showProgress).toBe(true);
    s = updateUsage(s, { type: 'refreshed', refreshed: shown(usageTab()) });
    expect(s.showProgress).toBe(false);
    expect(updateUsage(s, { type: 'progressDue', seq }).showProgress).toBe(false);
  });

  it('names each state, worst first', () => {
    const with_ = (...notices: (typeof STALE)[]) => run([{ type: 'refreshed', refreshed: shown(usageTab({ notices })) }]);
    expect(screen(with_(STALE))).toBe('stale');
    expect(screen(with_(PARTIAL))).toBe('partial');
    expect(screen(with_(EXCEEDED, STALE))).toBe('budgetExceeded');
    expect(screen(with_({ ...EXCEEDED, kind: 'overBudget' }))).toBe('overBudget');
    expect(screen(with_(NO_SOURCE))).toBe('noSource');
    expect(screen(with_(NO_SOURCE, NO_DATA))).toBe('noData');
  });

  it('signed out and failed are states; a failure keeps the last report', () => {
    const remedy = { kind: 'gatewayKey' as const, sandboxKeyFile: null };
    const out = run([{ type: 'refreshed', refreshed: { answer: { kind: 'signedOut', source: 'litellm', message: 'no gateway key', hint: 'Store your key.', remedy }, nextInMs: 30_000 } }]);
    expect(screen(out)).toBe('signedOut');
    expect(out.announcement).toContain('Store your key.');
    expect(asksForKey(out)).toEqual(remedy);
    const signIn = run([{ type: 'refreshed', refreshed: { answer: { kind: 'signedOut', source: 'azure-monitor', message: 'no token', hint: 'az login', remedy: { kind: 'signIn' } }, nextInMs: 30_000 } }]);
    expect(asksForKey(signIn)).toBeNull();
    // Saving the pasted key: busy, then refused in words, then saved (the refresh follows).
    const refused = run([{ type: 'keySaving' }, { type: 'keyFailed', error: { kind: 'config', message: 'the secret is empty', hint: 'Paste it.' } }], out);
    expect([refused.keySaving, refused.keyError?.message]).toEqual([false, 'the secret is empty']);
    const saved = run([{ type: 'keySaving' }, { type: 'keySaved' }], refused);
    expect([saved.keySaving, saved.keyError, saved.announcement]).toEqual([false, null, 'Saved the gateway key in the keyring. Asking the gateway…']);
    const error = { kind: 'network' as const, message: 'gateway down', hint: 'later' };
    const failed = run([{ type: 'refreshed', refreshed: { answer: { kind: 'failed', error }, nextInMs: 30_000 } }]);
    expect(screen(failed)).toBe('failed');
    const kept = run([{ type: 'refreshed', refreshed: shown(usageTab()) }, { type: 'refreshStarted' }, { type: 'failed', error }]);
    expect(screen(kept)).toBe('fresh');
    expect(kept.error).toEqual(error);
    expect(run([{ type: 'refreshed', refreshed: shown(usageTab()) }], out).signedOut).toBeNull();
  });

  it('toggles range, kind, theme and the table', () => {
    const s = run([{ type: 'range', days: 90 }, { type: 'kind', kind: 'cache' }, { type: 'theme', theme: 'dark' }, { type: 'toggleTable' }]);
    expect([s.days, s.kind, s.theme, s.showTable]).toEqual([90, 'cache', 'dark', true]);
    expect(updateUsage(s, { type: 'toggleTable' }).showTable).toBe(false);
    const charts = updateUsage(s, { type: 'charts', tab: usageTab({ days: 90 }) });
    expect(charts.tab?.charts?.days).toBe(90);
  });

  it('waits as the schedule says, bounded', () => {
    expect(waitMs(initialUsage())).toBeNull();
    expect(waitMs({ ...initialUsage(), nextInMs: 5 })).toBe(1000);
    expect(waitMs({ ...initialUsage(), nextInMs: 1e12 })).toBe(MAX_WAIT_MS);
    expect(waitMs({ ...initialUsage(), nextInMs: 61_000 })).toBe(61_000);
  });

  it('words the gauge and the announcement', () => {
    expect(gaugeText(35.123, 50, 70.2, 'usd')).toBe('$35.12 of $50.00 (70 %)');
    expect(gaugeText(1234567, null, null, 'tokens')).toBe('1,234,567 tokens spent (no limit)');
    expect(announce(usageTab({ notices: [STALE] }))).toContain('Not up to date');
    expect(run([{ type: 'exported', path: '/home/me/Downloads/u.csv' }]).announcement).toContain('/home/me/Downloads/u.csv');
  });
});
