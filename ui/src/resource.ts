// The Resource & models step: subscriptions → Azure AI Foundry resources (shown as soon as they are
// found) → their deployments (listed in the background, the picked resource first) → the three
// Claude tiers, the newest deployment of each tier proposed, exact names shown, saved to the config.
import { accountList, usable, type Entry } from './accounts';
import { errorPanel, loadInto, spinner } from './async';
import { h, replaceChildren } from './dom';
import { decidedPanel } from './decided';
import { newestStep } from './newest';
import { decidedRow, type RolloutPlan } from './rollout-model';
import type { WizardStep } from './step';
import {
  commands,
  toIpcError,
  type Account,
  type AccountDeployments,
  type Deployment,
  type Discovered,
  type IpcError,
  type Subscription,
  type Tier,
} from './ipc';

const TIERS: Tier[] = ['sonnet', 'haiku', 'opus'];

/** Whether Next may leave the step: a picked resource whose deployments are not saved holds it. */
export type LeaveState = { unsaved: string | null };

export type LeaveEvent = { type: 'picked'; account: string } | { type: 'saved' };

export function updateLeave(_s: LeaveState, e: LeaveEvent): LeaveState {
  switch (e.type) {
    case 'picked':
      return { unsaved: `Save the deployments for ${e.account} first (or choose none).` };
    case 'saved':
      return { unsaved: null };
  }
}

/** The step's own state and how it tells the wizard about a save. */
interface Guard {
  dispatch: (e: LeaveEvent) => void;
}

function tierSelect(tier: Tier, account: Account, plan: RolloutPlan | null, onChange: () => void): HTMLSelectElement {
  const claude = account.deployments.filter((d: Deployment) => d.tier !== null);
  // The policy's name for this tier wins over the proposal; a locked one cannot be changed.
  const decided = decidedRow(plan, tier);
  const proposed = decided?.value ?? account.proposed[tier];
  return h(
    'select',
    { id: `tier-${tier}`, 'data-testid': `tier-${tier}`, disabled: decided?.locked ?? false, 'aria-describedby': decided ? 'decided-title' : false, on: { change: onChange } },
    h('option', { value: '' }, '— choose —'),
    claude.map((d) =>
      h('option', { value: d.name, selected: d.name === proposed }, `${d.name} (${d.model} ${d.modelVersion}, ${d.sku}${d.capacity !== null ? `, capacity ${d.capacity}` : ''})`),
    ),
  );
}

function renderTiers(panel: HTMLElement, guard: Guard, sub: Subscription, account: Account, plan: RolloutPlan | null): void {
  guard.dispatch({ type: 'picked', account: account.name });
  const result = h('div', { 'aria-live': 'polite' });
  const reuse = h('input', { type: 'checkbox', 'data-testid': 'confirm-reuse' });
  const reuseRow = h('label', { class: 'reuse hidden', 'data-testid': 'reuse-row' }, reuse, ' Use one deployment for two tiers (Claude Code then sends the same model for both).');
  const selects: Record<Tier, HTMLSelectElement> = {} as Record<Tier, HTMLSelectElement>;
  const refresh = (): void => {
    const names = TIERS.map((t) => selects[t].value).filter((v) => v !== '');
    reuseRow.classList.toggle('hidden', new Set(names).size === names.length);
  };
  for (const t of TIERS) selects[t] = tierSelect(t, account, plan, refresh);
  const save = h(
    'button',
    {
      type: 'button',
      class: 'btn btn-primary',
      'data-testid': 'save-models',
      on: {
        click: () => {
          const choice = {
            subscriptionId: sub.id,
            resource: account.customSubdomain ?? account.name,
            sonnet: selects.sonnet.value,
            haiku: selects.haiku.value,
            opus: selects.opus.value,
            reuseConfirmed: reuse.checked,
          };
          commands.saveModels(choice).then(
            () => {
              guard.dispatch({ type: 'saved' });
              replaceChildren(result, h('p', { class: 'callout', 'data-testid': 'models-saved' }, `Saved: ${account.name} with ${choice.sonnet}, ${choice.haiku} and ${choice.opus}.`));
            },
            (e) => replaceChildren(result, errorPanel(toIpcError(e), () => save.click())),
          );
        },
      },
    },
    'Save',
  );
  // A tier this resource has no deployment for: say so, instead of an empty-looking choice.
  const missing = TIERS.filter((t) => !account.deployments.some((d: Deployment) => d.tier === t));
  const missingNote =
    missing.length === 0
      ? null
      : h(
          'p',
          { class: 'callout callout-warn', 'data-testid': 'missing-tiers', role: 'note' },
          `${account.name} has no ${missing.join(' or ')} deployment. Claude Code needs all three tiers (it falls back to a model name this resource does not serve): pick another resource, ask the platform team to deploy ${missing.length === 1 ? 'it' : 'them'}, or use another tier's deployment and confirm the reuse.`,
        );
  replaceChildren(
    panel,
    h('h3', null, `Deployments on ${account.name}`),
    h('p', { class: 'muted' }, 'Deployment names cannot be changed after creation: these are the exact names Claude Code will send.'),
    missingNote,
    h('div', { class: 'tiers' }, TIERS.map((t) => h('div', { class: 'tier' }, h('label', { for: `tier-${t}` }, t), selects[t]))),
    reuseRow,
    h('div', { class: 'actions' }, save),
    result,
  );
  refresh();
}

