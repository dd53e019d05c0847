import { hash, verify } from '@node-rs/argon2';
import { COMMON_PASSWORDS } from './common-passwords.js';

/** argon2id with the OWASP-recommended minimum: 19 MiB, 2 passes, 1 lane. */
const OPTIONS = { algorithm: 2 /* Argon2id */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hashes a password to a PHC string (`$argon2id$v=19$…`). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** A hash of nothing, verified against when the user does not exist, so timing reveals nothing. */
let dummyHash: Promise<string> | undefined;

/** True when `password` matches `encoded`; false for a wrong password or a malformed hash. */
export async function verifyPassword(encoded: string | undefined, password: string): Promise<boolean> {
  if (!encoded) {
    dummyHash ??= hashPassword('slipway-timing-equaliser');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(encoded, password).catch(() => false);
}

/**
 * Django's default validators: returns every reason the password is refused, empty when it is
 * fine. `user` is used for the similarity check.
 *
 * @example
 *   validatePassword('alice2024', { username: 'alice' }) // ['The password is too similar to the username.']
 */
export function validatePassword(
  password: string,
  user: { username?: string; email?: string } = {},
): string[] {
  const problems: string[] = [];
  if (password.length < 8)
    problems.push('This password is too short. It must contain at least 8 characters.');
  if (COMMON_PASSWORDS.has(password.toLowerCase().trim())) problems.push('This password is too common.');
  if (/^\d+$/.test(password)) problems.push('This password is entirely numeric.');
  const attributes: [string, string | undefined][] = [
    ['username', user.username],
    ['email address', user.email],
    ['email address', user.email?.split('@')[0]],
  ];
  for (const [label, value] of attributes) {
    if (value && value.length >= 3 && tooSimilar(password, value)) {
      problems.push(`The password is too similar to the ${label}.`);
      break;
    }
  }
  return problems;
}

/** Similar when one contains the other, or they share most characters in order (ratio ≥ 0.7). */
function tooSimilar(password: string, value: string): boolean {
  const p = password.toLowerCase();
  const v = value.toLowerCase();
  if (p.includes(v) || v.includes(p)) return true;
  return (2 * longestCommonSubsequence(p, v)) / (p.length + v.length) >= 0.7;
}

function longestCommonSubsequence(a: string, b: string): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let j = 1; j <= b.length; j++)
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    previous = current;
  }
  return previous[b.length]!;
}
