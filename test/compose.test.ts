import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { coreCommands } from '../src/core/cli/commands/index.js';
import { SECRET_VARIABLES } from '../src/core/config/env-source.js';
import { envSchema } from '../src/core/config/schema.js';

/**
 * The container files, checked with Node.js alone (no Docker binary):
 *  - compose.yaml (development), compose.prod.yaml (production, also the Swarm stack file) and
 *    the container test's override are parsed with `yaml`, interpolated as Compose does
 *    (`${VAR:-default}` with an empty environment unless a test sets one), and validated with
 *    ajv against the Compose Specification's JSON schema; compose.prod.yaml also against the
 *    schema `docker stack deploy` uses. Both schemas are vendored in test/containers/schemas/.
 *  - the Dockerfile and .dockerignore are read as text.
 * Traefik cannot run on the test machine, so its labels are checked here, as configuration.
 * test/containers/run.sh runs the same files with a real engine.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

interface PortLong {
  host_ip?: string;
  published?: number | string;
  target: number | string;
}
interface Service {
  image?: string;
  build?: string | { context: string; target?: string };
  command?: string[];
  entrypoint?: string[];
  user?: string;
  environment?: Record<string, string>;
  ports?: (string | PortLong)[];
  depends_on?: Record<string, { condition?: string }> | string[];
  secrets?: (string | { source: string })[];
  volumes?: string[];
  labels?: Record<string, string>;
  healthcheck?: {
    disable?: boolean;
    test: string[];
    interval?: string;
    timeout?: string;
    retries?: number;
    start_period?: string;
  };
  restart?: string;
  stop_grace_period?: string;
  profiles?: string[];
  deploy?: {
    replicas?: number;
    labels?: Record<string, string>;
    restart_policy?: { condition?: string };
    update_config?: { order?: string; failure_action?: string };
    resources?: { limits?: { cpus?: string; memory?: string } };
  };
}
interface ComposeFile {
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string }>;
  volumes?: Record<string, unknown>;
}

// --- Compose's variable interpolation ----------------------------------------------------

/**
 * `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}` and `$$`, as Compose applies
 * them to every string of the parsed file.
 */
function interpolate(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === 'string')
    return value.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g,
      (whole, name: string | undefined, op: string | undefined, arg: string | undefined) => {
        if (whole === '$$') return '$';
        const set = env[name!];
        if (op === ':-') return set ? set : arg!;
        if (op === '-') return set ?? arg!;
        if (op?.endsWith('?')) {
          if (set === undefined || (op === ':?' && set === '')) throw new Error(`${name}: ${arg}`);
          return set;
        }
        return set ?? '';
      },
    );
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env)]));
  return value;
}

function load(text: string, env: Record<string, string> = {}): ComposeFile {
  return interpolate(parse(text), env) as ComposeFile;
}

// --- The two schemas -------------------------------------------------------------------------

/** Reads a vendored schema and drops what ajv (draft-07) does not take: `$schema` and draft-04 `id`s. */
function schema(name: string): Record<string, unknown> {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node)
        .filter(
          ([key, value]) =>
            key !== '$schema' && key !== '$id' && !(key === 'id' && typeof value === 'string'),
        )
        .map(([key, value]) => [key, strip(value)]),
    );
  };
  return strip(JSON.parse(read(`test/containers/schemas/${name}`))) as Record<string, unknown>;
}

const ajv = new Ajv({ allErrors: true, strict: false });
// The Swarm schema's formats, as docker/cli checks them (Go durations, port specs).
ajv.addFormat('duration', /^-?(\d+(\.\d*)?(ns|us|µs|ms|s|m|h))+$|^0$/);
ajv.addFormat('ports', /^((\d{1,3}\.){3}\d{1,3}:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
const composeSpec = ajv.compile(schema('compose-spec.json'));
const stackSchema = ajv.compile(schema('docker-stack-v3.13.json'));

function errorsOf(validate: ValidateFunction, file: unknown): string[] {
  return validate(file) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}

// --- Helpers over a parsed file ------------------------------------------------------------

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

const secretNames = (s: Service) => (s.secrets ?? []).map((x) => (typeof x === 'string' ? x : x.source));

/** Mounts as [source, target, options]. */
const mounts = (s: Service) =>
  (s.volumes ?? []).map((v) => {
    const parts = v.split(':');
    return parts.length === 1 ? ['', parts[0]!, ''] : [parts[0]!, parts[1]!, parts[2] ?? ''];
  });

/** Compose durations ("30s", "1m30s") in milliseconds. */
function durationMs(value: string | undefined): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  for (const [, n, unit] of (value ?? '').matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g))
    total += Number(n) * units[unit!]!;
  return total;
}

