import { runCli } from './run-cli.js';

/** The `slipway` executable: the one place that touches process.argv, process.env and exit codes. */
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
