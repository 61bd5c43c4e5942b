import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { DoctorPanel, DoctorSeat, worst } from '../src/doctor';
import type { CheckId, CheckResult, DoctorEvent, HeldBack, PlannedCheck, Report, Summary } from '../src/bindings';
import { appInfoFixture, byTestId, click, getByTestId, mockBackend, mount, waitFor, settle } from './helpers';

const plan = (id: CheckId, section: PlannedCheck['section'], title: string, requires: CheckId[] = []): PlannedCheck => ({ id, section, title, requires, after: [], uses: [] });

const PLAN: PlannedCheck[] = [
  plan('env.claude', 'Environment', 'Claude Code is installed'),
  plan('env.profile', 'Environment', 'Claude Code sees the profile'),
  plan('signin.az', 'Sign-in', 'Azure CLI is signed in'),
  plan('path.dns', 'Private path', 'DNS resolves to the private endpoint'),
  plan('path.tcp', 'Private path', 'TCP 443 reachable, latency', ['path.dns']),
  plan('path.tls', 'Private path', 'TLS certificate and issuer', ['path.tcp']),
  plan('foundry.sonnet', 'Foundry', 'sonnet deployment answers', ['path.tls']),
];

// The core leaves empty evidence fields out of the JSON, so fixtures do too.
const result = (id: string, status: CheckResult['status'], detail: string, extra: Partial<CheckResult> = {}): CheckResult => {
  const p = PLAN.find((c) => c.id === id)!;
  return { id, section: p.section, title: p.title, status, detail, hint: '', durationMs: 3, evidence: {} as CheckResult['evidence'], ...extra } as CheckResult;
};

const DNS_FAIL = result('path.dns', 'fail', 'sandbox-ai.services.ai.azure.com resolves to the public address 203.0.113.10', {
  hint: 'Platform team: add sandbox-ai to the privatelink.services.ai.azure.com private DNS zone.',
  evidence: {
    resolver: '127.0.0.1:5353',
    names: [
      { name: 'sandbox-ai.services.ai.azure.com', chain: ['sandbox-ai.privatelink.services.ai.azure.com', 'frontend.public.example'], viaPrivatelink: true, addresses: [{ ip: '203.0.113.10', private: false, inExpectedCidrs: false, matchesPrivateEndpoint: null }], error: null, hostsOverride: null },
      { name: 'sandbox-ai.cognitiveservices.azure.com', chain: ['sandbox-ai.privatelink.cognitiveservices.azure.com'], viaPrivatelink: true, addresses: [{ ip: '127.0.0.1', private: true, inExpectedCidrs: true, matchesPrivateEndpoint: null }], error: null, hostsOverride: null },
    ],
  } as unknown as CheckResult['evidence'],
});

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const TLS_FAIL = result('path.tls', 'fail', 'the certificate is issued by Inspection CA, which is not a trusted CA', {
  hint: 'Trust the inspection CA.',
  fix: { kind: 'trustCa', pem: PEM, suggestedPath: '/tmp/ca.pem', issuer: 'Inspection CA' },
  evidence: { certificates: [{ subject: 'CN=sandbox-ai', issuer: 'CN=Inspection CA', notBefore: '2025', notAfter: '2027', names: ['sandbox-ai'] }] } as unknown as CheckResult['evidence'],
});

const SUMMARY: Summary = { pass: 2, warn: 1, fail: 1, skip: 2, elapsedMs: 1234, incomplete: false };
const report = (checks: CheckResult[], summary = SUMMARY): Report => ({ appVersion: '0.1.0', os: 'linux', time: 'now', sandbox: true, config: [], summary, checks, limitations: [] });

type Emit = (e: DoctorEvent) => void;

/** A backend whose doctor_run streams `events` and resolves with `final`; records every call. */
function backend(events: (emit: Emit) => void, final: Report, extra: Record<string, (args: unknown) => unknown> = {}) {
  const calls: { cmd: string; args: unknown }[] = [];
  mockIPC((cmd, args) => {
    calls.push({ cmd, args });
    if (cmd === 'doctor_run') {
      const channel = (args as { onEvent: { onmessage: Emit } }).onEvent;
      events((e) => channel.onmessage(e));
      return final;
    }
    if (cmd === 'doctor_cancel') return null;
    const h = extra[cmd];
    if (h) return h(args);
    throw { kind: 'internal', message: `unexpected ${cmd}`, hint: 'test' };
  });
  return calls;
}

