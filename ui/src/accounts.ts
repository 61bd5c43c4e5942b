// The Resource & models step's account list. A tenant can hold 1,000 resources, so only the first
// VISIBLE matches of the filter are in the page, each row is updated in place as its deployments
// arrive, and the keyboard works from the filter box through the list.
import { h, replaceChildren } from './dom';
import type { Account, AccountDeployments, Discovered, IpcError, Subscription } from './ipc';

/** Rows in the page at once; the rest are one filter away. */
export const VISIBLE = 50;
/** From this many resources on, a filter box is shown. */
export const FILTER_FROM = 10;

export type LoadState = 'loading' | 'loaded' | 'failed';

export interface Entry {
  sub: Subscription;
  account: Account;
  state: LoadState;
  error: IpcError | null;
  /** What the filter matches: name, subdomain, region, subscription, in lower case. */
  haystack: string;
}

export interface AccountListOptions {
  onPick: (e: Entry) => void;
  onRetry: (e: Entry) => void;
}

export interface AccountList {
  element: HTMLElement;
  entries: Entry[];
  selected(): Entry | null;
  /** Takes in one account's deployments; returns its entry, or null for an unknown account. */
  apply(d: AccountDeployments): Entry | null;
  /** Marks the accounts whose deployments are being listed (again). */
  markLoading(entries: Entry[]): void;
  /** The listing of these accounts failed as a whole (e.g. no token): they show `err`. */
  fail(entries: Entry[], err: IpcError): void;
  counts(): { loaded: number; failed: number; total: number };
}

export function usable(e: Entry): boolean {
  return e.state === 'loaded' && e.account.note === null && e.account.deployments.some((d) => d.tier !== null);
}

function statusOf(e: Entry, onRetry: () => void): HTMLElement {
  const name = e.account.name;
  if (e.state === 'loading') {
    return h('span', { class: 'account-status muted', 'data-testid': `account-status-${name}` }, 'loading deployments…');
  }
  if (e.state === 'failed') {
    return h(
      'span',
      { class: 'account-note account-failed', 'data-testid': `account-status-${name}` },
      `Deployments could not be listed: ${e.error?.message ?? 'unknown error'} `,
      e.error?.hint ? h('span', { class: 'muted' }, e.error.hint, ' ') : null,
      h('button', { type: 'button', class: 'btn btn-small', 'data-testid': `account-retry-${name}`, on: { click: onRetry } }, 'Retry'),
    );
  }
  if (e.account.note !== null) {
    return h('span', { class: 'account-note', 'data-testid': `account-note-${name}` }, e.account.note);
  }
  const n = e.account.deployments.filter((d) => d.tier !== null).length;
  return h('span', { class: 'account-status muted', 'data-testid': `account-status-${name}` }, `${n} Claude deployment${n === 1 ? '' : 's'}`);
}

interface Row {
  row: HTMLElement;
  radio: HTMLInputElement;
  status: HTMLElement;
  entry: Entry;
}

