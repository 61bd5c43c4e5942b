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
    expect(sources['../src/ipc/call.ts']).toMatch(/from '@tauri-apps\/api\/core'/);
  });

  it('command names are spelled only in the generated commands.ts, and invoke only in call()', () => {
    const generated = sources['../src/ipc/commands.ts'];
    expect(generated).toMatch(/^\/\/ This file is generated from Rust/);
    const names = [...generated.matchAll(/call<[^>]*>\('([a-z_]+)'/g)].map((m) => m[1]);
    expect(names.length).toBeGreaterThanOrEqual(18);
    for (const [file, text] of Object.entries(sources)) {
      if (file === '../src/ipc/commands.ts') continue;
      for (const name of names) expect(text.includes(`'${name}'`) || text.includes(`"${name}"`), `${file} spells ${name}`).toBe(false);
      if (file !== '../src/ipc/call.ts') expect(/\binvoke\s*[<(]/.test(text), `${file} invokes directly`).toBe(false);
    }
  });
});
