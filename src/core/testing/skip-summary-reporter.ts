import type { Reporter, TestModule, Vitest } from 'vitest/node';
import type { MissingTool } from './tools.js';

export interface SkipSummaryOptions {
  /** 'PGlite' or 'PostgreSQL': the engine of this run. */
  engine: string;
  /** The other engine, and the test files left out of this run because they test it only. */
  otherEngine: { name: string; files: readonly string[]; command: string };
}

/**
 * Prints, after vitest's own summary, why tests were skipped: each missing program (see
 * `needs()` in tools.ts) with its reason and how many tests it skipped, kept apart from the
 * files that only test the other database engine. Prints nothing more when nothing was lost.
 *
 * @example
 *    Skipped for want of a program (CI installs them; there a missing program fails the run):
 *      Chromium: 58 tests. Chromium not found: apt-get install --no-install-recommends chromium …
 *    Engine: PGlite. Left out: 3 files that test PostgreSQL only; npm run test:pg runs them.
 */
export default class SkipSummaryReporter implements Reporter {
  private vitest: Vitest | undefined;

  private readonly options: SkipSummaryOptions;

  /** Without options (`--reporter=<this file>`), the engine is read from TEST_DATABASE_URL. */
  constructor(options: Partial<SkipSummaryOptions> = {}) {
    this.options = {
      engine: options.engine ?? (process.env['TEST_DATABASE_URL'] ? 'PostgreSQL' : 'PGlite'),
      otherEngine: options.otherEngine ?? { name: '', files: [], command: '' },
    };
  }

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const lines = summaryLines(testModules, this.options);
    if (lines.length === 0) return;
    const log = (line: string) => (this.vitest ? this.vitest.logger.log(line) : console.log(line));
    for (const line of ['', ...lines, '']) log(line);
  }
}

/** The summary's lines; exported for its own test. */
export function summaryLines(testModules: ReadonlyArray<TestModule>, options: SkipSummaryOptions): string[] {
  const byTool = new Map<string, MissingTool & { tests: number }>();
  const byNote = new Map<string, number>();
  for (const module of testModules)
    for (const test of module.children.allTests()) {
      const result = test.result();
      if (result.state !== 'skipped') continue;
      const tools = test.meta().missingTools ?? [];
      for (const tool of tools) {
        const entry = byTool.get(tool.name) ?? { ...tool, tests: 0 };
        entry.tests += 1;
        byTool.set(tool.name, entry);
      }
      // A test that skipped itself with ctx.skip(reason) outside needs(): list its reason too.
      if (tools.length === 0 && result.note) byNote.set(result.note, (byNote.get(result.note) ?? 0) + 1);
    }
  const tests = (n: number) => `${n} test${n === 1 ? '' : 's'}`;
  const lines: string[] = [];
  if (byTool.size > 0) {
    lines.push(' Skipped for want of a program (CI installs them; there a missing program fails the run):');
    for (const tool of byTool.values()) lines.push(`   ${tool.name}: ${tests(tool.tests)}. ${tool.reason}`);
  }
  if (byNote.size > 0) {
    lines.push(' Skipped, saying why:');
    for (const [note, n] of byNote) lines.push(`   ${tests(n)}: ${note}`);
  }
  const other = options.otherEngine;
  const n = other.files.length;
  if (n > 0)
    lines.push(
      ` Engine: ${options.engine}. Left out: ${n} file${n === 1 ? '' : 's'} that test${n === 1 ? 's' : ''} ` +
        `${other.name} only; ${other.command} runs ${n === 1 ? 'it' : 'them'}.`,
    );
  return lines;
}
