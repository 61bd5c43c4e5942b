// What the org policy decided, as the wizard uses it: the rows it shows as made ("Set by your
// organisation", locked or not), how the models are settled (named, taken newest, or asked), and
// whether anything is left to ask — then the wizard starts at Sign in and moves on by itself.
// Pure: built from the core's `Decided` (carried in `ConfigView.decided`), tested with vitest.
import type { Decided, DecidedEndpoint } from './ipc';
import type { StepId } from './wizard-model';

type EndpointKind = DecidedEndpoint['kind'];
export type DecidedKey = 'login' | 'endpoint' | 'sonnet' | 'haiku' | 'opus';
export const MODEL_KEYS = ['sonnet', 'haiku', 'opus'] as const;

export interface DecidedRow {
  key: DecidedKey;
  label: string;
  value: string;
  locked: boolean;
}

/**
 * How the three deployments are settled: the policy names them; the policy names a resource and
 * says `choose = "newest"` (the newest of each tier is taken without asking); or they are asked.
 */
export type ModelsPlan = 'named' | 'newest' | 'ask';

export interface RolloutPlan {
  rows: DecidedRow[];
  models: ModelsPlan;
  /** Nothing is left to ask: the wizard starts at Sign in and moves on after each step's job. */
  zeroDecision: boolean;
  /** The resource the policy names (the one the newest deployments are taken from). */
  resource: string | null;
  /** The policy locks the endpoint: no other resource or gateway can be picked. */
  endpointLocked: boolean;
}

const ENDPOINT_LABEL: Record<EndpointKind, string> = { resource: 'Resource', baseUrl: 'Base URL', gateway: 'Gateway' };
const LOGIN_LABEL: Record<string, string> = { cli: 'Entra ID (az login)', 'api-key': 'API key', entra: 'Entra ID (az login)' };

/** The plan for a policy's decisions; null when the policy decides nothing the wizard asks. */
export function planOf(d: Decided | null | undefined): RolloutPlan | null {
  if (!d) return null;
  const rows: DecidedRow[] = [];
  if (d.login) rows.push({ key: 'login', label: 'Sign-in', value: LOGIN_LABEL[d.login.mode] ?? d.login.mode, locked: d.login.locked });
  const ep = d.endpoint?.endpoint;
  if (d.endpoint && ep) {
    const value = ep.kind === 'resource' ? ep.name : ep.kind === 'baseUrl' ? ep.url : (ep.url ?? 'the configured gateway');
    rows.push({ key: 'endpoint', label: ENDPOINT_LABEL[ep.kind], value, locked: d.endpoint.locked });
  }
  for (const tier of MODEL_KEYS) {
    const v = d[tier];
    if (v) rows.push({ key: tier, label: tier, value: v.deployment, locked: v.locked });
  }
  const named = MODEL_KEYS.every((t) => d[t] !== null);
  const resource = ep?.kind === 'resource' ? ep.name : null;
  const models: ModelsPlan = named ? 'named' : resource !== null && d.choose === 'newest' ? 'newest' : 'ask';
  if (rows.length === 0 && models === 'ask') return null;
  return { rows, models, zeroDecision: d.leftToAsk.length === 0, resource, endpointLocked: d.endpoint?.locked ?? false };
}

/** The decided value of `key`, if the policy set it. */
export const decidedRow = (plan: RolloutPlan | null, key: DecidedKey): DecidedRow | null => plan?.rows.find((r) => r.key === key) ?? null;

/** Where the wizard opens: at Sign in when nothing is left to ask (Welcome's words go with it). */
export const startStep = (plan: RolloutPlan | null): StepId => (plan?.zeroDecision ? 'signin' : 'welcome');

/**
 * The steps that, in a zero-decision run, move the wizard on once their job is done (signed in;
 * the profile written and verified), and the steps such a move jumps over (decided entirely).
 */
export function autoPlan(plan: RolloutPlan | null): { auto: StepId[]; decided: StepId[] } {
  if (!plan?.zeroDecision) return { auto: [], decided: [] };
  return { auto: ['signin', 'profile'], decided: plan.models === 'named' ? ['resource'] : [] };
}
