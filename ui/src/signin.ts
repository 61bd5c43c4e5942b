// The Sign in step: is az there, who is signed in, and `az login` with the device code shown
// large, copyable, and the sign-in page one click away (or its address to copy when no browser
// opens); cancellable; errors with their hint. One state, pure transitions, a view rendered from it.
import { errorPanel, loadInto, spinner } from './async';
import { h, replaceChildren, type Child } from './dom';
import { decidedPanel } from './decided';
import type { RolloutPlan } from './rollout-model';
import type { WizardStep } from './step';
import { commands, toIpcError, type IpcError, type LoginEvent, type LoginState, type SignInStatus } from './ipc';

/** Where `az login` is: not started, waiting for az or for the person, or failed. */
export type LoginPhase = { kind: 'idle' } | { kind: 'waiting'; code: { code: string; url: string } | null } | { kind: 'failed'; error: IpcError };

/** What "Open the sign-in page" did. */
export type OpenPhase = { kind: 'idle' } | { kind: 'opened' } | { kind: 'failed'; error: IpcError };

export interface SignInModel {
  /** What az said: its path and version (or why it is missing), and who is signed in. */
  status: SignInStatus;
  login: LoginPhase;
  open: OpenPhase;
  /** Everything az printed during this login. */
  log: string[];
  logOpen: boolean;
}

export type SignInMsg =
  | { type: 'loginStarted' }
  | { type: 'loginEvent'; event: LoginEvent }
  | { type: 'signedIn'; state: LoginState }
  | { type: 'loginFailed'; error: IpcError }
  | { type: 'pageOpened' }
  | { type: 'pageNotOpened'; error: IpcError }
  | { type: 'logToggled'; open: boolean };

export function initial(status: SignInStatus): SignInModel {
  return { status, login: { kind: 'idle' }, open: { kind: 'idle' }, log: [], logOpen: false };
}

/** The one place the step's state changes. */
export function update(m: SignInModel, msg: SignInMsg): SignInModel {
  switch (msg.type) {
    case 'loginStarted':
      return { ...m, login: { kind: 'waiting', code: null }, open: { kind: 'idle' }, log: [] };
    case 'loginEvent':
      if (msg.event.type === 'deviceCode') return { ...m, login: { kind: 'waiting', code: { code: msg.event.code, url: msg.event.url } }, open: { kind: 'idle' } };
      return { ...m, log: [...m.log, msg.event.text] };
    case 'signedIn':
      // Who is signed in now is the status: the "not signed in" line goes with the old one.
      return { ...m, status: { ...m.status, state: msg.state }, login: { kind: 'idle' }, open: { kind: 'idle' } };
    case 'loginFailed':
      return { ...m, login: { kind: 'failed', error: msg.error }, open: { kind: 'idle' } };
    case 'pageOpened':
      return { ...m, open: { kind: 'opened' } };
    case 'pageNotOpened':
      return { ...m, open: { kind: 'failed', error: msg.error } };
    case 'logToggled':
      return { ...m, logOpen: msg.open };
  }
}

function who(state: LoginState): HTMLElement {
  return h(
    'p',
    { class: 'callout', 'data-testid': 'signed-in-as' },
    'Signed in as ',
    h('strong', null, state.user ?? 'unknown'),
    state.tenantId ? [' (tenant ', h('code', null, state.tenantId), ')'] : null,
    '.',
  );
}

function copyButton(text: string, testid: string, label = 'Copy'): HTMLButtonElement {
  const b: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'btn',
      'data-testid': testid,
      on: {
        click: () => {
          void navigator.clipboard?.writeText(text).then(
            () => (b.textContent = 'Copied'),
            () => (b.textContent = 'Select and copy it'),
          );
        },
      },
    },
    label,
  );
  return b;
}

/** The address of the sign-in page, selectable, with its own Copy button. */
function urlToCopy(url: string, testid: string): HTMLElement {
  return h('p', { class: 'copy-line' }, h('code', { class: 'copy-url', 'data-testid': testid }, url), ' ', copyButton(url, 'copy-url', 'Copy address'));
}

/** What the click on "Open the sign-in page" did; the address is offered either way, as az does. */
function openOutcome(open: OpenPhase, url: string): Child {
  if (open.kind === 'failed') {
    return h(
      'div',
      { class: 'error-panel', role: 'alert', 'data-testid': 'open-sign-in-failed', 'data-kind': open.error.kind },
      h('h3', { class: 'error-title' }, 'No browser could be opened'),
      h('p', { class: 'error-message', 'data-testid': 'error-message' }, open.error.message),
      h('p', { class: 'error-hint', 'data-testid': 'error-hint' }, h('span', { class: 'error-hint-label' }, 'What to do: '), open.error.hint || 'Open the address below in a browser yourself.'),
      h('p', null, 'Open this address in a browser on any device and enter the code above:'),
      urlToCopy(url, 'open-sign-in-failed-url'),
    );
  }
  return h(
    'div',
    { class: 'sign-in-address' },
    open.kind === 'opened'
      ? h('p', { class: 'muted', role: 'status', 'data-testid': 'open-sign-in-opened' }, 'The sign-in page was handed to your browser. If no browser appeared, open this address yourself:')
      : h('p', { class: 'muted' }, 'Or open this address in a browser on any device:'),
    urlToCopy(url, 'sign-in-url'),
  );
}

interface Actions {
  start: () => void;
  cancel: () => void;
  /** Asks the app to open the sign-in page of the login in progress (the core decides which page). */
  open: () => void;
  toggleLog: (open: boolean) => void;
  recheck: () => void;
}

