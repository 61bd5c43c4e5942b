// The Profile step: the exact diff of every file before writing, what Claude Code sees now
// (with conflicts named), then each shell and the real client turning green.
import { loadInto } from './async';
import { h, replaceChildren, type Child } from './dom';
import type { RolloutPlan } from './rollout-model';
import type { WizardStep } from './step';
import {
  commands,
  type FileChange,
  type Finding,
  type ProfileOutcome,
  type ProfilePreview,
  type ShellCheck,
  type ClientCheck,
} from './ipc';

const ACTIONS: Record<string, string> = {
  create: 'will be created',
  update: 'will be updated',
  unchanged: 'is already up to date',
};

/** A unified diff as lines, each classed by its first character (no HTML is ever parsed). */
function diffView(diff: string): HTMLElement {
  const lines = diff.split('\n').filter((l, i, all) => !(i === all.length - 1 && l === ''));
  return h(
    'pre',
    { class: 'diff', tabindex: '0', 'aria-label': 'Changes to this file' },
    lines.map((l) => {
      const cls = l.startsWith('+++') || l.startsWith('---') ? 'diff-file' : l.startsWith('+') ? 'diff-add' : l.startsWith('-') ? 'diff-del' : l.startsWith('@@') ? 'diff-hunk' : 'diff-ctx';
      return h('span', { class: `diff-line ${cls}` }, l, '\n');
    }),
  );
}

/** One file's change; `open` shows its diff at once. */
function fileBlock(f: FileChange, open: boolean): HTMLElement {
  return h(
    'details',
    { class: 'file-change', 'data-testid': `file-${f.target}`, open: open && f.action !== 'unchanged' },
    h('summary', null, h('strong', null, f.target), ' ', h('code', null, f.path), ' ', h('span', { class: 'muted' }, ACTIONS[f.action] ?? f.action)),
    f.action === 'unchanged' ? null : diffView(f.diff),
  );
}

function findingItem(f: Finding): HTMLElement {
  return h('li', { class: `finding finding-${f.severity}`, 'data-testid': 'finding' }, h('strong', null, f.severity === 'fail' ? 'Problem: ' : 'Warning: '), f.message, h('br'), h('span', { class: 'muted' }, f.hint));
}

/** `compact`: a zero-decision run lists the files with their diffs one click away, so Write is on screen. */
function renderPreview(container: HTMLElement, p: ProfilePreview, onWrite: (button: HTMLButtonElement) => void, compact: boolean): void {
  const effective = p.effective;
  // Before the profile is written our own variables are naturally missing: show only conflicts.
  const conflicts = effective.findings.filter((f) => f.about === 'conflict');
  const write = h(
    'div',
    { class: 'actions' },
    h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'profile-write', on: { click: (ev) => onWrite(ev.currentTarget as HTMLButtonElement) } }, 'Write profile'),
  );
  const seen = [
    h('h3', null, 'What Claude Code sees now'),
    effective.vars.length === 0
      ? h('p', { class: 'muted' }, 'None of the variables Claude Code reads for Foundry is set yet.')
      : h(
          'table',
          { class: 'env-table', 'data-testid': 'effective-env' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Variable'), h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, 'Set by'))),
          h(
            'tbody',
            null,
            effective.vars.map((v) => h('tr', null, h('td', null, h('code', null, v.name)), h('td', { class: 'env-value' }, v.value), h('td', { class: 'muted' }, v.source))),
          ),
        ),
  ];
  const changes = [h('h3', null, 'Changes'), h('div', { class: 'file-changes', 'data-testid': 'profile-files' }, p.files.map((f) => fileBlock(f, !compact)))];
  const findings =
    conflicts.length === 0
      ? h('p', { class: 'muted', 'data-testid': 'no-conflicts' }, 'Nothing in your environment or settings files conflicts with the profile.')
      : h('ul', { class: 'findings', 'data-testid': 'profile-findings' }, conflicts.map(findingItem));
  replaceChildren(
    container,
    p.sandbox
      ? h('p', { class: 'callout callout-sandbox', 'data-testid': 'profile-sandbox-home' }, 'Sandbox mode: files are written under ', h('code', null, p.home), ', never your own ', h('code', null, '~/.bashrc'), ' or ', h('code', null, '~/.claude'), '.')
      : null,
    h('p', null, 'Sign-in: ', h('strong', { 'data-testid': 'profile-mode' }, p.mode === 'entra' ? 'Entra ID (az login), no secret in any file' : p.mode === 'api-key' ? 'API key from the OS keyring' : 'gateway credential from the OS keyring'), '.'),
    // Compact (nothing left to ask): the approval first, conflicts before it, the files under it.
    compact ? [findings, write, changes, seen] : [changes, seen, findings, write],
  );
}

