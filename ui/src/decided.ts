// The choices an org policy made, shown as made: each value with who decided it ("Set by your
// organisation") and a lock where the policy locks it, so nobody looks for a control to change it.
import { h } from './dom';
import type { DecidedRow, RolloutPlan } from './rollout-model';

/** What a row's badge says: who decided it (or, for a taken value, by which rule). */
function badge(r: DecidedRow, taken: boolean): HTMLElement {
  if (taken) return h('span', { class: 'badge badge-decided' }, 'Newest, as your organisation\u2019s policy says');
  return h('span', { class: r.locked ? 'badge badge-locked' : 'badge badge-decided' }, r.locked ? 'Set by your organisation · locked' : 'Set by your organisation');
}

function row(r: DecidedRow, taken = false): HTMLElement {
  return h(
    'div',
    { class: 'decided-row', 'data-testid': `decided-${r.key}`, 'data-locked': r.locked ? 'true' : 'false' },
    h('dt', null, r.label),
    h(
      'dd',
      null,
      h('code', { class: 'decided-value' }, r.value),
      ' ',
      badge(r, taken),
    ),
  );
}

/** The deployments taken by the policy's rule (`choose = "newest"`), listed like decided ones. */
export function takenList(rows: DecidedRow[]): HTMLElement {
  return h('dl', { class: 'decided-list', 'data-testid': 'taken-list' }, rows.map((r) => row(r, true)));
}

/** The decided rows, or null when the policy decided nothing shown here. */
export function decidedPanel(plan: RolloutPlan | null, rows: DecidedRow[] = plan?.rows ?? []): HTMLElement | null {
  if (!plan || rows.length === 0) return null;
  const locked = rows.some((r) => r.locked);
  return h(
    'section',
    { class: 'decided', 'data-testid': 'decided-panel', 'aria-labelledby': 'decided-title' },
    h('h3', { id: 'decided-title', class: 'decided-title' }, 'Decided by your organisation'),
    h('dl', { class: 'decided-list' }, rows.map((r) => row(r))),
    locked ? h('p', { class: 'muted decided-note' }, 'Locked values come from your organisation\u2019s policy file and cannot be changed here. Ask your platform team to change them.') : null,
  );
}
