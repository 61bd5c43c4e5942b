import { clearMocks } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STEPS } from '../src/wizard';
import { STEP_ORDER } from '../src/wizard-model';
import { appInfoFixture, byTestId, click, getByTestId, mockBackend, mount, waitFor } from './helpers';

const ORDER = ['welcome', 'signin', 'resource', 'profile', 'verify', 'done'];

function currentStepId(): string {
  const section = document.querySelector<HTMLElement>('section[data-testid^="step-"]');
  if (!section) throw new Error('no step section');
  return section.dataset.testid!.replace('step-', '');
}

function currentIndicatorIndex(): number {
  const items = [...getByTestId('wizard-steps').querySelectorAll('li')];
  const current = items.filter((li) => li.getAttribute('aria-current') === 'step');
  expect(current).toHaveLength(1);
  return items.indexOf(current[0]);
}

beforeEach(() => {
  mockBackend({ app_info: () => appInfoFixture(), config_view: () => ({ toml: '', locked: [], notices: [] }) });
});
afterEach(() => clearMocks());

describe('wizard', () => {
  it('draws its steps in the model\'s order', () => {
    expect(STEPS.map((s) => s.id)).toEqual([...STEP_ORDER]);
    expect(ORDER).toEqual([...STEP_ORDER]);
  });

  it('goes forward through all six steps, moving aria-current and focus to each heading', async () => {
    await mount();
    const steps = getByTestId('wizard-steps');
    expect(steps.tagName).toBe('OL');
    expect(steps.querySelectorAll('li')).toHaveLength(6);
    expect(currentStepId()).toBe('welcome');
    expect(currentIndicatorIndex()).toBe(0);
    expect((getByTestId<HTMLButtonElement>('wizard-back')).disabled).toBe(true);

    const main = getByTestId('main');
    for (let i = 1; i < ORDER.length; i++) {
      // The person had scrolled down the step to reach Next: the next step opens at its top.
      main.scrollTop = 240;
      click(getByTestId('wizard-next'));
      expect(main.scrollTop).toBe(0);
      expect(currentStepId()).toBe(ORDER[i]);
      expect(currentIndicatorIndex()).toBe(i);
      const heading = getByTestId(`step-${ORDER[i]}`).querySelector('h2')!;
      expect(heading.getAttribute('tabindex')).toBe('-1');
      expect(document.activeElement).toBe(heading);
    }

    // Done: the primary button is "Open home", and there is no Next.
    expect(byTestId('wizard-next')).toBeNull();
    expect(getByTestId('wizard-finish').textContent).toBe('Open home');
    expect(getByTestId('step-done').textContent).toContain('claude');
  });

  it('goes back from Done to Welcome, focusing each heading', async () => {
    const app = await mount();
    for (let i = 1; i < ORDER.length; i++) click(getByTestId('wizard-next'));
    expect(app.wizard?.current).toBe('done');

    for (let i = ORDER.length - 2; i >= 0; i--) {
      click(getByTestId('wizard-back'));
      expect(currentStepId()).toBe(ORDER[i]);
      expect(currentIndicatorIndex()).toBe(i);
      expect(document.activeElement).toBe(getByTestId(`step-${ORDER[i]}`).querySelector('h2'));
    }
    expect(getByTestId<HTMLButtonElement>('wizard-back').disabled).toBe(true);
  });

  it('describes each step and marks the unfinished ones as coming later', async () => {
    await mount();
    const seen: Record<string, string> = {};
    for (let i = 0; i < ORDER.length; i++) {
      const section = getByTestId(`step-${ORDER[i]}`);
      seen[ORDER[i]] = section.textContent ?? '';
      const placeholder = byTestId('coming-later', section) !== null;
      expect(placeholder, ORDER[i]).toBe(!['welcome', 'signin', 'resource', 'profile', 'verify', 'done'].includes(ORDER[i]));
      if (i < ORDER.length - 1) click(getByTestId('wizard-next'));
    }
    expect(seen.signin).toContain('az login');
    for (const m of ['sonnet', 'haiku', 'opus']) expect(seen.resource).toContain(m);
    expect(seen.profile).toMatch(/Review every change before it is written/);
    expect(seen.verify).toMatch(/connectivity checks/);
  });

  it('opens home from Done and "Run setup again" returns to the wizard', async () => {
    const app = await mount();
    for (let i = 1; i < ORDER.length; i++) click(getByTestId('wizard-next'));
    click(getByTestId('wizard-finish'));

    expect(byTestId('wizard')).toBeNull();
    expect(byTestId('home')).not.toBeNull();
    expect(document.activeElement).toBe(getByTestId('tab-usage'));

    click(getByTestId('run-setup-again'));
    await waitFor(() => byTestId('step-welcome'));
    expect(app.home).toBeNull();
    expect(document.activeElement).toBe(getByTestId('step-welcome').querySelector('h2'));
  });
});