function checkRow(testid: string, label: string, status: string, detail: string): HTMLElement {
  const icon = status === 'pass' ? '✓' : status === 'fail' ? '✗' : '–';
  return h(
    'li',
    { class: `check check-${status}`, 'data-testid': testid, 'data-status': status },
    h('span', { class: 'check-icon', 'aria-hidden': 'true' }, icon),
    // Label and detail flow as one text beside the icon: a long path wraps on, not onto a line of its own.
    h('span', { class: 'check-text' }, h('strong', null, label), ' ', h('span', { class: 'sr-only' }, `${status}: `), h('span', { class: 'check-detail' }, detail)),
  );
}

/** Verified, not assumed: every shell sees the profile and the real Claude Code answered through it. */
export function verified(o: ProfileOutcome): boolean {
  return o.shells.every((s) => s.status === 'pass') && o.client?.status === 'pass';
}

function renderOutcome(container: HTMLElement, o: ProfileOutcome): void {
  const rows: Child[] = [
    ...o.files.map((f) => checkRow(`written-${f.target}`, f.target, 'pass', `${f.path} ${f.action === 'unchanged' ? 'already up to date' : f.action === 'create' ? 'created' : 'updated'}`)),
    ...o.shells.map((s: ShellCheck) => checkRow(`shell-check-${s.target}`, `${s.target} sees the profile`, s.status, [s.detail, ...s.mismatches].join(' · '))),
  ];
  const c: ClientCheck | null = o.client;
  if (c) rows.push(checkRow('client-check', 'claude -p', c.status, c.detail));
  const heading = h('h3', { tabindex: '-1' }, 'Written and checked');
  const ok = verified(o);
  replaceChildren(
    container,
    heading,
    h('ul', { class: 'checks', 'data-testid': 'profile-result', 'data-state': ok ? 'verified' : 'checked' }, rows),
    ok ? h('p', { class: 'callout verified', role: 'status', 'data-testid': 'profile-verified' }, 'Verified: Claude Code answered through this profile.') : null,
  );
  heading.focus();
}

/** The Profile step: loads the preview at once; `changed` hears of each profile written, `done` of each one verified. */
export function profileStep(ctx: { changed: () => void; done?: () => void; plan?: RolloutPlan | null } = { changed: () => undefined }): WizardStep {
  const preview = h('div', { class: 'profile-preview', 'data-testid': 'profile-preview' });
  const result = h('div', { class: 'profile-result', 'aria-live': 'polite' });
  const write = (button: HTMLButtonElement): void => {
    button.disabled = true;
    void loadInto(result, commands.profileWrite, (o) => {
      renderOutcome(result, o);
      ctx.changed();
      if (verified(o)) ctx.done?.();
    }, { loadingLabel: 'Writing and starting each shell…' });
  };
  const compact = ctx.plan?.zeroDecision ?? false;
  void loadInto(preview, commands.profilePreview, (p) => renderPreview(preview, p, write, compact), { loadingLabel: 'Preparing the preview…' });
  const intro = compact
    ? 'Claude Code reads these variables when it starts. Approve writing them; each file\u2019s exact change is listed under the button.'
    : 'Claude Code reads these variables when it starts. Review every change before it is written.';
  const el = h('div', { class: 'profile-step' }, h('p', null, intro), preview, result);
  return { el, canLeave: () => null, dispose: () => undefined };
}
