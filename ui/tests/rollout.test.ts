// The zero-decision wizard from an org policy: the plan built from what the core says was decided,
// the wizard's moves on by itself, and the app rendering it (decided rows, locks, the newest taken).
import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import type { Account, Discovered, ProfileOutcome } from '../src/bindings';
import { findResource, newestPicks } from '../src/newest';
import type { Decided } from '../src/bindings';
import { autoPlan, planOf, startStep } from '../src/rollout-model';
import { currentStep, initialWizard, updateWizard } from '../src/wizard-model';
import { appInfoFixture, byTestId, click, getByTestId, mockBackend, mount, NOT_SIGNED_IN, NOTHING_DECIDED, settle, waitFor } from './helpers';

const v = (deployment: string, locked = true) => ({ deployment, by: 'organisation' as const, locked });

/** A policy that decides everything: login, resource, three deployments, all locked. */
const FULL: Decided = {
  policyFile: '/tmp/policy.toml',
  login: { mode: 'cli', by: 'organisation', locked: true },
  endpoint: { endpoint: { kind: 'resource', name: 'sandbox-ai' }, by: 'organisation', locked: true },
  sonnet: v('claude-sonnet-4-5'),
  haiku: v('claude-haiku-4-5'),
  opus: v('claude-opus-4-6'),
  choose: 'ask',
  leftToAsk: [],
};

const NEWEST: Decided = { ...FULL, endpoint: { endpoint: { kind: 'resource', name: 'sandbox-ai' }, by: 'organisation', locked: false }, sonnet: null, haiku: null, opus: null, choose: 'newest' };

describe('the plan from what the policy decided', () => {
  it('no policy, or one that decides nothing the wizard asks, is no plan: the wizard is as it was', () => {
    expect(planOf(null)).toBeNull();
    expect(planOf(undefined)).toBeNull();
    expect(planOf({ policyFile: null, login: null, endpoint: null, sonnet: null, haiku: null, opus: null, choose: 'ask', leftToAsk: ['endpoint', 'sonnet', 'haiku', 'opus'] })).toBeNull();
    expect(startStep(null)).toBe('welcome');
    expect(autoPlan(null)).toEqual({ auto: [], decided: [] });
  });

  it('a full policy: every row shown as decided and locked, nothing to ask, Resource decided entirely', () => {
    const plan = planOf(FULL)!;
    expect(plan.rows.map((r) => [r.key, r.value, r.locked])).toEqual([
      ['login', 'Entra ID (az login)', true],
      ['endpoint', 'sandbox-ai', true],
      ['sonnet', 'claude-sonnet-4-5', true],
      ['haiku', 'claude-haiku-4-5', true],
      ['opus', 'claude-opus-4-6', true],
    ]);
    expect(plan.models).toBe('named');
    expect(plan.zeroDecision).toBe(true);
    expect(plan.endpointLocked).toBe(true);
    expect(startStep(plan)).toBe('signin');
    expect(autoPlan(plan)).toEqual({ auto: ['signin', 'profile'], decided: ['resource'] });
  });

  it('a resource with choose = "newest": the models are taken, not asked; anything left to ask keeps the wizard as it is', () => {
    const plan = planOf(NEWEST)!;
    expect(plan.models).toBe('newest');
    expect(plan.resource).toBe('sandbox-ai');
    expect(autoPlan(plan).decided).toEqual([]);
    const ask = planOf({ ...NEWEST, choose: 'ask', leftToAsk: ['sonnet', 'haiku', 'opus'] })!;
    expect(ask.models).toBe('ask');
    expect(ask.zeroDecision).toBe(false);
    expect(startStep(ask)).toBe('welcome');
  });
});

