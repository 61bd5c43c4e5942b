// The first-run wizard: Welcome → Sign in → Resource & models → Profile → Verify → Done. Its state
// is a WizardState (wizard-model.ts); the view is rendered from it, the steps' elements kept alive.
import { h, replaceChildren, type Child } from './dom';
import { DoctorPanel, DoctorSeat } from './doctor';
import type { AppInfo } from './ipc';
import { decidedPanel } from './decided';
import { profileStep } from './profile';
import { resourceStep } from './resource';
import { autoPlan, startStep, type RolloutPlan } from './rollout-model';
import { signinStep } from './signin';
import { plainStep, type StepContext, type WizardStep } from './step';
import { currentStep, dependents, initialWizard, updateWizard, type StepId, type WizardEvent, type WizardState } from './wizard-model';

export type { StepId } from './wizard-model';

interface StepDef {
  id: StepId;
  label: string;
  title: string;
  build: (ctx: StepContext) => WizardStep;
  /** True while the step has nothing real to do yet. */
  placeholder: boolean;
}

const code = (text: string): HTMLElement => h('code', null, text);

/** Verify: the live doctor, with the real Claude Code request, started on entry. */
function verifyStep(ctx: StepContext): WizardStep {
  const panel = new DoctorPanel({ withClaude: true, autoRun: true, seat: ctx.seat });
  const el = h(
    'div',
    { class: 'verify-step' },
    h('p', null, 'The connectivity checks run now: your profile, sign-in, name resolution through the private endpoint, TLS, a small test request to each chosen deployment and one real ', code('claude -p'), ' call.'),
    panel.el,
  );
  return { el, canLeave: () => null, dispose: () => panel.dispose() };
}

const welcome = (info: AppInfo, plan: RolloutPlan | null): Child[] => [
  h(
    'p',
    null,
    'This assistant gets Claude Code on your machine talking to Claude models hosted in Azure AI Foundry: ',
    'you sign in, pick where the models run, write your shell profile and check that everything connects.',
  ),
  info.sandbox
    ? h(
        'p',
        { class: 'callout callout-sandbox', 'data-testid': 'welcome-sandbox' },
        h('strong', null, 'Sandbox mode. '),
        'The app is running against the built-in sandbox: nothing here touches the real Azure, your shell files or ',
        code('~/.claude'),
        '.',
      )
    : h('p', null, 'You will see a preview of every change before anything is written.'),
  decidedPanel(plan),
];

export const STEPS: readonly StepDef[] = [
  {
    id: 'welcome',
    label: 'Welcome',
    title: 'Set up Claude Code on Azure AI Foundry',
    placeholder: false,
    build: (ctx) => plainStep(h('div', null, welcome(ctx.info, ctx.plan))),
  },
  {
    id: 'signin',
    label: 'Sign in',
    title: 'Sign in to Azure',
    placeholder: false,
    build: (ctx) => signinStep(ctx),
  },
  {
    id: 'resource',
    label: 'Resource & models',
    title: 'Choose a resource and models',
    placeholder: false,
    build: (ctx) => resourceStep(ctx),
  },
  {
    id: 'profile',
    label: 'Profile',
    title: 'Write your shell profile',
    placeholder: false,
    build: (ctx) => profileStep(ctx),
  },
  {
    id: 'verify',
    label: 'Verify',
    title: 'Check the connection',
    placeholder: false,
    build: (ctx) => verifyStep(ctx),
  },
  {
    id: 'done',
    label: 'Done',
    title: 'You are ready',
    placeholder: false,
    build: () =>
      plainStep(
        h(
          'p',
          null,
          'Open a new terminal and run ',
          code('claude'),
          ' to start Claude Code. The home screen shows usage, health checks and settings.',
        ),
      ),
  },
];

export interface WizardOptions {
  info: AppInfo;
  onFinish: () => void;
  startAt?: StepId;
  /** The doctor run the backend holds, shared with the home's Doctor tab. */
  seat?: DoctorSeat;
  /** What the org policy decided; with nothing left to ask the wizard opens at Sign in and moves on by itself. */
  plan?: RolloutPlan | null;
}

export class Wizard {
  readonly el: HTMLElement;
  private state: WizardState;
  /** The living steps, always exactly those `state.alive` names. */
  private readonly steps = new Map<StepId, WizardStep>();
  private readonly info: AppInfo;
  private readonly seat: DoctorSeat;
  private readonly onFinish: () => void;
  private readonly plan: RolloutPlan | null;
  /** The step the last render showed: a different one starts at its top. */
  private shown: StepId | null = null;

  constructor(opts: WizardOptions) {
    this.info = opts.info;
    this.onFinish = opts.onFinish;
    this.seat = opts.seat ?? new DoctorSeat();
    this.plan = opts.plan ?? null;
    this.state = initialWizard(opts.startAt ?? startStep(this.plan), autoPlan(this.plan));
    this.el = h('div', { class: 'wizard', 'data-testid': 'wizard' });
    this.sync();
    this.render(false);
  }

