import { describe, expect, it } from 'vitest';
import { currentStep, dependents, initialWizard, STEP_ORDER, updateWizard, type WizardState } from '../src/wizard-model';
import { initialHome, tabForKey, updateHome } from '../src/home-model';

const next = (s: WizardState, blocker: string | null = null): WizardState => updateWizard(s, { type: 'next', blocker });

describe('wizard transitions (no DOM)', () => {
  it('starts on Welcome (or where asked) with only that step alive', () => {
    expect(initialWizard()).toEqual({ index: 0, alive: ['welcome'], blocked: null, auto: [], decided: [] });
    expect(initialWizard('profile')).toEqual({ index: 3, alive: ['profile'], blocked: null, auto: [], decided: [] });
  });

  it('Next and Back move one step, keep every visited step alive, and stop at the ends', () => {
    let s = initialWizard();
    expect(updateWizard(s, { type: 'back' })).toBe(s);
    for (let i = 1; i < STEP_ORDER.length; i++) s = next(s);
    expect(currentStep(s)).toBe('done');
    expect(s.alive).toEqual(STEP_ORDER);
    expect(next(s)).toBe(s);
    const back = updateWizard(s, { type: 'back' });
    expect(currentStep(back)).toBe('verify');
    expect(back.alive).toBe(s.alive);
  });

  it('a step that cannot be left keeps the wizard where it is and says why; the next move clears it', () => {
    const s = next(next(initialWizard()));
    const held = next(s, 'Save the deployments first.');
    expect(currentStep(held)).toBe('resource');
    expect(held.blocked).toBe('Save the deployments first.');
    expect(next(held).blocked).toBeNull();
    expect(updateWizard(held, { type: 'back' }).blocked).toBeNull();
  });

  it('a change makes the steps derived from it stale, down the chain, and nothing else', () => {
    expect(dependents('signin')).toEqual(['resource', 'profile', 'verify']);
    expect(dependents('resource')).toEqual(['profile', 'verify']);
    expect(dependents('profile')).toEqual(['verify']);
    expect(dependents('done')).toEqual([]);
    let s = initialWizard();
    for (let i = 1; i < STEP_ORDER.length; i++) s = next(s);
    const changed = updateWizard(s, { type: 'changed', step: 'resource' });
    expect(changed.alive).toEqual(['welcome', 'signin', 'resource', 'done']);
    expect(changed.index).toBe(s.index);
    // Nothing depends on Done: no new state.
    expect(updateWizard(s, { type: 'changed', step: 'done' })).toBe(s);
    // A late change (a sign-in finishing once Resource is shown) keeps the step on screen alive.
    const onResource = next(next(initialWizard()));
    expect(updateWizard(onResource, { type: 'changed', step: 'signin' }).alive).toEqual(['welcome', 'signin', 'resource']);
  });
});

describe('home transitions (no DOM)', () => {
  it('Settings loads each time it is opened, the Doctor only the first time', () => {
    let s = initialHome();
    expect(s).toEqual({ tab: 'usage', settingsLoad: 0, doctorOpened: false });
    s = updateHome(s, { type: 'select', tab: 'settings' });
    expect(s.settingsLoad).toBe(1);
    expect(updateHome(s, { type: 'select', tab: 'settings' })).toBe(s);
    s = updateHome(s, { type: 'select', tab: 'doctor' });
    expect(s).toEqual({ tab: 'doctor', settingsLoad: 1, doctorOpened: true });
    s = updateHome(updateHome(s, { type: 'select', tab: 'settings' }), { type: 'select', tab: 'doctor' });
    expect(s).toEqual({ tab: 'doctor', settingsLoad: 2, doctorOpened: true });
    expect(initialHome('settings').settingsLoad).toBe(1);
    expect(initialHome('doctor').doctorOpened).toBe(true);
  });

  it('arrows wrap, Home and End jump, other keys change nothing', () => {
    expect(tabForKey('usage', 'ArrowLeft')).toBe('settings');
    expect(tabForKey('settings', 'ArrowRight')).toBe('usage');
    expect(tabForKey('doctor', 'Home')).toBe('usage');
    expect(tabForKey('usage', 'End')).toBe('settings');
    expect(tabForKey('usage', 'a')).toBeNull();
    const s = initialHome();
    expect(updateHome(s, { type: 'key', key: 'a' })).toBe(s);
    expect(updateHome(s, { type: 'key', key: 'End' }).tab).toBe('settings');
  });
});
