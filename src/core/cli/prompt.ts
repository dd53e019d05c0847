import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/**
 * Asks a question on the terminal and resolves the answer. With `hidden`, what is typed is not
 * echoed (passwords), as getpass does.
 */
export function ask(question: string, options: { hidden?: boolean } = {}): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: Boolean(process.stdin.isTTY) });
  return new Promise((resolve, reject) => {
    rl.on('SIGINT', () => {
      rl.close();
      reject(new Error('cancelled'));
    });
    rl.question(question, (answer) => {
      if (options.hidden) process.stderr.write('\n');
      rl.close();
      resolve(answer);
    });
    muted = Boolean(options.hidden);
  });
}
