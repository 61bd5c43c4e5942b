import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { profileStep } from '../src/profile';
import type { ProfileOutcome, ProfilePreview } from '../src/bindings';

const preview: ProfilePreview = {
  mode: 'entra',
  home: '/tmp/sb/home',
  sandbox: true,
  files: [
    { target: 'bash', path: '/tmp/sb/home/.bashrc', action: 'create', diff: "--- a\n+++ b\n@@ -0,0 +1 @@\n+export CLAUDE_CODE_USE_FOUNDRY='1'\n" },
    { target: 'claude-settings', path: '/tmp/sb/home/.claude/settings.json', action: 'unchanged', diff: '' },
  ],
  effective: {
    cwd: '/tmp/sb/home',
    vars: [{ name: 'ANTHROPIC_API_KEY', value: '*** (19 characters)', source: 'process environment' }],
    findings: [
      { severity: 'fail', about: 'profile', message: 'CLAUDE_CODE_USE_FOUNDRY is not set (the profile sets "1")', hint: 'Open a new terminal.' },
      { severity: 'warn', about: 'conflict', message: 'ANTHROPIC_API_KEY is set by process environment: it belongs to the direct API', hint: 'Unset it.' },
    ],
    status: 'fail',
    files: [],
  },
};

const outcome: ProfileOutcome = {
  mode: 'entra',
  home: '/tmp/sb/home',
  files: preview.files,
  shells: [
    { target: 'bash', status: 'pass', detail: 'bash sees all 9 variables', mismatches: [] },
    { target: 'fish', status: 'fail', detail: 'fish does not see the profile as written', mismatches: ['AZURE_TOKEN_CREDENTIALS is not set'] },
  ],
  client: { target: 'bash', status: 'pass', detail: 'claude -p answered through the profile', apiErrorStatus: null },
};

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
}

describe('profile step', () => {
  let calls: string[];
  beforeEach(() => {
    calls = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      if (cmd === 'profile_preview') return preview;
      if (cmd === 'profile_write') return outcome;
      throw new Error(`unexpected ${cmd}`);
    });
  });
  afterEach(() => clearMocks());

  it('shows each diff, the sandbox home and only real conflicts before writing', async () => {
    const el = profileStep().el;
    document.body.append(el);
    await settle();
    expect(el.querySelector('[data-testid="profile-sandbox-home"]')?.textContent).toContain('/tmp/sb/home');
    const bash = el.querySelector('[data-testid="file-bash"]')!;
    expect(bash.querySelector('.diff-add')?.textContent).toContain("export CLAUDE_CODE_USE_FOUNDRY='1'");
    expect(el.querySelector('[data-testid="file-claude-settings"] .diff')).toBeNull();
    const findings = [...el.querySelectorAll('[data-testid="finding"]')].map((f) => f.textContent);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toContain('ANTHROPIC_API_KEY');
    const row = el.querySelector('[data-testid="effective-env"] tbody tr')!;
    expect(row.textContent).toContain('ANTHROPIC_API_KEY');
    expect(row.textContent).toContain('process environment');
    expect(row.textContent).not.toContain('sk-');
    expect(calls).toEqual(['profile_preview']);
    el.remove();
  });

  it('writes on click and shows each shell and the real client', async () => {
    const el = profileStep().el;
    document.body.append(el);
    await settle();
    (el.querySelector('[data-testid="profile-write"]') as HTMLButtonElement).click();
    await settle();
    expect(calls).toEqual(['profile_preview', 'profile_write']);
    expect(el.querySelector('[data-testid="shell-check-bash"]')?.getAttribute('data-status')).toBe('pass');
    const fish = el.querySelector('[data-testid="shell-check-fish"]')!;
    expect(fish.getAttribute('data-status')).toBe('fail');
    expect(fish.textContent).toContain('AZURE_TOKEN_CREDENTIALS is not set');
    expect(el.querySelector('[data-testid="client-check"]')?.getAttribute('data-status')).toBe('pass');
    expect((el.querySelector('[data-testid="profile-write"]') as HTMLButtonElement).disabled).toBe(true);
    el.remove();
  });

  it('shows the error with its hint when writing fails', async () => {
    clearMocks();
    mockIPC((cmd) => {
      if (cmd === 'profile_preview') return preview;
      throw { kind: 'io', message: '/home/u/.bashrc changed while it was being updated', hint: 'Run it again.' };
    });
    const el = profileStep().el;
    document.body.append(el);
    await settle();
    (el.querySelector('[data-testid="profile-write"]') as HTMLButtonElement).click();
    await settle();
    expect(el.querySelector('[data-testid="error-message"]')?.textContent).toContain('changed while');
    expect(el.querySelector('[data-testid="error-hint"]')?.textContent).toContain('Run it again.');
    el.remove();
  });
});
