// The wizard's state and its pure transitions: which step is shown, which steps are alive (built
// once and kept while the wizard is open, so Back then Next repeats no IPC call), and why Next
// was refused. Steps that depend on another are declared here and rebuilt when it changes. In a
// zero-decision run (an org policy decided everything) some steps move the wizard on by themselves
// when their job is done, jumping over steps the policy decided entirely.

export type StepId = 'welcome' | 'signin' | 'resource' | 'profile' | 'verify' | 'done';

export const STEP_ORDER: readonly StepId[] = ['welcome', 'signin', 'resource', 'profile', 'verify', 'done'];

/** What each step shows is derived from these: when one changes, the steps after it are stale. */
export const DEPENDS_ON: Readonly<Record<StepId, readonly StepId[]>> = {
  welcome: [],
  signin: [],
  resource: ['signin'],
  profile: ['resource'],
  verify: ['profile'],
  done: [],
};

export interface WizardState {
  readonly index: number;
  /** The steps built so far and still valid, kept alive while the wizard is open. */
  readonly alive: readonly StepId[];
  /** Why the last Next was refused (the step's `canLeave()`), or null. */
  readonly blocked: string | null;
  /** Steps that move the wizard on when their job is done (a zero-decision run); else empty. */
  readonly auto: readonly StepId[];
  /** Steps the org policy decided entirely: a move on by itself jumps over them (Back still shows them). */
  readonly decided: readonly StepId[];
}

export type WizardEvent =
  /** Next, with what the current step's `canLeave()` answered (null: it may be left). */
  | { type: 'next'; blocker: string | null }
  | { type: 'back' }
  /** A step saved something: the steps that depend on it are rebuilt when next shown. */
  | { type: 'changed'; step: StepId }
  /** A step did its job (signed in; profile written and verified). */
  | { type: 'done'; step: StepId };

export function initialWizard(start: StepId = 'welcome', plan: { auto: readonly StepId[]; decided: readonly StepId[] } = { auto: [], decided: [] }): WizardState {
  const index = Math.max(0, STEP_ORDER.indexOf(start));
  return { index, alive: [STEP_ORDER[index]], blocked: null, auto: plan.auto, decided: plan.decided };
}

export const currentStep = (s: WizardState): StepId => STEP_ORDER[s.index];

/** Every step that depends on `step`, directly or down the chain. */
export function dependents(step: StepId): StepId[] {
  const out: StepId[] = [];
  const visit = (s: StepId): void => {
    for (const d of STEP_ORDER) {
      if (DEPENDS_ON[d].includes(s) && !out.includes(d)) {
        out.push(d);
        visit(d);
      }
    }
  };
  visit(step);
  return out;
}

function show(s: WizardState, index: number): WizardState {
  const id = STEP_ORDER[index];
  return { ...s, index, alive: s.alive.includes(id) ? s.alive : [...s.alive, id], blocked: null };
}

/** The next step after `index` that the policy did not decide entirely. */
function nextUndecided(s: WizardState, index: number): number {
  let i = index + 1;
  while (i < STEP_ORDER.length - 1 && s.decided.includes(STEP_ORDER[i])) i++;
  return Math.min(i, STEP_ORDER.length - 1);
}

/** The one place the wizard's state changes. */
export function updateWizard(s: WizardState, e: WizardEvent): WizardState {
  switch (e.type) {
    case 'next':
      if (e.blocker !== null) return { ...s, blocked: e.blocker };
      return s.index < STEP_ORDER.length - 1 ? show(s, s.index + 1) : s;
    case 'back':
      return s.index > 0 ? show(s, s.index - 1) : s;
    case 'changed': {
      // The step on screen stays alive even when stale (it is built again in place).
      const stale = dependents(e.step).filter((id) => id !== currentStep(s));
      const alive = s.alive.filter((id) => !stale.includes(id));
      return alive.length === s.alive.length ? s : { ...s, alive };
    }
    case 'done':
      // Only the step on screen moves the wizard, and only in a zero-decision run.
      if (!s.auto.includes(e.step) || currentStep(s) !== e.step || s.index >= STEP_ORDER.length - 1) return s;
      return show(s, nextUndecided(s, s.index));
  }
}
