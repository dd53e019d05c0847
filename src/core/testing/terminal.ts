import { spawn } from 'node:child_process';
import { trackChild } from './children.js';
import { childEnv, slipwayBin } from './run-slipway.js';
import { onPath, requireTool, type Tool } from './tools.js';

/**
 * util-linux `script`, which runs a command on a pseudo-terminal, for {@link runInTerminal}.
 *
 * @example
 *   describe('createsuperuser on a terminal', needs(terminal), () => { … });
 */
export const terminal: Tool = requireTool({
  name: 'a terminal (util-linux script)',
  find: () => onPath('script'),
  install: 'apt-get install bsdutils',
});

export interface Terminal {
  /** Everything the program wrote to the terminal, with colour and cursor codes and \r removed. */
  text(): string;
  /**
   * Resolves once `expected` appears after the previous match, so that a prompt asked twice is
   * waited for twice. Rejects after `timeoutMs` or when the program exits first.
   */
  waitFor(expected: string, timeoutMs?: number): Promise<void>;
  /** Types a line, as a user pressing Enter would. */
  typeLine(line: string): void;
  /** Resolves with the program's exit code. */
  exited(): Promise<number | null>;
  kill(): void;
}

/**
 * Runs `slipway <args>` on a pseudo-terminal (through `script -qfec`), so that it sees
 * `stdin.isTTY` and its prompts behave as for a person. Type an answer only after its prompt
 * appeared: text typed earlier is echoed by the terminal before the program could hide it.
 *
 * @example
 *   const term = runInTerminal(['createsuperuser'], { DATABASE_URL: url }, dir);
 *   await term.waitFor('Username: ');
 *   term.typeLine('admin');
 */
export function runInTerminal(args: string[], env: Record<string, string>, cwd: string): Terminal {
  const scriptPath = terminal.path();
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const command = [process.execPath, slipwayBin, ...args].map(quote).join(' ');
  const child = trackChild(spawn(scriptPath, ['-qfec', command, '/dev/null'], { cwd, env: childEnv(env) }));
  let raw = '';
  let cursor = 0;
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    raw += d;
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  let done = false;
  void exit.then(() => {
    done = true;
    for (const listener of listeners) listener();
  });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences
  const text = () => raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  void exit.then(() => clearTimeout(timer));

  return {
    text,
    waitFor(expected, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const at = text().indexOf(expected, cursor);
          if (at !== -1) {
            cursor = at + expected.length;
            cleanup();
            resolve();
          } else if (done) {
            cleanup();
            reject(new Error(`exited before ${JSON.stringify(expected)}; output:\n${text()}`));
          }
        };
        const timeout = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${JSON.stringify(expected)}; output:\n${text()}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timeout);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    typeLine(line) {
      child.stdin.write(`${line}\r`);
    },
    exited: () => exit,
    kill: () => child.kill('SIGKILL'),
  };
}
