import type { ParseArgsConfig } from 'node:util';
import type { AppRegistry } from '../apps/define-app.js';
import type { Config } from '../config/index.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../log.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** What a command's `run` receives. Everything is created lazily: `help` needs no config. */
export interface CommandContext {
  /** Validated configuration; throws the one-message ConfigError when it is invalid. */
  config(): Config;
  log(): Logger;
  registry(): AppRegistry;
  /** Opens the database as a client (attaching to a running server's PGlite if needed); closed after the command. */
  database(): Promise<Database>;
  /** Prints a line on stdout. */
  out(line: string): void;
  /** Prints a line on stderr. */
  err(line: string): void;
  /** Whether stdin is a terminal that can answer prompts. */
  readonly interactive: boolean;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

/**
 * One CLI command, the equivalent of a Django `BaseCommand`.
 *
 * Lifecycle: 1. the CLI parses argv against `options` (unknown options are an error);
 * 2. `run` does the work and returns the exit code (0 when it returns nothing);
 * 3. a thrown SlipwayError prints one line and exits 1; other errors too, with the stack
 *    only under `--traceback`.
 */
export interface Command {
  readonly name: string;
  /** One line for the command list; `usage` and `description` for `slipway help <name>`. */
  readonly summary: string;
  readonly usage?: string;
  readonly description?: string;
  readonly options?: OptionSpec;
  /** Configuration defaults this command supplies (runserver's DEBUG=1); the environment wins. */
  readonly configDefaults?: Readonly<Record<string, string>>;
  /** Whether the command signs or encrypts with SECRET_KEY, so must refuse to run without one. */
  readonly needsSecretKey?: boolean;
  /** Whether the command writes to the database: it then prints which database it uses. */
  readonly writes?: boolean;
  /**
   * Whether the command runs without the installed apps: the CLI then does not load them (nor
   * their models, admin and routes) before it runs, and `ctx.registry()` throws. The backup
   * commands are, so that their peak memory stays low (issue 10).
   */
  readonly lean?: boolean;
  /** Whether positionals are accepted. */
  readonly positionals?: boolean;
  run(ctx: CommandContext, args: ParsedArgs): Promise<number | undefined> | number | undefined;
}

declare module '../apps/define-app.js' {
  interface AppManifest {
    /** The app's CLI commands (`slipway <name>`). */
    readonly commands?: readonly Command[];
  }
}

export function defineCommand(command: Command): Command {
  return command;
}
