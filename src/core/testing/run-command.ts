import fs from 'node:fs';
import { runCli } from '../cli/run-cli.js';
import { type CliResult, childEnv } from './run-slipway.js';

/** The command running now: calls queue behind it (cwd and fd 1/2 belong to one at a time). */
let current: Promise<unknown> = Promise.resolve();

/**
 * Runs `slipway <args>` in this process through `runCli()`, as bin/slipway.js runs it in its own,
 * without starting node and booting the sources for every call: for tests of what a command
 * does. Use {@link runSlipway} where the process itself is tested (exit codes, stdin, signals,
 * the lock between processes).
 *
 * It keeps the subprocess's rules: the environment is only PATH, HOME and `env` (never the
 * developer's shell or `.env`: the working directory is `cwd` while it runs), stdin is not a
 * terminal, and everything written to fd 1 and 2, the command's log lines included, is captured
 * as `stdout` and `stderr`. `code` is what the process would exit with. Calls run one at a time:
 * one made while another runs (say, the rest of a test that timed out) waits for it.
 *
 * @example
 *   const r = await runCommand(['loaddata', 'x.json'], { DATABASE_URL: testDb.url }, { cwd: testDb.tmp });
 *   expect(r).toMatchObject({ code: 0, stderr: '' });
 */
export async function runCommand(
  args: string[],
  env: Record<string, string>,
  options: { cwd: string },
): Promise<CliResult> {
  const previous = current;
  let done!: () => void;
  current = new Promise<void>((resolve) => {
    done = resolve;
  });
  await previous.catch(() => undefined);
  const started = Date.now();
  let stdout = '';
  let stderr = '';
  const previousDir = process.cwd();
  const writeSync = fs.writeSync;
  // Loggers write to fd 1 or 2 synchronously (pino's sonic-boom): take those writes too.
  fs.writeSync = ((fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
    if (fd !== 1 && fd !== 2) return (writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
    const text =
      typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString();
    if (fd === 1) stdout += text;
    else stderr += text;
    return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  }) as typeof fs.writeSync;
  try {
    process.chdir(options.cwd);
    const code = await runCli({
      argv: args,
      env: childEnv(env),
      stdout: (line) => {
        stdout += `${line}\n`;
      },
      stderr: (line) => {
        stderr += `${line}\n`;
      },
      interactive: false,
    });
    return { code, stdout, stderr, durationMs: Date.now() - started };
  } finally {
    fs.writeSync = writeSync;
    process.chdir(previousDir);
    done();
  }
}