export function accountList(d: Discovered, opts: AccountListOptions): AccountList {
  const entries: Entry[] = [];
  const byId = new Map<string, Entry>();
  for (const sub of d.subscriptions) {
    for (const account of sub.accounts) {
      const e: Entry = {
        sub,
        account,
        state: account.deploymentsLoaded ? 'loaded' : 'loading',
        error: null,
        haystack: [account.name, account.customSubdomain ?? '', account.location, sub.name].join(' ').toLowerCase(),
      };
      entries.push(e);
      if (!byId.has(account.id)) byId.set(account.id, e);
    }
  }
  let selectedEntry: Entry | null = null;
  /** The rows in the page, by account id. */
  const rows = new Map<string, Row>();

  const list = h('div', { class: 'account-list', 'data-testid': 'account-list', on: { keydown: (ev) => onListKey(ev) } });
  const more = h('p', { class: 'muted', 'data-testid': 'accounts-more', 'aria-live': 'polite' });
  const filter = h('input', {
    type: 'search',
    class: 'account-filter',
    'data-testid': 'account-filter',
    placeholder: 'Filter by name, region or subscription',
    'aria-label': 'Filter resources',
    autocomplete: 'off',
    spellcheck: 'false',
    on: { input: () => renderRows(), keydown: (ev) => onFilterKey(ev) },
  });

  function pick(e: Entry): void {
    selectedEntry = e;
    const shown = rows.get(e.account.id);
    if (shown && shown.entry === e) shown.radio.checked = true;
    opts.onPick(e);
  }

  function row(e: Entry): HTMLElement {
    const a = e.account;
    const pe = a.privateEndpoints.map((p) => p.status).join(', ') || 'none';
    const radio = h('input', {
      type: 'radio',
      name: 'account',
      value: `${e.sub.id}/${a.name}`,
      checked: selectedEntry === e,
      'data-testid': `account-${a.name}`,
      on: { change: () => pick(e) },
    });
    const status = h('span');
    const el = h(
      'div',
      { class: 'account' },
      // The text is one box beside the radio, so a long line wraps under the text, not under the radio.
      h('label', { class: 'account-label' }, radio, h('span', { class: 'account-text' }, h('strong', null, a.name), h('span', { class: 'muted' }, ` — ${a.location} · public network access ${a.publicNetworkAccess} · private endpoints: ${pe}`))),
      status,
    );
    const shown = { row: el, radio, status, entry: e };
    rows.set(a.id, shown);
    paint(shown);
    return el;
  }

  /** Brings a row up to date in place, so the focus and the selection stay where they are. */
  function paint(r: Row): void {
    const e = r.entry;
    const disabled = e.state === 'loaded' && !usable(e);
    r.radio.disabled = disabled;
    r.row.classList.toggle('account-disabled', disabled);
    r.row.setAttribute('data-state', e.state);
    const status = statusOf(e, () => opts.onRetry(e));
    r.status.replaceWith(status);
    r.status = status;
  }

  function matches(): Entry[] {
    const q = filter.value.trim().toLowerCase();
    return q === '' ? entries : entries.filter((e) => e.haystack.includes(q));
  }

  function renderRows(): void {
    const q = filter.value.trim();
    const found = matches();
    const shown = found.slice(0, VISIBLE);
    rows.clear();
    const groups: HTMLElement[] = [];
    for (const sub of d.subscriptions) {
      const mine = shown.filter((e) => e.sub === sub);
      const empty = sub.accounts.length === 0 || sub.error !== null;
      if (mine.length === 0 && !(q === '' && empty)) continue;
      groups.push(
        h(
          'fieldset',
          { class: 'subscription', 'data-testid': `subscription-${sub.id}` },
          h('legend', null, sub.name),
          sub.error ? h('p', { class: 'account-note' }, `Cannot list its resources: ${sub.error}`) : null,
          sub.accounts.length === 0 && !sub.error ? h('p', { class: 'muted' }, 'No Azure AI Foundry resource.') : null,
          mine.map(row),
        ),
      );
    }
    replaceChildren(list, groups);
    const rest = found.length - shown.length;
    if (rest > 0) more.textContent = `${rest.toLocaleString('en')} more — type to filter`;
    else if (q !== '' && found.length === 0) more.textContent = `No resource matches “${q}”.`;
    else more.textContent = '';
  }

  /** The radios a person can move between, in page order. */
  function radios(): HTMLInputElement[] {
    return [...rows.values()].map((r) => r.radio).filter((r) => !r.disabled);
  }

  function moveTo(radio: HTMLInputElement | undefined): void {
    if (!radio) return;
    const hit = [...rows.values()].find((r) => r.radio === radio);
    radio.focus();
    if (hit) pick(hit.entry);
  }

  function onFilterKey(ev: KeyboardEvent): void {
    if (ev.key === 'ArrowDown' || ev.key === 'Enter') {
      ev.preventDefault();
      moveTo(radios()[0]);
    }
  }

  function onListKey(ev: KeyboardEvent): void {
    const target = ev.target;
    if (!(target instanceof HTMLInputElement) || target.type !== 'radio') return;
    const all = radios();
    const i = all.indexOf(target);
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowRight') {
      ev.preventDefault();
      moveTo(all[Math.min(i + 1, all.length - 1)]);
    } else if (ev.key === 'ArrowUp' || ev.key === 'ArrowLeft') {
      ev.preventDefault();
      if (i <= 0 && filter.isConnected) filter.focus();
      else moveTo(all[i - 1]);
    } else if (ev.key === 'Home') {
      ev.preventDefault();
      moveTo(all[0]);
    } else if (ev.key === 'End') {
      ev.preventDefault();
      moveTo(all[all.length - 1]);
    }
  }

  function refresh(e: Entry): void {
    const shown = rows.get(e.account.id);
    if (shown && shown.entry === e) paint(shown);
  }

  renderRows();
  const element = h('div', { class: 'accounts' }, entries.length >= FILTER_FROM ? filter : null, list, more);

  return {
    element,
    entries,
    selected: () => selectedEntry,
    apply(found: AccountDeployments): Entry | null {
      const e = byId.get(found.accountId);
      if (!e) return null;
      if (found.error !== null) {
        e.state = 'failed';
        e.error = found.error;
      } else {
        e.account = { ...e.account, deployments: found.deployments, proposed: found.proposed, note: found.note, deploymentsLoaded: true };
        e.state = 'loaded';
        e.error = null;
      }
      refresh(e);
      return e;
    },
    markLoading(some: Entry[]): void {
      for (const e of some) {
        e.state = 'loading';
        e.error = null;
        refresh(e);
      }
    },
    fail(some: Entry[], err: IpcError): void {
      for (const e of some) {
        if (e.state !== 'loading') continue;
        e.state = 'failed';
        e.error = err;
        refresh(e);
      }
    },
    counts() {
      let loaded = 0;
      let failed = 0;
      for (const e of entries) {
        if (e.state === 'loaded') loaded++;
        else if (e.state === 'failed') failed++;
      }
      return { loaded, failed, total: entries.length };
    },
  };
}
