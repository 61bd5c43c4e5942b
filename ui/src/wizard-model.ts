// The wizard's state and its pure transitions: which step is shown, which steps are alive (built
// once and kept while the wizard is open, so Back then Next repeats no IPC call), and why Next
// was refused. Steps that depend on another are declared here and rebuilt when it changes.

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
}

export type WizardEvent =
  /** Next, with what the current step's `canLeave()` answered (null: it may be left). */
  | { type: 'next'; blocker: string | null }
  | { type: 'back' }
  /** A step saved something: the steps that depend on it are rebuilt when next shown. */
  | { type: 'changed'; step: StepId };

export function initialWizard(start: StepId = 'welcome'): WizardState {
  const index = Math.max(0, STEP_ORDER.indexOf(start));
  return { index, alive: [STEP_ORDER[index]], blocked: null };
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
  return { index, alive: s.alive.includes(id) ? s.alive : [...s.alive, id], blocked: null };
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
  }
}
