import { runCli } from './run-cli.js';

/** The `slipway` executable: the one place that touches process.argv, process.env and exit codes. */

// `slipway help | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
const code = await runCli({
  argv: process.argv.slice(2),
  env: process.env,
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  interactive: Boolean(process.stdin.isTTY),
});
process.exitCode = code;
// Let stdout drain; then leave even if a library left a timer running.
setImmediate(() => process.exit(code));
