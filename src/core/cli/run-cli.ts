import { parseArgs } from 'node:util';
import { installedApps } from '../../apps/installed.js';
import { type AppRegistry, createRegistry } from '../apps/registry.js';
import { type Config, describeDatabase, loadConfig } from '../config/index.js';
import type { Database } from '../db/database.js';
import { openDatabase } from '../db/open-database.js';
import { SlipwayError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import type { Command, CommandContext } from './command.js';
import { coreCommands } from './commands/index.js';

export interface CliIO {
  argv: string[];
  env: Readonly<Record<string, string | undefined>>;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  interactive: boolean;
}

/**
 * Runs one `slipway` command and returns its exit code. A known error (configuration, locked
 * database, migration, bad option) prints one line, `slipway <command>: <message>`, and returns 1;
 * `--traceback` adds the stack.
 */
export async function runCli(io: CliIO, commands: readonly Command[] = allCommands()): Promise<number> {
  const [name, ...rest] = io.argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') return help(io, commands, rest[0]);
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr(`slipway: unknown command "${name}". Run "slipway help" for the list.`);
    return 1;
  }
  const traceback = rest.includes('--traceback');
  const json = rest.includes('--json') && !command.options?.['json'];
  let database: Database | undefined;
  try {
    const args = parse(
      command,
      rest.filter((a) => a !== '--traceback' && (a !== '--json' || !json)),
    );
    if (args.values['help']) return help(io, commands, command.name);
    const ctx = createContext(
      io,
      command,
      json,
      () => database,
      (d) => {
        database = d;
      },
    );
    return (await command.run(ctx, args)) ?? 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`slipway ${command.name}: ${message}`);
    if (traceback && error instanceof Error && error.stack) io.stderr(error.stack);
    else if (!(error instanceof SlipwayError)) io.stderr('(run again with --traceback for details)');
    return 1;
  } finally {
    await database?.close().catch(() => undefined);
  }
}

/** The framework's commands, then those of the installed apps (`createsuperuser` comes from auth). */
function allCommands(): Command[] {
  return [...coreCommands, ...createRegistry(installedApps).apps.flatMap((app) => app.commands ?? [])];
}

function parse(command: Command, argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
  } catch (error) {
    throw new SlipwayError(
      'SLIPWAY_USAGE',
      400,
      `${(error as Error).message}. Usage: ${command.usage ?? command.name}`,
    );
  }
}

function createContext(
  io: CliIO,
  command: Command,
  json: boolean,
  current: () => Database | undefined,
  keep: (d: Database) => void,
): CommandContext {
  let config: Config | undefined;
  let log: Logger | undefined;
  let registry: AppRegistry | undefined;
  const ctx: CommandContext = {
    config: () => {
      config ??= loadConfig({
        env: io.env,
        defaults: { ...command.configDefaults },
        requireSecretKey: command.needsSecretKey ?? false,
      });
      return config;
    },
    // Servers log to stdout: JSON lines in production, readable lines with DEBUG. Other commands
    // keep stdout for their output and log readable lines to stderr. --json: JSON lines always.
    log: () => {
      const server = command.needsSecretKey ?? false;
      const human = !json && (!server || ctx.config().debug);
      log ??= createLogger(ctx.config(), server ? 1 : 2, human ? 'human' : 'json');
      return log;
    },
    registry: () => {
      registry ??= createRegistry(installedApps);
      return registry;
    },
    database: async () => {
      const existing = current();
      if (existing) return existing;
      const opened = await openDatabase(ctx.config().database, {
        log: ctx.log(),
        schema: ctx.registry().schema,
        role: 'client',
        command: command.name,
      });
      keep(opened);
      // Say where a write goes, on stderr (stdout stays the command's output): run from the wrong
      // folder or with a stray .env, a command would otherwise change a database nobody uses.
      if (command.writes) io.stderr(`Using ${describeDatabase(ctx.config().database)}`);
      return opened;
    },
    out: io.stdout,
    err: io.stderr,
    interactive: io.interactive,
  };
  return ctx;
}

function help(io: CliIO, commands: readonly Command[], name?: string): number {
  const command = name ? commands.find((c) => c.name === name) : undefined;
  if (command) {
    io.stdout(`Usage: ${command.usage ?? `slipway ${command.name}`}\n\n${command.summary}`);
    if (command.description) io.stdout(`\n${command.description}`);
    return 0;
  }
  io.stdout('Usage: slipway <command> [options]\n\nCommands:');
  const width = Math.max(...commands.map((c) => c.name.length));
  for (const c of commands) io.stdout(`  ${c.name.padEnd(width)}  ${c.summary}`);
  io.stdout(
    '\nRun "slipway help <command>" for its options. Add --traceback to any command to see a stack trace,\n' +
      'and --json to log JSON lines instead of readable ones.',
  );
  return name ? 1 : 0;
}
