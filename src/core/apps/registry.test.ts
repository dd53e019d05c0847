import { pgTable, serial, text } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { installedApps } from '../../apps/installed.js';
import { AppRegistryError } from '../errors.js';
import { defineApp } from './define-app.js';
import { createRegistry } from './registry.js';

// Check rules are declared on the manifest and indexed by the registry at boot: one name, one
// rule, whichever app declares it.
const thing = pgTable('trial_thing', { id: serial('id').primaryKey(), code: text('code').notNull() });
const rule = (name: string, message: string) => ({ name, column: thing.code, message });
const trial = (name: string, rules: ReturnType<typeof rule>[]) =>
  defineApp({ name, label: name, ...(name === 'trial' ? { schema: { thing } } : {}), checkRules: rules });

function bootError(apps: Parameters<typeof createRegistry>[0]): string {
  try {
    createRegistry(apps);
  } catch (error) {
    expect(error).toBeInstanceOf(AppRegistryError);
    return (error as Error).message;
  }
  throw new Error('the apps were accepted');
}

describe('check rules on the manifest', () => {
  it('are indexed by constraint name and by column', () => {
    const registry = createRegistry([trial('trial', [rule('trial_code_check', 'Enter a code.')])]);
    expect(registry.checkRules.named('trial_code_check')?.message).toBe('Enter a code.');
    expect(registry.checkRules.named('nothing_check')).toBeUndefined();
  });

  it('give the contacts constraints their messages from the contacts manifest', () => {
    const registry = createRegistry(installedApps);
    expect(registry.checkRules.named('contacts_email_address_check')?.message).toMatch(/e-mail address/);
  });

  it('refuse at boot a constraint name declared by two apps, naming both', () => {
    const message = bootError([
      trial('trial', [rule('trial_code_check', 'Enter a code.')]),
      trial('other', [rule('trial_code_check', 'Something else.')]),
    ]);
    expect(message).toContain(
      'app "other": check rule "trial_code_check" is already declared by app "trial"',
    );
  });

  it('refuse at boot a constraint name declared twice by one app', () => {
    expect(
      bootError([trial('trial', [rule('trial_code_check', 'One.'), rule('trial_code_check', 'Two.')])]),
    ).toContain('app "trial": check rule "trial_code_check" is already declared by app "trial"');
  });
});
