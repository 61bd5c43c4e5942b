import { describe, expect, it } from 'vitest';

// Only src/ipc/ may talk to Tauri; everything else goes through its typed wrappers.
const sources = import.meta.glob('../src/**/*.ts', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

describe('IPC boundary', () => {
  it('only files under src/ipc/ import @tauri-apps/*', () => {
    const files = Object.keys(sources);
    expect(files.length).toBeGreaterThan(5);
    const offenders = files.filter(
      (f) => !f.startsWith('../src/ipc/') && /from\s+['"]@tauri-apps\/|import\(\s*['"]@tauri-apps\//.test(sources[f]),
    );
    expect(offenders).toEqual([]);
    expect(sources['../src/ipc/index.ts']).toMatch(/from '@tauri-apps\/api\/core'/);
  });
});
