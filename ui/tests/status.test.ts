import { describe, expect, it } from 'vitest';
import { statusLine } from '../src/status';
import { appInfoFixture } from './helpers';

describe('status line', () => {
  it('shows the sandbox badge for a sandbox config started outside the app', () => {
    const el = statusLine(appInfoFixture({ sandboxConfig: true, configFile: '/tmp/sb.toml' }));
    const badge = el.querySelector('[data-testid="sandbox-badge"]');
    expect(badge?.textContent).toBe('Sandbox');
    expect(badge?.getAttribute('title')).toContain('foundry-onboard sandbox');
  });

  it('shows no badge for a real config', () => {
    const el = statusLine(appInfoFixture({ configFile: '/home/u/.config/foundry-onboard/config.toml' }));
    expect(el.querySelector('[data-testid="sandbox-badge"]')).toBeNull();
  });
});
