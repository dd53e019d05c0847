import { findUserByUsername } from '../../auth/users.js';
import { defineCommand } from '../../cli/command.js';
import { columnValueProblem } from '../../db/column-values.js';
import { CommandError } from '../../errors.js';
import { token } from '../schema.js';
import { createToken } from '../tokens.js';

export default defineCommand({
  name: 'createtoken',
  writes: true,
  summary: 'Create an API token for a user and print its key, once.',
  usage: 'slipway createtoken <username> [--name <name>]',
  description:
    'Prints the key alone on stdout (for scripts), and a note on stderr. Only the key’s sha256 is stored,\n' +
    'so it cannot be shown again: store it now. Use it as "Authorization: Token <key>".\n' +
    'Tokens are listed, renamed and deleted in the admin under API › Tokens.',
  options: { name: { type: 'string' } },
  positionals: true,
  async run(ctx, { values, positionals }) {
    const [username, ...rest] = positionals;
    if (!username || rest.length > 0)
      throw new CommandError('give one username: slipway createtoken <username> [--name <name>]');
    const name = (values['name'] as string | undefined) ?? '';
    const problem = columnValueProblem(token.name, name);
    if (problem) throw new CommandError(`--name: ${problem}`);
    const database = await ctx.database();
    const user = await findUserByUsername(database.db, username);
    if (!user) throw new CommandError(`there is no user "${username}"`);
    const { key, row } = await createToken(database.db, { userId: user.id, name });
    ctx.out(key);
    ctx.err(
      `Created token ${row.prefix}… for ${user.username}${name ? ` (“${name}”)` : ''}. Store the key now: it cannot be shown again.`,
    );
    if (!user.isActive)
      ctx.err(`Note: ${user.username} is inactive; the token works only once they are active.`);
    return 0;
  },
});