describe('the wizard moving on by itself', () => {
  const full = autoPlan(planOf(FULL));

  it('a signed-in Sign in step jumps over the decided Resource step to Profile; Back still shows Resource', () => {
    let s = initialWizard('signin', full);
    s = updateWizard(s, { type: 'done', step: 'signin' });
    expect(currentStep(s)).toBe('profile');
    expect(s.alive).toEqual(['signin', 'profile']);
    expect(currentStep(updateWizard(s, { type: 'back' }))).toBe('resource');
    // A verified profile moves on to Verify.
    expect(currentStep(updateWizard(s, { type: 'done', step: 'profile' }))).toBe('verify');
  });

  it('only the step on screen moves it, only in a zero-decision run, and Verify waits for Next', () => {
    const s = initialWizard('signin', full);
    expect(updateWizard(s, { type: 'done', step: 'profile' })).toBe(s);
    const plain = initialWizard('signin');
    expect(updateWizard(plain, { type: 'done', step: 'signin' })).toBe(plain);
    const onVerify = updateWizard(updateWizard(s, { type: 'done', step: 'signin' }), { type: 'done', step: 'profile' });
    expect(updateWizard(onVerify, { type: 'done', step: 'verify' })).toBe(onVerify);
  });
});

describe('newest of each tier', () => {
  const account = (proposed: Account['proposed']): Account => ({
    id: '/a1', name: 'sandbox-ai', location: 'eastus2', sku: 'S0', customSubdomain: 'sandbox-ai', publicNetworkAccess: 'Disabled', privateEndpoints: [],
    deployments: [], deploymentsLoaded: true, proposed, note: null,
  });

  it('takes the core\u2019s proposal, or says which tier is missing and what to do', () => {
    expect(newestPicks(account({ sonnet: 's2', haiku: 'h1', opus: 'o1' }))).toEqual({ sonnet: 's2', haiku: 'h1', opus: 'o1' });
    const err = newestPicks(account({ sonnet: 's2', haiku: null, opus: null }));
    expect(err).toMatchObject({ kind: 'config' });
    expect((err as { message: string }).message).toContain('no haiku or opus deployment');
  });

  it('finds the named resource by name or custom subdomain', () => {
    const d: Discovered = { elapsedMs: 1, requests: 1, subscriptions: [{ id: 's1', name: 'S', tenantId: 't', error: null, accounts: [{ ...account({ sonnet: null, haiku: null, opus: null }), name: 'Sandbox AI' }] }] };
    expect(findResource(d, 'sandbox-ai')?.sub.id).toBe('s1');
    expect(findResource(d, 'other')).toBeNull();
  });
});

const VERIFIED: ProfileOutcome = {
  files: [{ target: 'bash', path: '/h/.bashrc', action: 'create', diff: '' }],
  shells: [{ target: 'bash', status: 'pass', detail: 'ok', mismatches: [] }],
  client: { status: 'pass', detail: 'claude answered' },
} as unknown as ProfileOutcome;