const secretFree = new Set([...SECRET_VARIABLES, 'POSTGRES_PASSWORD']);
const knownToSlipway = new Set([
  ...Object.keys(envSchema.shape),
  ...SECRET_VARIABLES.map((n) => `${n}_FILE`),
]);

/** Checks shared by both files: secrets as files, a db that waits for them, web's env is Slipway's. */
function commonChecks(text: () => string) {
  it('passes passwords and keys only as secret files, declared under ./secrets/', () => {
    const file = load(text());
    for (const [name, service] of Object.entries(file.services))
      for (const key of Object.keys(service.environment ?? {}))
        expect(secretFree.has(key), `${name} sets ${key} in plain text`).toBe(false);
    for (const [name, service] of Object.entries(file.services))
      for (const secret of secretNames(service))
        expect(file.secrets?.[secret]?.file, `${name} uses the undeclared secret ${secret}`).toBe(
          `./secrets/${secret}.txt`,
        );
    const { web, db } = file.services;
    expect(db!.environment?.['POSTGRES_PASSWORD_FILE']).toBe('/run/secrets/db_password');
    expect(web!.environment?.['SQL_PASSWORD_FILE']).toBe('/run/secrets/db_password');
  });

  it("runs the official postgres entrypoint behind deploy/postgres's waiting wrapper", () => {
    const { db } = load(text()).services;
    // 15: the pg_dump in the image (Debian 12's client) must be at least the server's version.
    expect(db!.image).toBe('postgres:15');
    expect(db!.entrypoint).toEqual(['sh', '/usr/local/bin/wait-then-entrypoint.sh']);
    // Setting an entrypoint drops the image's CMD.
    expect(db!.command).toEqual(['postgres']);
    expect(mounts(db!)).toContainEqual([
      './deploy/postgres/wait-then-entrypoint.sh',
      '/usr/local/bin/wait-then-entrypoint.sh',
      'ro',
    ]);
    expect(existsSync(join(root, 'deploy/postgres/wait-then-entrypoint.sh'))).toBe(true);
    expect(mounts(db!)).toContainEqual(['postgres_data', '/var/lib/postgresql/data', '']);
    const hc = db!.healthcheck!;
    expect(hc.test.join(' ')).toMatch(/pg_isready -U slipway -d slipway/);
    expect(durationMs(hc.interval)).toBeGreaterThan(0);
    expect(durationMs(hc.start_period)).toBeGreaterThan(0);
  });

  it('configures web with variables Slipway knows, pointing at the db service (then its standby)', () => {
    const { web, db, 'db-replica': replica } = load(text()).services;
    const env = web!.environment ?? {};
    for (const key of Object.keys(env)) expect(knownToSlipway.has(key), `web sets unknown ${key}`).toBe(true);
    // With a standby, web names both servers and follows the writable one after a failover.
    const host = replica ? 'db,db-replica' : 'db';
    expect(env).toMatchObject({ SQL_ENGINE: 'postgres', SQL_HOST: host, SQL_PORT: '5432' });
    expect(env['SQL_DATABASE']).toBe(db!.environment?.['POSTGRES_DB']);
    expect(env['SQL_USER']).toBe(db!.environment?.['POSTGRES_USER']);
    expect(envSchema.safeParse(env).success).toBe(true);
  });
}

