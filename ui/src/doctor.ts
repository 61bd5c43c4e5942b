// The doctor panel, used by the wizard's Verify step and the home's Doctor tab: rows laid out
// from the plan, filled in live as results land (in any order), grouped by section under the
// section's worst status; failures open with their hint and evidence; Run again, Cancel,
// Copy and Save report; "Trust this CA" where the core offers that fix.
import { errorPanel, LOADING_DELAY_MS, spinner } from './async';
import { h, replaceChildren } from './dom';
import { copyReport, fixView, saveReport } from './doctor-actions';
import { evidenceView } from './doctor-evidence';
import './doctor.css';
import {
  commands,
  toIpcError,
  type CheckResult,
  type DoctorEvent,
  type PlannedCheck,
  type ReportFormat,
  type Section,
  type Status,
  type Summary,
} from './ipc';

/** Section order of the core (`Section` in crates/core/src/doctor/model.rs). */
export const SECTIONS: readonly Section[] = ['Environment', 'Sign-in', 'Private path', 'Foundry', 'Gateway'];
/** Best to worst, as the core orders `Status`. */
const RANK: Record<Status, number> = { pass: 0, skip: 1, warn: 2, fail: 3 };
const ICON: Record<Status, string> = { pass: '✓', skip: '–', warn: '!', fail: '✗' };
const WORD: Record<Status, string> = { pass: 'Passed', skip: 'Skipped', warn: 'Warning', fail: 'Failed' };

export const sectionSlug = (s: Section): string => s.toLowerCase().replace(/[^a-z]+/g, '-');

/** The worst of these statuses (pass < skip < warn < fail), or null for none. */
export function worst(statuses: Status[]): Status | null {
  return statuses.reduce<Status | null>((w, s) => (w === null || RANK[s] > RANK[w] ? s : w), null);
}

/** Text with `backticked` commands shown as code (split on backticks; no markup is parsed). */
export function withCode(text: string): (string | HTMLElement)[] {
  const parts = text.split('`');
  // An unpaired backtick: leave the text as it is.
  if (parts.length % 2 === 0) return [text];
  return parts.map((p, i) => (i % 2 === 1 ? h('code', null, p) : p)).filter((p) => p !== '');
}

interface Row {
  id: string;
  section: Section;
  title: string;
  requires: string[];
  state: 'pending' | 'running' | 'done';
  result: CheckResult | null;
  el: HTMLLIElement;
}

export interface DoctorPanelOptions {
  /** Run `claude -p` through the profile too (on in Verify; a toggle in the Doctor tab). */
  withClaude: boolean;
  /** Show the "live Claude Code request" toggle. */
  claudeToggle?: boolean;
  /** Start a run as soon as the panel is built. */
  autoRun?: boolean;
  /** The run the backend holds, shared by every panel of the app (the backend keeps one at a time). */
  seat?: DoctorSeat;
}

/** Which panel's run the backend is running: a panel that goes away stops its run only if it still holds the seat. */
export class DoctorSeat {
  holder: DoctorPanel | null = null;
}

export class DoctorPanel {
  readonly el: HTMLElement;
  private readonly rows = new Map<string, Row>();
  private readonly sections = new Map<Section, { el: HTMLElement; list: HTMLElement; head: HTMLElement }>();
  private readonly sectionsEl: HTMLElement;
  private readonly summaryEl: HTMLElement;
  private readonly messageEl: HTMLElement;
  private readonly runBtn: HTMLButtonElement;
  private readonly cancelBtn: HTMLButtonElement;
  private readonly copyBtn: HTMLButtonElement;
  private readonly saveBtn: HTMLButtonElement;
  private readonly saveJsonBtn: HTMLButtonElement;
  private readonly claudeBox: HTMLInputElement;
  private generation = 0;
  private running = false;
  /** The run has taken longer than {@link LOADING_DELAY_MS}: show the spinner. */
  private showProgress = false;
  private readonly seat: DoctorSeat;
  private progressTimer: ReturnType<typeof setTimeout> | undefined;
  /** Resolves when the latest run has settled (tests and callers await it). */
  settled: Promise<void> = Promise.resolve();

