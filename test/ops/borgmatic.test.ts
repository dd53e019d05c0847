import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSnapshot, mediaHashes, writeMedia } from '../../src/core/backup/testing.js';
import { loadConfig } from '../../src/core/config/index.js';
import { projectRoot } from '../../src/core/paths.js';
import { type PgCluster, postgresServer, startPgCluster } from '../../src/core/testing/pg-cluster.js';
import { runCommand } from '../../src/core/testing/run-command.js';
import { needs, onPath, requireTool } from '../../src/core/testing/tools.js';

const run = promisify(execFile);
const borgmatic = requireTool({
  name: 'borgmatic and borg',
  find: () => (onPath('borg') ? onPath('borgmatic') : undefined),
  install: 'apt-get install -y --no-install-recommends borgmatic borgbackup',
});

// deploy/borgmatic/config.yaml as an operator uses it, against a real PostgreSQL cluster.
describe('deploy/borgmatic/config.yaml', needs(postgresServer, borgmatic), () => {
  let cluster: PgCluster;
  let dir: string;
  let env: Record<string, string>;
  let database: { config: ReturnType<typeof loadConfig>['database'] };
  const config = join(projectRoot, 'deploy', 'borgmatic', 'config.yaml');
  const borg = async (...args: string[]) =>
    (await run(borgmatic.path(), [...args, '--config', config], { env })).stdout;

  beforeAll(async () => {
    cluster = await startPgCluster({ password: 'borg-test' });
    const url = await cluster.createDatabase('slipway');
    dir = mkdtempSync(join(tmpdir(), 'slipway-borgmatic-'));
    const media = join(dir, 'media');
    writeMedia(media, 3, 100_000);
    mkdirSync(join(dir, 'home'));
    writeFileSync(join(dir, 'passphrase'), 'correct horse battery staple\n', { mode: 0o600 });
    env = {
      PATH: process.env['PATH'] ?? '',
      HOME: join(dir, 'home'),
      SLIPWAY_MEDIA_ROOT: media,
      BORG_REPOSITORY: join(dir, 'repo.borg'),
      BORG_PASSPHRASE_FILE: join(dir, 'passphrase'),
      PGDATABASE: 'slipway',
      PGHOST: '127.0.0.1',
      PGPORT: String(cluster.port),
      PGUSER: 'postgres',
      PGPASSWORD: 'borg-test',
    };
    const slipway = { DATABASE_URL: url, DATA_DIR: dir, MEDIA_ROOT: media };
    expect(await runCommand(['migrate'], slipway, { cwd: dir })).toMatchObject({ code: 0 });
    expect(await runCommand(['seed', '--demo'], slipway, { cwd: dir })).toMatchObject({ code: 0 });
    database = { config: loadConfig({ env: slipway, cwd: dir, requireSecretKey: false }).database };
  });
  afterAll(async () => {
    await cluster?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('backs up the database and the media, lists them, and restores both after they are gone', async () => {
    const before = { data: await dataSnapshot(database), media: mediaHashes(env['SLIPWAY_MEDIA_ROOT']!) };
    await borg('init', '--encryption', 'repokey');
    await borg(); // create, prune, compact, check
    expect(await borg('list')).toMatch(/slipway-\d{4}-\d\d-\d\dT/);

    await cluster.query('DROP DATABASE slipway WITH (FORCE)');
    await cluster.query('CREATE DATABASE slipway');
    rmSync(env['SLIPWAY_MEDIA_ROOT']!, { recursive: true });

    await borg('restore', '--archive', 'latest');
    await borg('extract', '--archive', 'latest', '--destination', '/');
    expect(mediaHashes(env['SLIPWAY_MEDIA_ROOT']!)).toEqual(before.media);
    expect(await dataSnapshot(database)).toEqual(before.data);
  });
});
