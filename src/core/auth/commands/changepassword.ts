import { defineCommand } from '../../cli/command.js';
import { ask } from '../../cli/prompt.js';
import { CommandError } from '../../errors.js';
import { ValidationError } from '../errors.js';
import { findUserByUsername, setPassword } from '../users.js';

export default defineCommand({
  name: 'changepassword',
  writes: true,
  summary: "Change a user's password (prompts twice, hidden); ends their sessions.",
  usage: 'slipway changepassword <username>',
  positionals: true,
  async run(ctx, { positionals }) {
    const [username] = positionals;
    if (!username || positionals.length > 1)
      throw new CommandError('give exactly one username: slipway changepassword <username>');
    if (!ctx.interactive) throw new CommandError('changepassword needs a terminal to ask for the password');
    const database = await ctx.database();
    const found = await findUserByUsername(database.db, username);
    if (!found) throw new CommandError(`no user with the username "${username}"`);
    for (let attempt = 0; attempt < 3; attempt++) {
      const password = await ask(`Password for "${found.username}": `, { hidden: true });
      const again = await ask('Password (again): ', { hidden: true });
      if (password !== again) {
        ctx.err("Error: the passwords didn't match.");
        continue;
      }
      try {
        await setPassword(database.db, found, password);
        ctx.out(`Password changed for "${found.username}"; their sessions were ended.`);
        return 0;
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        ctx.err(`Error: ${error.errors.map((e) => e.message).join(' ') || error.message}`);
      }
    }
    throw new CommandError('too many attempts; the password was not changed');
  },
});
