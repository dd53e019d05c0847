import { defineCommand } from '../../cli/command.js';
import { ask } from '../../cli/prompt.js';
import { CommandError, messagesFor } from '../../errors.js';
import { ValidationError } from '../errors.js';
import { validatePassword } from '../passwords.js';
import { createUser, findUserByUsername, validateIdentity } from '../users.js';

export default defineCommand({
  name: 'createsuperuser',
  writes: true,
  summary: 'Create a superuser: prompts, or reads SLIPWAY_SUPERUSER_* with --no-input.',
  usage: 'slipway createsuperuser [--no-input] [--if-missing] [--username <name>] [--email <address>]',
  description:
    'Interactive: asks for the username, e-mail and password (hidden, twice) and applies the password validators.\n' +
    '--no-input: reads SLIPWAY_SUPERUSER_USERNAME, SLIPWAY_SUPERUSER_EMAIL and SLIPWAY_SUPERUSER_PASSWORD (or _PASSWORD_FILE).\n' +
    '--if-missing: exit 0 without changes when the user already exists (for entrypoints that run on every start).',
  options: {
    'no-input': { type: 'boolean' },
    'if-missing': { type: 'boolean' },
    username: { type: 'string' },
    email: { type: 'string' },
  },
  async run(ctx, { values }) {
    const config = ctx.config();
    const noInput = Boolean(values['no-input']) || !ctx.interactive;
    let username = (values['username'] as string | undefined) ?? config.superuser.username;
    let email = (values['email'] as string | undefined) ?? config.superuser.email ?? '';
    let password = config.superuser.password;

    if (noInput) {
      const missing = [
        !username && 'SLIPWAY_SUPERUSER_USERNAME (or --username)',
        !password && 'SLIPWAY_SUPERUSER_PASSWORD (or SLIPWAY_SUPERUSER_PASSWORD_FILE)',
      ].filter(Boolean);
      if (missing.length > 0) throw new CommandError(`--no-input needs ${missing.join(' and ')}`);
    } else {
      username = await askUntilValid(ctx, 'Username: ', username, (v) =>
        messagesFor(validateIdentity({ username: v }), 'username'),
      );
      email = await askUntilValid(ctx, 'Email address: ', values['email'] as string | undefined, (v) =>
        v ? messagesFor(validateIdentity({ username: 'x', email: v }), 'email') : undefined,
      );
      password = await askPassword(ctx, { username, email });
    }

    const database = await ctx.database();
    if (await findUserByUsername(database.db, username!)) {
      if (values['if-missing']) {
        ctx.out(`Superuser "${username}" already exists; nothing to do.`);
        return 0;
      }
      throw new CommandError(`a user with the username "${username}" already exists`);
    }
    try {
      await createUser(database.db, {
        username: username!,
        email,
        password: password!,
        isStaff: true,
        isSuperuser: true,
      });
    } catch (error) {
      if (error instanceof ValidationError) throw new CommandError(error.message);
      throw error;
    }
    ctx.out(`Superuser "${username}" created.`);
    return 0;
  },
});

async function askUntilValid(
  ctx: { err(line: string): void },
  question: string,
  given: string | undefined,
  problems: (value: string) => string[] | undefined,
): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const value = given ?? (await ask(question)).trim();
    given = undefined;
    const found = problems(value);
    if (!found?.length) return value;
    ctx.err(`Error: ${found.join(' ')}`);
  }
  throw new CommandError('too many invalid answers');
}

async function askPassword(
  ctx: { err(line: string): void },
  user: { username: string; email: string },
): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const password = await ask('Password: ', { hidden: true });
    const again = await ask('Password (again): ', { hidden: true });
    if (password !== again) {
      ctx.err("Error: your passwords didn't match.");
      continue;
    }
    const problems = validatePassword(password, user);
    if (problems.length === 0) return password;
    ctx.err(`Error: ${problems.join(' ')}`);
  }
  throw new CommandError('too many invalid passwords');
}
