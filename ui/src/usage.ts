// The Usage tab: renders a UsageState (usage-model.ts). The controls are built once (so focus
// stays where the person left it); the body is rendered from the state. Charts are the core's
// SVG shown as images (data: URLs run no script); every text is a text node.
import { h, replaceChildren } from './dom';
import { commands, toIpcError, type Gauge, type Notice, type Table, type TabAsk, type Theme, type TokenKind, type UsageTab } from './ipc';
import {
  asksForKey,
  capitalise,
  gaugeText,
  initialUsage,
  KINDS,
  PLATFORM_TEAM_DOC,
  PROGRESS_AFTER_MS,
  RANGES,
  screen,
  updateUsage,
  waitMs,
  type Range,
  type UsageEvent,
  type UsageState,
} from './usage-model';

const DARK = '(prefers-color-scheme: dark)';

function systemTheme(): Theme {
  return typeof window.matchMedia === 'function' && window.matchMedia(DARK).matches ? 'dark' : 'light';
}

/** `<svg…>` as a `data:` URL. `encodeURIComponent` is native and UTF-8 safe; the byte loop and
 * base64 that were here woke JavaScriptCore's optimising compiler, about 3 MiB of the tab's
 * memory (README, Benchmarks). */
export function svgUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

export class UsagePanel {
  readonly el: HTMLElement;
  private state: UsageState;
  private readonly body: HTMLElement;
  private readonly charts: HTMLElement;
  /** Range, token kind and table: hidden until there is a report to cut (no controls for nothing). */
  private readonly controls: HTMLElement;
  /** What the charts area shows now. */
  private drawn: { tokens: string | null; cost: string | null; empty: string | null; table: boolean; pending: boolean } | null = null;
  private readonly live: HTMLElement;
  private readonly progress: HTMLElement;
  private readonly refreshBtn: HTMLButtonElement;
  private readonly exportBtn: HTMLButtonElement;
  private readonly tableBtn: HTMLButtonElement;
  private readonly rangeBtns = new Map<Range, HTMLButtonElement>();
  private readonly kindBtns = new Map<TokenKind, HTMLButtonElement>();
  /** The gateway key a signed-out tab asks for: built once, so what is typed and the focus stay. */
  private readonly keyForm: HTMLFormElement;
  private readonly keyInput: HTMLInputElement;
  private readonly keySave: HTMLButtonElement;
  private readonly keyWhere: HTMLElement;
  private readonly keyError: HTMLElement;
  private readonly heading: HTMLElement;
  private visible = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private progressTimer: ReturnType<typeof setTimeout> | null = null;
  private media: MediaQueryList | null = null;
  private readonly onTheme = () => this.ask({ type: 'theme', theme: systemTheme() });
  /** Resolves when the latest refresh (or chart load) has settled (tests await it). */
  settled: Promise<void> = Promise.resolve();