/** What the panel under the list shows for the picked account, whatever its deployments' state. */
function renderPick(panel: HTMLElement, guard: Guard, e: Entry, retry: (e: Entry) => void, plan: RolloutPlan | null): void {
  const name = e.account.name;
  if (e.state === 'loading') {
    replaceChildren(panel, spinner(`Loading the deployments of ${name}…`));
  } else if (e.state === 'failed') {
    replaceChildren(panel, errorPanel(e.error ?? { kind: 'internal', message: 'unknown error', hint: 'Try again.' }, () => retry(e)));
  } else if (usable(e)) {
    renderTiers(panel, guard, e.sub, e.account, plan);
  } else {
    replaceChildren(panel, h('p', { class: 'muted' }, `${name}: ${e.account.note ?? 'no Claude deployment'}`));
  }
}

function render(guard: Guard, container: HTMLElement, d: Discovered, plan: RolloutPlan | null): void {
  const panel = h('div', { class: 'tier-panel', 'data-testid': 'tier-panel' });
  if (d.subscriptions.length === 0) {
    replaceChildren(container, h('p', { 'data-testid': 'no-subscriptions' }, 'No subscription is visible to your account. Ask your Azure admin for access, or sign in to another tenant.'));
    return;
  }
  const progress = h('div', { class: 'deployments-progress', 'data-testid': 'deployments-progress', 'aria-live': 'polite' });
  /** Accounts with a request of their own in flight (picked before the background reached them). */
  const asked = new Set<Entry>();
  const onLoaded = (batch: AccountDeployments[]): void => {
    for (const found of batch) {
      const picked = list.selected();
      // The panel waits on the picked account; once it shows the tiers, a second copy of the same
      // result (its own request and the background both answer) must not reset the person's choice.
      const waiting = picked !== null && picked.account.id === found.accountId && picked.state !== 'loaded';
      const e = list.apply(found);
      if (e !== null) asked.delete(e);
      if (waiting && picked !== null) renderPick(panel, guard, picked, retry, plan);
    }
    showProgress();
  };
  const load = (some: Entry[]): void => {
    if (some.length === 0) return;
    list.markLoading(some);
    showProgress();
    commands.loadDeployments(
      some.map((e) => e.account.id),
      onLoaded,
    ).then(() => showProgress(), (err) => {
      list.fail(some, toIpcError(err));
      const picked = list.selected();
      if (picked !== null && some.includes(picked)) renderPick(panel, guard, picked, retry, plan);
      showProgress(toIpcError(err));
    });
  };
  const retry = (e: Entry): void => {
    asked.add(e);
    load([e]);
    if (e === list.selected()) renderPick(panel, guard, e, retry, plan);
  };
  const showProgress = (batchError?: IpcError): void => {
    const { loaded, failed, total } = list.counts();
    const n = (x: number): string => x.toLocaleString('en');
    const failedOnes = (): Entry[] => list.entries.filter((e) => e.state === 'failed');
    if (batchError) {
      replaceChildren(progress, errorPanel(batchError, () => load(failedOnes())));
    } else if (loaded + failed < total) {
      replaceChildren(progress, h('p', { class: 'muted' }, `Listing deployments: ${n(loaded + failed)} of ${n(total)} resources…`));
    } else {
      progress.setAttribute('data-state', 'done');
      replaceChildren(
        progress,
        h('p', { class: 'muted' }, `Deployments listed for ${n(loaded)} of ${n(total)} resources.`, failed > 0 ? ` ${n(failed)} could not be listed. ` : null),
        failed > 0 ? h('button', { type: 'button', class: 'btn', 'data-testid': 'deployments-retry', on: { click: () => load(failedOnes()) } }, 'Retry those') : null,
      );
      return;
    }
    progress.setAttribute('data-state', 'loading');
  };
  const list = accountList(d, {
    onPick: (e) => {
      if (e.state === 'loading' && !asked.has(e)) {
        // Jump the queue: the picked account gets its own request now.
        asked.add(e);
        commands.loadDeployments([e.account.id], onLoaded).catch((err) => {
          list.fail([e], toIpcError(err));
          if (e === list.selected()) renderPick(panel, guard, e, retry, plan);
          showProgress();
        });
      }
      renderPick(panel, guard, e, retry, plan);
    },
    onRetry: retry,
  });
  replaceChildren(container, list.element, progress, h('p', { class: 'muted' }, `${d.requests} requests to Azure Resource Manager in ${d.elapsedMs} ms.`), panel);
  // In the background, in the order shown; accounts that came with their deployments are skipped.
  load(list.entries.filter((e) => e.state === 'loading'));
  showProgress();
}

