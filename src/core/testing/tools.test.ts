import { describe, expect, it } from 'vitest';
import type { TestModule } from 'vitest/node';
import { summaryLines } from './skip-summary-reporter.js';
import { MissingToolError, requireTool, suiteOptions } from './tools.js';

const present = requireTool({ name: 'Here', find: () => '/usr/bin/here', install: 'nothing to do' });
const absent = requireTool({ name: 'Gone', find: () => undefined, install: 'apt-get install gone' });

describe('a program the tests need', () => {
  it('is looked for once, when first asked about', () => {
    let looks = 0;
    const find = () => {
      looks += 1;
      return '/bin/counted';
    };
    const tool = requireTool({ name: 'Counted', find, install: '' });
    expect(looks).toBe(0);
    expect([tool.missing, tool.path(), tool.path()]).toEqual([undefined, '/bin/counted', '/bin/counted']);
    expect(looks).toBe(1);
  });

  it('when missing, gives its reason, and path() throws it', () => {
    expect(absent.missing).toBe('Gone not found: apt-get install gone');
    expect(() => absent.path()).toThrow(MissingToolError);
    expect(() => absent.path()).toThrow('Gone not found: apt-get install gone');
  });

  it('skips a suite that needs a missing program, recording why, except in CI', () => {
    expect(suiteOptions([present], false)).toEqual({});
    expect(suiteOptions([present, absent], false)).toEqual({
      skip: true,
      meta: { missingTools: [{ name: 'Gone', reason: 'Gone not found: apt-get install gone' }] },
    });
    expect(suiteOptions([present, absent], true)).toEqual({}); // runs, and fails on path()
  });
});

describe('the skip summary', () => {
  /** A module of tests: [state, missing program names, ctx.skip note]. */
  const module = (tests: [string, string[], string?][]) =>
    ({
      children: {
        *allTests() {
          for (const [state, tools, note] of tests)
            yield {
              result: () => ({ state, note }),
              meta: () => ({ missingTools: tools.map((name) => ({ name, reason: `${name} not found: …` })) }),
            };
        },
      },
    }) as unknown as TestModule;
  const options = { engine: 'PGlite', otherEngine: { name: 'PostgreSQL', files: [], command: '' } };

  it('counts the tests each missing program skipped, and lists ctx.skip reasons apart', () => {
    const modules = [
      module([
        ['skipped', ['Chromium']],
        ['skipped', ['Chromium']],
        ['passed', []],
      ]),
      module([
        ['skipped', ['Chromium', 'a terminal']],
        ['skipped', [], 'no registry'],
        ['skipped', []],
      ]),
    ];
    expect(summaryLines(modules, options)).toEqual([
      ' Skipped for want of a program (CI installs them; there a missing program fails the run):',
      '   Chromium: 3 tests. Chromium not found: …',
      '   a terminal: 1 test. a terminal not found: …',
      ' Skipped, saying why:',
      '   1 test: no registry',
    ]);
  });

  it('says which files the other engine runs, and nothing when nothing was lost', () => {
    expect(summaryLines([module([['passed', []]])], options)).toEqual([]);
    const left = {
      ...options,
      otherEngine: { name: 'PostgreSQL', files: ['a', 'b'], command: 'npm run test:pg' },
    };
    expect(summaryLines([], left)).toEqual([
      ' Engine: PGlite. Left out: 2 files that test PostgreSQL only; npm run test:pg runs them.',
    ]);
  });
});
