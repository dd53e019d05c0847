import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';

export type EnvSource = Readonly<Record<string, string | undefined>>;

/**
 * The variables of a `.env` file in `cwd`, or an empty object when there is none. The real
 * environment always wins over the file; the file never overwrites `process.env`.
 */
export function readEnvFile(cwd: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, '.env'), 'utf8');
  } catch {
    return {};
  }
  return parseEnv(text) as Record<string, string>;
}

/** Names of the variables that hold secrets: each also accepts a `NAME_FILE` twin. */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'DATABASE_REPLICA_URLS',
  'SQL_PASSWORD',
  'SECRET_KEY',
  'SLIPWAY_SUPERUSER_PASSWORD',
  'BACKUP_AGE_RECIPIENTS',
  'BACKUP_PASSPHRASE',
  'METRICS_TOKEN',
] as const;

/**
 * Replaces every `NAME_FILE` twin by the content of the file it names, with the final newline
 * trimmed, which is how Docker and Kubernetes secrets arrive. Problems are pushed to `problems`
 * and never include a secret's value.
 */
export function resolveSecretFiles(
  env: Record<string, string | undefined>,
  names: readonly string[],
  cwd: string,
  problems: string[],
): void {
  for (const name of names) {
    const fileVar = `${name}_FILE`;
    const path = env[fileVar];
    if (path === undefined || path === '') continue;
    if (env[name] !== undefined && env[name] !== '') {
      problems.push(`${name} and ${fileVar} are both set: set only one of them`);
      continue;
    }
    try {
      const content = readFileSync(resolve(cwd, path), 'utf8').replace(/\r?\n$/, '');
      if (content === '') problems.push(`${fileVar}: the file ${path} is empty`);
      else env[name] = content;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`${fileVar}: cannot read the file ${path} (${code})`);
    }
  }
}