  constructor() {
    this.state = initialUsage(systemTheme());
    this.refreshBtn = h('button', { type: 'button', class: 'btn', 'data-testid': 'usage-refresh', on: { click: () => void this.refresh(true) } }, 'Refresh');
    this.exportBtn = h('button', { type: 'button', class: 'btn', 'data-testid': 'usage-export', on: { click: () => void this.exportCsv() } }, 'Export CSV');
    this.tableBtn = h(
      'button',
      { type: 'button', class: 'btn', 'data-testid': 'usage-table-toggle', 'aria-pressed': 'false', on: { click: () => this.dispatch({ type: 'toggleTable' }) } },
      'Show numbers as a table',
    );
    const ranges = h('div', { class: 'usage-toggle', role: 'group', 'aria-label': 'Range' });
    for (const d of RANGES) {
      const b = h('button', { type: 'button', class: 'btn btn-small', 'data-testid': `usage-range-${d}`, 'aria-pressed': 'false', on: { click: () => this.ask({ type: 'range', days: d }) } }, `${d} days`);
      this.rangeBtns.set(d, b);
      ranges.append(b);
    }
    const kinds = h('div', { class: 'usage-toggle', role: 'group', 'aria-label': 'Tokens shown' });
    for (const k of KINDS) {
      const b = h('button', { type: 'button', class: 'btn btn-small', 'data-testid': `usage-kind-${k.id}`, 'aria-pressed': 'false', on: { click: () => this.ask({ type: 'kind', kind: k.id }) } }, k.label);
      this.kindBtns.set(k.id, b);
      kinds.append(b);
    }
    this.progress = h('div', { class: 'loading', role: 'progressbar', 'aria-label': 'Refreshing usage', 'data-testid': 'usage-progress', hidden: true }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), h('span', null, 'Refreshing…'));
    this.live = h('p', { class: 'sr-only', 'aria-live': 'polite', 'data-testid': 'usage-live' });
    this.body = h('div', { class: 'usage-body', 'data-testid': 'usage-body' });
    this.charts = h('div', { class: 'usage-charts', 'data-testid': 'usage-charts' });
    this.controls = h('div', { class: 'usage-controls', 'data-testid': 'usage-controls' }, ranges, kinds, this.tableBtn);
    this.keyInput = h('input', {
      id: 'usage-gateway-key',
      type: 'password',
      autocomplete: 'off',
      spellcheck: 'false',
      'aria-describedby': 'usage-gateway-key-note',
      'data-testid': 'usage-gateway-key',
    });
    this.keySave = h('button', { type: 'submit', class: 'btn btn-primary', 'data-testid': 'usage-gateway-key-save' }, 'Save and refresh');
    this.keyWhere = h('span', { 'data-testid': 'usage-gateway-key-where' });
    this.keyError = h('div', { class: 'error-panel', role: 'alert', 'data-testid': 'usage-gateway-key-error', hidden: true });
    this.keyForm = h(
      'form',
      { class: 'usage-key', 'data-testid': 'usage-gateway-key-form', hidden: true, on: { submit: (e: Event) => { e.preventDefault(); void this.saveKey(); } } },
      h('label', { for: 'usage-gateway-key' }, 'Your gateway key'),
      h('div', { class: 'usage-key-row' }, this.keyInput, this.keySave),
      h('p', { class: 'muted', id: 'usage-gateway-key-note' }, 'It is kept in the OS keyring as gateway-key, never in a file, and sent only to the gateway. ', this.keyWhere),
      this.keyError,
    );
    this.heading = h('h2', { tabindex: '-1' }, 'Usage');
    this.el = h(
      'div',
      { class: 'usage', 'data-testid': 'usage' },
      h('div', { class: 'usage-head' }, this.heading, h('div', { class: 'usage-actions' }, this.progress, this.refreshBtn, this.exportBtn)),
      this.live,
      this.body,
      this.keyForm,
      this.controls,
      this.charts,
    );
    this.render();
  }

  /** The tab is shown: paint from the cache, then refresh; auto refresh runs while it stays shown. */
  show(): void {
    if (this.visible) return;
    this.visible = true;
    this.media = typeof window.matchMedia === 'function' ? window.matchMedia(DARK) : null;
    this.media?.addEventListener?.('change', this.onTheme);
    if (!this.state.cacheRead) {
      this.settled = this.firstPaint();
    } else if (!this.state.refreshing) {
      this.settled = this.refresh(false);
    }
  }

  /** The tab is hidden: no timer keeps running. */
  hide(): void {
    this.visible = false;
    this.media?.removeEventListener?.('change', this.onTheme);
    this.clearTimer();
  }

  dispose(): void {
    this.hide();
    if (this.progressTimer) clearTimeout(this.progressTimer);
  }

  get current(): UsageState {
    return this.state;
  }

  private async firstPaint(): Promise<void> {
    try {
      const tab = await commands.usageCached();
      this.dispatch({ type: 'cached', tab });
    } catch (e) {
      this.dispatch({ type: 'cached', tab: null });
      console.warn('usage cache', toIpcError(e));
    }
    await this.refresh(false);
  }

  private tabAsk(): TabAsk {
    return { days: this.state.days, kind: this.state.kind, theme: this.state.theme };
  }

  /** A toggle that needs new charts: drawn by the core from the report it holds. */
  private ask(e: UsageEvent): void {
    this.dispatch(e);
    if (!this.state.tab) return;
    this.settled = commands.usageCharts(this.tabAsk()).then(
      (tab) => this.dispatch({ type: 'charts', tab }),
      (err) => this.dispatch({ type: 'failed', error: toIpcError(err) }),
    );
  }

  refresh(force: boolean): Promise<void> {
    this.clearTimer();
    this.dispatch({ type: 'refreshStarted' });
    const seq = this.state.refreshSeq;
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = setTimeout(() => this.dispatch({ type: 'progressDue', seq }), PROGRESS_AFTER_MS);
    const done = commands.usageRefresh(this.tabAsk(), force).then(
      (refreshed) => this.dispatch({ type: 'refreshed', refreshed }),
      (err) => this.dispatch({ type: 'failed', error: toIpcError(err) }),
    );
    this.settled = done.then(() => this.schedule());
    return this.settled;
  }

  private schedule(): void {
    this.clearTimer();
    const wait = waitMs(this.state);
    if (!this.visible || wait === null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.visible) void this.refresh(false);
    }, wait);
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async exportCsv(): Promise<void> {
    try {
      const path = await commands.usageExportCsv(this.state.days);
      this.dispatch({ type: 'exported', path });
    } catch (e) {
      this.dispatch({ type: 'failed', error: toIpcError(e) });
    }
  }

  /** The pasted key into the keyring (the core checks it), then the gateway is asked with it. */
  private async saveKey(): Promise<void> {
    if (this.state.keySaving) return;
    this.dispatch({ type: 'keySaving' });
    try {
      await commands.usageSaveGatewayKey(this.keyInput.value);
    } catch (e) {
      this.dispatch({ type: 'keyFailed', error: toIpcError(e) });
      this.keyInput.focus();
      return;
    }
    this.keyInput.value = '';
    this.dispatch({ type: 'keySaved' });
    await this.refresh(true);
    // Still asked (the gateway refused it): the field again; else the numbers, from the top.
    if (asksForKey(this.state)) this.keyInput.focus();
    else this.heading.focus({ preventScroll: true });
  }

  private dispatch(e: UsageEvent): void {
    this.state = updateUsage(this.state, e);
    this.render();
  }

  private render(): void {
    const s = this.state;
    this.el.dataset.state = screen(s);
    this.progress.hidden = !s.showProgress;
    this.refreshBtn.disabled = s.refreshing;
    this.exportBtn.disabled = !s.tab;
    this.controls.hidden = !s.tab;
    this.tableBtn.setAttribute('aria-pressed', String(s.showTable));
    for (const [d, b] of this.rangeBtns) b.setAttribute('aria-pressed', String(d === s.days));
    for (const [k, b] of this.kindBtns) b.setAttribute('aria-pressed', String(k === s.kind));
    if (this.live.textContent !== s.announcement) this.live.textContent = s.announcement;
    replaceChildren(this.body, body(s));
    const key = asksForKey(s);
    this.keyForm.hidden = !key;
    this.keyInput.disabled = s.keySaving;
    this.keySave.disabled = s.keySaving || s.refreshing;
    const where = key?.sandboxKeyFile ? `In this sandbox, its gateway's key is in ${key.sandboxKeyFile}.` : 'Your platform team gives you this key.';
    if (this.keyWhere.textContent !== where) this.keyWhere.textContent = where;
    this.keyError.hidden = !s.keyError;
    replaceChildren(this.keyError, s.keyError ? [h('p', null, s.keyError.message), h('p', { class: 'muted' }, s.keyError.hint)] : []);
    // A refresh that brings the same charts keeps the drawn images (no new decode, no frame gap).
    const c = s.tab?.charts ?? null;
    const drawn = { tokens: c?.tokens.svg ?? null, cost: c?.cost?.svg ?? null, empty: c?.empty ?? null, table: s.showTable, pending: !!s.tab && !c };
    const last = this.drawn;
    if (!last || last.tokens !== drawn.tokens || last.cost !== drawn.cost || last.empty !== drawn.empty || last.table !== drawn.table || last.pending !== drawn.pending) {
      replaceChildren(this.charts, charts(s));
      this.drawn = drawn;
    }
  }
}

