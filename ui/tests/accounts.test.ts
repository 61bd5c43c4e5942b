// The Resource & models step with discovery in two phases: the resources first, then their
// deployments streamed per account; and a tenant with 1,000 resources.
import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { resourceStep } from '../src/resource';
import { VISIBLE } from '../src/accounts';
import type { Account, AccountDeployments, Deployment, Discovered, IpcError } from '../src/bindings';
import { byTestId, getByTestId, key, settle } from './helpers';

function account(id: string, name: string): Account {
  return {
    id, name, location: 'eastus2', sku: 'S0', customSubdomain: name, publicNetworkAccess: 'Disabled',
    privateEndpoints: [{ id: 'pe', status: 'Approved' }],
    deployments: [], deploymentsLoaded: false, proposed: { sonnet: null, haiku: null, opus: null }, note: null,
  };
}

const claude = (name: string, tier: 'sonnet' | 'haiku' | 'opus'): Deployment => ({ name, model: name, modelVersion: '1', format: 'Anthropic', sku: 'GlobalStandard', capacity: 10, tier });

function listed(accountId: string): AccountDeployments {
  return {
    accountId,
    deployments: [claude('claude-sonnet-4-5', 'sonnet'), claude('claude-haiku-4-5', 'haiku'), claude('claude-opus-4-6', 'opus')],
    proposed: { sonnet: 'claude-sonnet-4-5', haiku: 'claude-haiku-4-5', opus: 'claude-opus-4-6' },
    note: null,
    error: null,
  };
}

const noClaude = (accountId: string): AccountDeployments => ({ accountId, deployments: [], proposed: { sonnet: null, haiku: null, opus: null }, note: 'no Claude deployment on this resource', error: null });

const phaseOne: Discovered = {
  elapsedMs: 40,
  requests: 3,
  subscriptions: [{ id: 's1', name: 'Sandbox Dev', tenantId: 't1', error: null, accounts: [account('/a1', 'sandbox-ai'), account('/a2', 'sandbox-openai')] }],
};

/** One `load_deployments` call: the ids asked for, its channel, and how to end it. */
interface Batch {
  ids: string[];
  /** One channel message: the backend sends results in batches. */
  send: (...d: AccountDeployments[]) => void;
  resolve: () => void;
  reject: (e: IpcError) => void;
}

function backend(d: Discovered): Batch[] {
  const batches: Batch[] = [];
  mockIPC((cmd, args) => {
    if (cmd === 'discover') return d;
    if (cmd === 'load_deployments') {
      const a = args as { accountIds: string[]; onLoaded: { onmessage: (x: AccountDeployments[]) => void } };
      return new Promise<void>((resolve, reject) => batches.push({ ids: a.accountIds, send: (...x) => a.onLoaded.onmessage(x), resolve, reject }));
    }
    if (cmd === 'save_models') return { toml: '', locked: [], notices: [] };
    throw { kind: 'internal', message: `unexpected ${cmd}`, hint: 'test' };
  });
  return batches;
}

