import { CommandError } from '../../errors.js';
import { type Command, defineCommand, type OptionSpec } from '../command.js';
import create from './backup-create.js';
import list from './backup-list.js';
import prune from './backup-prune.js';
import restore from './backup-restore.js';
import schedule from './backup-schedule.js';
import verify from './backup-verify.js';

/** The sub-commands of `slipway backup`, one file each; named `backup <sub>`. */
const SUBCOMMANDS: readonly Command[] = [create, list, verify, restore, prune, schedule];

const union: OptionSpec = Object.assign({}, ...SUBCOMMANDS.map((c) => c.options ?? {}));

/**
 * `slipway backup <sub> …`: the CLI finds commands by their first word, so this one hands the
 * rest to `backup create`, `backup list`… after checking that each option given is one of that
 * sub-command's.
 */
export default defineCommand({
  name: 'backup',
  summary:
    'Encrypted backups of the database and MEDIA_ROOT: create, list, verify, restore, prune, schedule.',
  usage: `slipway backup <${SUBCOMMANDS.map((c) => c.name.slice(7)).join('|')}> …`,
  description: SUBCOMMANDS.map(
    (c) => `  ${(c.usage ?? c.name).replace(/^slipway /, '')}\n      ${c.summary}`,
  ).join('\n'),
  positionals: true,
  options: union,
  // No sub-command uses the apps: the CLI does not load them (peak memory, issue 10).
  lean: true,
  async run(ctx, { values, positionals }) {
    const [sub, ...rest] = positionals;
    const command = SUBCOMMANDS.find((c) => c.name === `backup ${sub}`);
    if (!command)
      throw new CommandError(
        `${sub ? `unknown sub-command "${sub}"` : 'missing sub-command'}. Usage: ${this.usage}`,
      );
    const allowed = new Set(Object.keys(command.options ?? {}));
    const wrong = Object.keys(values).find((k) => values[k] !== undefined && !allowed.has(k));
    if (wrong) throw new CommandError(`${command.name} has no option --${wrong}. Usage: ${command.usage}`);
    if (!command.positionals && rest.length > 0)
      throw new CommandError(`${command.name} takes no argument "${rest[0]}". Usage: ${command.usage}`);
    return command.run(ctx, { values, positionals: rest });
  },
});
