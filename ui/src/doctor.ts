// The doctor panel, used by the wizard's Verify step and the home's Doctor tab: rows laid out
// from the plan, filled in live as results land (in any order), grouped by section under the
// section's worst status; failures open with their hint and evidence; Run again, Cancel,
// Copy and Save report; "Trust this CA" where the core offers that fix. Its state is a
// DoctorState (doctor-model.ts); the view is rendered from it, row by row as rows change.
import { errorPanel, LOADING_DELAY_MS, spinner } from './async';
import { h, replaceChildren } from './dom';
import { copyReport, fixView, saveReport } from './doctor-actions';
import { evidenceView } from './doctor-evidence';
import { heldBackBy, initialDoctor, sections, summaryStatus, updateDoctor, type DoctorMsg, type DoctorState, type Row, type SectionView } from './doctor-model';
import './doctor.css';
import { commands, toIpcError, type ReportFormat, type Section, type Status } from './ipc';

export { worst } from './doctor-model';

const ICON: Record<Status, string> = { pass: '✓', skip: '–', warn: '!', fail: '✗' };
const WORD: Record<Status, string> = { pass: 'Passed', skip: 'Skipped', warn: 'Warning', fail: 'Failed' };

export const sectionSlug = (s: Section): string => s.toLowerCase().replace(/[^a-z]+/g, '-');

/** Text with `backticked` commands shown as code (split on backticks; no markup is parsed). */
export function withCode(text: string): (string | HTMLElement)[] {
  const parts = text.split('`');
  // An unpaired backtick: leave the text as it is.
  if (parts.length % 2 === 0) return [text];
  return parts.map((p, i) => (i % 2 === 1 ? h('code', null, p) : p)).filter((p) => p !== '');
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
  /** Every run of the app gets its own id (the panel ignores events of any other). */
  lastRunId = 0;
}

interface SectionEls {
  el: HTMLElement;
  head: HTMLElement;
  list: HTMLElement;
}

/** Moves only the children that are out of place (a focused element stays focused). */
function placeInOrder(parent: HTMLElement, children: readonly HTMLElement[]): void {
  children.forEach((child, i) => {
    if (parent.children[i] !== child) parent.insertBefore(child, parent.children[i] ?? null);
  });
  while (parent.children.length > children.length) parent.lastElementChild?.remove();
}

export class DoctorPanel {
  readonly el: HTMLElement;
  private state: DoctorState = initialDoctor;
  private readonly seat: DoctorSeat;
  private readonly key = Math.random().toString(36).slice(2);
  /** The rendered rows and sections, each with the state it was drawn from. */
  private readonly rowEls = new Map<string, { el: HTMLLIElement; drawn: Row | null }>();
  private readonly sectionEls = new Map<Section, SectionEls>();
  private readonly sectionsEl: HTMLElement;
  private readonly summaryEl: HTMLElement;
  private readonly messageEl: HTMLElement;
  private readonly runBtn: HTMLButtonElement;
  private readonly cancelBtn: HTMLButtonElement;
  private readonly copyBtn: HTMLButtonElement;
  private readonly saveBtn: HTMLButtonElement;
  private readonly saveJsonBtn: HTMLButtonElement;
  private readonly claudeBox: HTMLInputElement;
  private progressTimer: ReturnType<typeof setTimeout> | undefined;
  /** Resolves when the latest run has settled (tests and callers await it). */
  settled: Promise<void> = Promise.resolve();