describe('resource step, deployments in the background', () => {
  afterEach(() => {
    clearMocks();
    document.body.replaceChildren();
  });

  it('shows the resources at once, then each one\'s deployments as they arrive', async () => {
    const batches = backend(phaseOne);
    const el = resourceStep().el;
    document.body.append(el);
    await settle();
    expect(batches.map((b) => b.ids)).toEqual([['/a1', '/a2']]);
    expect(getByTestId('account-status-sandbox-ai', el).textContent).toBe('loading deployments…');
    expect(getByTestId('deployments-progress', el).textContent).toContain('0 of 2');
    expect(getByTestId<HTMLInputElement>('account-sandbox-openai', el).disabled).toBe(false);

    batches[0].send(noClaude('/a2'));
    expect(getByTestId<HTMLInputElement>('account-sandbox-openai', el).disabled).toBe(true);
    expect(getByTestId('account-note-sandbox-openai', el).textContent).toContain('no Claude deployment');
    expect(getByTestId('deployments-progress', el).textContent).toContain('1 of 2');

    // Picked before its deployments came: it jumps the queue with a request of its own.
    const radio = getByTestId<HTMLInputElement>('account-sandbox-ai', el);
    radio.checked = true;
    radio.dispatchEvent(new Event('change'));
    await settle();
    expect(batches[1].ids).toEqual(['/a1']);
    expect(getByTestId('tier-panel', el).textContent).toContain('Loading the deployments of sandbox-ai');
    batches[1].send(listed('/a1'));
    batches[1].resolve();
    expect(getByTestId<HTMLSelectElement>('tier-opus', el).value).toBe('claude-opus-4-6');
    expect(getByTestId('account-status-sandbox-ai', el).textContent).toBe('3 Claude deployments');
    // The person changes a tier; the background batch delivers the same account later: the
    // choice is kept.
    const opus = getByTestId<HTMLSelectElement>('tier-opus', el);
    opus.value = 'claude-sonnet-4-5';
    opus.dispatchEvent(new Event('change'));
    batches[0].send(listed('/a1'));
    batches[0].resolve();
    await settle();
    expect(getByTestId('deployments-progress', el).getAttribute('data-state')).toBe('done');
    expect(getByTestId('deployments-progress', el).textContent).toContain('2 of 2');
    expect(radio.checked).toBe(true);
    expect(getByTestId<HTMLSelectElement>('tier-opus', el)).toBe(opus);
    expect(opus.value).toBe('claude-sonnet-4-5');
  });

  it('an account whose listing failed shows the hint and retries on its own', async () => {
    const batches = backend(phaseOne);
    const el = resourceStep().el;
    document.body.append(el);
    await settle();
    const denied: IpcError = { kind: 'network', message: 'Azure Resource Manager answered 403 for /deployments: AuthorizationFailed: no', hint: 'Ask your Azure admin for Reader access on the subscription.' };
    // Both in one channel message, as the backend batches them.
    batches[0].send({ ...noClaude('/a1'), note: 'its deployments could not be listed', error: denied }, noClaude('/a2'));
    batches[0].resolve();
    await settle();
    expect(getByTestId('account-status-sandbox-ai', el).textContent).toContain('Reader access');
    expect(getByTestId('deployments-progress', el).textContent).toContain('1 could not be listed');
    // Picking it shows the error panel with its hint.
    const radio = getByTestId<HTMLInputElement>('account-sandbox-ai', el);
    radio.checked = true;
    radio.dispatchEvent(new Event('change'));
    expect(getByTestId('error-hint', el).textContent).toContain('Reader access');
    getByTestId<HTMLButtonElement>('account-retry-sandbox-ai', el).click();
    await settle();
    expect(batches[1].ids).toEqual(['/a1']);
    expect(getByTestId('account-status-sandbox-ai', el).textContent).toBe('loading deployments…');
    batches[1].send(listed('/a1'));
    batches[1].resolve();
    await settle();
    expect(getByTestId<HTMLSelectElement>('tier-haiku', el).value).toBe('claude-haiku-4-5');
    expect(byTestId('deployments-retry', el)).toBeNull();
  });

  /** Lists sandbox-ai with `first` (and sandbox-openai without Claude), then picks sandbox-ai. */
  async function pickSandboxAi(first: AccountDeployments): Promise<HTMLElement> {
    const batches = backend(phaseOne);
    const el = resourceStep().el;
    document.body.append(el);
    await settle();
    batches[0].send(first);
    batches[0].send(noClaude('/a2'));
    batches[0].resolve();
    await settle();
    const radio = getByTestId<HTMLInputElement>('account-sandbox-ai', el);
    radio.checked = true;
    radio.dispatchEvent(new Event('change'));
    await settle();
    return el;
  }

  it('a resource without a tier says so instead of showing an empty choice', async () => {
    const el = await pickSandboxAi({ accountId: '/a1', deployments: [claude('claude-sonnet-4-5', 'sonnet')], proposed: { sonnet: 'claude-sonnet-4-5', haiku: null, opus: null }, note: null, error: null });
    const note = getByTestId('missing-tiers', el).textContent ?? '';
    expect(note).toContain('sandbox-ai has no haiku or opus deployment');
    expect(note).toContain('Claude Code needs all three tiers');
  });

  it('a resource with all three tiers shows no such note', async () => {
    const el = await pickSandboxAi(listed('/a1'));
    expect(byTestId('missing-tiers', el)).toBeNull();
  });

  it('a batch that fails as a whole (no token) shows the error with a retry', async () => {
    const batches = backend(phaseOne);
    const el = resourceStep().el;
    document.body.append(el);
    await settle();
    batches[0].reject({ kind: 'network', message: 'you are not signed in to Azure', hint: 'Run `foundry-onboard login` (or `az login`).' });
    await settle();
    expect(getByTestId('error-hint', getByTestId('deployments-progress', el)).textContent).toContain('foundry-onboard login');
    getByTestId<HTMLButtonElement>('error-retry', getByTestId('deployments-progress', el)).click();
    await settle();
    expect(batches[1].ids).toEqual(['/a1', '/a2']);
    batches[1].send(listed('/a1'));
    batches[1].send(noClaude('/a2'));
    batches[1].resolve();
    await settle();
    expect(getByTestId('deployments-progress', el).textContent).toContain('Deployments listed for 2 of 2');
  });
});