  get current(): StepId {
    return currentStep(this.state);
  }

  next(): void {
    // A step that has unsaved choices says so instead of being left silently.
    this.dispatch({ type: 'next', blocker: this.step(this.current).canLeave() }, true);
  }

  back(): void {
    this.dispatch({ type: 'back' }, true);
  }

  /** The wizard closes: every living step stops what it started. */
  dispose(): void {
    for (const step of this.steps.values()) step.dispose();
    this.steps.clear();
  }

  private dispatch(e: WizardEvent, moveFocus: boolean): void {
    const before = this.state;
    this.state = updateWizard(before, e);
    // A change that came in late (a sign-in finishing after Next) can make the step on screen
    // stale: it is built again, in place.
    const rebuild = e.type === 'changed' && dependents(e.step).includes(this.current);
    if (rebuild) {
      this.steps.get(this.current)?.dispose();
      this.steps.delete(this.current);
    }
    if (this.state === before && !rebuild) return;
    this.sync();
    // Otherwise a change only drops steps not on screen: what is shown stays as it is.
    if (e.type !== 'changed' || rebuild) this.render(moveFocus);
  }

  /** Builds the steps that became alive and ends those that went stale. */
  private sync(): void {
    for (const [id, step] of this.steps) {
      if (!this.state.alive.includes(id)) {
        step.dispose();
        this.steps.delete(id);
      }
    }
    for (const id of this.state.alive) this.step(id);
  }

  private step(id: StepId): WizardStep {
    let step = this.steps.get(id);
    if (!step) {
      const def = STEPS.find((s) => s.id === id) ?? STEPS[0];
      step = def.build({
        info: this.info,
        seat: this.seat,
        plan: this.plan,
        changed: () => this.dispatch({ type: 'changed', step: id }, false),
        done: () => this.dispatch({ type: 'done', step: id }, true),
      });
      this.steps.set(id, step);
    }
    return step;
  }

  private render(moveFocus: boolean): void {
    const index = this.state.index;
    const step = STEPS[index];
    const isLast = index === STEPS.length - 1;

    const indicator = h(
      'ol',
      { class: 'steps', 'data-testid': 'wizard-steps', 'aria-label': 'Setup progress' },
      STEPS.map((s, i) =>
        h(
          'li',
          {
            class: `${i < index ? 'step is-done' : i === index ? 'step is-current' : 'step'}${this.state.decided.includes(s.id) ? ' is-decided' : ''}`,
            'aria-current': i === index ? 'step' : false,
            'data-decided': this.state.decided.includes(s.id) ? 'true' : false,
          },
          h('span', { class: 'step-num', 'aria-hidden': 'true' }, String(i + 1)),
          h('span', { class: 'step-label' }, s.label),
          this.state.decided.includes(s.id) ? h('span', { class: 'sr-only' }, ' (set by your organisation)') : null,
        ),
      ),
    );

    const heading = h('h2', { tabindex: '-1', class: 'step-title', id: `step-${step.id}-title` }, step.title);

    const section = h(
      'section',
      { class: 'step-panel', 'data-testid': `step-${step.id}`, 'aria-labelledby': heading.id },
      heading,
      this.step(step.id).el,
      step.placeholder
        ? h('p', { class: 'note', 'data-testid': 'coming-later' }, 'Coming in a later release.')
        : null,
    );

    const back = h(
      'button',
      {
        type: 'button',
        class: 'btn',
        'data-testid': 'wizard-back',
        disabled: index === 0,
        on: { click: () => this.back() },
      },
      'Back',
    );

    const primary = isLast
      ? h(
          'button',
          { type: 'button', class: 'btn btn-primary', 'data-testid': 'wizard-finish', on: { click: () => this.onFinish() } },
          'Open home',
        )
      : h(
          'button',
          { type: 'button', class: 'btn btn-primary', 'data-testid': 'wizard-next', on: { click: () => this.next() } },
          'Next',
        );

    const blocked = h('p', { class: 'wizard-blocked', role: 'status', tabindex: '-1', 'data-testid': 'wizard-blocked' }, this.state.blocked);
    replaceChildren(this.el, indicator, section, blocked, h('div', { class: 'wizard-actions' }, back, primary));

    // A new step is read from its top, the progress list in view. The scroller kept the last
    // step's offset, which left the new step's first lines and its Back button under the edges.
    const moved = this.shown !== step.id;
    this.shown = step.id;
    if (moved) {
      const scroller = this.el.closest<HTMLElement>('.app-main');
      if (scroller) scroller.scrollTop = 0;
    }
    if (this.state.blocked !== null) blocked.focus();
    else if (moveFocus) heading.focus({ preventScroll: moved });
  }
}
