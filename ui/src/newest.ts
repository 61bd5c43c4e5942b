// The Resource & models step when the policy names a resource and says `choose = "newest"`: the
// resource's deployments are listed and the newest of each tier (the core's proposal, the same the
// list proposes) is saved without a question — shown as taken, with the candidates to see why.
import { errorPanel, spinner } from './async';
import { decidedPanel, takenList } from './decided';
import { h, replaceChildren } from './dom';
import { commands, toIpcError, type Account, type Discovered, type IpcError, type Subscription, type Tier } from './ipc';
import type { RolloutPlan } from './rollout-model';
import type { WizardStep } from './step';

const TIERS: Tier[] = ['sonnet', 'haiku', 'opus'];

/** Where taking the newest deployments is. */
export type NewestState =
  | { kind: 'looking' }
  | { kind: 'taken'; account: Account; picks: Record<Tier, string> }
  | { kind: 'failed'; error: IpcError };

/** The named resource among those discovered (by its name or its custom subdomain). */
export function findResource(d: Discovered, name: string): { sub: Subscription; account: Account } | null {
  for (const sub of d.subscriptions) {
    const account = sub.accounts.find((a) => a.name === name || a.customSubdomain === name);
    if (account) return { sub, account };
  }
  return null;
}

/** The newest of each tier, or why they cannot be taken without asking. */
export function newestPicks(account: Account): Record<Tier, string> | IpcError {
  const missing = TIERS.filter((t) => !account.proposed[t]);
  if (missing.length > 0) {
    return {
      kind: 'config',
      message: `${account.name} has no ${missing.join(' or ')} deployment, so the newest of each tier cannot be taken.`,
      hint: 'Ask your platform team to deploy it, or to name the deployments in the policy.',
    };
  }
  return { sonnet: account.proposed.sonnet ?? '', haiku: account.proposed.haiku ?? '', opus: account.proposed.opus ?? '' };
}

const notFound = (name: string): IpcError => ({
  kind: 'config',
  message: `The resource ${name} that your organisation's policy names is not visible to your account.`,
  hint: 'Sign in with the account your platform team gave access to, or ask them to check the policy.',
});

/** Discovers, lists the named resource's deployments and saves the newest of each tier. */
async function take(name: string): Promise<NewestState> {
  const d = await commands.discover();
  const found = findResource(d, name);
  if (!found) return { kind: 'failed', error: notFound(name) };
  let account = found.account;
  if (!account.deploymentsLoaded) {
    let listing: IpcError | null = null;
    await commands.loadDeployments([account.id], (batch) => {
      for (const ad of batch) {
        if (ad.accountId !== account.id) continue;
        if (ad.error) listing = ad.error;
        else account = { ...account, deployments: ad.deployments, proposed: ad.proposed, deploymentsLoaded: true, note: ad.note };
      }
    });
    if (listing !== null) return { kind: 'failed', error: listing };
  }
  const picks = newestPicks(account);
  if ('kind' in picks) return { kind: 'failed', error: picks };
  // The core turns the policy and this proposal into the choice (the same `setup` makes).
  await commands.saveNewest(found.sub.id, account.proposed);
  return { kind: 'taken', account, picks };
}

/** Why these: every Claude deployment of the tier, the taken one marked. */
function why(account: Account, picks: Record<Tier, string>): HTMLElement {
  return h(
    'details',
    { class: 'newest-why', 'data-testid': 'newest-why' },
    h('summary', null, 'Why these deployments?'),
    h('p', null, 'Your organisation\u2019s policy says to take the newest model version of each tier on this resource. These were there:'),
    h(
      'ul',
      null,
      TIERS.map((t) =>
        h(
          'li',
          null,
          h('strong', null, t),
          ': ',
          account.deployments
            .filter((d) => d.tier === t)
            .map((d, i) => [i > 0 ? ', ' : '', h('code', null, d.name), ` (${d.model} ${d.modelVersion})`, d.name === picks[t] ? ' \u2190 taken' : '']),
        ),
      ),
    ),
  );
}

function render(container: HTMLElement, plan: RolloutPlan, s: NewestState, retry: () => void): void {
  if (s.kind === 'looking') {
    replaceChildren(container, spinner(`Taking the newest deployment of each tier on ${plan.resource ?? 'the resource'}…`));
  } else if (s.kind === 'failed') {
    replaceChildren(container, errorPanel(s.error, retry));
  } else {
    const rows = TIERS.map((t) => ({ key: t, label: t, value: s.picks[t], locked: false }));
    const taken = h(
      'div',
      { 'data-testid': 'newest-taken', class: 'decided' },
      h('p', { role: 'status', class: 'decided-title' }, `Taken without asking: the newest deployment of each tier on ${s.account.name}.`),
      takenList(rows),
      why(s.account, s.picks),
    );
    replaceChildren(container, taken);
  }
}

/** The step: takes the newest deployments as soon as it is shown; Next waits until they are saved. */
export function newestStep(plan: RolloutPlan, changed: () => void): WizardStep {
  const container = h('div', { class: 'newest', 'data-testid': 'newest', 'aria-live': 'polite' });
  let state: NewestState = { kind: 'looking' };
  const run = (): void => {
    state = { kind: 'looking' };
    render(container, plan, state, run);
    take(plan.resource ?? '').then(
      (s) => {
        state = s;
        render(container, plan, state, run);
        if (s.kind === 'taken') changed();
      },
      (e) => {
        state = { kind: 'failed', error: toIpcError(e) };
        render(container, plan, state, run);
      },
    );
  };
  const el = h('div', null, decidedPanel(plan, plan.rows.filter((r) => r.key === 'endpoint')), container);
  run();
  return {
    el,
    canLeave: () => (state.kind === 'taken' ? null : state.kind === 'looking' ? 'The newest deployments are still being taken.' : 'The deployments could not be taken: see the message above.'),
    dispose: () => undefined,
  };
}
