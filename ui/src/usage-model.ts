// The Usage tab's state and its pure transitions: the first paint from the cache, a refresh and
// its progress, what the last answer was (shown, signed out, failed), the range, token kind,
// theme and table toggles, the export, and what a screen reader is told. The view renders it.
import type { IpcError, Refreshed, Remedy, SourceKind, Theme, TokenKind, UsageTab } from './ipc';

export const RANGES = [7, 30, 90] as const;
export type Range = (typeof RANGES)[number];
export const KINDS: readonly { id: TokenKind; label: string }[] = [
  { id: 'all', label: 'All tokens' },
  { id: 'input', label: 'Input' },
  { id: 'output', label: 'Output' },
  { id: 'cache', label: 'Cache' },
];
/** A refresh that takes longer than this shows its progress. */
export const PROGRESS_AFTER_MS = 300;
/** The longest a timer can wait in a browser (setTimeout's limit); the schedule's waits are far shorter. */
export const MAX_WAIT_MS = 2_147_483_647;
/** The README section a platform team reads to point the app at a usage source, named in words:
 * the project has no public address to link to, and the webview opens no page itself. */
export const PLATFORM_TEAM_DOC = 'Usage for platform teams';

export interface UsageState {
  readonly days: Range;
  readonly kind: TokenKind;
  readonly theme: Theme;
  readonly showTable: boolean;
  /** The first paint from disk has answered (with a report or with nothing). */
  readonly cacheRead: boolean;
  /** What the tab shows: the last report (cached or refreshed). */
  readonly tab: UsageTab | null;
  /** The source needs a credential this person does not have, and what would bring it. */
  readonly signedOut: { source: SourceKind; message: string; hint: string; remedy: Remedy } | null;
  /** A pasted gateway key is on its way into the keyring. */
  readonly keySaving: boolean;
  /** Why the keyring did not take the pasted key. */
  readonly keyError: IpcError | null;
  /** The last refresh failed with nothing to show stale (or a command failed). */
  readonly error: IpcError | null;
  readonly refreshing: boolean;
  /** Bumped per refresh so a late progress timer of an earlier one is ignored. */
  readonly refreshSeq: number;
  readonly showProgress: boolean;
  /** When the schedule wants the next refresh, in ms after the last one ended. */
  readonly nextInMs: number | null;
  readonly exported: string | null;
  /** What the aria-live region says after a refresh. */
  readonly announcement: string;
}

export type UsageEvent =
  | { type: 'cached'; tab: UsageTab | null }
  | { type: 'refreshStarted' }
  | { type: 'progressDue'; seq: number }
  | { type: 'refreshed'; refreshed: Refreshed }
  | { type: 'failed'; error: IpcError }
  | { type: 'range'; days: Range }
  | { type: 'kind'; kind: TokenKind }
  | { type: 'theme'; theme: Theme }
  | { type: 'charts'; tab: UsageTab }
  | { type: 'toggleTable' }
  | { type: 'exported'; path: string }
  | { type: 'keySaving' }
  | { type: 'keySaved' }
  | { type: 'keyFailed'; error: IpcError };

export function initialUsage(theme: Theme = 'light'): UsageState {
  return {
    days: 30,
    kind: 'all',
    theme,
    showTable: false,
    cacheRead: false,
    tab: null,
    signedOut: null,
    keySaving: false,
    keyError: null,
    error: null,
    refreshing: false,
    refreshSeq: 0,
    showProgress: false,
    nextInMs: null,
    exported: null,
    announcement: '',
  };
}

