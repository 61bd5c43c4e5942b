// The Resource & models step: subscriptions → Azure AI Foundry resources → the three Claude tiers,
// the newest deployment of each tier proposed, exact names shown, saved to the config.
import { errorPanel, loadInto } from './async';
import { h, replaceChildren } from './dom';
import { discover, saveGateway, saveModels, toIpcError, type Account, type Deployment, type Discovered, type Subscription, type Tier } from './ipc';

const TIERS: Tier[] = ['sonnet', 'haiku', 'opus'];

function accountOption(sub: Subscription, a: Account, onPick: () => void): HTMLElement {
  const usable = a.note === null && a.deployments.some((d) => d.tier !== null);
  const pe = a.privateEndpoints.map((p) => p.status).join(', ') || 'none';
  const input = h('input', {
    type: 'radio',
    name: 'account',
    value: `${sub.id}/${a.name}`,
    disabled: !usable,
    'data-testid': `account-${a.name}`,
    on: { change: onPick },
  });
  return h(
    'label',
    { class: usable ? 'account' : 'account account-disabled' },
    input,
    ' ',
    h('strong', null, a.name),
    h('span', { class: 'muted' }, ` — ${a.location} · public network access ${a.publicNetworkAccess} · private endpoints: ${pe}`),
    a.note ? h('span', { class: 'account-note', 'data-testid': `account-note-${a.name}` }, a.note) : null,
  );
}

function tierSelect(tier: Tier, account: Account, onChange: () => void): HTMLSelectElement {
  const claude = account.deployments.filter((d: Deployment) => d.tier !== null);
  const proposed = account.proposed[tier];
  return h(
    'select',
    { id: `tier-${tier}`, 'data-testid': `tier-${tier}`, on: { change: onChange } },
    h('option', { value: '' }, '— choose —'),
    claude.map((d) =>
      h('option', { value: d.name, selected: d.name === proposed }, `${d.name} (${d.model} ${d.modelVersion}, ${d.sku}${d.capacity !== null ? `, capacity ${d.capacity}` : ''})`),
    ),
  );
}

function renderTiers(panel: HTMLElement, step: HTMLElement, sub: Subscription, account: Account): void {
  step.setAttribute('data-blocks-next', `Save the deployments for ${account.name} first (or choose none).`);
  const result = h('div', { 'aria-live': 'polite' });
  const reuse = h('input', { type: 'checkbox', 'data-testid': 'confirm-reuse' });
  const reuseRow = h('label', { class: 'reuse hidden', 'data-testid': 'reuse-row' }, reuse, ' Use one deployment for two tiers (Claude Code then sends the same model for both).');
  const selects: Record<Tier, HTMLSelectElement> = {} as Record<Tier, HTMLSelectElement>;
  const refresh = (): void => {
    const names = TIERS.map((t) => selects[t].value).filter((v) => v !== '');
    reuseRow.classList.toggle('hidden', new Set(names).size === names.length);
  };
  for (const t of TIERS) selects[t] = tierSelect(t, account, refresh);
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
          saveModels(choice).then(
            () => {
              step.removeAttribute('data-blocks-next');
              replaceChildren(result, h('p', { class: 'callout', 'data-testid': 'models-saved' }, `Saved: ${account.name} with ${choice.sonnet}, ${choice.haiku} and ${choice.opus}.`));
            },
            (e) => replaceChildren(result, errorPanel(toIpcError(e), () => save.click())),
          );
        },
      },
    },
    'Save',
  );
  replaceChildren(
    panel,
    h('h3', null, `Deployments on ${account.name}`),
    h('p', { class: 'muted' }, 'Deployment names cannot be changed after creation: these are the exact names Claude Code will send.'),
    h('div', { class: 'tiers' }, TIERS.map((t) => h('div', { class: 'tier' }, h('label', { for: `tier-${t}` }, t), selects[t]))),
    reuseRow,
    h('div', { class: 'actions' }, save),
    result,
  );
  refresh();
}

function render(step: HTMLElement, container: HTMLElement, d: Discovered): void {
  const panel = h('div', { class: 'tier-panel', 'data-testid': 'tier-panel' });
  if (d.subscriptions.length === 0) {
    replaceChildren(container, h('p', { 'data-testid': 'no-subscriptions' }, 'No subscription is visible to your account. Ask your Azure admin for access, or sign in to another tenant.'));
    return;
  }
  replaceChildren(
    container,
    d.subscriptions.map((sub) =>
      h(
        'fieldset',
        { class: 'subscription', 'data-testid': `subscription-${sub.id}` },
        h('legend', null, sub.name),
        sub.error ? h('p', { class: 'account-note' }, `Cannot list its resources: ${sub.error}`) : null,
        sub.accounts.length === 0 && !sub.error ? h('p', { class: 'muted' }, 'No Azure AI Foundry resource.') : null,
        sub.accounts.map((a) => accountOption(sub, a, () => renderTiers(panel, step, sub, a))),
      ),
    ),
    h('p', { class: 'muted' }, `${d.requests} requests to Azure Resource Manager in ${d.elapsedMs} ms.`),
    panel,
  );
}

/** The corporate gateway instead of a resource: its URL and the deployment names, typed. */
function gatewayForm(step: HTMLElement): HTMLElement {
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
          saveGateway(choice).then(
            () => {
              step.removeAttribute('data-blocks-next');
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

/** The Resource & models step's body. */
export function resourceStep(): HTMLElement {
  const container = h('div', { class: 'resources', 'data-testid': 'resources' });
  const step = h('div', null, h('p', null, 'Choose the Azure AI Foundry resource, then the deployment for each of the sonnet, haiku and opus tiers. The newest of each tier is proposed.'), container);
  step.append(gatewayForm(step));
  void loadInto(container, discover, (d) => render(step, container, d), { loadingLabel: 'Looking for your Azure AI Foundry resources…' });
  return step;
}
