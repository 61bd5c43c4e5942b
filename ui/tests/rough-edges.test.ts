// The wizard's rough edges of issue #23, one case each (the CSS ones are proven by screenshots).
import { afterEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { signinStep } from '../src/signin';
import type { ConfigView } from '../src/bindings';
import { CONFIG_VIEW, appInfoFixture, click, getByTestId, mockBackend, mount, settle, NOT_SIGNED_IN } from './helpers';

const URL = 'https://127.0.0.1:41001/authority/device';

/** The Sign in step with a login that shows its device code and then waits until `finish` is called. */
function signinWithCode(onOpen: (args: unknown) => unknown): { el: HTMLElement; finish: () => void } {
  let finish = (): void => undefined;
  mockIPC((cmd, args) => {
    if (cmd === 'signin_status') return NOT_SIGNED_IN;
    if (cmd === 'signin_start') {
      const channel = (args as { onEvent: { onmessage: (e: unknown) => void } }).onEvent;
      channel.onmessage({ type: 'deviceCode', code: 'ABCD-1234', url: URL });
      return new Promise((resolve) => {
        finish = () => resolve({ ...NOT_SIGNED_IN.state, signedIn: true, user: 'dev@sandbox.example', tenantId: 't1' });
      });
    }
    if (cmd === 'open_sign_in_page') return onOpen(args);
    return null;
  });
  const el = signinStep().el;
  document.body.append(el);
  return { el, finish: () => finish() };
}

describe('sign-in step', () => {
  afterEach(() => {
    clearMocks();
    document.body.replaceChildren();
  });

  it('sign-in step: no "not signed in" line once signed in', async () => {
    const { el, finish } = signinWithCode(() => null);
    await settle();
    expect(el.textContent).toContain('You are not signed in yet.');
    click(getByTestId('signin-start', el));
    await settle();
    finish();
    await settle();
    expect(getByTestId('signed-in-as', el).textContent).toContain('dev@sandbox.example');
    expect(el.textContent).not.toContain('not signed in');
    // Only one "Signed in as" line, and the button offers to sign in again.
    expect(el.querySelectorAll('[data-testid="signed-in-as"]').length).toBe(1);
    expect(getByTestId('signin-start', el).textContent).toBe('Sign in again');
  });

  it('sign-in step: a rejected openSignInPage says no browser opened, with its message, hint and the URL to copy', async () => {
    const { el } = signinWithCode(() => {
      throw { kind: 'io', message: 'cannot open a browser: xdg-open not found', hint: 'Copy the address and open it in your browser yourself.' };
    });
    await settle();
    click(getByTestId('signin-start', el));
    await settle();
    click(getByTestId('open-sign-in-page', el));
    await settle();
    const failed = getByTestId('open-sign-in-failed', el);
    expect(failed.getAttribute('role')).toBe('alert');
    expect(failed.textContent).toContain('No browser could be opened');
    expect(failed.textContent).toContain('cannot open a browser: xdg-open not found');
    expect(failed.textContent).toContain('Copy the address and open it in your browser yourself.');
    expect(getByTestId('open-sign-in-failed-url', failed).textContent).toBe(URL);
    expect(getByTestId('copy-url', failed).tagName).toBe('BUTTON');
    // The code is still there to type on that page.
    expect(getByTestId('device-code', el).textContent).toBe('ABCD-1234');
  });

  it('sign-in step: a rejection that is no IPC error still shows the URL to copy', async () => {
    const { el } = signinWithCode(() => {
      throw new Error('the command open_sign_in_page was not found');
    });
    await settle();
    click(getByTestId('signin-start', el));
    await settle();
    click(getByTestId('open-sign-in-page', el));
    await settle();
    const failed = getByTestId('open-sign-in-failed', el);
    expect(failed.textContent).toContain('open_sign_in_page was not found');
    expect(getByTestId('open-sign-in-failed-url', failed).textContent).toBe(URL);
  });

  it('sign-in step: an opened page says so and still offers the URL, for a browser that never appeared', async () => {
    const { el } = signinWithCode(() => null);
    await settle();
    click(getByTestId('signin-start', el));
    await settle();
    click(getByTestId('open-sign-in-page', el));
    await settle();
    expect(el.querySelector('[data-testid="open-sign-in-failed"]')).toBeNull();
    expect(getByTestId('open-sign-in-opened', el).textContent).toContain('If no browser appeared');
    expect(getByTestId('sign-in-url', el).textContent).toBe(URL);
  });
});

describe('settings tab', () => {
  afterEach(() => {
    clearMocks();
    document.body.replaceChildren();
  });

  async function settingsWith(view: ConfigView): Promise<HTMLElement> {
    mockBackend({ app_info: () => appInfoFixture(), config_view: () => view, mark_first_paint: () => null });
    const app = await mount();
    app.show({ name: 'home' });
    click(getByTestId('tab-settings'));
    await app.home!.settingsLoaded;
    return getByTestId('panel-settings');
  }

  // The notices come from the backend (a sandbox config now says that it leaves the org policy out:
  // crates/core/src/config/load.rs); the tab lists each one.
  it('settings: each notice the config load produced is listed', async () => {
    const panel = await settingsWith({ ...CONFIG_VIEW, notices: ['first notice', 'second notice'] });
    const items = [...getByTestId('config-notices', panel).querySelectorAll('li')].map((li) => li.textContent);
    expect(items).toEqual(['first notice', 'second notice']);
  });
});