/** The one place the tab's state changes. */
export function updateUsage(s: UsageState, e: UsageEvent): UsageState {
  switch (e.type) {
    case 'cached':
      // A refresh that answered first wins over the disk.
      return { ...s, cacheRead: true, tab: s.tab ?? e.tab };
    case 'refreshStarted':
      return { ...s, refreshing: true, refreshSeq: s.refreshSeq + 1, showProgress: false, announcement: '' };
    case 'progressDue':
      return e.seq === s.refreshSeq && s.refreshing ? { ...s, showProgress: true } : s;
    case 'refreshed': {
      const base = { ...s, refreshing: false, showProgress: false, nextInMs: e.refreshed.nextInMs, cacheRead: true };
      const a = e.refreshed.answer;
      switch (a.kind) {
        case 'shown':
          return { ...base, tab: a, signedOut: null, error: null, announcement: announce(a) };
        case 'signedOut':
          return { ...base, signedOut: { source: a.source, message: a.message, hint: a.hint, remedy: a.remedy }, error: null, announcement: `Usage: signed out. ${a.hint}` };
        case 'failed':
          return { ...base, error: a.error, announcement: `Usage refresh failed: ${a.error.message}` };
      }
      return base;
    }
    case 'failed':
      return { ...s, refreshing: false, showProgress: false, error: e.error, announcement: `Usage: ${e.error.message}` };
    case 'range':
      return { ...s, days: e.days };
    case 'kind':
      return { ...s, kind: e.kind };
    case 'theme':
      return { ...s, theme: e.theme };
    case 'charts':
      return { ...s, tab: s.tab ? { ...e.tab, fromCache: s.tab.fromCache } : e.tab };
    case 'toggleTable':
      return { ...s, showTable: !s.showTable };
    case 'exported':
      return { ...s, exported: e.path, announcement: `Saved the CSV to ${e.path}` };
    case 'keySaving':
      return { ...s, keySaving: true, keyError: null };
    case 'keySaved':
      return { ...s, keySaving: false, keyError: null, announcement: 'Saved the gateway key in the keyring. Asking the gateway…' };
    case 'keyFailed':
      return { ...s, keySaving: false, keyError: e.error, announcement: `The key was not saved: ${e.error.message}` };
  }
}

/** What the screen is, in one word (tests and the panel's data-state read it). */
export type UsageScreen =
  | 'loading'
  | 'signedOut'
  | 'failed'
  | 'noSource'
  | 'noData'
  | 'budgetExceeded'
  | 'overBudget'
  | 'stale'
  | 'partial'
  | 'fresh'
  | 'cached';

export function screen(s: UsageState): UsageScreen {
  if (s.signedOut) return 'signedOut';
  if (!s.tab) return s.error ? 'failed' : 'loading';
  const kinds = s.tab.view.notices.map((n) => n.kind);
  if (kinds.includes('budgetExceeded')) return 'budgetExceeded';
  if (kinds.includes('overBudget')) return 'overBudget';
  if (kinds.includes('stale')) return 'stale';
  if (kinds.includes('partial')) return 'partial';
  if (kinds.includes('noData')) return 'noData';
  if (kinds.includes('noSourceConfigured')) return 'noSource';
  return s.tab.fromCache ? 'cached' : 'fresh';
}

/** The sentence a screen reader hears after a refresh: the budget and the forecast. */
export function announce(tab: UsageTab): string {
  const v = tab.view;
  const parts: string[] = [];
  if (v.gauge) parts.push(gaugeText(v.gauge.spent, v.gauge.limit, v.gauge.percent, v.gauge.unit));
  if (v.forecast) parts.push(capitalise(v.forecast) + '.');
  for (const n of v.notices) parts.push(n.text);
  return parts.length ? `Usage updated. ${parts.join(' ')}` : 'Usage updated.';
}

export function money(v: number, unit: 'usd' | 'tokens'): string {
  return unit === 'usd' ? `$${v.toFixed(2)}` : `${Math.round(v).toLocaleString('en-US')} tokens`;
}

/** "$35.12 of $50.00 (70 %)", or "$35.12 spent (no limit)". */
export function gaugeText(spent: number, limit: number | null, percent: number | null, unit: 'usd' | 'tokens'): string {
  if (limit === null) return `${money(spent, unit)} spent (no limit)`;
  const p = percent === null ? '' : ` (${Math.round(percent)} %)`;
  return `${money(spent, unit)} of ${money(limit, unit)}${p}`;
}

export function capitalise(s: string): string {
  return s.length ? s[0].toUpperCase() + s.slice(1) : s;
}

/** The tab takes a gateway key: the source is a gateway with key auth, and it has none stored or
 * refused it (signed out, or the last report shown stale). */
export function asksForKey(s: UsageState): Extract<Remedy, { kind: 'gatewayKey' }> | null {
  const r = s.signedOut?.remedy ?? s.tab?.remedy ?? null;
  return r && r.kind === 'gatewayKey' ? r : null;
}

/** How long to wait before the next automatic refresh (bounded). */
export function waitMs(s: UsageState): number | null {
  if (s.nextInMs === null) return null;
  return Math.min(Math.max(s.nextInMs, 1000), MAX_WAIT_MS);
}
