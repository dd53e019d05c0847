import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { DatabaseLockedError } from '../errors.js';
import { writeAtomically } from '../fs/write-atomically.js';

/** What the holder of an embedded database writes in its lock file. */
export interface LockInfo {
  pid: number;
  hostname: string;
  command: string;
  /** The folder of the Unix socket through which other commands reach the database, if any. */
  socketDir?: string;
  startedAt: string;
}

export interface HeldLock {
  readonly path: string;
  update(info: Partial<LockInfo>): void;
  release(): void;
}

/**
 * Takes `path` exclusively for this process and returns the held lock. A lock left by a process
 * that is gone is taken over. When a live process (or another host, which we cannot check)
 * holds it, returns the holder's {@link LockInfo} instead; `isHeldLock()` tells the two apart.
 */
export function acquireLock(path: string, command: string): HeldLock | LockInfo {
  const info: LockInfo = {
    pid: process.pid,
    hostname: hostname(),
    command,
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      return heldLock(path, info);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readLock(path);
    if (holder && isAlive(holder)) return holder;
    rmSync(path, { force: true }); // stale: its process is gone
  }
  throw new DatabaseLockedError(`cannot take the lock ${path}; remove it if no slipway process is running`);
}

function heldLock(path: string, info: LockInfo): HeldLock {
  let released = false;
  return {
    path,
    update(extra) {
      Object.assign(info, extra);
      writeAtomically(path, JSON.stringify(info), 0o600);
    },
    release() {
      if (released) return;
      released = true;
      const current = readLock(path);
      if (current?.pid === info.pid && current.hostname === info.hostname) rmSync(path, { force: true });
    },
  };
}

export function isHeldLock(value: HeldLock | LockInfo): value is HeldLock {
  return 'release' in value;
}

function readLock(path: string): LockInfo | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
  } catch {
    return undefined; // unreadable or half-written: treat as stale
  }
}

function isAlive(holder: LockInfo): boolean {
  if (holder.hostname !== hostname()) return true; // another host or container: assume it is running
  if (holder.pid === process.pid) return false; // a previous run of this container's PID
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
