// The first-run wizard: Welcome → Sign in → Resource & models → Profile → Verify → Done.
import { h, replaceChildren, type Child } from './dom';
import { DoctorPanel } from './doctor';
import type { AppInfo } from './ipc';
import { profileStep } from './profile';
import { resourceStep } from './resource';
import { signinStep } from './signin';

export type StepId = 'welcome' | 'signin' | 'resource' | 'profile' | 'verify' | 'done';

interface StepDef {
  id: StepId;
  label: string;
  title: string;
  body: (info: AppInfo) => Child;
  /** True while the step has nothing real to do yet. */
  placeholder: boolean;
}

const code = (text: string): HTMLElement => h('code', null, text);

/** Verify: the live doctor, with the real Claude Code request, started on entry. */
function verifyStep(): HTMLElement {
  const panel = new DoctorPanel({ withClaude: true, autoRun: true });
  return h(
    'div',
    { class: 'verify-step' },
    h('p', null, 'The connectivity checks run now: your profile, sign-in, name resolution through the private endpoint, TLS, a small test request to each chosen deployment and one real ', code('claude -p'), ' call.'),
    panel.el,
  );
}

export const STEPS: readonly StepDef[] = [
  {
    id: 'welcome',
    label: 'Welcome',
    title: 'Set up Claude Code on Azure AI Foundry',
    placeholder: false,
    body: (info) => [
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
    ],
  },
  {
    id: 'signin',
    label: 'Sign in',
    title: 'Sign in to Azure',
    placeholder: false,
    body: () => signinStep(),
  },
  {
    id: 'resource',
    label: 'Resource & models',
    title: 'Choose a resource and models',
    placeholder: false,
    body: () => resourceStep(),
  },
  {
    id: 'profile',
    label: 'Profile',
    title: 'Write your shell profile',
    placeholder: false,
    body: () => profileStep(),
  },
  {
    id: 'verify',
    label: 'Verify',
    title: 'Check the connection',
    placeholder: false,
    body: () => verifyStep(),
  },
  {
    id: 'done',
    label: 'Done',
    title: 'You are ready',
    placeholder: false,
    body: () =>
      h(
        'p',
        null,
        'Open a new terminal and run ',
        code('claude'),
        ' to start Claude Code. The home screen shows usage, health checks and settings.',
      ),
  },
];

export interface WizardOptions {
  info: AppInfo;
  onFinish: () => void;
  startAt?: StepId;
}

export class Wizard {
  readonly el: HTMLElement;
  private index: number;
  private readonly info: AppInfo;
  private readonly onFinish: () => void;

  constructor(opts: WizardOptions) {
    this.info = opts.info;
    this.onFinish = opts.onFinish;
    this.index = Math.max(
      0,
      STEPS.findIndex((s) => s.id === (opts.startAt ?? 'welcome')),
    );
    this.el = h('div', { class: 'wizard', 'data-testid': 'wizard' });
    this.render(false);
  }

  get current(): StepId {
    return STEPS[this.index].id;
  }

  next(): void {
    // A step that has unsaved choices says so instead of being left silently.
    const blocker = this.el.querySelector<HTMLElement>('[data-blocks-next]');
    if (blocker) {
      const msg = this.el.querySelector<HTMLElement>('[data-testid="wizard-blocked"]');
      if (msg) {
        msg.textContent = blocker.dataset.blocksNext ?? 'Finish this step first.';
        msg.focus();
      }
      return;
    }
    if (this.index < STEPS.length - 1) {
      this.index += 1;
      this.render(true);
    }
  }

  back(): void {
    if (this.index > 0) {
      this.index -= 1;
      this.render(true);
    }
  }

  private render(moveFocus: boolean): void {
    const step = STEPS[this.index];
    const isLast = this.index === STEPS.length - 1;

    const indicator = h(
      'ol',
      { class: 'steps', 'data-testid': 'wizard-steps', 'aria-label': 'Setup progress' },
      STEPS.map((s, i) =>
        h(
          'li',
          {
            class: i < this.index ? 'step is-done' : i === this.index ? 'step is-current' : 'step',
            'aria-current': i === this.index ? 'step' : false,
          },
          h('span', { class: 'step-num', 'aria-hidden': 'true' }, String(i + 1)),
          h('span', { class: 'step-label' }, s.label),
        ),
      ),
    );

    const heading = h('h2', { tabindex: '-1', class: 'step-title', id: `step-${step.id}-title` }, step.title);

    const section = h(
      'section',
      { class: 'step-panel', 'data-testid': `step-${step.id}`, 'aria-labelledby': heading.id },
      heading,
      step.body(this.info),
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
        disabled: this.index === 0,
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

    replaceChildren(
      this.el,
      indicator,
      section,
      h('p', { class: 'wizard-blocked', role: 'status', tabindex: '-1', 'data-testid': 'wizard-blocked' }),
      h('div', { class: 'wizard-actions' }, back, primary),
    );

    if (moveFocus) heading.focus();
  }
}