/** A run that plans every check, then reports `all` in order (with why a skip was held back, as the runner says). */
const planThenFinish = (all: CheckResult[], held: Record<string, HeldBack> = {}) => (emit: Emit): void => {
  emit({ event: 'planned', checks: PLAN });
  for (const r of all) emit({ event: 'finished', result: r, heldBack: held[r.id] });
};

const status = (el: HTMLElement, id: string): string | undefined => getByTestId(`check-${id}`, el).dataset.status;

describe('doctor panel', () => {
  let panel: DoctorPanel;
  afterEach(() => {
    panel?.el.remove();
    clearMocks();
  });

  it('fills the right rows whatever order the events arrive in', async () => {
    const all = [result('env.claude', 'pass', 'claude 2.1.331'), result('env.profile', 'warn', 'AZURE_TOKEN_CREDENTIALS missing', { hint: 'Write the profile again.' }), result('signin.az', 'pass', 'signed in'), DNS_FAIL, result('path.tcp', 'skip', 'skipped: path.dns failed'), result('path.tls', 'skip', 'skipped: path.tcp was skipped')];
    backend((emit) => {
      // A result before the plan, a start after its result, sections announced out of order.
      emit({ event: 'finished', result: all[3] });
      emit({ event: 'planned', checks: [...PLAN].reverse() });
      emit({ event: 'started', id: 'env.claude' });
      emit({ event: 'finished', result: all[5] });
      emit({ event: 'finished', result: all[0] });
      emit({ event: 'started', id: 'path.dns' });
      emit({ event: 'finished', result: all[4] });
    }, report(all));
    panel = new DoctorPanel({ withClaude: false });
    document.body.append(panel.el);
    const run = panel.run();
    // Streamed so far: the started row spins, the unstarted waits, the early result stays done.
    await waitFor(() => byTestId('check-path.tcp', panel.el)?.dataset.status === 'skip');
    expect(status(panel.el, 'path.dns')).toBe('fail');
    expect(status(panel.el, 'env.claude')).toBe('pass');
    expect(status(panel.el, 'signin.az')).toBe('pending');
    expect(getByTestId('check-path.dns', panel.el).closest('[data-testid^="doctor-section-"]')?.getAttribute('data-testid')).toBe('doctor-section-private-path');
    await run;
    expect(status(panel.el, 'env.profile')).toBe('warn');
    expect(status(panel.el, 'signin.az')).toBe('pass');
    expect(status(panel.el, 'foundry.sonnet')).toBe('pending');
    // Sections keep the core's order, rows the plan's.
    const sections = [...panel.el.querySelectorAll('[data-testid^="doctor-section-"]')].map((s) => s.getAttribute('data-testid'));
    expect(sections).toEqual(['doctor-section-environment', 'doctor-section-sign-in', 'doctor-section-private-path', 'doctor-section-foundry']);
    expect(getByTestId('doctor-counts', panel.el).textContent).toBe('2 passed · 1 warning · 1 failed · 2 skipped');
  });

  it('never heads a section "Passed" while one of its checks is still open', async () => {
    let emit: Emit = () => undefined;
    let finish: (r: Report) => void = () => undefined;
    const all = [result('path.dns', 'pass', 'private'), result('path.tcp', 'fail', 'dropped'), result('path.tls', 'skip', 'skipped')];
    mockIPC((cmd, args) => {
      if (cmd !== 'doctor_run') return null;
      const channel = (args as { onEvent: { onmessage: Emit } }).onEvent;
      emit = (e) => channel.onmessage(e);
      emit({ event: 'planned', checks: PLAN });
      emit({ event: 'finished', result: all[0] });
      emit({ event: 'started', id: 'path.tcp' });
      return new Promise<Report>((resolve) => (finish = resolve));
    });
    panel = new DoctorPanel({ withClaude: false });
    document.body.append(panel.el);
    const run = panel.run();
    const head = () => getByTestId('doctor-section-private-path', panel.el);
    await waitFor(() => byTestId('check-path.tcp', panel.el)?.dataset.status === 'running');
    expect(status(panel.el, 'path.dns')).toBe('pass');
    expect(head().dataset.status).toBe('running');
    expect(getByTestId('section-status', head()).textContent).toBe('Checking');
    // A failure is the headline at once: nothing later can make the section pass.
    emit({ event: 'finished', result: all[1] });
    expect(head().dataset.status).toBe('fail');
    emit({ event: 'finished', result: all[2] });
    finish(report(all));
    await run;
    expect(head().dataset.status).toBe('fail');
    expect(getByTestId('section-status', head()).textContent).toContain('Failed');
  });

  it('heads each section with its worst status', async () => {
    const all = [result('env.claude', 'pass', 'ok'), result('env.profile', 'warn', 'w', { hint: 'h' }), result('signin.az', 'pass', 'ok'), DNS_FAIL, result('path.tcp', 'skip', 's'), result('path.tls', 'skip', 's'), result('foundry.sonnet', 'skip', 's')];
    backend(planThenFinish(all), report(all));
    panel = new DoctorPanel({ withClaude: false });
    document.body.append(panel.el);
    await panel.run();
    const head = (slug: string) => getByTestId(`doctor-section-${slug}`, panel.el);
    expect(head('environment').dataset.status).toBe('warn');
    expect(head('sign-in').dataset.status).toBe('pass');
    expect(head('private-path').dataset.status).toBe('fail');
    expect(head('foundry').dataset.status).toBe('skip');
    expect(getByTestId('section-status', head('private-path')).textContent).toContain('Failed');
    expect(worst(['pass', 'skip'])).toBe('skip');
    expect(worst(['skip', 'warn', 'pass'])).toBe('warn');
    expect(worst([])).toBeNull();
  });

  it('opens a failure with its hint and evidence, and a skip names its prerequisite and the cause', async () => {
    const all = [DNS_FAIL, result('path.tcp', 'skip', 'skipped: path.dns failed'), result('path.tls', 'skip', 'skipped: path.tcp was skipped'), result('env.claude', 'pass', 'claude 2.1.331')];
    const held: Record<string, HeldBack> = { 'path.tcp': { by: 'path.dns', cause: 'path.dns' }, 'path.tls': { by: 'path.tcp', cause: 'path.dns' } };
    backend(planThenFinish(all, held), report(all));
    panel = new DoctorPanel({ withClaude: false });
    document.body.append(panel.el);
    await panel.run();
    const dns = getByTestId('check-path.dns', panel.el);
    expect(dns.querySelector('details')?.open).toBe(true);
    expect(getByTestId('hint-path.dns', dns).textContent).toContain('privatelink.services.ai.azure.com');
    const rows = [...getByTestId('evidence-dns', dns).querySelectorAll('tbody tr')];
    expect(rows.map((r) => r.getAttribute('data-name'))).toEqual(['sandbox-ai.services.ai.azure.com', 'sandbox-ai.cognitiveservices.azure.com']);
    expect(rows[0].textContent).toContain('203.0.113.10');
    expect(rows[0].textContent).toContain('public');
    expect(rows[0].textContent).toContain('sandbox-ai.privatelink.services.ai.azure.com');
    expect(getByTestId('evidence-facts', dns).textContent).toContain('127.0.0.1:5353');
    // A pass stays closed; evidence-less results render without an evidence block.
    expect(getByTestId('check-env.claude', panel.el).querySelector('details')?.open).toBe(false);
    expect(byTestId('evidence', getByTestId('check-env.claude', panel.el))).toBeNull();
    const tcp = getByTestId('skip-reason', getByTestId('check-path.tcp', panel.el)).textContent!;
    expect(tcp).toContain('path.dns');
    expect(tcp).toContain('failed');
    const tls = getByTestId('skip-reason', getByTestId('check-path.tls', panel.el)).textContent!;
    expect(tls).toContain('path.tcp');
    expect(tls).toMatch(/cause is path\.dns .*failed/);
    // The report's copy of a result (which carries no heldBack) does not erase what the run said.
    expect(tls).toContain('TCP 443 reachable');
  });

  it('offers "Trust this CA" only on a result with the fix; trusting runs the doctor again', async () => {
    const all = [TLS_FAIL, result('path.dns', 'pass', 'private'), result('path.tcp', 'pass', '0.1 ms')];
    let trusted: unknown = null;
    const calls = backend(planThenFinish(all), report(all), { doctor_trust_ca: (args) => ((trusted = (args as { pem: string }).pem), '/tmp/sb/extra-ca.pem') });
    panel = new DoctorPanel({ withClaude: false });
    document.body.append(panel.el);
    await panel.run();
    expect(panel.el.querySelectorAll('[data-testid="fix-trust-ca"]')).toHaveLength(1);
    const tls = getByTestId('check-path.tls', panel.el);
    expect(getByTestId('evidence-certs', tls).textContent).toContain('CN=Inspection CA');
    expect(byTestId('fix-trust-ca', getByTestId('check-path.dns', panel.el))).toBeNull();
    click(getByTestId('fix-trust-ca', tls));
    await settle();
    await panel.settled;
    expect(trusted).toBe(PEM);
    expect(calls.map((c) => c.cmd)).toEqual(['doctor_run', 'doctor_trust_ca', 'doctor_run']);
    expect(getByTestId('fix-done', panel.el).textContent).toContain('/tmp/sb/extra-ca.pem');
  });

  it('Cancel shows while running and stops the run; a second run ignores the first one\'s events', async () => {
    let release: (r: Report) => void = () => undefined;
    let first: Emit = () => undefined;
    const calls: string[] = [];
    mockIPC((cmd, args) => {
      calls.push(cmd);
      if (cmd === 'doctor_run') {
        const emit: Emit = (e) => (args as { onEvent: { onmessage: Emit } }).onEvent.onmessage(e);
        if (calls.filter((c) => c === 'doctor_run').length === 1) first = emit;
        emit({ event: 'planned', checks: PLAN.slice(0, 1) });
        return new Promise<Report>((r) => (release = r));
      }
      return null;
    });
    panel = new DoctorPanel({ withClaude: true });
    document.body.append(panel.el);
    void panel.run();
    await settle();
    const cancel = getByTestId<HTMLButtonElement>('doctor-cancel', panel.el);
    expect(cancel.hidden).toBe(false);
    expect(getByTestId<HTMLButtonElement>('doctor-copy', panel.el).disabled).toBe(true);
    click(cancel);
    await settle();
    expect(calls).toContain('doctor_cancel');
    void panel.run();
    await settle();
    first({ event: 'finished', result: result('env.claude', 'fail', 'stale') });
    expect(status(panel.el, 'env.claude')).toBe('pending');
    // The core skips what a cancel stopped: no failure, so no "Problems found".
    release(report([result('env.claude', 'pass', 'ok'), result('signin.az', 'skip', 'cancelled before it finished')], { pass: 1, warn: 0, fail: 0, skip: 1, elapsedMs: 300, incomplete: true }));
    await panel.settled;
    expect(cancel.hidden).toBe(true);
    expect(getByTestId('doctor-summary', panel.el).textContent).toContain('incomplete');
    expect(getByTestId('doctor-summary', panel.el).textContent).toContain('Stopped before the end');
    expect(getByTestId('doctor-summary', panel.el).dataset.status).toBe('skip');
    expect(getByTestId<HTMLButtonElement>('doctor-copy', panel.el).disabled).toBe(false);
  });

  it('a panel that goes away cancels its run, unless another panel\'s run has replaced it', async () => {
    const emits: Emit[] = [];
    const calls: string[] = [];
    mockIPC((cmd, args) => {
      calls.push(cmd);
      if (cmd === 'doctor_run') {
        emits.push((e) => (args as { onEvent: { onmessage: Emit } }).onEvent.onmessage(e));
        return new Promise<Report>(() => undefined);
      }
      return null;
    });
    const seat = new DoctorSeat();
    const left = new DoctorPanel({ withClaude: true, seat });
    document.body.append(left.el);
    void left.run();
    await settle();
    left.el.remove();
    left.dispose();
    emits[0]({ event: 'planned', checks: PLAN });
    emits[0]({ event: 'started', id: 'env.claude' });
    await settle();
    expect(calls.filter((c) => c === 'doctor_cancel')).toHaveLength(1);
    // Its late events no longer draw rows.
    expect(byTestId('check-env.claude', left.el)).toBeNull();

    const verify = new DoctorPanel({ withClaude: true, seat });
    document.body.append(verify.el);
    void verify.run();
    await settle();
    verify.el.remove();
    verify.dispose();
    panel = new DoctorPanel({ withClaude: false, seat });
    document.body.append(panel.el);
    void panel.run();
    await settle();
    // The Verify run's last events land after the Doctor tab's run began: that run goes on.
    emits[1]({ event: 'finished', result: result('env.claude', 'fail', 'cancelled') });
    await settle();
    expect(calls.filter((c) => c === 'doctor_cancel')).toHaveLength(1);
    expect(panel.isRunning).toBe(true);
  });

  it('copies the Markdown report, falls back to a selected text area, and saves to a path', async () => {
    backend(() => undefined, report([]), {
      doctor_report_markdown: () => '# Foundry Onboard doctor report\n',
      doctor_save_report: (args) => `/home/me/Downloads/foundry-onboard-report.${(args as { format: string }).format}`,
    });
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    panel = new DoctorPanel({ withClaude: false });
    document.body.append(panel.el);
    await panel.run();
    click(getByTestId('doctor-copy', panel.el));
    await settle();
    expect(writeText).toHaveBeenCalledWith('# Foundry Onboard doctor report\n');
    expect(byTestId('copy-done', panel.el)).not.toBeNull();
    // WebKit's way: the text as a promise inside the click.
    const written: Promise<string>[] = [];
    class FakeItem {
      constructor(readonly items: Record<string, Promise<Blob>>) {}
    }
    vi.stubGlobal('ClipboardItem', FakeItem);
    Object.defineProperty(navigator, 'clipboard', { value: { write: (items: FakeItem[]) => (written.push(items[0].items['text/plain'].then((b) => b.text())), Promise.resolve()) }, configurable: true });
    click(getByTestId('doctor-copy', panel.el));
    await settle();
    expect(await written[0]).toBe('# Foundry Onboard doctor report\n');
    vi.unstubAllGlobals();
    Object.defineProperty(navigator, 'clipboard', { value: { writeText: () => Promise.reject(new Error('denied')) }, configurable: true });
    click(getByTestId('doctor-copy', panel.el));
    await settle();
    const area = getByTestId<HTMLTextAreaElement>('report-text', panel.el);
    expect(area.value).toContain('doctor report');
    expect(document.activeElement).toBe(area);
    click(getByTestId('doctor-save', panel.el));
    await settle();
    expect(getByTestId('saved-path', panel.el).textContent).toBe('/home/me/Downloads/foundry-onboard-report.md');
    click(getByTestId('doctor-save-json', panel.el));
    await settle();
    expect(getByTestId('saved-path', panel.el).textContent).toBe('/home/me/Downloads/foundry-onboard-report.json');
  });

  it('shows a failed run\'s error with its hint, and Retry runs again', async () => {
    let fail = true;
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      if (fail) throw { kind: 'config', message: 'config.toml:3: unknown key', hint: 'Fix that line.' };
      return report([]);
    });
    panel = new DoctorPanel({ withClaude: false });
    document.body.append(panel.el);
    await panel.run();
    expect(getByTestId('error-hint', panel.el).textContent).toContain('Fix that line.');
    fail = false;
    click(getByTestId('error-retry', panel.el));
    await settle();
    await panel.settled;
    expect(calls).toEqual(['doctor_run', 'doctor_run']);
    expect(byTestId('error-panel', panel.el)).toBeNull();
  });
});

