import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import { commands, INTERNAL_ERROR_HINT, toIpcError } from '../src/ipc';
import { waitFor } from './helpers';

afterEach(() => clearMocks());

describe('ipc wrappers', () => {
  it('passes a serialized backend error through and normalises anything else to internal', () => {
    const err = { kind: 'network', message: 'connection refused', hint: 'Check the VPN.' };
    expect(toIpcError(err)).toEqual(err);
    expect(toIpcError('boom')).toEqual({ kind: 'internal', message: 'boom', hint: INTERNAL_ERROR_HINT });
    expect(toIpcError(new Error('bad'))).toMatchObject({ kind: 'internal', message: 'bad' });
    // Unknown kind or missing hint is not trusted as an IpcError.
    expect(toIpcError({ kind: 'weird', message: 'x', hint: 'y' }).kind).toBe('internal');
    expect(toIpcError({ kind: 'io', message: 'x' })).toMatchObject({ kind: 'internal', hint: INTERNAL_ERROR_HINT });
  });

  it('wrappers invoke the right command and reject with an IpcError', async () => {
    const seen: string[] = [];
    mockIPC((cmd) => {
      seen.push(cmd);
      if (cmd === 'config_view') throw { kind: 'io', message: 'permission denied', hint: 'Check file permissions.' };
      return null;
    });
    await expect(commands.markFirstPaint()).resolves.toBeNull();
    await expect(commands.configView()).rejects.toEqual({ kind: 'io', message: 'permission denied', hint: 'Check file permissions.' });
    expect(seen).toEqual(['mark_first_paint', 'config_view']);
  });

  it('main.ts mounts the app and reports first paint after two frames', async () => {
    const seen: string[] = [];
    mockIPC((cmd) => {
      seen.push(cmd);
      if (cmd === 'app_info') return { version: '9.9.9', os: 'linux', sandbox: null, sandboxConfig: false, configFile: null, policyFile: null, logDir: null };
      if (cmd === 'mark_first_paint') throw { kind: 'internal', message: 'ignored', hint: '' };
      return null;
    });
    document.body.replaceChildren();
    const root = document.createElement('div');
    root.id = 'app';
    document.body.appendChild(root);
    await import('../src/main');
    await waitFor(() => seen.includes('mark_first_paint'));
    await waitFor(() => document.querySelector('[data-testid="app-version"]'));
    expect(seen[0]).toBe('app_info');
    expect(document.querySelector('[data-testid="app-version"]')?.textContent).toContain('9.9.9');
  });
});
