// Loading + error handling shared by every view that calls the backend.
import { h, replaceChildren } from './dom';
import { toIpcError, type IpcError } from './ipc';

/** Delay before a progress indicator appears, so fast calls do not flicker. */
export const LOADING_DELAY_MS = 300;

const KIND_LABELS: Record<IpcError['kind'], string> = {
  config: 'Configuration problem',
  policy: 'Blocked by org policy',
  io: 'File system problem',
  network: 'Network problem',
  guard: 'Safety check refused',
  sandbox: 'Sandbox problem',
  notBuilt: 'Not available yet',
  internal: 'Unexpected error',
};

export function spinner(label = 'Loading…'): HTMLElement {
  return h(
    'div',
    { class: 'loading', role: 'status', 'data-testid': 'loading' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    h('span', null, label),
  );
}

export function errorPanel(err: IpcError, onRetry: () => void): HTMLElement {
  const retry: HTMLButtonElement = h(
    'button',
    {
      type: 'button',
      class: 'btn',
      'data-testid': 'error-retry',
      on: {
        click: () => {
          retry.disabled = true;
          onRetry();
        },
      },
    },
    'Retry',
  );
  return h(
    'div',
    { class: 'error-panel', role: 'alert', 'data-testid': 'error-panel', 'data-kind': err.kind },
    h('h3', { class: 'error-title' }, KIND_LABELS[err.kind] ?? KIND_LABELS.internal),
    h('p', { class: 'error-message', 'data-testid': 'error-message' }, err.message),
    h(
      'p',
      { class: 'error-hint', 'data-testid': 'error-hint' },
      h('span', { class: 'error-hint-label' }, 'What to do: '),
      err.hint || 'Try again.',
    ),
    h('div', { class: 'error-actions' }, retry),
  );
}

export interface LoadOptions {
  loadingLabel?: string;
  /** Called after the error panel is shown (e.g. to move focus). */
  onError?: (err: IpcError) => void;
}

/**
 * Run `load`, rendering into `container`: a progress indicator if it takes
 * longer than {@link LOADING_DELAY_MS}, `render(data)` on success and an
 * error panel with a working Retry on failure.
 * Resolves once the call has settled and the container is rendered.
 */
export async function loadInto<T>(
  container: HTMLElement,
  load: () => Promise<T>,
  render: (data: T) => void,
  opts: LoadOptions = {},
): Promise<void> {
  container.setAttribute('aria-busy', 'true');
  const timer = setTimeout(() => {
    replaceChildren(container, spinner(opts.loadingLabel));
  }, LOADING_DELAY_MS);
  try {
    const data = await load();
    clearTimeout(timer);
    container.removeAttribute('aria-busy');
    replaceChildren(container);
    render(data);
  } catch (e) {
    clearTimeout(timer);
    container.removeAttribute('aria-busy');
    const err = toIpcError(e);
    replaceChildren(
      container,
      errorPanel(err, () => {
        void loadInto(container, load, render, opts);
      }),
    );
    opts.onError?.(err);
  }
}
