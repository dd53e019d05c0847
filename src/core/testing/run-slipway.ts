import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { type DatabaseConfig, describeDatabase } from '../config/index.js';
import { projectRoot } from '../paths.js';
import { trackChild } from './children.js';

export const slipwayBin = join(projectRoot, 'bin', 'slipway.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/**
 * The environment a subprocess gets: only PATH and HOME from ours, plus `env`. Tests stay
 * independent of the developer's shell and of a `.env` (cwd is a scratch folder).
 */
export function childEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', LOG_LEVEL: 'warn', ...env };
}

/**
 * Runs `slipway <args>` to completion in a subprocess, as a user would. Use it where the process
 * is the point (exit codes, stdin, the lock between processes, signals); elsewhere
 * {@link runCommand} runs the same command in-process, without a process start and a PGlite
 * boot per call. The process is killed when the test ends (see children.ts).
 *
 * @example
 *   const r = await runSlipway(['check'], { DATABASE_URL: testDb.url }, { cwd: testDb.tmp });
 *   expect(r.code).toBe(1);
 */
export function runSlipway(
  args: string[],
  env: Record<string, string>,
  options: {
    cwd: string;
    timeoutMs?: number;
    input?: string /** Another checkout's root (see copyProject). */;
    project?: string;
  },
): Promise<CliResult> {
  const started = Date.now();
  const bin = options.project ? join(options.project, 'bin', 'slipway.js') : slipwayBin;
  const child = trackChild(spawn(process.execPath, [bin, ...args], { cwd: options.cwd, env: childEnv(env) }));
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, durationMs: Date.now() - started });
    });
  });
}

export interface Spawned {
  readonly child: ChildProcess;
  output(): string;
  /** Resolves when the combined output matches `pattern`; rejects after `timeoutMs` or on exit. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves with the exit code. */
  exited(): Promise<number | null>;
}

/**
 * Starts a long-running process (`slipway serve`, or `node <script>`) and watches its output. It
 * is killed when the test that started it ends, or its file when started in a beforeAll.
 */
export function spawnProcess(command: string[], env: Record<string, string>, cwd: string): Spawned {
  const [file, ...args] = command;
  const child = trackChild(spawn(file!, args, { cwd, env: childEnv(env) }));
  let output = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    output += d;
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(output)) {
            cleanup();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${pattern}; output:\n${output}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        void exit.then(() => {
          if (!pattern.test(output)) {
            cleanup();
            reject(new Error(`process exited before ${pattern}; output:\n${output}`));
          }
        });
        check();
      });
    },
    exited: () => exit,
  };
}

/** Starts `slipway <args>` in the background. */
export function spawnSlipway(args: string[], env: Record<string, string>, cwd: string): Spawned {
  return spawnProcess([process.execPath, slipwayBin, ...args], env, cwd);
}

/**
 * The line a command that writes to the database prints first on stderr, naming the database.
 *
 * @example
 *   expect(result.stderr).toBe(usingLine(testDb));
 */
export function usingLine(testDb: { readonly config: DatabaseConfig }): string {
  return `Using ${describeDatabase(testDb.config)}\n`;
}

/** `stderr` after its leading {@link usingLine}, which must be there. */
export function afterUsingLine(stderr: string, testDb: { readonly config: DatabaseConfig }): string {
  const line = usingLine(testDb);
  if (!stderr.startsWith(line))
    throw new Error(`expected stderr to start with ${JSON.stringify(line)}: ${stderr}`);
  return stderr.slice(line.length);
}