function body(s: UsageState): Node[] {
  const out: Node[] = [];
  if (s.signedOut) {
    out.push(h('div', { class: 'usage-empty', 'data-testid': 'usage-signed-out' }, h('p', null, `Signed out: ${s.signedOut.message}`), h('p', { class: 'muted' }, s.signedOut.hint)));
  }
  if (s.error) {
    out.push(h('div', { class: 'error-panel', role: 'alert', 'data-testid': 'usage-error' }, h('p', null, s.error.message), h('p', { class: 'muted' }, s.error.hint)));
  }
  if (s.exported) out.push(h('p', { class: 'note', 'data-testid': 'usage-exported' }, `Saved the CSV to ${s.exported}`));
  const tab = s.tab;
  if (!tab) {
    if (!s.signedOut && !s.error) out.push(h('p', { class: 'muted', 'data-testid': 'usage-loading' }, s.cacheRead ? 'Asking the usage source…' : 'Reading the last report…'));
    return out;
  }
  const v = tab.view;
  out.push(summary(tab));
  for (const n of v.notices) out.push(notice(n));
  if (tab.comparison) {
    out.push(h('p', { class: 'usage-compare', 'data-testid': 'usage-compare' }, tab.comparison.sentence, tab.comparison.hint ? h('span', { class: 'muted' }, ` ${tab.comparison.hint}`) : null));
  }
  if (v.health) out.push(health(v.health));
  return out;
}

function charts(s: UsageState): Node[] {
  const c = s.tab?.charts;
  if (!c) return s.tab ? [h('p', { class: 'muted', 'data-testid': 'usage-charts-pending' }, 'Drawing the charts…')] : [];
  // Two empty charts would say nothing: the core's sentence says what there is instead.
  if (c.empty) return [h('p', { class: 'usage-empty', 'data-testid': 'usage-charts-empty' }, c.empty)];
  return [
    chart(c.tokens.svg, c.tokens.alt, 'usage-chart-tokens', s.showTable ? c.tokens.table : null),
    c.cost ? chart(c.cost.svg, c.cost.alt, 'usage-chart-cost', s.showTable ? c.cost.table : null) : null,
  ].filter((n): n is HTMLElement => n !== null);
}

