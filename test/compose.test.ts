import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coreCommands } from '../src/core/cli/commands/index.js';
import { SECRET_VARIABLES } from '../src/core/config/env-source.js';
import { envSchema } from '../src/core/config/schema.js';

/**
 * compose.yaml, Dockerfile and .dockerignore, checked without a Docker engine.
 *
 * compose.yaml is validated by Docker Compose itself: Debian's `docker-compose` (v1.29) runs
 * `config` offline, checks the file against the Compose schema and prints it normalised. That
 * output is turned into JSON by python3 + PyYAML, both dependencies of the docker-compose
 * package, so the assertions below read what Compose would actually run, with no YAML parser
 * in node_modules. The Dockerfile has no offline validator here; its instructions are read as
 * text.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const INSTALL_HINT =
  'install it with `apt-get install -y --no-install-recommends docker-compose` (Debian 12; .ci/run does this)';

interface PortLong {
  host_ip?: string;
  published?: number | string;
  target: number | string;
}
interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  environment?: Record<string, string>;
  ports?: (string | PortLong)[];
  depends_on?: Record<string, { condition?: string }> | string[];
  secrets?: (string | { source: string; target?: string })[];
  volumes?: (string | { type?: string; source?: string; target: string })[];
  healthcheck?: {
    test: string | string[];
    interval?: string;
    timeout?: string;
    retries?: number;
    start_period?: string;
  };
  restart?: string;
  stop_grace_period?: string;
  init?: boolean;
}
interface ComposeConfig {
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string; external?: boolean }>;
  volumes?: Record<string, Record<string, unknown> | null>;
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs docker-compose in `dir` with a clean environment (no COMPOSE_* or DOCKER_* leaking in). */
function compose(dir: string, file: string, ...args: string[]): Run {
  const result = spawnSync('docker-compose', ['-f', file, ...args], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, LANG: 'C.UTF-8' },
    timeout: 30_000,
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
    throw new Error(`docker-compose is not installed, so compose.yaml cannot be validated: ${INSTALL_HINT}`);
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Debian's python3, which the docker-compose package depends on together with PyYAML. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

function yamlToJson(yaml: string): unknown {
  const result = spawnSync(
    PYTHON,
    ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'],
    { input: yaml, encoding: 'utf8', timeout: 30_000 },
  );
  if (result.error || result.status !== 0)
    throw new Error(
      `python3 with PyYAML (dependencies of docker-compose) could not parse the config: ${result.stderr ?? result.error}; ${INSTALL_HINT}`,
    );
  return JSON.parse(result.stdout);
}

/** Host IP and published port of a port entry, short ("127.0.0.1:5432:5432/tcp") or long form. */
function portBinding(port: string | PortLong): { hostIp: string; published: string; target: string } {
  if (typeof port !== 'string')
    return {
      hostIp: port.host_ip ?? '',
      published: String(port.published ?? ''),
      target: String(port.target),
    };
  const parts = port.replace(/\/(tcp|udp)$/, '').split(':');
  const target = parts.pop() ?? '';
  const published = parts.pop() ?? '';
  return { hostIp: parts.join(':'), published, target };
}

function secretNames(service: Service): string[] {
  return (service.secrets ?? []).map((s) => (typeof s === 'string' ? s : s.source));
}

/** Compose durations as Compose prints them ("30s", "1m30s") in milliseconds. */
function durationMs(value: string | undefined): number {
  if (!value) return 0;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 };
  let total = 0;
  for (const [, n, unit] of value.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us)/g))
    total += Number(n) * units[unit!]!;
  return total;
}

let work: string;
const composeText = readFileSync(join(root, 'compose.yaml'), 'utf8');

/** Writes `text` as a compose file in the temporary copy and returns its name. */
function variant(name: string, text: string): string {
  writeFileSync(join(work, name), text);
  return name;
}

