// The one `call()` every command goes through (commands.ts is generated around it): whatever a
// rejected `invoke` produced becomes the typed IpcError the views branch on.
import { invoke, type InvokeArgs } from '@tauri-apps/api/core';
import type { ErrorKind, IpcError } from '../bindings';

const ERROR_KINDS: readonly ErrorKind[] = [
  'config',
  'policy',
  'io',
  'network',
  'guard',
  'sandbox',
  'notBuilt',
  'internal',
];

export const INTERNAL_ERROR_HINT =
  'This looks like a bug in Foundry Onboard. Try again; if it keeps happening, restart the app and report the problem together with the log file.';

function isIpcError(e: unknown): e is IpcError {
  if (typeof e !== 'object' || e === null) return false;
  const o = e as Record<string, unknown>;
  return (
    typeof o.kind === 'string' &&
    (ERROR_KINDS as readonly string[]).includes(o.kind) &&
    typeof o.message === 'string' &&
    typeof o.hint === 'string'
  );
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message || String(e);
  if (typeof e === 'object' && e !== null) {
    try {
      return JSON.stringify(e);
    } catch {
      return String(e);
    }
  }
  return String(e);
}

/** Normalise whatever a rejected `invoke` produced into an {@link IpcError}. */
export function toIpcError(e: unknown): IpcError {
  if (isIpcError(e)) return { kind: e.kind, message: e.message, hint: e.hint };
  return { kind: 'internal', message: describe(e), hint: INTERNAL_ERROR_HINT };
}

/** The one way to invoke a command: any rejection becomes an {@link IpcError}. */
export async function call<T>(cmd: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toIpcError(e);
  }
}