function summary(tab: UsageTab): HTMLElement {
  const v = tab.view;
  const provenance = `${capitalise(v.provenance)}, as of ${v.asOfText}${tab.fromCache ? ' (saved report)' : ''}.`;
  return h(
    'div',
    { class: 'usage-summary' },
    v.gauge ? gauge(v.gauge, 'usage-gauge', 'Your budget') : h('p', { 'data-testid': 'usage-no-budget' }, 'The source reports no budget for you.'),
    v.team ? gauge(v.team, 'usage-team', 'Team budget') : null,
    v.forecast ? h('p', { class: 'usage-forecast', 'data-testid': 'usage-forecast' }, `${capitalise(v.forecast)}.`) : null,
    h('p', { class: 'muted usage-provenance', 'data-testid': 'usage-provenance' }, provenance),
  );
}

function gauge(g: Gauge, testid: string, label: string): HTMLElement {
  const text = gaugeText(g.spent, g.limit, g.percent, g.unit);
  const period = g.period ?? '';
  const meter =
    g.limit !== null
      ? h(
          'div',
          {
            class: `usage-meter ${g.percent !== null && g.percent >= 100 ? 'over' : g.percent !== null && g.percent >= 80 ? 'near' : ''}`,
            role: 'meter',
            'aria-label': label,
            'aria-valuemin': '0',
            'aria-valuemax': String(g.limit),
            'aria-valuenow': String(Math.min(g.spent, g.limit)),
            'aria-valuetext': `${text}${period ? `; ${period}` : ''}`,
            'data-testid': `${testid}-meter`,
          },
          h('div', { class: `usage-meter-fill w${Math.min(100, Math.max(0, Math.round((g.percent ?? 0) / 5) * 5))}` }),
        )
      : null;
  return h(
    'div',
    { class: 'usage-gauge', 'data-testid': testid },
    h('p', { class: 'usage-gauge-label' }, h('strong', null, `${label}: `), h('span', { 'data-testid': `${testid}-text` }, text)),
    meter,
    period ? h('p', { class: 'muted', 'data-testid': `${testid}-period` }, capitalise(period)) : null,
  );
}

function notice(n: Notice): HTMLElement {
  const since = n.sinceText ? `Last updated ${n.sinceText}. ` : '';
  const doc =
    n.kind === 'noSourceConfigured'
      ? h('span', { 'data-testid': 'usage-platform-doc' }, 'Your platform team finds how in the README, section “', h('strong', null, PLATFORM_TEAM_DOC), '”.')
      : null;
  return h(
    'div',
    { class: `usage-notice notice-${n.kind}`, role: n.kind === 'budgetExceeded' || n.kind === 'overBudget' ? 'alert' : 'status', 'data-testid': `usage-notice-${n.kind}` },
    h('p', null, since, n.text),
    h('p', { class: 'muted' }, n.hint, doc ? ' ' : null, doc),
  );
}

function health(x: NonNullable<UsageTab['view']['health']>): HTMLElement {
  const ms = (label: string, v: number | null) => (v === null ? null : `${label} ${Math.round(v)} ms`);
  const latency = [ms('p50', x.p50Ms), ms('p95', x.p95Ms), ms('p99', x.p99Ms)].filter(Boolean).join(', ');
  const failed = x.failedPercent === null ? `${x.failed} failed` : `${x.failed} failed (${x.failedPercent.toFixed(1)} %)`;
  return h('p', { class: 'usage-health', 'data-testid': 'usage-health' }, `${x.requests.toLocaleString('en-US')} requests, ${failed}${latency ? `; latency ${latency}` : ''}.`);
}

function chart(svg: string, alt: string, testid: string, table: Table | null): HTMLElement {
  return h(
    'figure',
    { class: 'usage-chart', 'data-testid': testid },
    h('img', { src: svgUrl(svg), alt, 'data-testid': `${testid}-img` }),
    table ? numbers(table, alt, `${testid}-table`) : null,
  );
}

function numbers(t: Table, caption: string, testid: string): HTMLElement {
  return h(
    'div',
    { class: 'usage-table-wrap', tabindex: '0', role: 'region', 'aria-label': caption },
    h(
      'table',
      { class: 'usage-table', 'data-testid': testid },
      h('caption', { class: 'sr-only' }, caption),
      h('thead', null, h('tr', null, t.header.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, t.rows.map((r) => h('tr', null, r.map((c, i) => (i === 0 ? h('th', { scope: 'row' }, c) : h('td', null, c)))))),
    ),
  );
}

