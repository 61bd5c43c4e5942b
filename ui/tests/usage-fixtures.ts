// Usage tab fixtures shaped like the core's answers (bindings.ts types).
import type { Notice, Refreshed, Remedy, UsageTab } from '../src/bindings';

export const HOSTILE = '<img src=x onerror=alert(1)>';

export function usageTab(over: { notices?: Notice[]; fromCache?: boolean; days?: number; empty?: string; remedy?: Remedy | null } = {}): UsageTab {
  const tab: UsageTab = {
    view: {
      source: 'litellm',
      provenance: 'from the gateway (LiteLLM)',
      asOf: '2026-11-20T10:42:00Z',
      asOfText: '20 Nov 2026, 10:42',
      gauge: { scope: 'key', unit: 'usd', spent: 35.12, limit: 50, percent: 70.24, periodStart: '2026-11-01T00:00:00Z', resetsAt: '2026-12-01T00:00:00Z', period: 'period from 1 Nov 2026, 00:00, resets 1 Dec 2026, 00:00', state: { kind: 'within' } },
      team: null,
      forecast: 'at this pace you reach your budget on 28 Nov, 3 days before it resets',
      notices: over.notices ?? [],
      health: null,
      alertReached: null,
    },
    comparison: { localTokens: 800, sourceTokens: 1000, sentence: 'This machine: 800 tokens, 80 % of the 1,000 tokens the gateway counted.', hint: null },
    charts: {
      days: over.days ?? 30,
      kind: 'all',
      tokens: { svg: '<svg xmlns="http://www.w3.org/2000/svg"><text>&lt;img&gt;</text></svg>', alt: 'Tokens per day, by model', table: { header: ['date', HOSTILE], rows: [['2026-11-20', '42']] } },
      cost: { svg: '<svg xmlns="http://www.w3.org/2000/svg"/>', alt: 'Cost per day', table: { header: ['date', 'cost'], rows: [['2026-11-20', '1.5']] } },
      empty: over.empty ?? null,
    },
    fromCache: over.fromCache ?? false,
    remedy: over.remedy ?? null,
  };
  // The first paint from disk has no charts (the core draws them with the refresh).
  return over.fromCache ? { ...tab, charts: null, comparison: null } : tab;
}

export function shown(tab: UsageTab, nextInMs = 600_000): Refreshed {
  return { answer: { kind: 'shown', ...tab }, nextInMs };
}

export const STALE: Notice = { kind: 'stale', text: 'Not up to date: the last refresh failed (gateway down).', hint: 'Try again later.', since: '2026-11-20T09:00:00Z', sinceText: '20 Nov 2026, 09:00' };
export const EXCEEDED: Notice = { kind: 'budgetExceeded', text: 'Budget exceeded: the gateway refuses further calls.', hint: 'Ask your platform team.', since: null, sinceText: null };
export const PARTIAL: Notice = { kind: 'partial', text: 'Partial data: one table did not answer.', hint: 'Refresh later.', since: null, sinceText: null };
export const NO_SOURCE: Notice = { kind: 'noSourceConfigured', text: 'No usage source is configured.', hint: 'Your platform team can point the app at the gateway: set gateway.url.', since: null, sinceText: null };
export const NO_DATA: Notice = { kind: 'noData', text: 'No usage yet in this period.', hint: 'Use Claude Code.', since: null, sinceText: null };
