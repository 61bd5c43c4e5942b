// The doctor panel's state and its pure transitions: the run the panel shows (by its id, so a
// late event of an older run changes nothing), its rows in plan order as results land in any
// order, and what the view derives from them — sections in the core's order, each headed by its
// worst status, and why a skipped check was held back, as the core's runner said.
import { SECTION_ORDER, STATUS_ORDER, type CheckResult, type DoctorEvent, type HeldBack, type IpcError, type PlannedCheck, type Report, type Section, type Status, type Summary } from './ipc';

export interface Row {
  readonly id: string;
  readonly section: Section;
  readonly title: string;
  readonly state: 'pending' | 'running' | 'done';
  readonly result: CheckResult | null;
  /** Why the check was skipped without running (from the runner), when it was. */
  readonly heldBack: HeldBack | null;
}

export interface DoctorState {
  /** The run shown; 0 before the first. */
  readonly runId: number;
  readonly phase: 'idle' | 'running' | 'done' | 'failed';
  /** In plan order (a result before its plan gets its row where it lands). */
  readonly rows: readonly Row[];
  readonly summary: Summary | null;
  readonly error: IpcError | null;
  /** The run has taken longer than the loading delay: show the spinner. */
  readonly slow: boolean;
}

export type DoctorMsg =
  | { type: 'runStarted'; runId: number }
  | { type: 'event'; runId: number; event: DoctorEvent }
  | { type: 'report'; runId: number; report: Report }
  | { type: 'runFailed'; runId: number; error: IpcError }
  | { type: 'slow'; runId: number }
  /** The panel went away: whatever its run still sends is ignored. */
  | { type: 'abandoned' };

export const initialDoctor: DoctorState = { runId: 0, phase: 'idle', rows: [], summary: null, error: null, slow: false };

const RANK = new Map<Status, number>(STATUS_ORDER.map((s, i) => [s, i]));

/** The worst of these statuses (in the core's order, best to worst), or null for none. */
export function worst(statuses: readonly Status[]): Status | null {
  return statuses.reduce<Status | null>((w, s) => (w === null || (RANK.get(s) ?? 0) > (RANK.get(w) ?? 0) ? s : w), null);
}

function plan(rows: readonly Row[], c: Pick<PlannedCheck, 'id' | 'section' | 'title'>): readonly Row[] {
  if (rows.some((r) => r.id === c.id)) return rows;
  return [...rows, { id: c.id, section: c.section, title: c.title, state: 'pending', result: null, heldBack: null }];
}

function finish(rows: readonly Row[], r: CheckResult, heldBack: HeldBack | null): readonly Row[] {
  const planned = plan(rows, r);
  return planned.map((row) => {
    if (row.id !== r.id) return row;
    // The report repeats what the stream already said: the same row, kept as it is.
    if (row.state === 'done' && row.result && JSON.stringify(row.result) === JSON.stringify(r)) return row;
    return { ...row, state: 'done', result: r, heldBack: heldBack ?? row.heldBack };
  });
}

function onEvent(s: DoctorState, e: DoctorEvent): DoctorState {
  switch (e.event) {
    case 'planned':
      return { ...s, rows: e.checks.reduce(plan, s.rows) };
    case 'started':
      return { ...s, rows: s.rows.map((r) => (r.id === e.id && r.state === 'pending' ? { ...r, state: 'running' } : r)) };
    case 'finished':
      return { ...s, rows: finish(s.rows, e.result, e.heldBack ?? null) };
    case 'done':
      return { ...s, summary: e.summary };
  }
}

/** The one place the panel's state changes. */
export function updateDoctor(s: DoctorState, m: DoctorMsg): DoctorState {
  if (m.type === 'runStarted') return { ...initialDoctor, runId: m.runId, phase: 'running' };
  if (m.type === 'abandoned') return s.phase === 'running' ? { ...s, phase: 'idle', runId: -1 } : s;
  // Anything from a run other than the one shown is too late.
  if (m.runId !== s.runId) return s;
  switch (m.type) {
    case 'event':
      return onEvent(s, m.event);
    case 'report': {
      const rows = m.report.checks.reduce((rs, r) => finish(rs, r, null), s.rows);
      return { ...s, rows, phase: 'done', summary: m.report.summary, slow: false };
    }
    case 'runFailed':
      return { ...s, phase: 'failed', error: m.error, summary: null, slow: false };
    case 'slow':
      return s.phase === 'running' ? { ...s, slow: true } : s;
  }
}

export interface SectionView {
  readonly section: Section;
  readonly rows: readonly Row[];
  /** The section's headline: its worst status, or null while open rows could still change it. */
  readonly headline: Status | null;
  readonly running: boolean;
  readonly finished: number;
}

/** The sections that have rows, in the core's order. */
export function sections(s: DoctorState): SectionView[] {
  return SECTION_ORDER.flatMap((section) => {
    const rows = s.rows.filter((r) => r.section === section);
    if (rows.length === 0) return [];
    const finished = rows.flatMap((r) => (r.result ? [r.result.status] : []));
    const open = rows.length - finished.length;
    // While rows are open, only a failure or a warning is already the headline: "Passed" over a
    // check still running would be a promise the run has not kept yet.
    const headline = open > 0 && !finished.some((f) => f === 'fail' || f === 'warn') ? null : worst(finished);
    return [{ section, rows, headline, running: rows.some((r) => r.state === 'running'), finished: finished.length }];
  });
}

/** For a skipped row: the prerequisite that held it back and the check that caused the chain, as rows when shown. */
export function heldBackBy(s: DoctorState, row: Row): { by: Row | null; byId: string; cause: Row | null; causeId: string } | null {
  const h = row.heldBack;
  if (!h) return null;
  const find = (id: string): Row | null => s.rows.find((r) => r.id === id) ?? null;
  return { by: find(h.by), byId: h.by, cause: find(h.cause), causeId: h.cause };
}

/** The run's headline status: failures, then warnings, then a run cut short, else a pass. */
export function summaryStatus(summary: Summary): Status {
  return summary.fail ? 'fail' : summary.warn ? 'warn' : summary.incomplete ? 'skip' : 'pass';
}