describe('where the doctor lives', () => {
  let runs: unknown[];
  beforeEach(() => {
    runs = [];
    mockBackend({
      app_info: () => appInfoFixture(),
      config_view: () => ({ toml: '', locked: [], notices: [] }),
      profile_preview: () => {
        throw { kind: 'config', message: 'not here', hint: 'test' };
      },
      signin_status: () => {
        throw { kind: 'config', message: 'not here', hint: 'test' };
      },
      discover: () => {
        throw { kind: 'config', message: 'not here', hint: 'test' };
      },
      doctor_run: (_cmd, args) => {
        runs.push((args as { withClaude: boolean }).withClaude);
        return report([]);
      },
      doctor_cancel: () => null,
    });
  });
  afterEach(() => clearMocks());

  it('the wizard\'s Verify step runs it with Claude Code on entry', async () => {
    const app = await mount();
    while (app.wizard?.current !== 'verify') click(getByTestId('wizard-next'));
    await waitFor(() => runs.length === 1);
    expect(runs).toEqual([true]);
    expect(getByTestId('step-verify').querySelector('[data-testid="doctor"]')).not.toBeNull();
    expect(byTestId('doctor-with-claude')).toBeNull();
  });

  it('the header\'s Troubleshoot opens the Doctor tab from the wizard, which runs it without Claude Code', async () => {
    const app = await mount();
    expect(app.wizard).not.toBeNull();
    click(getByTestId('open-doctor'));
    expect(app.home?.current).toBe('doctor');
    expect(document.activeElement).toBe(getByTestId('tab-doctor'));
    await waitFor(() => runs.length === 1);
    expect(runs).toEqual([false]);
    const toggle = getByTestId<HTMLInputElement>('doctor-with-claude');
    toggle.checked = true;
    click(getByTestId('doctor-run'));
    await waitFor(() => runs.length === 2);
    expect(runs).toEqual([false, true]);
    // Leaving the tab and coming back does not start another run.
    click(getByTestId('tab-usage'));
    click(getByTestId('tab-doctor'));
    await new Promise((r) => setTimeout(r, 20));
    expect(runs).toHaveLength(2);
  });
});
