// The Sign in step: is az there, who is signed in, and `az login` with the device code shown
// large, copyable, and the sign-in page one click away; cancellable; errors with their hint.
import { errorPanel, loadInto, spinner } from './async';
import { h, replaceChildren } from './dom';
import { openSignInPage, signinCancel, signinStart, signinStatus, toIpcError, type LoginEvent, type LoginState, type SignInStatus } from './ipc';

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

function copyButton(text: string, testid: string): HTMLButtonElement {
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
    'Copy',
  );
  return b;
}

function renderStatus(container: HTMLElement, s: SignInStatus): void {
  const progress = h('div', { class: 'signin-progress', 'aria-live': 'polite' });
  const start = (): void => {
    const log = h('pre', { class: 'az-log', 'data-testid': 'az-log', tabindex: '0', 'aria-label': 'What az printed' });
    const code = h('div', { class: 'device-code-area' });
    const cancel = h('button', { type: 'button', class: 'btn', 'data-testid': 'signin-cancel', on: { click: () => void signinCancel() } }, 'Cancel');
    const waiting = spinner('Waiting for az…');
    replaceChildren(progress, waiting, code, cancel, h('details', null, h('summary', null, 'What az printed'), log));
    const onEvent = (e: LoginEvent): void => {
      if (e.type === 'deviceCode') {
        replaceChildren(waiting, spinner('Waiting for you to approve the code on the sign-in page…'));
        replaceChildren(
          code,
          h('p', null, 'Open the sign-in page and enter this code:'),
          h('p', { class: 'device-code', 'data-testid': 'device-code' }, e.code),
          h(
            'div',
            { class: 'actions' },
            copyButton(e.code, 'copy-code'),
            ' ',
            h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'open-sign-in-page', 'data-url': e.url, on: { click: () => void openSignInPage().catch(() => undefined) } }, 'Open the sign-in page'),
          ),
          h('p', { class: 'muted' }, h('code', { 'data-testid': 'sign-in-url' }, e.url)),
        );
      } else {
        log.append(e.text, '\n');
      }
    };
    signinStart(true, onEvent).then(
      (state) => replaceChildren(progress, who(state)),
      (err) => replaceChildren(progress, errorPanel(toIpcError(err), start)),
    );
  };
  const button = h('button', { type: 'button', class: 'btn btn-primary', 'data-testid': 'signin-start', on: { click: start } }, s.state.signedIn ? 'Sign in again' : 'Sign in with a device code');
  replaceChildren(
    container,
    s.azProblem
      ? errorPanel(s.azProblem, () => void loadInto(container, signinStatus, (n) => renderStatus(container, n)))
      : h('p', { class: 'muted', 'data-testid': 'az-version' }, `Azure CLI ${s.azVersion ?? ''} at `, h('code', null, s.azPath ?? '')),
    s.state.signedIn ? who(s.state) : h('p', null, 'You are not signed in yet.'),
    s.azProblem ? null : h('div', { class: 'actions' }, button),
    progress,
  );
}

/** The Sign in step's body. */
export function signinStep(): HTMLElement {
  const container = h('div', { class: 'signin', 'data-testid': 'signin' });
  void loadInto(container, signinStatus, (s) => renderStatus(container, s), { loadingLabel: 'Looking for the Azure CLI…' });
  return h('div', null, h('p', null, 'Sign in with the Azure CLI (', h('code', null, 'az login'), ') so the app can find the Azure AI Foundry resources and model deployments you have access to.'), container);
}