/** The step rendered from its state. */
export function view(m: SignInModel, act: Actions): HTMLElement[] {
  const s = m.status;
  const busy = m.login.kind === 'waiting';
  const out: HTMLElement[] = [];
  out.push(s.azProblem ? errorPanel(s.azProblem, act.recheck) : h('p', { class: 'muted', 'data-testid': 'az-version' }, `Azure CLI ${s.azVersion ?? ''} at `, h('code', null, s.azPath ?? '')));
  out.push(s.state.signedIn ? who(s.state) : h('p', { 'data-testid': 'not-signed-in' }, 'You are not signed in yet.'));
  if (!s.azProblem) {
    out.push(
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'signin-start', disabled: busy, on: { click: act.start } }, s.state.signedIn ? 'Sign in again' : 'Sign in with a device code'),
      ),
    );
  }
  const progress = h('div', { class: 'signin-progress', 'aria-live': 'polite' });
  if (m.login.kind === 'waiting') {
    const code = m.login.code;
    const log = h('pre', { class: 'az-log', 'data-testid': 'az-log', tabindex: '0', 'aria-label': 'What az printed' }, m.log.map((l) => `${l}\n`));
    const details = h('details', { open: m.logOpen, on: { toggle: () => act.toggleLog(details.open) } }, h('summary', null, 'What az printed'), log);
    progress.append(
      ...[
        spinner(code ? 'Waiting for you to approve the code on the sign-in page…' : 'Waiting for az…'),
        code
          ? h(
              'div',
              { class: 'device-code-area' },
              h('p', null, 'Open the sign-in page and enter this code:'),
              h('p', { class: 'device-code', 'data-testid': 'device-code' }, code.code),
              h(
                'div',
                { class: 'actions' },
                copyButton(code.code, 'copy-code'),
                ' ',
                h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'open-sign-in-page', 'data-url': code.url, on: { click: () => act.open() } }, 'Open the sign-in page'),
              ),
              openOutcome(m.open, code.url),
            )
          : h('div', { class: 'device-code-area' }),
        h('button', { type: 'button', class: 'btn', 'data-testid': 'signin-cancel', on: { click: act.cancel } }, 'Cancel'),
        details,
      ],
    );
  } else if (m.login.kind === 'failed') {
    progress.append(errorPanel(m.login.error, act.start));
  }
  out.push(progress);
  return out;
}

/** Holds the state, runs the IPC calls and renders after each transition. */
function mountStep(container: HTMLElement, status: SignInStatus, changed: () => void): void {
  let model = initial(status);
  const dispatch = (msg: SignInMsg): void => {
    model = update(model, msg);
    // The log's disclosure is toggled by the person: the DOM already shows it.
    if (msg.type !== 'logToggled') render();
  };
  const act: Actions = {
    start: () => {
      dispatch({ type: 'loginStarted' });
      commands.signinStart(true, (event) => dispatch({ type: 'loginEvent', event })).then(
        (state) => {
          dispatch({ type: 'signedIn', state });
          // Who is signed in decides which resources the next step lists.
          changed();
        },
        (err) => dispatch({ type: 'loginFailed', error: toIpcError(err) }),
      );
    },
    cancel: () => void commands.signinCancel().catch(() => undefined),
    open: () => {
      commands.openSignInPage().then(
        () => dispatch({ type: 'pageOpened' }),
        (err) => dispatch({ type: 'pageNotOpened', error: toIpcError(err) }),
      );
    },
    toggleLog: (open) => dispatch({ type: 'logToggled', open }),
    recheck: () => void loadInto(container, commands.signinStatus, (n) => mountStep(container, n, changed)),
  };
  const render = (): void => {
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.testid : undefined;
    replaceChildren(container, view(model, act));
    // A re-render keeps the keyboard where it was.
    if (focused) container.querySelector<HTMLElement>(`[data-testid="${focused}"]`)?.focus();
  };
  render();
}

export interface SignInContext {
  /** Hears of each completed sign-in. */
  changed: () => void;
  /** Also hears of it: in a zero-decision run the wizard then moves on by itself. */
  done?: () => void;
  /** What the org policy decided; when nothing is left to ask, this step opens the wizard. */
  plan?: RolloutPlan | null;
}

/** The Sign in step. */
export function signinStep(ctx: SignInContext = { changed: () => undefined }): WizardStep {
  const container = h('div', { class: 'signin', 'data-testid': 'signin' });
  const signedIn = (): void => {
    ctx.changed();
    ctx.done?.();
  };
  void loadInto(container, commands.signinStatus, (s) => mountStep(container, s, signedIn), { loadingLabel: 'Looking for the Azure CLI…' });
  const plan = ctx.plan ?? null;
  const intro = plan?.zeroDecision
    ? h(
        'p',
        { 'data-testid': 'rollout-intro' },
        'Your organisation has made the choices below. Sign in with the Azure CLI (',
        h('code', null, 'az login'),
        '), approve writing your profile, and Claude Code is ready.',
      )
    : h('p', null, 'Sign in with the Azure CLI (', h('code', null, 'az login'), ') so the app can find the Azure AI Foundry resources and model deployments you have access to.');
  // The one thing left to do comes first; what was decided is listed under it.
  const el = h('div', null, intro, container, plan?.zeroDecision ? decidedPanel(plan) : null);
  return { el, canLeave: () => null, dispose: () => undefined };
}
