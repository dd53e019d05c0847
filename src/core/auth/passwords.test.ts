import { describe, expect, it } from 'vitest';
import { hashPassword, validatePassword, verifyPassword } from './passwords.js';

const TOO_SHORT = 'This password is too short. It must contain at least 8 characters.';
const TOO_COMMON = 'This password is too common.';
const NUMERIC = 'This password is entirely numeric.';

describe('password hashing', () => {
  it('stores an argon2id PHC string with the OWASP parameters, salted per hash', async () => {
    const a = await hashPassword('correct horse battery');
    const b = await hashPassword('correct horse battery');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[\w+/]+\$[\w+/]+$/);
    expect(a).not.toContain('correct horse');
    expect(a).not.toBe(b);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const encoded = await hashPassword('correct horse battery');
    expect(await verifyPassword(encoded, 'correct horse battery')).toBe(true);
    expect(await verifyPassword(encoded, 'correct horse batterY')).toBe(false);
    expect(await verifyPassword(encoded, '')).toBe(false);
  });

  it('answers false, without throwing, for a malformed or missing hash', async () => {
    expect(await verifyPassword('not-a-hash', 'anything')).toBe(false);
    expect(await verifyPassword('$argon2id$v=19$m=19456,t=2,p=1$truncated', 'anything')).toBe(false);
    expect(await verifyPassword('pbkdf2_sha256$600000$salt$hash', 'anything')).toBe(false);
    expect(await verifyPassword(undefined, 'anything')).toBe(false);
  });
});

describe('password validators', () => {
  it('accepts a long, uncommon password unrelated to the user', () => {
    expect(validatePassword('violet-tractor-91', { username: 'alice', email: 'alice@example.com' })).toEqual(
      [],
    );
  });

  it('refuses fewer than 8 characters, and accepts exactly 8', () => {
    expect(validatePassword('x7#kQ2p')).toEqual([TOO_SHORT]);
    expect(validatePassword('x7#kQ2pz')).toEqual([]);
  });

  it('refuses common passwords whatever their case or surrounding spaces', () => {
    expect(validatePassword('password123')).toEqual([TOO_COMMON]);
    expect(validatePassword('PassWord123')).toEqual([TOO_COMMON]);
    expect(validatePassword(' trustno1 ')).toEqual([TOO_COMMON]);
  });

  it('refuses an entirely numeric password, listing every problem at once', () => {
    expect(validatePassword('80417265913')).toEqual([NUMERIC]);
    expect(validatePassword('12345678')).toEqual([TOO_COMMON, NUMERIC]);
    expect(validatePassword('1234')).toEqual([TOO_SHORT, TOO_COMMON, NUMERIC]);
  });

  it('refuses a password too similar to the username', () => {
    expect(validatePassword('margarethe2024', { username: 'margarethe' })).toEqual([
      'The password is too similar to the username.',
    ]);
    expect(validatePassword('Margarethe', { username: 'margarethe' })).toContain(
      'The password is too similar to the username.',
    );
    // Not contained, but mostly the same letters in order.
    expect(validatePassword('margarite', { username: 'margarethe' })).toEqual([
      'The password is too similar to the username.',
    ]);
  });

  it('refuses a password too similar to the e-mail address or its local part', () => {
    expect(validatePassword('bob.builder@example.org', { email: 'bob.builder@example.org' })).toEqual([
      'The password is too similar to the email address.',
    ]);
    expect(validatePassword('bobbuilder!', { email: 'bob.builder@example.org' })).toEqual([
      'The password is too similar to the email address.',
    ]);
  });

  it('reports similarity once even when the username and e-mail both match', () => {
    const problems = validatePassword('carolinexyz', { username: 'caroline', email: 'caroline@example.com' });
    expect(problems).toEqual(['The password is too similar to the username.']);
  });

  it('ignores user attributes shorter than 3 characters', () => {
    expect(validatePassword('violet-tractor-91', { username: 'vi', email: 'v@x.io' })).toEqual([]);
  });
});