describe('the app with a full policy', () => {
  afterEach(() => clearMocks());

  function backend(decided: Decided | null, extra: Record<string, (cmd: string, args?: unknown) => unknown> = {}): string[] {
    return mockBackend({
      app_info: () => appInfoFixture({ policyFile: decided ? '/tmp/policy.toml' : null }),
      config_view: () => ({ toml: '', locked: [], notices: [], decided: decided ?? NOTHING_DECIDED }),
      signin_status: () => NOT_SIGNED_IN,
      signin_start: () => ({ ...NOT_SIGNED_IN.state, signedIn: true, user: 'dev@sandbox.example', tenantId: 't1' }),
      profile_preview: () => {
        throw { kind: 'internal', message: 'not in this test', hint: 'test' };
      },
      ...extra,
    });
  }

  it('opens at Sign in with the decisions shown as made and locked, then moves to Profile once signed in', async () => {
    const calls = backend(FULL);
    const app = await mount();
    expect(app.wizard?.current).toBe('signin');
    expect(getByTestId('rollout-intro').textContent).toContain('Your organisation has made the choices');
    const panel = getByTestId('decided-panel');
    expect(panel.textContent).toContain('Decided by your organisation');
    expect(getByTestId('decided-endpoint').dataset.locked).toBe('true');
    expect(getByTestId('decided-opus').textContent).toContain('claude-opus-4-6');
    expect(getByTestId('decided-opus').textContent).toContain('Set by your organisation · locked');
    // The decided step is marked in the progress list (for a screen reader too).
    const resourceItem = [...getByTestId('wizard-steps').querySelectorAll('li')][2];
    expect(resourceItem.dataset.decided).toBe('true');
    expect(resourceItem.textContent).toContain('set by your organisation');
    await waitFor(() => byTestId('signin-start'));
    click(getByTestId('signin-start'));
    await waitFor(() => app.wizard?.current === 'profile');
    // Focus goes to the new step's heading, as with Next.
    expect(document.activeElement?.id).toBe('step-profile-title');
    // Back shows the Resource step read-only: nothing to choose, no ARM query, no gateway form.
    click(getByTestId('wizard-back'));
    expect(getByTestId('resource-decided').textContent).toContain('nothing to choose');
    expect(byTestId('tier-sonnet')).toBeNull();
    expect(byTestId('gateway-option')).toBeNull();
    expect(calls).not.toContain('discover');
  });

  it('a verified profile moves on to Verify by itself', async () => {
    backend(FULL, {
      profile_preview: () => ({ sandbox: true, home: '/h', mode: 'entra', files: [], effective: { vars: [], findings: [] } }),
      profile_write: () => VERIFIED,
      doctor_run: () => new Promise(() => undefined),
    });
    const app = await mount();
    await waitFor(() => byTestId('signin-start'));
    click(getByTestId('signin-start'));
    await waitFor(() => byTestId('profile-write'));
    click(getByTestId('profile-write'));
    await waitFor(() => app.wizard?.current === 'verify');
    click(getByTestId('wizard-back'));
    expect(getByTestId('profile-result').dataset.state).toBe('verified');
    expect(getByTestId('profile-verified').textContent).toContain('Verified');
  });

  it('without a policy the app does not ask what was decided and opens at Welcome', async () => {
    const calls = backend(null);
    const app = await mount();
    expect(app.wizard?.current).toBe('welcome');
    expect(byTestId('decided-panel')).toBeNull();
    expect(calls).toEqual(['app_info']);
  });

  it('choose = "newest": the newest of each tier is saved without a question, with the reason one click away', async () => {
    const sandbox: Account = {
      id: '/a1', name: 'sandbox-ai', location: 'eastus2', sku: 'S0', customSubdomain: 'sandbox-ai', publicNetworkAccess: 'Disabled', privateEndpoints: [],
      deployments: [
        { name: 'claude-sonnet-4-5', model: 'claude-sonnet-4-5', modelVersion: '1', format: 'Anthropic', sku: 'GlobalStandard', capacity: 1, tier: 'sonnet' },
        { name: 'claude-haiku-4-5', model: 'claude-haiku-4-5', modelVersion: '1', format: 'Anthropic', sku: 'GlobalStandard', capacity: 1, tier: 'haiku' },
        { name: 'claude-opus-4-6', model: 'claude-opus-4-6', modelVersion: '1', format: 'Anthropic', sku: 'GlobalStandard', capacity: 1, tier: 'opus' },
      ],
      deploymentsLoaded: true,
      proposed: { sonnet: 'claude-sonnet-4-5', haiku: 'claude-haiku-4-5', opus: 'claude-opus-4-6' },
      note: null,
    };
    const saved: unknown[] = [];
    backend(NEWEST, {
      discover: () => ({ elapsedMs: 1, requests: 3, subscriptions: [{ id: 's1', name: 'S', tenantId: 't', error: null, accounts: [sandbox] }] }),
      save_newest: (_c, args) => {
        saved.push(args);
        return { toml: '', locked: [], notices: [], decided: NEWEST };
      },
    });
    const app = await mount();
    await waitFor(() => byTestId('signin-start'));
    click(getByTestId('signin-start'));
    await waitFor(() => app.wizard?.current === 'resource');
    await waitFor(() => byTestId('newest-taken'));
    await settle();
    expect(saved).toEqual([{ subscriptionId: 's1', proposed: { sonnet: 'claude-sonnet-4-5', haiku: 'claude-haiku-4-5', opus: 'claude-opus-4-6' } }]);
    expect(byTestId('tier-sonnet')).toBeNull();
    expect(getByTestId('newest-why').textContent).toContain('claude-opus-4-6 (claude-opus-4-6 1) \u2190 taken');
    click(getByTestId('wizard-next'));
    expect(app.wizard?.current).toBe('profile');
  });
});
