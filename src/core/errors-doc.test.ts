import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

// docs/errors.md lists every error code with its status, as fastify's docs/Reference/Errors.md
// does; this test keeps the list and the code in step (fastify's test/internals/errors.test.js).

const root = join(import.meta.dirname, '..', '..');
const WILDCARD = /\$\{[^}]*\}|<[^>]*>/g;

/** Every `.ts` file of `src/`, tests and test helpers left out. */
function sources(dir = join(root, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sources(path);
    return /\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** What the code throws: code → the statuses it is thrown with. */
function codesInSource(files: readonly { path: string; text: string }[]): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const add = (code: string, status: string) =>
    found.set(code.replace(WILDCARD, '*'), (found.get(code.replace(WILDCARD, '*')) ?? new Set()).add(status));
  for (const { text } of files) {
    const code = text.replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
    for (const m of code.matchAll(/(?:super|new SlipwayError)\(\s*['`]([A-Z][A-Z0-9_]*)['`]\s*,\s*(\d{3})/g))
      add(m[1]!, m[2]!);
    // The error handler's code for a database refusal: SLIPWAY_DB_<SQLSTATE>, status by SQLSTATE.
    for (const m of code.matchAll(/code:\s*`([A-Z][A-Z0-9_]*\$\{[^}]*\})`/g)) add(m[1]!, 'computed');
  }
  return found;
}

/** The rows of the reference table: code → the status column. */
function codesInDoc(markdown: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const m of markdown.matchAll(/^\| `([^`]+)` \| ([^|]+) \|/gm))
    rows.set(m[1]!.replace(WILDCARD, '*'), m[2]!.trim());
  return rows;
}

const doc = codesInDoc(readFileSync(join(root, 'docs', 'errors.md'), 'utf8'));
const code = codesInSource(
  sources().map((path) => ({ path: relative(root, path), text: readFileSync(path, 'utf8') })),
);

describe('docs/errors.md', () => {
  it('lists every error code the code throws, with its status', () => {
    const missing = [...code.keys()].filter((c) => !doc.has(c));
    expect(missing, 'codes thrown in src/ but missing from docs/errors.md').toEqual([]);
    const wrong = [...code].flatMap(([c, statuses]) =>
      [...statuses].filter((s) => s !== 'computed' && doc.get(c) !== s).map((s) => `${c}: ${s}`),
    );
    expect(wrong, 'statuses that differ from docs/errors.md').toEqual([]);
  });

  it('lists no code that nothing throws', () => {
    expect([...doc.keys()].filter((c) => !code.has(c))).toEqual([]);
  });

  it('finds a code the table does not list, and a row the code does not throw (the check can fail)', () => {
    const extra = codesInSource([
      {
        path: 'x.ts',
        text: "class X extends SlipwayError { constructor() { super('TRIAL_X', 418, 'x'); } }",
      },
    ]);
    expect([...extra.keys()].filter((c) => !doc.has(c))).toEqual(['TRIAL_X']);
    const table = codesInDoc('| `TRIAL_Y` | 404 | m | e |\n| `SLIPWAY_DB_<SQLSTATE>` | 400 | m | e |');
    expect([...table.keys()]).toEqual(['TRIAL_Y', 'SLIPWAY_DB_*']);
  });
});