  constructor(opts: DoctorPanelOptions) {
    this.seat = opts.seat ?? new DoctorSeat();
    this.claudeBox = h('input', { type: 'checkbox', 'data-testid': 'doctor-with-claude', id: `doctor-claude-${Math.random().toString(36).slice(2)}` });
    this.claudeBox.checked = opts.withClaude;
    const btn = (testid: string, label: string, onClick: () => void, cls = 'btn'): HTMLButtonElement =>
      h('button', { type: 'button', class: cls, 'data-testid': testid, on: { click: onClick } }, label);
    this.runBtn = btn('doctor-run', 'Run again', () => void this.run(), 'btn btn-primary');
    this.cancelBtn = btn('doctor-cancel', 'Cancel', () => void this.cancel());
    this.copyBtn = btn('doctor-copy', 'Copy report', () => void this.copy());
    this.saveBtn = btn('doctor-save', 'Save report', () => void this.save('md'));
    this.saveJsonBtn = btn('doctor-save-json', 'Save as JSON', () => void this.save('json'), 'btn btn-link');
    this.cancelBtn.hidden = true;
    this.copyBtn.disabled = this.saveBtn.disabled = this.saveJsonBtn.disabled = true;
    this.summaryEl = h('div', { class: 'doctor-summary', role: 'status', 'aria-live': 'polite', 'data-testid': 'doctor-summary' });
    this.messageEl = h('div', { class: 'doctor-message', 'aria-live': 'polite', 'data-testid': 'doctor-message' });
    this.sectionsEl = h('div', { class: 'doctor-sections', 'data-testid': 'doctor-sections' });
    this.el = h(
      'div',
      { class: 'doctor', 'data-testid': 'doctor' },
      h(
        'div',
        { class: 'doctor-toolbar' },
        this.runBtn,
        this.cancelBtn,
        this.copyBtn,
        this.saveBtn,
        this.saveJsonBtn,
        opts.claudeToggle
          ? h('label', { class: 'doctor-toggle', for: this.claudeBox.id }, this.claudeBox, ' Include a live Claude Code request (', h('code', null, 'claude -p'), ')')
          : null,
      ),
      this.summaryEl,
      this.messageEl,
      this.sectionsEl,
    );
    if (opts.autoRun) void this.run();
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts a run (the backend cancels one still going); `notice` stays above the rows. */
  run(notice: Node | null = null): Promise<void> {
    const gen = ++this.generation;
    this.seat.holder = this;
    this.running = true;
    this.showProgress = false;
    this.rows.clear();
    this.sections.clear();
    replaceChildren(this.sectionsEl);
    replaceChildren(this.messageEl, notice);
    this.el.setAttribute('aria-busy', 'true');
    this.el.dataset.state = 'running';
    this.cancelBtn.hidden = false;
    this.cancelBtn.disabled = false;
    this.copyBtn.disabled = this.saveBtn.disabled = this.saveJsonBtn.disabled = true;
    this.renderSummary(null);
    clearTimeout(this.progressTimer);
    this.progressTimer = setTimeout(() => {
      this.showProgress = true;
      if (gen === this.generation && this.running) this.renderSummary(null);
    }, LOADING_DELAY_MS);
    this.settled = commands.doctorRun(this.claudeBox.checked, (e) => {
      if (gen === this.generation) this.handle(e);
    }).then(
      (report) => {
        if (gen !== this.generation) return;
        for (const r of report.checks) this.finish(r);
        this.done(report.summary);
      },
      (e) => {
        if (gen !== this.generation) return;
        this.done(null);
        const err = toIpcError(e);
        replaceChildren(this.messageEl, errorPanel(err, () => void this.run()));
      },
    );
    return this.settled;
  }

  cancel(): Promise<void> {
    this.cancelBtn.disabled = true;
    return commands.doctorCancel().catch(() => undefined);
  }

  /**
   * The panel goes away (its wizard closed, its step went stale): nobody will look at its run, so
   * stop it — unless another panel's run has replaced it in the backend by the time the views have
   * been swapped (a cancel then would stop that one).
   */
  dispose(): void {
    if (!this.running) return;
    this.generation += 1;
    this.running = false;
    clearTimeout(this.progressTimer);
    setTimeout(() => {
      if (this.seat.holder === this) {
        this.seat.holder = null;
        void commands.doctorCancel().catch(() => undefined);
      }
    }, 0);
  }

  /** Applies one streamed event; any order is fine (a result before its plan gets its own row). */
  handle(e: DoctorEvent): void {
    switch (e.event) {
      case 'planned':
        for (const c of e.checks) this.plan(c);
        this.renderSummary(null);
        break;
      case 'started': {
        const row = this.rows.get(e.id);
        if (row && row.state === 'pending') {
          row.state = 'running';
          this.renderRow(row);
          this.renderSection(row.section);
        }
        break;
      }
      case 'finished':
        this.finish(e.result);
        break;
      case 'done':
        this.renderSummary(e.summary);
        break;
    }
  }

  private plan(c: Pick<PlannedCheck, 'id' | 'section' | 'title' | 'requires'>): Row {
    const existing = this.rows.get(c.id);
    if (existing) {
      existing.requires = c.requires;
      return existing;
    }
    const row: Row = { id: c.id, section: c.section, title: c.title, requires: c.requires, state: 'pending', result: null, el: h('li', { class: 'dcheck', 'data-testid': `check-${c.id}` }) };
    this.rows.set(c.id, row);
    this.sectionFor(c.section).list.append(row.el);
    this.renderRow(row);
    this.renderSection(c.section);
    return row;
  }

  private finish(r: CheckResult): void {
    const row = this.rows.get(r.id) ?? this.plan({ id: r.id, section: r.section, title: r.title, requires: [] });
    if (row.state === 'done' && row.result && JSON.stringify(row.result) === JSON.stringify(r)) return;
    row.state = 'done';
    row.result = r;
    this.renderRow(row);
    this.renderSection(row.section);
    // A skipped row names its prerequisite: refresh those waiting on this one.
    for (const other of this.rows.values()) if (other.result?.status === 'skip' && other.requires.includes(r.id)) this.renderRow(other);
    if (!this.running) return;
    this.renderSummary(null);
  }

  private done(summary: Summary | null): void {
    this.running = false;
    clearTimeout(this.progressTimer);
    this.el.removeAttribute('aria-busy');
    this.el.dataset.state = 'done';
    this.cancelBtn.hidden = true;
    const haveReport = summary !== null;
    this.copyBtn.disabled = this.saveBtn.disabled = this.saveJsonBtn.disabled = !haveReport;
    this.renderSummary(summary);
  }

  private sectionFor(s: Section): { el: HTMLElement; list: HTMLElement; head: HTMLElement } {
    let sec = this.sections.get(s);
    if (sec) return sec;
    const id = `doctor-${sectionSlug(s)}-${this.generation}`;
    const head = h('h3', { class: 'dsection-head', id });
    const list = h('ul', { class: 'dchecks', 'aria-labelledby': id });
    sec = { el: h('section', { class: 'dsection', 'data-testid': `doctor-section-${sectionSlug(s)}`, 'aria-labelledby': id }, head, list), list, head };
    this.sections.set(s, sec);
    // Keep the core's section order whatever order the sections appear in.
    const after = SECTIONS.slice(SECTIONS.indexOf(s) + 1)
      .map((x) => this.sections.get(x)?.el)
      .find((x) => x !== undefined);
    this.sectionsEl.insertBefore(sec.el, after ?? null);
    return sec;
  }

  private renderSection(s: Section): void {
    const sec = this.sectionFor(s);
    const rows = [...this.rows.values()].filter((r) => r.section === s);
    const finished = rows.filter((r) => r.result).map((r) => r.result!.status);
    const open = rows.length - finished.length;
    // While rows are open, only a failure or a warning is already the headline: "Passed" over a
    // check still running would be a promise the run has not kept yet.
    const w = open > 0 && !finished.some((f) => f === 'fail' || f === 'warn') ? null : worst(finished);
    sec.el.dataset.status = w ?? (rows.some((r) => r.state === 'running') ? 'running' : 'pending');
    replaceChildren(
      sec.head,
      w
        ? h('span', { class: `dbadge dbadge-${w}`, 'data-testid': 'section-status' }, h('span', { 'aria-hidden': 'true' }, ICON[w]), ' ', WORD[w])
        : h('span', { class: 'dbadge dbadge-pending', 'data-testid': 'section-status' }, sec.el.dataset.status === 'running' ? 'Checking' : 'Waiting'),
      ' ',
      s,
      open > 0 ? h('span', { class: 'dsection-count muted' }, ` ${finished.length} of ${rows.length} done`) : null,
    );
  }

  /** For a skipped row: the prerequisite that stopped it and, down the chain, the failure that caused it. */
  private blocker(row: Row): { first: Row; root: Row } | null {
    const seen = new Set<string>();
    let current = row;
    let first: Row | null = null;
    for (;;) {
      const next = current.requires.map((id) => this.rows.get(id)).find((r) => r?.result && !['pass', 'warn'].includes(r.result.status));
      if (!next || seen.has(next.id)) break;
      seen.add(next.id);
      first ??= next;
      current = next;
      if (next.result?.status !== 'skip') break;
    }
    return first ? { first, root: current } : null;
  }

  private skipReason(row: Row): HTMLElement {
    const b = this.blocker(row);
    if (!b) return h('span', { class: 'dskip', 'data-testid': 'skip-reason' }, row.result?.detail ?? 'skipped');
    const verb = (r: Row): string => (r.result?.status === 'skip' ? 'was skipped' : 'failed');
    return h(
      'span',
      { class: 'dskip', 'data-testid': 'skip-reason' },
      'Needs ',
      h('code', null, b.first.id),
      ` (${b.first.title}), which ${verb(b.first)}`,
      b.root !== b.first ? [' — the cause is ', h('code', null, b.root.id), ` (${b.root.title}), which ${verb(b.root)}`] : null,
      '.',
    );
  }

  private renderRow(row: Row): void {
    const r = row.result;
    row.el.className = `dcheck dcheck-${r ? r.status : row.state}`;
    row.el.dataset.status = r ? r.status : row.state;
    if (!r) {
      replaceChildren(
        row.el,
        h(
          'div',
          { class: 'dcheck-line' },
          row.state === 'running' ? h('span', { class: 'spinner dcheck-spinner', 'aria-hidden': 'true' }) : h('span', { class: 'dicon dicon-pending', 'aria-hidden': 'true' }, '○'),
          h('span', { class: 'dcheck-title' }, row.title),
          h('span', { class: 'dcheck-state muted' }, row.state === 'running' ? 'Checking…' : 'Waiting'),
        ),
      );
      return;
    }
    const line = r.status === 'skip' ? this.skipReason(row) : h('span', null, r.detail);
    const body = h(
      'div',
      { class: 'dcheck-body' },
      r.status === 'skip' ? null : h('p', { class: 'dcheck-full', 'data-testid': `detail-${r.id}` }, r.detail),
      r.hint ? h('p', { class: 'dhint', 'data-testid': `hint-${r.id}` }, h('strong', null, 'What to do: '), withCode(r.hint)) : null,
      r.fix ? fixView(r.fix, (notice) => void this.run(notice)) : null,
      evidenceView(r.evidence),
      h('p', { class: 'dmeta muted' }, h('code', null, r.id), ` · ${r.durationMs} ms`),
    );
    const details = h(
      'details',
      { class: 'dcheck-details', open: r.status === 'fail' || r.status === 'warn' },
      h(
        'summary',
        { class: 'dcheck-line' },
        h('span', { class: `dicon dicon-${r.status}`, 'aria-hidden': 'true' }, ICON[r.status]),
        h('span', { class: 'dcheck-title' }, row.title),
        h('span', { class: 'sr-only' }, `${WORD[r.status]}. `),
        h('span', { class: 'dcheck-detail' }, line),
      ),
      body,
    );
    replaceChildren(row.el, details);
  }

  private renderSummary(summary: Summary | null): void {
    const all = [...this.rows.values()];
    const doneCount = all.filter((r) => r.result).length;
    if (this.running) {
      this.summaryEl.dataset.status = 'running';
      const label = all.length ? `Checking… ${doneCount} of ${all.length} done` : 'Starting the checks…';
      replaceChildren(this.summaryEl, this.showProgress ? spinner(label) : h('div', { class: 'loading' }, label));
      return;
    }
    if (!summary) {
      this.summaryEl.dataset.status = 'none';
      replaceChildren(this.summaryEl);
      return;
    }
    // Cut short with nothing failed: the person cancelled (out of time fails the unfinished checks).
    const w = summary.fail ? 'fail' : summary.warn ? 'warn' : summary.incomplete ? 'skip' : 'pass';
    const headline = { pass: 'All checks passed', warn: 'Warnings', skip: 'Stopped before the end', fail: 'Problems found' }[w];
    this.summaryEl.dataset.status = w;
    const parts = [`${summary.pass} passed`, `${summary.warn} warning${summary.warn === 1 ? '' : 's'}`, `${summary.fail} failed`, `${summary.skip} skipped`];
    replaceChildren(
      this.summaryEl,
      h('span', { class: `dbadge dbadge-${w}` }, h('span', { 'aria-hidden': 'true' }, ICON[w]), ' ', headline),
      ' ',
      h('span', { 'data-testid': 'doctor-counts' }, parts.join(' · ')),
      h('span', { class: 'muted' }, ` in ${(summary.elapsedMs / 1000).toFixed(1)} s`),
      summary.incomplete ? h('span', { class: 'dbad' }, ' — incomplete (cancelled or out of time)') : null,
    );
  }

  private copy(): Promise<void> {
    return copyReport(this.messageEl);
  }

  private save(format: ReportFormat): Promise<void> {
    return saveReport(this.messageEl, format);
  }
}