/** Rejections by the schema: the validation is real only if a broken copy fails it. */
function mutationChecks(text: () => string, validators: [string, ValidateFunction][]) {
  it.each([
    [
      'an unknown service option',
      '    image: postgres:15\n',
      '    image: postgres:15\n    imagee: postgres:16\n',
    ],
    ['a misspelt secret source', 'file: ./secrets/db_password.txt', 'fil: ./secrets/db_password.txt'],
    ['a healthcheck with a list of retries', 'retries: 10', 'retries: [10]'],
    ['a service name with a space', '\n  db:\n', '\n  data base:\n'],
  ])('rejects a copy with %s, so the validation can fail', (label, from, to) => {
    const original = text();
    expect(original, `the mutation for ${label} no longer applies`).toContain(from);
    for (const [name, validate] of validators)
      expect(errorsOf(validate, load(original.replace(from, to))), `${name} accepted ${label}`).not.toEqual(
        [],
      );
  });
}

// --- compose.yaml ----------------------------------------------------------------------------

describe('compose.yaml (development)', () => {
  const text = () => read('compose.yaml');

  it('is valid against the Compose Specification', () => {
    expect(errorsOf(composeSpec, load(text()))).toEqual([]);
  });

  mutationChecks(text, [['the Compose Specification', composeSpec]]);
  commonChecks(text);

  it('has exactly the web and db services, web starting once db is healthy', () => {
    const file = load(text());
    expect(Object.keys(file.services).sort()).toEqual(['db', 'web']);
    expect(file.services['web']!.depends_on).toEqual({ db: { condition: 'service_healthy' } });
  });

  it('runs the checkout: source bind-mounted, dependencies from the dev image, runserver reloading', () => {
    const { web } = load(text()).services;
    expect(web!.build).toEqual({ context: '.', target: 'dev' });
    expect(mounts(web!)).toContainEqual(['.', '/app', '']);
    // An anonymous volume over node_modules: the image's Linux dependencies, never the host's.
    expect(mounts(web!)).toContainEqual(['', '/app/node_modules', '']);
    expect(web!.command).toEqual(['node', 'bin/slipway.js', 'runserver']);
    // runserver listens on 127.0.0.1 unless told: unreachable through a published port.
    expect(web!.environment?.['HOST']).toBe('0.0.0.0');
    expect(web!.environment?.['DEBUG']).toBeUndefined();
    expect(web!.user).toBe('1000:1000');
    expect(load(text(), { SLIPWAY_UID: '501', SLIPWAY_GID: '20' }).services['web']!.user).toBe('501:20');
    expect(read('Dockerfile')).toMatch(/^FROM deps AS dev$/m);
  });

  it('publishes both ports on 127.0.0.1 only, the database on 5433 unless SLIPWAY_DB_PORT says', () => {
    const file = load(text());
    for (const [name, service] of Object.entries(file.services))
      for (const port of (service.ports ?? []).map(portBinding))
        expect(port.hostIp, `${name} publishes ${JSON.stringify(port)} publicly`).toBe('127.0.0.1');
    expect(file.services['db']!.ports!.map(portBinding)).toEqual([
      { hostIp: '127.0.0.1', published: '5433', target: '5432' },
    ]);
    expect(file.services['web']!.ports!.map(portBinding)).toEqual([
      { hostIp: '127.0.0.1', published: '8000', target: '8000' },
    ]);
    const moved = load(text(), { SLIPWAY_DB_PORT: '6543', SLIPWAY_WEB_PORT: '8080' });
    expect(portBinding(moved.services['db']!.ports![0]!).published).toBe('6543');
    expect(portBinding(moved.services['web']!.ports![0]!).published).toBe('8080');
  });

  it('gives web more time to stop than the server needs to drain', () => {
    const { web } = load(text()).services;
    expect(durationMs(web!.stop_grace_period)).toBeGreaterThan(envSchema.parse({}).SHUTDOWN_TIMEOUT);
  });
});

// --- compose.prod.yaml -----------------------------------------------------------------------

