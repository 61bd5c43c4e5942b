// What the wizard asks of each step: its element (built once, kept while the wizard is open),
// whether it may be left, and an explicit end when the wizard closes.
import type { DoctorSeat } from './doctor';
import type { AppInfo } from './ipc';
import type { RolloutPlan } from './rollout-model';

export interface WizardStep {
  readonly el: HTMLElement;
  /** Null when Next may leave the step; otherwise what the person must do first. */
  canLeave(): string | null;
  /** The wizard is closing or the step is stale: stop what it started. */
  dispose(): void;
}

export interface StepContext {
  info: AppInfo;
  /** The step saved something later steps are derived from. */
  changed: () => void;
  /** The doctor run the backend holds (one at a time), shared with the home's Doctor tab. */
  seat: DoctorSeat;
  /** What the org policy decided (null: no policy, the wizard asks everything). */
  plan: RolloutPlan | null;
  /** The step did its job; in a zero-decision run the wizard then moves on by itself. */
  done: () => void;
}

/** A step with nothing to guard or stop. */
export function plainStep(el: HTMLElement): WizardStep {
  return { el, canLeave: () => null, dispose: () => undefined };
}
