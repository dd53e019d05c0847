import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onPath, requireTool } from './tools.js';

/** Debian's HAProxy, the stand-in for Traefik in the proxy tests (Traefik has no package). */
export const haproxy = requireTool({
  name: 'HAProxy',
  find: () => onPath('haproxy') ?? ['/usr/sbin/haproxy'].find(existsSync),
  install: 'apt-get install -y --no-install-recommends haproxy',
});

export interface Backend {
  readonly name: string;
  readonly port: number;
}

/**
 * The HAProxy configuration that keeps the contract of compose.prod.yaml's Traefik labels:
 * - a health check of `GET /readyz` every 2 s; one failure takes a server out of rotation and
 *   one success puts it back (Traefik's behaviour);
 * - retries on connection failures only (`retry-on conn-failure`, HAProxy's default condition),
 *   each on another server (`option redispatch 1`): a request that never reached a server is
 *   safe to send again, whatever its method; one that reached a server is never replayed;
 * - a stats page in CSV on its own port, for the tests to read each server's state.
 * Everything listens on 127.0.0.1 only.
 */
export function haproxyConfig(options: {
  port: number;
  statsPort: number;
  backends: readonly Backend[];
}): string {
  return [
    'global',
    '  maxconn 2000',
    'defaults',
    '  mode http',
    '  timeout connect 2s',
    '  timeout client 30s',
    '  timeout server 30s',
    '  timeout http-keep-alive 10s',
    '  retries 3',
    '  retry-on conn-failure empty-response',
    '  option redispatch 1',
    'frontend web',
    `  bind 127.0.0.1:${options.port}`,
    '  http-request disable-l7-retry unless METH_GET || METH_HEAD',
    '  default_backend slipway',
    'backend slipway',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check send hdr Host 127.0.0.1',
    '  http-check expect status 200',
    '  default-server check inter 2s fall 1 rise 1',
    ...options.backends.map((b) => `  server ${b.name} 127.0.0.1:${b.port}`),
    'frontend stats',
    `  bind 127.0.0.1:${options.statsPort}`,
    '  stats enable',
    '  stats uri /stats',
    '',
  ].join('\n');
}

export interface RunningHaproxy {
  readonly child: ChildProcess;
  readonly url: string;
  /** Each server's state as HAProxy's stats report it: 'UP', 'DOWN', 'MAINT', … */
  states(): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/** Starts HAProxy in the foreground (`-db`) with {@link haproxyConfig}, written into `dir`. */
export async function startHaproxy(options: {
  dir: string;
  port: number;
  statsPort: number;
  backends: readonly Backend[];
}): Promise<RunningHaproxy> {
  const file = join(options.dir, 'haproxy.cfg');
  writeFileSync(file, haproxyConfig(options));
  const child = spawn(haproxy.path(), ['-db', '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d;
  });
  const statsUrl = `http://127.0.0.1:${options.statsPort}/stats;csv`;
  const states = async () => {
    const csv = await (await fetch(statsUrl, { signal: AbortSignal.timeout(2000) })).text();
    const result: Record<string, string> = {};
    for (const line of csv.split('\n')) {
      const fields = line.split(',');
      if (fields[0] === 'slipway' && fields[1] !== 'BACKEND') result[fields[1]!] = fields[17]!;
    }
    return result;
  };
  for (let i = 0; i < 50; i++) {
    if (child.exitCode !== null) throw new Error(`haproxy exited with ${child.exitCode}: ${stderr}`);
    try {
      await states();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    child,
    url: `http://127.0.0.1:${options.port}`,
    states,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
