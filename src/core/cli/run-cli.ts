import { parseArgs } from 'node:util';
import type { AppRegistry } from '../apps/registry.js';
import { type Config, describeDatabase, loadConfig } from '../config/index.js';
import type { Database } from '../db/database.js';
import { SlipwayError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import type { Command, CommandContext } from './command.js';
import { coreCommandLoaders } from './commands/lazy.js';

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
export async function runCli(io: CliIO, commands?: readonly Command[]): Promise<number> {
  const [name, ...rest] = io.argv;
  if (!name || name === 'help' || name === '--help' || name === '-h')
    return help(io, commands ?? (await allCommands()), rest[0]);
  // Only the command run is loaded (and the apps only when it needs them), not every command.
  const command = commands ? commands.find((c) => c.name === name) : await findCommand(name);
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
    if (args.values['help']) return help(io, commands ?? (await allCommands()), command.name);
    const registry = command.lean ? undefined : await loadRegistry();
    const ctx = createContext(
      registry,
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

/** Builds the registry of the installed apps, once, loading their modules on the first call. */
let registryLoading: Promise<() => AppRegistry> | undefined;
function loadRegistry(): Promise<() => AppRegistry> {
  registryLoading ??= (async () => {
    const { installedApps } = await import('../../apps/installed.js');
    const { createRegistry } = await import('../apps/registry.js');
    return () => createRegistry(installedApps);
  })();
  return registryLoading;
}

/** The installed apps' commands (`createsuperuser` comes from auth). */
async function appCommands(): Promise<Command[]> {
  return (await loadRegistry())().apps.flatMap((app) => app.commands ?? []);
}

/** The framework's commands, then the apps': every module loaded, for `slipway help`. */
async function allCommands(): Promise<Command[]> {
  const { coreCommands } = await import('./commands/index.js');
  return [...coreCommands, ...(await appCommands())];
}

/** The command called `name`: a framework command's module alone, else the apps' commands. */
async function findCommand(name: string): Promise<Command | undefined> {
  const load = Object.hasOwn(coreCommandLoaders, name) ? coreCommandLoaders[name] : undefined;
  if (load) return (await load()).default;
  return (await appCommands()).find((c) => c.name === name);
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
  buildRegistry: (() => AppRegistry) | undefined,
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
      if (!buildRegistry) throw new Error(`slipway ${command.name} is lean: it has no app registry`);
      registry ??= buildRegistry();
      return registry;
    },
    database: async () => {
      const existing = current();
      if (existing) return existing;
      const { openDatabase } = await import('../db/open-database.js');
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
