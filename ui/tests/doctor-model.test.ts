import { describe, expect, it } from 'vitest';
import type { CheckId, CheckResult, PlannedCheck, Report, Summary } from '../src/bindings';
import { SECTION_ORDER, STATUS_ORDER } from '../src/bindings';
import { heldBackBy, initialDoctor, sections, summaryStatus, updateDoctor, worst, type DoctorMsg, type DoctorState } from '../src/doctor-model';

const planned = (id: CheckId, section: PlannedCheck['section']): PlannedCheck => ({ id, section, title: `title of ${id}`, requires: [], after: [], uses: [] });
const result = (id: string, section: CheckResult['section'], status: CheckResult['status']): CheckResult =>
  ({ id, section, title: `title of ${id}`, status, detail: status, hint: '', durationMs: 1, evidence: {} }) as unknown as CheckResult;
const SUMMARY: Summary = { pass: 1, warn: 0, fail: 1, skip: 1, elapsedMs: 5, incomplete: false };

const run = (msgs: DoctorMsg[], from: DoctorState = initialDoctor): DoctorState => msgs.reduce(updateDoctor, from);

describe('doctor transitions (no DOM)', () => {
  it('orders come from the core: sections in report order, statuses best to worst', () => {
    expect(SECTION_ORDER).toEqual(['Environment', 'Sign-in', 'Private path', 'Foundry', 'Gateway']);
    expect(STATUS_ORDER).toEqual(['pass', 'skip', 'warn', 'fail']);
    expect(worst(['pass', 'skip'])).toBe('skip');
    expect(worst(['fail', 'warn'])).toBe('fail');
    expect(worst([])).toBeNull();
  });

  it('a run starts empty; events of another run change nothing', () => {
    const s = run([{ type: 'runStarted', runId: 2 }, { type: 'event', runId: 2, event: { event: 'planned', checks: [planned('path.dns', 'Private path')] } }]);
    expect(s.phase).toBe('running');
    expect(s.rows.map((r) => r.id)).toEqual(['path.dns']);
    const late = updateDoctor(s, { type: 'event', runId: 1, event: { event: 'finished', result: result('path.dns', 'Private path', 'fail') } });
    expect(late).toBe(s);
    expect(updateDoctor(s, { type: 'slow', runId: 1 })).toBe(s);
    expect(updateDoctor(s, { type: 'slow', runId: 2 }).slow).toBe(true);
    const next = updateDoctor(s, { type: 'runStarted', runId: 3 });
    expect(next).toEqual({ ...initialDoctor, runId: 3, phase: 'running' });
  });

  it('rows keep the plan order whatever order results land in, and a started row runs', () => {
    const s = run([
      { type: 'runStarted', runId: 1 },
      { type: 'event', runId: 1, event: { event: 'finished', result: result('path.tcp', 'Private path', 'pass') } },
      { type: 'event', runId: 1, event: { event: 'planned', checks: [planned('env.claude', 'Environment'), planned('path.tcp', 'Private path'), planned('signin.az', 'Sign-in')] } },
      { type: 'event', runId: 1, event: { event: 'started', id: 'signin.az' } },
    ]);
    expect(s.rows.map((r) => [r.id, r.state])).toEqual([['path.tcp', 'done'], ['env.claude', 'pending'], ['signin.az', 'running']]);
    // Sections in the core's order, not the order rows arrived in.
    expect(sections(s).map((v) => v.section)).toEqual(['Environment', 'Sign-in', 'Private path']);
  });

  it('a section is headed "pass" only when all its rows are done, a failure at once', () => {
    const base = run([{ type: 'runStarted', runId: 1 }, { type: 'event', runId: 1, event: { event: 'planned', checks: [planned('path.dns', 'Private path'), planned('path.tcp', 'Private path')] } }]);
    const onePass = updateDoctor(base, { type: 'event', runId: 1, event: { event: 'finished', result: result('path.dns', 'Private path', 'pass') } });
    expect(sections(onePass)[0]).toMatchObject({ headline: null, finished: 1 });
    const fail = updateDoctor(base, { type: 'event', runId: 1, event: { event: 'finished', result: result('path.tcp', 'Private path', 'fail') } });
    expect(sections(fail)[0].headline).toBe('fail');
  });

  it('why a check was held back is the runner\'s word, kept when the report repeats the result', () => {
    const tls = result('path.tls', 'Private path', 'skip');
    let s = run([
      { type: 'runStarted', runId: 1 },
      { type: 'event', runId: 1, event: { event: 'planned', checks: [planned('path.dns', 'Private path'), planned('path.tcp', 'Private path'), planned('path.tls', 'Private path')] } },
      { type: 'event', runId: 1, event: { event: 'finished', result: result('path.dns', 'Private path', 'fail') } },
      { type: 'event', runId: 1, event: { event: 'finished', result: tls, heldBack: { by: 'path.tcp', cause: 'path.dns' } } },
    ]);
    const report = { checks: [result('path.dns', 'Private path', 'fail'), result('path.tcp', 'Private path', 'skip'), tls], summary: SUMMARY } as unknown as Report;
    s = updateDoctor(s, { type: 'report', runId: 1, report });
    expect(s.phase).toBe('done');
    expect(s.summary).toBe(SUMMARY);
    const row = s.rows.find((r) => r.id === 'path.tls')!;
    const b = heldBackBy(s, row)!;
    expect([b.byId, b.causeId, b.cause?.result?.status]).toEqual(['path.tcp', 'path.dns', 'fail']);
    expect(heldBackBy(s, s.rows[0])).toBeNull();
  });

  it('a failed run keeps its error; an abandoned run ignores what still comes', () => {
    const error = { kind: 'config' as const, message: 'm', hint: 'h' };
    const failed = run([{ type: 'runStarted', runId: 1 }, { type: 'runFailed', runId: 1, error }]);
    expect([failed.phase, failed.error]).toEqual(['failed', error]);
    const abandoned = run([{ type: 'runStarted', runId: 4 }, { type: 'abandoned' }]);
    expect(abandoned.phase).toBe('idle');
    expect(updateDoctor(abandoned, { type: 'report', runId: 4, report: { checks: [], summary: SUMMARY } as unknown as Report })).toBe(abandoned);
    expect(summaryStatus(SUMMARY)).toBe('fail');
    expect(summaryStatus({ ...SUMMARY, fail: 0, warn: 0, incomplete: true })).toBe('skip');
    expect(summaryStatus({ ...SUMMARY, fail: 0, warn: 0 })).toBe('pass');
  });
});