/** 20 subscriptions × 50 resources, as ARM lists them in 20 pages. */
function thousand(): Discovered {
  const subscriptions = Array.from({ length: 20 }, (_, s) => ({
    id: `s${s}`, name: `Team ${s}`, tenantId: 't1', error: null,
    accounts: Array.from({ length: 50 }, (_, i) => account(`/subscriptions/s${s}/providers/Microsoft.CognitiveServices/accounts/acct-${s}-${i}`, `acct-${s}-${i}`)),
  }));
  return { elapsedMs: 300, requests: 21, subscriptions };
}

describe('1,000 resources in 20 subscriptions', () => {
  afterEach(() => {
    clearMocks();
    document.body.replaceChildren();
  });

  it('renders a page of them at once, streams 1,000 results quickly, and the filter narrows', async () => {
    const batches = backend(thousand());
    const el = resourceStep().el;
    document.body.append(el);
    await settle();
    expect(el.querySelectorAll('input[name="account"]').length).toBe(VISIBLE);
    expect(getByTestId('accounts-more', el).textContent).toBe('950 more — type to filter');
    expect(batches[0].ids.length).toBe(1000);

    const started = performance.now();
    for (const id of batches[0].ids) batches[0].send(listed(id));
    batches[0].resolve();
    await settle();
    const ms = performance.now() - started;
    expect(ms, `1,000 results took ${ms.toFixed(0)} ms`).toBeLessThan(2000);
    expect(getByTestId('deployments-progress', el).textContent).toContain('1,000 of 1,000');
    expect(getByTestId('account-status-acct-0-0', el).textContent).toBe('3 Claude deployments');

    const filter = getByTestId<HTMLInputElement>('account-filter', el);
    filter.value = 'acct-7-4';
    filter.dispatchEvent(new Event('input'));
    const names = [...el.querySelectorAll<HTMLInputElement>('input[name="account"]')].map((r) => r.getAttribute('data-testid'));
    // acct-7-4 and acct-7-40 … acct-7-49
    expect(names.length).toBe(11);
    expect(names[0]).toBe('account-acct-7-4');
    expect(getByTestId('accounts-more', el).textContent).toBe('');
    expect(byTestId('subscription-s0', el)).toBeNull();
    filter.value = 'Team 19';
    filter.dispatchEvent(new Event('input'));
    expect(el.querySelectorAll('input[name="account"]').length).toBe(50);
    filter.value = 'nothing-like-this';
    filter.dispatchEvent(new Event('input'));
    expect(getByTestId('accounts-more', el).textContent).toContain('No resource matches');
  });

  it('keyboard: from the filter into the list, up and down, Enter picks the first match', async () => {
    const batches = backend(thousand());
    const el = resourceStep().el;
    document.body.append(el);
    await settle();
    for (const id of batches[0].ids) batches[0].send(id.endsWith('acct-0-1') ? noClaude(id) : listed(id));
    batches[0].resolve();
    await settle();

    const filter = getByTestId<HTMLInputElement>('account-filter', el);
    filter.focus();
    expect(key(filter, 'ArrowDown').defaultPrevented).toBe(true);
    const first = getByTestId<HTMLInputElement>('account-acct-0-0', el);
    expect(document.activeElement).toBe(first);
    expect(first.checked).toBe(true);
    expect(getByTestId('tier-panel', el).textContent).toContain('Deployments on acct-0-0');
    // ArrowDown skips acct-0-1 (no Claude: disabled).
    key(first, 'ArrowDown');
    const third = getByTestId<HTMLInputElement>('account-acct-0-2', el);
    expect(document.activeElement).toBe(third);
    expect(third.checked).toBe(true);
    expect(getByTestId('tier-panel', el).textContent).toContain('Deployments on acct-0-2');
    key(third, 'ArrowUp');
    expect(document.activeElement).toBe(first);
    key(first, 'ArrowUp');
    expect(document.activeElement).toBe(filter);

    filter.value = 'acct-12-3';
    filter.dispatchEvent(new Event('input'));
    key(filter, 'Enter');
    expect(getByTestId<HTMLInputElement>('account-acct-12-3', el).checked).toBe(true);
    expect(getByTestId('tier-panel', el).textContent).toContain('Deployments on acct-12-3');
  });
});
