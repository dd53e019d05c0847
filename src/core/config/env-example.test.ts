import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../paths.js';
import { SECRET_VARIABLES } from './env-source.js';
import { envSchema } from './schema.js';

describe('.env.example', () => {
  const text = readFileSync(join(projectRoot, '.env.example'), 'utf8');
  const documented = new Set([...text.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));

  it('documents every variable the configuration reads', () => {
    const missing = Object.keys(envSchema.shape).filter((name) => !documented.has(name));
    expect(missing).toEqual([]);
  });

  it('documents the _FILE twin of every secret', () => {
    expect(SECRET_VARIABLES.filter((name) => !documented.has(`${name}_FILE`))).toEqual([]);
  });

  it('documents nothing the configuration ignores', () => {
    const known = new Set([...Object.keys(envSchema.shape), ...SECRET_VARIABLES.map((n) => `${n}_FILE`)]);
    expect([...documented].filter((name) => !known.has(name!))).toEqual([]);
  });
});