  constructor(opts: DoctorPanelOptions) {
    this.seat = opts.seat ?? new DoctorSeat();
    this.claudeBox = h('input', { type: 'checkbox', 'data-testid': 'doctor-with-claude', id: `doctor-claude-${this.key}` });
    this.claudeBox.checked = opts.withClaude;
    const btn = (testid: string, label: string, onClick: () => void, cls = 'btn'): HTMLButtonElement =>
      h('button', { type: 'button', class: cls, 'data-testid': testid, on: { click: onClick } }, label);
    this.runBtn = btn('doctor-run', 'Run again', () => void this.run(), 'btn btn-primary');
    this.cancelBtn = btn('doctor-cancel', 'Cancel', () => void this.cancel());
    this.copyBtn = btn('doctor-copy', 'Copy report', () => void this.copy());
    this.saveBtn = btn('doctor-save', 'Save report', () => void this.save('md'));
    this.saveJsonBtn = btn('doctor-save-json', 'Save as JSON', () => void this.save('json'), 'btn btn-link');
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
    this.render();
    if (opts.autoRun) void this.run();
  }

  get isRunning(): boolean {
    return this.state.phase === 'running';
  }

  /** Starts a run (the backend cancels one still going); `notice` stays above the rows. */
  run(notice: Node | null = null): Promise<void> {
    const runId = ++this.seat.lastRunId;
    this.seat.holder = this;
    replaceChildren(this.messageEl, notice);
    this.dispatch({ type: 'runStarted', runId });
    clearTimeout(this.progressTimer);
    this.progressTimer = setTimeout(() => this.dispatch({ type: 'slow', runId }), LOADING_DELAY_MS);
    this.settled = commands.doctorRun(this.claudeBox.checked, (event) => this.dispatch({ type: 'event', runId, event })).then(
      (report) => this.dispatch({ type: 'report', runId, report }),
      (e) => {
        const error = toIpcError(e);
        this.dispatch({ type: 'runFailed', runId, error });
        if (this.state.runId === runId) replaceChildren(this.messageEl, errorPanel(error, () => void this.run()));
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
    if (!this.isRunning) return;
    this.dispatch({ type: 'abandoned' });
    setTimeout(() => {
      if (this.seat.holder === this) {
        this.seat.holder = null;
        void commands.doctorCancel().catch(() => undefined);
      }
    }, 0);
  }

  private dispatch(m: DoctorMsg): void {
    const before = this.state;
    this.state = updateDoctor(before, m);
    if (this.state === before) return;
    if (this.state.phase !== 'running') clearTimeout(this.progressTimer);
    this.render();
  }

  private render(): void {
    const s = this.state;
    const running = s.phase === 'running';
    this.el.dataset.state = running ? 'running' : 'done';
    if (running) this.el.setAttribute('aria-busy', 'true');
    else this.el.removeAttribute('aria-busy');
    this.cancelBtn.hidden = !running;
    if (!running) this.cancelBtn.disabled = false;
    const haveReport = s.phase === 'done' && s.summary !== null;
    this.copyBtn.disabled = this.saveBtn.disabled = this.saveJsonBtn.disabled = !haveReport;
    this.renderSummary();
    const views = sections(s);
    placeInOrder(this.sectionsEl, views.map((v) => this.renderSection(v)));
    // A run starts afresh: rows no longer in the state go.
    for (const id of [...this.rowEls.keys()]) if (!s.rows.some((r) => r.id === id)) this.rowEls.delete(id);
    for (const section of [...this.sectionEls.keys()]) if (!views.some((v) => v.section === section)) this.sectionEls.delete(section);
  }

  private renderSection(v: SectionView): HTMLElement {
    let sec = this.sectionEls.get(v.section);
    if (!sec) {
      const id = `doctor-${this.key}-${sectionSlug(v.section)}`;
      const head = h('h3', { class: 'dsection-head', id });
      const list = h('ul', { class: 'dchecks', 'aria-labelledby': id });
      sec = { el: h('section', { class: 'dsection', 'data-testid': `doctor-section-${sectionSlug(v.section)}`, 'aria-labelledby': id }, head, list), head, list };
      this.sectionEls.set(v.section, sec);
    }
    const w = v.headline;
    const status = w ?? (v.running ? 'running' : 'pending');
    sec.el.dataset.status = status;
    const open = v.rows.length - v.finished;
    replaceChildren(
      sec.head,
      w
        ? h('span', { class: `dbadge dbadge-${w}`, 'data-testid': 'section-status' }, h('span', { 'aria-hidden': 'true' }, ICON[w]), ' ', WORD[w])
        : h('span', { class: 'dbadge dbadge-pending', 'data-testid': 'section-status' }, status === 'running' ? 'Checking' : 'Waiting'),
      ' ',
      v.section,
      open > 0 ? h('span', { class: 'dsection-count muted' }, ` ${v.finished} of ${v.rows.length} done`) : null,
    );
    placeInOrder(sec.list, v.rows.map((r) => this.renderRow(r)));
    return sec.el;
  }

  /** A row's element, drawn again only when its state changed (a skip also when the rows it names did). */
  private renderRow(row: Row): HTMLLIElement {
    let entry = this.rowEls.get(row.id);
    if (!entry) {
      entry = { el: h('li', { class: 'dcheck', 'data-testid': `check-${row.id}` }), drawn: null };
      this.rowEls.set(row.id, entry);
    }
    if (entry.drawn === row && !row.heldBack) return entry.el;
    entry.drawn = row;
    const el = entry.el;
    const r = row.result;
    el.className = `dcheck dcheck-${r ? r.status : row.state}`;
    el.dataset.status = r ? r.status : row.state;
    if (!r) {
      replaceChildren(
        el,
        h(
          'div',
          { class: 'dcheck-line' },
          row.state === 'running' ? h('span', { class: 'spinner dcheck-spinner', 'aria-hidden': 'true' }) : h('span', { class: 'dicon dicon-pending', 'aria-hidden': 'true' }, '○'),
          h('span', { class: 'dcheck-title' }, row.title),
          h('span', { class: 'dcheck-state muted' }, row.state === 'running' ? 'Checking…' : 'Waiting'),
        ),
      );
      return el;
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
    // Redrawn in place: a details the person opened stays open.
    const wasOpen = el.querySelector('details')?.open;
    const details = h(
      'details',
      { class: 'dcheck-details', open: wasOpen ?? (r.status === 'fail' || r.status === 'warn') },
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
    replaceChildren(el, details);
    return el;
  }

  /** For a skipped row: the prerequisite that stopped it and the failure that caused it, as the core named them. */
  private skipReason(row: Row): HTMLElement {
    const b = heldBackBy(this.state, row);
    if (!b) return h('span', { class: 'dskip', 'data-testid': 'skip-reason' }, row.result?.detail ?? 'skipped');
    const verb = (r: Row | null): string => (r?.result?.status === 'skip' ? 'was skipped' : 'failed');
    const named = (id: string, r: Row | null): (string | HTMLElement)[] => [h('code', null, id), r ? ` (${r.title})` : ''];
    return h(
      'span',
      { class: 'dskip', 'data-testid': 'skip-reason' },
      'Needs ',
      named(b.byId, b.by),
      `, which ${verb(b.by)}`,
      b.causeId !== b.byId ? [' — the cause is ', named(b.causeId, b.cause), `, which ${verb(b.cause)}`] : null,
      '.',
    );
  }

  private renderSummary(): void {
    const s = this.state;
    if (s.phase === 'running') {
      this.summaryEl.dataset.status = 'running';
      const done = s.rows.filter((r) => r.result).length;
      const label = s.rows.length ? `Checking… ${done} of ${s.rows.length} done` : 'Starting the checks…';
      replaceChildren(this.summaryEl, s.slow ? spinner(label) : h('div', { class: 'loading' }, label));
      return;
    }
    const summary = s.phase === 'done' ? s.summary : null;
    if (!summary) {
      this.summaryEl.dataset.status = 'none';
      replaceChildren(this.summaryEl);
      return;
    }
    // Cut short with nothing failed: the person cancelled (out of time fails the unfinished checks).
    const w = summaryStatus(summary);
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