describe('compose.prod.yaml (production and Swarm)', () => {
  const text = () => read('compose.prod.yaml');
  const file = () => load(text());

  it('is valid against the Compose Specification and the schema of `docker stack deploy`', () => {
    expect(errorsOf(composeSpec, file())).toEqual([]);
    expect(errorsOf(stackSchema, file())).toEqual([]);
  });

  mutationChecks(text, [
    ['the Compose Specification', composeSpec],
    ['the Swarm schema', stackSchema],
  ]);

  it("is refused by Swarm's schema with a long depends_on, so that check is real", () => {
    const long = text().replace(
      '    depends_on:\n      - db\n',
      '    depends_on:\n      db:\n        condition: service_healthy\n',
    );
    expect(long).not.toBe(text());
    expect(errorsOf(composeSpec, load(long))).toEqual([]);
    expect(errorsOf(stackSchema, load(long))).not.toEqual([]);
  });

  commonChecks(text);

  it('has the proxy, web, db and backup, and db-replica and metrics or their places', () => {
    expect(Object.keys(file().services)).toEqual(expect.arrayContaining(['backup', 'db', 'proxy', 'web']));
    // Each later service is either there or has its place marked.
    for (const later of ['db-replica', 'metrics'])
      if (!file().services[later]) expect(text()).toMatch(new RegExp(`^ {2}# ${later}:`, 'm'));
  });

  it('runs the prebuilt image, with no build, no bind mount and no host port on web', () => {
    const { web } = file().services;
    expect(web!.build).toBeUndefined();
    expect(web!.image).toBe('slipway:latest');
    expect(load(text(), { SLIPWAY_IMAGE: 'registry.example.com/slipway:1.2' }).services['web']!.image).toBe(
      'registry.example.com/slipway:1.2',
    );
    // Without a fixed host port, `--scale web=N` starts N replicas.
    expect(web!.ports).toBeUndefined();
    for (const [source] of mounts(web!)) expect(source, 'web has a bind mount').toMatch(/^[a-z][a-z0-9_-]*$/);
    expect(web!.depends_on).toEqual(['db']);
    expect(web!.environment?.['DEBUG']).toBe('0');
    expect(web!.environment?.['SECRET_KEY_FILE']).toBe('/run/secrets/secret_key');
    expect(secretNames(web!).sort()).toEqual(['backup_recipients', 'db_password', 'secret_key']);
  });

  it('routes through Traefik v3 with the Docker provider, on port 8000, health-checked on /readyz', () => {
    const { proxy, web } = file().services;
    expect(proxy!.image).toMatch(/^traefik:v3(\.\d+)*$/);
    expect(proxy!.command).toEqual(
      expect.arrayContaining(['--providers.docker=true', '--providers.docker.exposedbydefault=false']),
    );
    const entrypoint = proxy!.command!.find((c) => c.startsWith('--entrypoints.web.address='));
    expect(entrypoint).toBe('--entrypoints.web.address=:80');
    expect(proxy!.ports!.map(portBinding)).toEqual([{ hostIp: '0.0.0.0', published: '80', target: '80' }]);
    expect(mounts(proxy!)).toContainEqual(['/var/run/docker.sock', '/var/run/docker.sock', 'ro']);

    const labels = web!.labels ?? {};
    expect(labels).toMatchObject({
      'traefik.enable': 'true',
      'traefik.http.routers.slipway.rule': 'Host(`localhost`)',
      'traefik.http.routers.slipway.entrypoints': 'web',
      'traefik.http.services.slipway.loadbalancer.server.port': '8000',
      'traefik.http.services.slipway.loadbalancer.healthcheck.path': '/readyz',
    });
    expect(
      durationMs(labels['traefik.http.services.slipway.loadbalancer.healthcheck.interval']),
    ).toBeGreaterThan(0);
    // The port Traefik sends to is the one the image listens on.
    expect(read('Dockerfile')).toMatch(/^EXPOSE 8000$/m);
    // Swarm's provider reads service labels: the same ones.
    expect(web!.deploy?.labels).toEqual(labels);
    const domain = load(text(), { SLIPWAY_DOMAIN: 'polls.example.com' }).services['web']!;
    expect(domain.labels?.['traefik.http.routers.slipway.rule']).toBe('Host(`polls.example.com`)');
    expect(domain.environment?.['ALLOWED_HOSTS']).toBe('polls.example.com');
  });

  it('gives web a stop grace period above its drain time, and db one for its checkpoint', () => {
    const { web, db } = file().services;
    const env = envSchema.parse(web!.environment ?? {});
    expect(env.SHUTDOWN_DELAY).toBeGreaterThan(0);
    expect(durationMs(web!.stop_grace_period)).toBeGreaterThan(env.SHUTDOWN_DELAY + env.SHUTDOWN_TIMEOUT);
    expect(durationMs(db!.stop_grace_period)).toBeGreaterThan(10_000);
  });

  it('limits resources and restarts every service, in Compose and in Swarm', () => {
    for (const [name, service] of Object.entries(file().services)) {
      expect(service.restart, name).toBe('unless-stopped');
      expect(service.deploy?.restart_policy?.condition, name).toBe('any');
      expect(service.deploy?.resources?.limits?.memory, name).toMatch(/^\d+[MG]$/);
      expect(Number(service.deploy?.resources?.limits?.cpus), name).toBeGreaterThan(0);
    }
    expect(file().services['web']!.deploy?.update_config).toMatchObject({
      order: 'start-first',
      failure_action: 'rollback',
    });
  });

  it('publishes no database port (or on 127.0.0.1 only)', () => {
    const ports = (file().services['db']!.ports ?? []).map(portBinding);
    for (const p of ports) expect(p.hostIp).toBe('127.0.0.1');
  });

  it('keeps the database, the uploads and the backups in named volumes', () => {
    const f = file();
    expect(Object.keys(f.volumes ?? {})).toEqual(
      expect.arrayContaining(['backups', 'media', 'postgres_data']),
    );
    expect(mounts(f.services['web']!)).toContainEqual(['media', '/app/data/media', '']);
  });

  it('runs scheduled backups of db and of the media volume, into a volume web sees too', () => {
    const { backup, web, db } = file().services;
    expect(backup!.image).toBe(web!.image);
    // The image's ENTRYPOINT is `tini -- node /app/bin/slipway.js`.
    expect(backup!.command).toEqual(['backup', 'schedule']);
    expect(coreCommands.map((c) => c.name)).toContain('backup');
    const env = backup!.environment ?? {};
    for (const key of Object.keys(env))
      expect(knownToSlipway.has(key), `backup sets unknown ${key}`).toBe(true);
    const parsed = envSchema.parse(env);
    // The same database as web, reached the same way.
    for (const key of ['SQL_ENGINE', 'SQL_HOST', 'SQL_PORT', 'SQL_DATABASE', 'SQL_USER', 'SQL_PASSWORD_FILE'])
      expect(env[key], key).toBe(web!.environment?.[key]);
    expect(env['SQL_USER']).toBe(db!.environment?.['POSTGRES_USER']);
    expect(backup!.depends_on).toEqual(['db']);
    // Encrypted to public keys only: no identity, no passphrase on the server.
    expect(env['BACKUP_AGE_RECIPIENTS_FILE']).toBe('/run/secrets/backup_recipients');
    expect(env['BACKUP_AGE_IDENTITY_FILE']).toBeUndefined();
    expect(env['BACKUP_PASSPHRASE_FILE']).toBeUndefined();
    expect(secretNames(backup!).sort()).toEqual(['backup_recipients', 'db_password']);
    expect(parsed.BACKUP_SCHEDULE).toBe('0 3 * * *');
    const moved = load(text(), { SLIPWAY_BACKUP_SCHEDULE: '*/15 * * * *' }).services['backup']!;
    expect(moved.environment?.['BACKUP_SCHEDULE']).toBe('*/15 * * * *');
    const { BACKUP_KEEP_DAILY: daily, BACKUP_KEEP_WEEKLY: weekly, BACKUP_KEEP_MONTHLY: monthly } = parsed;
    expect([daily, weekly, monthly]).toEqual([7, 4, 6]);
    // The uploads: web's media volume, read-only here, at the MEDIA_ROOT it is told.
    const media = mounts(web!).find(([source]) => source === 'media')!;
    expect(mounts(backup!)).toContainEqual(['media', env['MEDIA_ROOT'], 'ro']);
    expect(env['MEDIA_ROOT']).toBe(media[1]);
    // The archives: one volume at the same BACKUP_DIR in both, so `exec web slipway backup list`
    // lists the nightly ones; under /app/data, which the image makes owned by node.
    expect(env['BACKUP_DIR']).toMatch(/^\/app\/data\//);
    expect(web!.environment?.['BACKUP_DIR']).toBe(env['BACKUP_DIR']);
    expect(mounts(backup!)).toContainEqual(['backups', env['BACKUP_DIR'], '']);
    expect(mounts(web!)).toContainEqual(['backups', env['BACKUP_DIR'], '']);
    expect(web!.environment?.['BACKUP_AGE_RECIPIENTS_FILE']).toBe(env['BACKUP_AGE_RECIPIENTS_FILE']);
    expect(read('Dockerfile')).toMatch(/mkdir -p [^\n]*\/app\/data\/backups/);
    // Not routed, no port, no HTTP health check (it serves nothing), one scheduler.
    expect(backup!.ports).toBeUndefined();
    expect(backup!.labels).toBeUndefined();
    expect(backup!.deploy?.labels).toBeUndefined();
    expect(backup!.healthcheck).toEqual({ disable: true });
    expect(backup!.deploy?.replicas).toBe(1);
    // SIGTERM lets a backup under way finish.
    expect(durationMs(backup!.stop_grace_period)).toBeGreaterThanOrEqual(5 * 60_000);
  });
});

// --- The container test's override -----------------------------------------------------------

describe('test/containers/compose.haproxy.yaml', () => {
  const text = () => read('test/containers/compose.haproxy.yaml');

  it('is valid against the Compose Specification', () => {
    expect(errorsOf(composeSpec, load(text()))).toEqual([]);
  });

  it('keeps Traefik out (an inactive profile) and publishes HAProxy on 127.0.0.1 only', () => {
    const { proxy, haproxy } = load(text()).services;
    expect(proxy!.profiles).toEqual(['traefik']);
    expect(haproxy!.ports!.map(portBinding)).toEqual([
      { hostIp: '127.0.0.1', published: '18080', target: '80' },
    ]);
    const cfg = read('test/containers/haproxy.cfg');
    expect(cfg).toMatch(/uri \/readyz/);
    expect(cfg).toMatch(/server-template web \d+ web:8000/);
  });
});

// --- Dockerfile ------------------------------------------------------------------------------

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
  const text = read('Dockerfile');
  const instructions = dockerInstructions(text);
  const froms = instructions.flatMap((ins, i) => (ins.op === 'FROM' ? [i] : []));
  const stage = (name: string) => {
    const at = froms.find((i) => instructions[i]!.args.endsWith(` AS ${name}`))!;
    return instructions.slice(
      at,
      froms.find((i) => i > at),
    );
  };
  const args = (ins: typeof instructions, op: string) => ins.filter((i) => i.op === op).map((i) => i.args);
  const final = stage('final');

  it('has no `# syntax=` line, which makes BuildKit fetch a frontend from a registry', () => {
    expect(text).not.toMatch(/^#\s*syntax\s*=/m);
  });

  it('has deps, dev, build, pgclient and final stages on node:22-bookworm-slim', () => {
    expect(args(instructions, 'FROM')).toEqual([
      'node:22-bookworm-slim AS deps',
      'deps AS dev',
      'deps AS build',
      'node:22-bookworm-slim AS pgclient',
      'node:22-bookworm-slim AS final',
    ]);
    expect(args(stage('deps'), 'RUN').join(' ')).toMatch(/npm ci\b/);
    // The dev stage adds no files but the `slipway` command: the production build costs nothing more.
    expect(stage('dev').filter((i) => ['RUN', 'COPY', 'ADD'].includes(i.op))).toEqual([
      { op: 'RUN', args: 'ln -s /app/bin/slipway.js /usr/local/bin/slipway' },
    ]);
  });

  it('compiles, then prunes dev dependencies, drizzle-kit and type declarations', () => {
    const runs = args(stage('build'), 'RUN').join(' && ');
    expect(runs).toMatch(/npm run build\b/);
    expect(runs).toMatch(/npm prune --omit=dev\b/);
    expect(runs).toMatch(/npm uninstall .*drizzle-kit/);
    expect(runs).toMatch(/-name '\*\.d\.ts'/);
  });

  it("ships only package.json, node_modules, dist (with the apps' migrations), bin and the PostgreSQL client programs", () => {
    const copied = args(final, 'COPY').map((a) => a.replace(/--\S+\s+/g, '').split(/\s+/)[0]);
    expect(copied.sort()).toEqual([
      '/app/dist',
      '/app/node_modules',
      '/app/package.json',
      '/out/apt/',
      '/out/usr/',
      'bin',
    ]);
    expect(args(final, 'ADD')).toEqual([]);
  });

  it("takes pg_dump, pg_restore and psql from Debian's client package, without its perl wrapper", () => {
    const pgclient = stage('pgclient');
    expect(args(pgclient, 'ARG')).toEqual(['PG_MAJOR=15']);
    const runs = args(pgclient, 'RUN').join(' ');
    expect(runs).toMatch(/apt-get install -y --no-install-recommends "postgresql-client-\$PG_MAJOR"/);
    for (const program of ['pg_dump', 'pg_restore', 'psql']) expect(runs).toContain(program);
    // Into Debian's layout, where `slipway backup` looks for the newest pg_dump.
    expect(runs).toContain('/out/usr/lib/postgresql/$PG_MAJOR/bin');
    expect(read('src/core/backup/pg-tools.ts')).toContain("const LIB = '/usr/lib/postgresql';");
    // The final stage installs their libraries, never the packages that bring perl.
    const finalRuns = args(final, 'RUN').join(' ');
    expect(finalRuns).toMatch(/--no-install-recommends tini libpq5 libreadline8/);
    expect(finalRuns).not.toMatch(/postgresql-client|perl/);
    expect(finalRuns).toMatch(/ldd .*not found/);
  });

  it('installs tini from Debian and runs slipway under it', () => {
    const runs = args(final, 'RUN').join(' ');
    expect(runs).toMatch(/apt-get install -y --no-install-recommends tini/);
    expect(runs).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
    expect(args(final, 'ENTRYPOINT')).toEqual(['["/usr/bin/tini", "--", "node", "/app/bin/slipway.js"]']);
    expect(args(final, 'CMD')).toEqual(['["start"]']);
    expect(runs).toMatch(/ln -s \/app\/bin\/slipway\.js \/usr\/local\/bin\/slipway/);
    expect(coreCommands.map((c) => c.name)).toContain('start');
  });

  it('runs as the unprivileged node user with a writable /app/data/media', () => {
    expect(args(final, 'USER')).toEqual(['node']);
    expect(args(final, 'WORKDIR')).toEqual(['/app']);
    const runs = args(final, 'RUN').join(' ');
    expect(runs).toMatch(/mkdir -p \/app\/data\/media/);
    expect(runs).toMatch(/chown -R node:node \/app\/data/);
  });

  it('sets the production environment and exposes PORT', () => {
    const env = args(final, 'ENV').join(' ');
    for (const pair of ['NODE_ENV=production', 'PORT=8000', 'HOST=0.0.0.0', 'DATA_DIR=/app/data'])
      expect(env).toContain(pair);
    expect(args(final, 'EXPOSE')).toEqual(['8000']);
    expect(args(final, 'STOPSIGNAL')).toEqual(['SIGTERM']);
  });

  it('checks health with the tiny bin/healthcheck.js, which loads node:http and nothing else', () => {
    const [healthcheck] = args(final, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/CMD \["node", "\/app\/bin\/healthcheck\.js"\]$/);
    for (const flag of ['interval', 'timeout', 'start-period'])
      expect(healthcheck).toMatch(new RegExp(`--${flag}=\\d+s`));
    const imports = [...read('bin/healthcheck.js').matchAll(/from '([^']+)'|import\(['"]([^'"]+)/g)].map(
      (m) => m[1] ?? m[2],
    );
    expect(imports).toEqual(['node:http']);
  });
});

describe('.dockerignore and secrets/', () => {
  it('keeps dependencies, build output, data and secrets out of the build context', () => {
    const ignored = read('.dockerignore')
      .split(/\r?\n/)
      .map((l) => l.trim());
    for (const entry of ['node_modules', 'dist', 'data', '.git', '.env', 'secrets', '.slipway', 'coverage'])
      expect(ignored, `.dockerignore lacks ${entry}`).toContain(entry);
  });

  it('tracks only the README and .gitignore in secrets/', () => {
    const lines = read('secrets/.gitignore')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(lines).toEqual(['*', '!.gitignore', '!README.md']);
  });
});
