import { createInterface, type Interface } from 'node:readline';
import { Writable } from 'node:stream';
import { CommandError } from '../errors.js';

let shared:
  | { rl: Interface; lines: string[]; waiting: ((line: string | undefined) => void)[]; ended: boolean }
  | undefined;
let muted = false;

/**
 * One readline interface for the whole command: lines typed (or pasted) ahead of a question
 * are queued, not lost between questions.
 */
function terminal() {
  if (shared) return shared;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: Boolean(process.stdin.isTTY) });
  const state = {
    rl,
    lines: [] as string[],
    waiting: [] as ((line: string | undefined) => void)[],
    ended: false,
  };
  rl.on('line', (line) => {
    const next = state.waiting.shift();
    if (next) next(line);
    else state.lines.push(line);
  });
  rl.on('close', () => {
    state.ended = true;
    for (const next of state.waiting.splice(0)) next(undefined);
  });
  rl.on('SIGINT', () => {
    process.stderr.write('\n');
    process.exit(130);
  });
  shared = state;
  return state;
}

/**
 * Asks a question on the terminal and resolves the answer. With `hidden`, what is typed is not
 * echoed (passwords), as getpass does. Rejects when input ends before an answer.
 */
export async function ask(question: string, options: { hidden?: boolean } = {}): Promise<string> {
  const t = terminal();
  process.stderr.write(question);
  muted = Boolean(options.hidden);
  const line =
    t.lines.length > 0
      ? t.lines.shift()
      : t.ended
        ? undefined
        : await new Promise<string | undefined>((r) => t.waiting.push(r));
  muted = false;
  if (options.hidden) process.stderr.write('\n');
  if (line === undefined) throw new CommandError('input ended before an answer was given');
  return line;
}

/** Releases the terminal so the process can exit. */
export function closePrompt(): void {
  shared?.rl.close();
  shared = undefined;
}