/** The corporate gateway instead of a resource: its URL and the deployment names, typed. */
function gatewayForm(guard: Guard): HTMLElement {
  const result = h('div', { 'aria-live': 'polite' });
  const field = (id: string, label: string, placeholder: string): [HTMLElement, HTMLInputElement] => {
    const input = h('input', { id, type: 'text', 'data-testid': id, placeholder, autocomplete: 'off', spellcheck: 'false' });
    return [h('div', { class: 'tier' }, h('label', { for: id }, label), input), input];
  };
  const [urlRow, url] = field('gateway-url', 'URL', 'https://llm.example.com');
  const [sRow, sonnet] = field('gateway-sonnet', 'sonnet', 'deployment name');
  const [hRow, haiku] = field('gateway-haiku', 'haiku', 'deployment name');
  const [oRow, opus] = field('gateway-opus', 'opus', 'deployment name');
  const reuse = h('input', { type: 'checkbox', 'data-testid': 'gateway-confirm-reuse' });
  const save = h(
    'button',
    {
      type: 'button',
      class: 'btn btn-primary',
      'data-testid': 'save-gateway',
      on: {
        click: () => {
          const choice = { url: url.value.trim(), sonnet: sonnet.value.trim(), haiku: haiku.value.trim(), opus: opus.value.trim(), reuseConfirmed: reuse.checked };
          commands.saveGateway(choice).then(
            () => {
              guard.dispatch({ type: 'saved' });
              replaceChildren(result, h('p', { class: 'callout', 'data-testid': 'gateway-saved' }, `Saved: Claude Code goes through ${choice.url}.`));
            },
            (e) => replaceChildren(result, errorPanel(toIpcError(e), () => save.click())),
          );
        },
      },
    },
    'Save gateway',
  );
  return h(
    'details',
    { class: 'gateway', 'data-testid': 'gateway-option' },
    h('summary', null, 'Use the corporate LLM gateway instead'),
    h('p', { class: 'muted' }, 'The gateway forwards to Azure AI Foundry with its own credential (stored in the OS keyring with `foundry-onboard secret set gateway-key`). Enter the deployment names exactly as your platform team gave them.'),
    h('div', { class: 'tiers' }, urlRow, sRow, hRow, oRow),
    h('label', { class: 'reuse' }, reuse, ' One deployment may serve two tiers'),
    h('div', { class: 'actions' }, save),
    result,
  );
}

/** The policy named the endpoint and the three deployments: shown as made, nothing to ask (no ARM query). */
function namedByPolicy(plan: RolloutPlan): WizardStep {
  const el = h(
    'div',
    { 'data-testid': 'resource-decided' },
    h('p', null, 'Your organisation chose where Claude Code’s models run. There is nothing to choose here.'),
    decidedPanel(plan, plan.rows.filter((r) => r.key !== 'login')),
  );
  return { el, canLeave: () => null, dispose: () => undefined };
}

/** The Resource & models step; `changed` hears of each saved choice. */
export function resourceStep(ctx: { changed: () => void; plan?: RolloutPlan | null } = { changed: () => undefined }): WizardStep {
  const plan = ctx.plan ?? null;
  const endpoint = decidedRow(plan, 'endpoint');
  if (plan && plan.models === 'named' && endpoint) return namedByPolicy(plan);
  if (plan && plan.models === 'newest') return newestStep(plan, ctx.changed);
  let leave: LeaveState = { unsaved: null };
  const guard: Guard = {
    dispatch: (e) => {
      leave = updateLeave(leave, e);
      if (e.type === 'saved') ctx.changed();
    },
  };
  const container = h('div', { class: 'resources', 'data-testid': 'resources' });
  const el = h(
    'div',
    null,
    h('p', null, 'Choose the Azure AI Foundry resource, then the deployment for each of the sonnet, haiku and opus tiers. The newest of each tier is proposed.'),
    decidedPanel(plan, plan?.rows.filter((r) => r.key !== 'login')),
    container,
  );
  // A locked endpoint leaves no other way to reach Claude: no gateway to type in.
  if (!plan?.endpointLocked) el.append(gatewayForm(guard));
  void loadInto(container, commands.discover, (d) => render(guard, container, d, plan), { loadingLabel: 'Looking for your Azure AI Foundry resources…' });
  return { el, canLeave: () => leave.unsaved, dispose: () => undefined };
}
