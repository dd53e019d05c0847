import { describe, expect, it } from 'vitest';
import { coreCommands } from './commands/index.js';
import { coreCommandLoaders } from './commands/lazy.js';
import { runCli } from './run-cli.js';

describe('commands loaded one at a time', () => {
  it('has a loader for every framework command, under its name, in the same order', async () => {
    expect(Object.keys(coreCommandLoaders)).toEqual(coreCommands.map((c) => c.name));
    for (const [name, load] of Object.entries(coreCommandLoaders))
      expect((await load()).default.name).toBe(name);
  });

  it('still lists every command, the apps’ too, in help, and finds an app command by name', async () => {
    let out = '';
    const io = {
      env: {},
      stdout: (line: string) => {
        out += `${line}\n`;
      },
      stderr: () => undefined,
      interactive: false,
    };
    expect(await runCli({ ...io, argv: ['help'] })).toBe(0);
    for (const c of coreCommands) expect(out).toContain(`  ${c.name} `);
    expect(out).toContain('createsuperuser');
    out = '';
    expect(await runCli({ ...io, argv: ['createsuperuser', '--help'] })).toBe(0);
    expect(out).toContain('Usage: ');
  });
});
