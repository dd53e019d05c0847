import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** Where other slipway commands find the socket of a served PGlite: `<dir>/.s.PGSQL.5432`. */
export const SOCKET_PORT = 5432;
const MAX_SOCKET_PATH = 100; // sun_path is 108 bytes on Linux

export interface SharedSocket {
  readonly socketDir: string;
  stop(): Promise<void>;
}

/**
 * Exposes an in-process PGlite on a Unix socket so that other `slipway` commands can use it
 * while `serve` holds it, as Django commands share SQLite with `runserver`.
 *
 * PGlite has one session. The socket server queues its clients' messages, but the app's own
 * queries would still slip in between a client's `BEGIN` and `COMMIT`, or between the Parse and
 * Sync of one extended-protocol query. So a socket client holds PGlite's transaction mutex (the
 * one the app's queries and transactions wait on) from its first message until it is back to
 * idle: out of any transaction and after a Sync or simple Query.
 */
export async function shareOverSocket(pglite: PGlite, preferredDir: string): Promise<SharedSocket> {
  let socketDir = preferredDir;
  if (join(socketDir, `.s.PGSQL.${SOCKET_PORT}`).length > MAX_SOCKET_PATH) {
    socketDir = mkdtempSync(join(tmpdir(), 'slipway-'));
  } else {
    rmSync(socketDir, { recursive: true, force: true }); // a socket left by a killed process
    mkdirSync(socketDir, { recursive: true, mode: 0o700 });
  }
  const server = new PGLiteSocketServer({
    db: gated(pglite),
    path: join(socketDir, `.s.PGSQL.${SOCKET_PORT}`),
    maxConnections: 16,
    idleTimeout: 60_000, // a client idle in a transaction would block the app: drop it
  });
  await server.start();
  return {
    socketDir,
    async stop() {
      await server.stop();
      rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

type Internal = PGlite & { _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T> };

function gated(pglite: PGlite): PGlite {
  const db = pglite as Internal;
  let release: (() => void) | undefined;
  let lastType = 0;
  let idleTimer: NodeJS.Timeout | undefined;

  const acquire = () =>
    new Promise<void>((acquired) => {
      void db._runExclusiveTransaction(
        () =>
          new Promise<void>((done) => {
            release = done;
            acquired();
          }),
      );
    });
  const releaseIfIdle = (force = false) => {
    clearTimeout(idleTimer);
    if (!release || db.isInTransaction()) return;
    const cycleDone =
      lastType === 0 || lastType === 0x53 /* S */ || lastType === 0x51 /* Q */ || lastType === 0x58; /* X */
    if (cycleDone || force) {
      const done = release;
      release = undefined;
      done();
    } else {
      // A client that vanished between Parse and Sync must not hold the app forever.
      idleTimer = setTimeout(() => releaseIfIdle(true), 5000);
      idleTimer.unref();
    }
  };

  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'runExclusive')
        return async <T>(fn: () => Promise<T>): Promise<T> => {
          clearTimeout(idleTimer);
          if (!release) await acquire();
          try {
            return await target.runExclusive(fn);
          } finally {
            releaseIfIdle();
          }
        };
      if (prop === 'execProtocolRawStream')
        return (message: Uint8Array, options: Parameters<PGlite['execProtocolRawStream']>[1]) => {
          lastType = message[0] ?? 0;
          return target.execProtocolRawStream(message, options);
        };
      if (prop === 'exec')
        // Called by the socket server to roll back a disconnected client's transaction.
        return async (sql: string) => {
          if (!release) return target.exec(sql);
          try {
            return await target.runExclusive(() => target.execProtocolRaw(simpleQuery(sql)));
          } finally {
            lastType = 0x51;
            releaseIfIdle();
          }
        };
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function simpleQuery(sql: string): Uint8Array {
  const body = Buffer.from(`${sql}\0`, 'utf8');
  const message = Buffer.alloc(5 + body.length);
  message.write('Q', 0, 'ascii');
  message.writeInt32BE(4 + body.length, 1);
  body.copy(message, 5);
  return message;
}