beforeAll(() => {
  // A temporary copy with dummy secret files, so validation never depends on (or touches) the
  // real secrets/ folder, and relative paths resolve inside the copy.
  work = realpathSync(mkdtempSync(join(tmpdir(), 'slipway-compose-')));
  writeFileSync(join(work, 'compose.yaml'), composeText);
  mkdirSync(join(work, 'secrets'));
  writeFileSync(join(work, 'secrets', 'db_password.txt'), 'dummy-password-for-tests\n');
  writeFileSync(
    join(work, 'secrets', 'secret_key.txt'),
    'dummy-secret-key-for-tests-only-0123456789abcdef\n',
  );
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('compose.yaml, validated by docker-compose', () => {
  let config: ComposeConfig;

  beforeAll(() => {
    const run = compose(work, 'compose.yaml', 'config');
    expect(run.status, `docker-compose config failed:\n${run.stderr}`).toBe(0);
    config = yamlToJson(run.stdout) as ComposeConfig;
  });

  it('is accepted by `docker-compose config -q` without warnings', () => {
    const run = compose(work, 'compose.yaml', 'config', '-q');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it.each([
    [
      'an unknown service option',
      '    restart: unless-stopped\n',
      '    restart: unless-stopped\n    restartt: always\n',
    ],
    ['an unknown depends_on condition', 'condition: service_healthy', 'condition: service_happy'],
    ['a misspelt secret source', 'file: ./secrets/db_password.txt', 'fil: ./secrets/db_password.txt'],
    [
      'a dependency on an undefined service',
      '      db:\n        condition:',
      '      database:\n        condition:',
    ],
    ['broken YAML', 'services:\n', 'services:\n   oops: [\n'],
  ])('rejects a copy with %s, so this test can fail', (label, from, to) => {
    expect(composeText, `the mutation for ${label} no longer applies`).toContain(from);
    const file = variant(`broken-${label.replace(/\W+/g, '-')}.yaml`, composeText.replace(from, to));
    const run = compose(work, file, 'config', '-q');
    expect(run.status, `docker-compose accepted ${label}`).not.toBe(0);
    expect(run.stderr).not.toBe('');
  });

  it('has exactly the web and db services', () => {
    expect(Object.keys(config.services).sort()).toEqual(['db', 'web']);
  });

  it('starts web only once db is healthy, and db has a pg_isready healthcheck', () => {
    const { web, db } = config.services;
    expect(web!.depends_on).toEqual({ db: { condition: 'service_healthy' } });
    const hc = db!.healthcheck!;
    const test = Array.isArray(hc.test) ? hc.test.join(' ') : hc.test;
    expect(test).toMatch(/pg_isready/);
    expect(test).toMatch(/-U slipway/);
    expect(test).toMatch(/-d slipway/);
    for (const key of ['interval', 'timeout', 'start_period'] as const)
      expect(durationMs(hc[key])).toBeGreaterThan(0);
    expect(hc.retries).toBeGreaterThan(0);
  });

  it('publishes PostgreSQL on the loopback interface only', () => {
    const ports = (config.services['db']!.ports ?? []).map(portBinding);
    expect(ports.length).toBeGreaterThan(0);
    for (const p of ports) expect(p.hostIp, `db port ${JSON.stringify(p)} is public`).toBe('127.0.0.1');
  });

  it('publishes the app on port 8000, where the image listens', () => {
    const ports = (config.services['web']!.ports ?? []).map(portBinding);
    expect(ports).toContainEqual(expect.objectContaining({ published: '8000', target: '8000' }));
  });

  it('passes passwords and keys only as secret files, never as plain environment variables', () => {
    const secretFree = new Set([...SECRET_VARIABLES, 'POSTGRES_PASSWORD']);
    for (const [name, service] of Object.entries(config.services))
      for (const key of Object.keys(service.environment ?? {}))
        expect(secretFree.has(key), `${name} sets ${key} in plain text`).toBe(false);

    const { web, db } = config.services;
    expect(db!.environment?.['POSTGRES_PASSWORD_FILE']).toBe('/run/secrets/db_password');
    expect(web!.environment?.['SQL_PASSWORD_FILE']).toBe('/run/secrets/db_password');
    expect(web!.environment?.['SECRET_KEY_FILE']).toBe('/run/secrets/secret_key');
    expect(secretNames(db!)).toContain('db_password');
    expect(secretNames(web!).sort()).toEqual(['db_password', 'secret_key']);
  });

  it('declares every secret a service uses as a file under ./secrets/', () => {
    // docker-compose v1 does not check this itself.
    const declared = config.secrets ?? {};
    for (const [name, service] of Object.entries(config.services))
      for (const secret of secretNames(service))
        expect(Object.keys(declared), `${name} uses the undeclared secret ${secret}`).toContain(secret);
    expect(declared['db_password']?.file).toBe(join(work, 'secrets', 'db_password.txt'));
    expect(declared['secret_key']?.file).toBe(join(work, 'secrets', 'secret_key.txt'));
  });

  it('keeps PostgreSQL data in a named volume', () => {
    const mounts = (config.services['db']!.volumes ?? []).map((v) =>
      typeof v === 'string' ? v.split(':').slice(0, 2) : [v.source ?? '', v.target],
    );
    expect(mounts).toContainEqual(['postgres_data', '/var/lib/postgresql/data']);
    expect(Object.keys(config.volumes ?? {})).toContain('postgres_data');
  });

  it('configures web with variables Slipway knows, pointing at the db service', () => {
    const known = new Set([...Object.keys(envSchema.shape), ...SECRET_VARIABLES.map((n) => `${n}_FILE`)]);
    const env = config.services['web']!.environment ?? {};
    for (const key of Object.keys(env))
      expect(known.has(key), `web sets the unknown variable ${key}`).toBe(true);

    const db = config.services['db']!.environment ?? {};
    expect(env).toMatchObject({ SQL_ENGINE: 'postgres', SQL_HOST: 'db', SQL_PORT: '5432', DEBUG: '0' });
    expect(env['SQL_DATABASE']).toBe(db['POSTGRES_DB']);
    expect(env['SQL_USER']).toBe(db['POSTGRES_USER']);
    expect(env['ALLOWED_HOSTS']?.split(',')).toEqual(expect.arrayContaining(['localhost', '127.0.0.1']));
    // The configuration the container would load is valid.
    expect(envSchema.safeParse(env).success).toBe(true);
  });

  it('builds web from this folder and restarts both services', () => {
    const { web, db } = config.services;
    expect(web!.build?.context).toBe(work);
    expect(db!.image).toMatch(/^postgres:1[5-7]$/);
    expect(web!.restart).toBe('unless-stopped');
    expect(db!.restart).toBe('unless-stopped');
  });

  it('gives web more time to stop than the server needs to drain', () => {
    const web = config.services['web']!;
    const shutdownMs = envSchema.parse({}).SHUTDOWN_TIMEOUT;
    expect(durationMs(web.stop_grace_period)).toBeGreaterThan(shutdownMs);
    // The image's tini is PID 1; `init: true` would put a second init in front of it.
    expect(web.init).not.toBe(true);
  });
});

/** The Dockerfile as instructions: comments dropped, continuation lines joined. */
function dockerInstructions(text: string): { op: string; args: string }[] {
  return text
    .replace(/^\s*#.*$/gm, '')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [op = '', ...rest] = line.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

describe('Dockerfile', () => {
  const instructions = dockerInstructions(readFileSync(join(root, 'Dockerfile'), 'utf8'));
  const froms = instructions.flatMap((ins, i) => (ins.op === 'FROM' ? [i] : []));
  const build = instructions.slice(froms[0], froms[1]);
  const final = instructions.slice(froms.at(-1));
  const args = (stage: typeof instructions, op: string) =>
    stage.filter((i) => i.op === op).map((i) => i.args);

  it('has a build stage and a final stage, both on node:22-bookworm-slim', () => {
    expect(args(instructions, 'FROM')).toEqual([
      'node:22-bookworm-slim AS build',
      'node:22-bookworm-slim AS final',
    ]);
  });

  it('compiles and prunes in the build stage', () => {
    const runs = args(build, 'RUN').join(' && ');
    expect(runs).toMatch(/npm ci\b/);
    expect(runs).toMatch(/npm run build\b/);
    expect(runs).toMatch(/npm prune --omit=dev\b/);
  });

  it('ships only package.json, node_modules, dist, migrations and bin', () => {
    const copied = args(final, 'COPY').map((a) => a.replace(/--\S+\s+/g, '').split(/\s+/)[0]);
    expect(copied.sort()).toEqual([
      '/app/dist',
      '/app/node_modules',
      '/app/package.json',
      'bin',
      'migrations',
    ]);
    expect(args(final, 'ADD')).toEqual([]);
  });

  it('installs tini from Debian and runs slipway under it', () => {
    const runs = args(final, 'RUN').join(' ');
    expect(runs).toMatch(/apt-get install -y --no-install-recommends tini/);
    expect(runs).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
    expect(args(final, 'ENTRYPOINT')).toEqual(['["/usr/bin/tini", "--", "node", "/app/bin/slipway.js"]']);
    expect(args(final, 'CMD')).toEqual(['["start"]']);
    expect(runs).toMatch(/ln -s \/app\/bin\/slipway\.js \/usr\/local\/bin\/slipway/);
  });

  it('runs as the unprivileged node user with a writable /app/data', () => {
    const users = args(final, 'USER');
    expect(users).toEqual(['node']);
    expect(args(final, 'WORKDIR')).toEqual(['/app']);
    expect(args(final, 'RUN').join(' ')).toMatch(/chown node:node \/app\/data/);
  });

  it('sets the production environment and exposes PORT', () => {
    const env = args(final, 'ENV').join(' ');
    for (const pair of ['NODE_ENV=production', 'PORT=8000', 'HOST=0.0.0.0', 'DATA_DIR=/app/data'])
      expect(env).toContain(pair);
    expect(args(final, 'EXPOSE')).toEqual(['8000']);
    expect(args(final, 'STOPSIGNAL')).toEqual(['SIGTERM']);
  });

  it('checks health with `slipway healthcheck` (no curl in the image)', () => {
    const [healthcheck] = args(final, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/CMD \["node", "\/app\/bin\/slipway\.js", "healthcheck"\]$/);
    expect(healthcheck).toMatch(/--start-period=\d+s/);
  });

  it('names commands the CLI has', () => {
    const names = coreCommands.map((c) => c.name);
    expect(names).toContain('start');
    expect(names).toContain('healthcheck');
  });
});

describe('.dockerignore and secrets/', () => {
  it('keeps dependencies, build output, data and secrets out of the build context', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim());
    for (const entry of [
      'node_modules',
      'dist',
      'data',
      '.git',
      '.env',
      'secrets',
      'artifacts',
      'scratch',
      'coverage',
    ])
      expect(ignored, `.dockerignore lacks ${entry}`).toContain(entry);
  });

  it('tracks only the README and .gitignore in secrets/', () => {
    const lines = readFileSync(join(root, 'secrets', '.gitignore'), 'utf8')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(lines).toEqual(['*', '!.gitignore', '!README.md']);
  });
});
