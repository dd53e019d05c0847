import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { AppDb, Database, Session, SqlRunner } from './database.js';
import type { HeldLock } from './lock-file.js';
import { type SharedSocket, shareOverSocket } from './pglite-share.js';

/**
 * PGlite running inside this process, persisted in a folder that this process has locked.
 * Queries are serialised by PGlite itself; a transaction holds the database until it ends.
 */
export class EmbeddedDatabase implements Database {
  readonly engine = 'pglite' as const;
  readonly shared = false;
  readonly db: AppDb;
  readonly description: string;
  private socket: SharedSocket | undefined;
  private closed = false;

  private constructor(
    private readonly pglite: PGlite,
    private readonly lock: HeldLock,
    schema: Record<string, unknown>,
    dir: string,
  ) {
    this.description = `PGlite in ${dir}`;
    this.db = drizzle({ client: pglite, schema }) as unknown as AppDb;
  }

  /** Opens (creating if needed) the PGlite folder `dir`, which the caller has locked. */
  static async open(
    dir: string,
    lock: HeldLock,
    schema: Record<string, unknown> = {},
  ): Promise<EmbeddedDatabase> {
    mkdirSync(dirname(dir), { recursive: true });
    try {
      const pglite = await PGlite.create({ dataDir: dir });
      return new EmbeddedDatabase(pglite, lock, schema, dir);
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /** Lets other slipway processes reach this database through a Unix socket until close(). */
  async share(socketDir: string): Promise<string> {
    this.socket = await shareOverSocket(this.pglite, socketDir);
    this.lock.update({ socketDir: this.socket.socketDir });
    return this.socket.socketDir;
  }

  async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
    return (await this.pglite.query<T>(sql, params)).rows;
  }

  async exec(sql: string): Promise<void> {
    await this.pglite.exec(sql);
  }

  async ping(): Promise<void> {
    await this.pglite.query('SELECT 1');
  }

  async withSession<T>(fn: (session: Session) => Promise<T>): Promise<T> {
    const session: Session = {
      query: (sql, params) => this.query(sql, params),
      exec: (sql) => this.exec(sql),
      transaction: (inner) => this.pglite.transaction((tx) => inner(txRunner(tx))),
    };
    return fn(session);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.socket?.stop();
      await this.pglite.close();
    } finally {
      this.lock.release();
    }
  }
}

function txRunner(tx: Transaction): SqlRunner {
  return {
    query: async <T>(sql: string, params?: unknown[]) => (await tx.query<T>(sql, params)).rows,
    exec: async (sql: string) => {
      await tx.exec(sql);
    },
  };
}
