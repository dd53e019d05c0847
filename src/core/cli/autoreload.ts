import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, type FSWatcher, watch } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log.js';

export interface ReloaderOptions {
  /** The command that runs the server, e.g. [node, bin/slipway.js, 'runserver', '--noreload']. */
  command: readonly string[];
  /** Folders whose changes restart the server (only those that exist are watched). */
  watch: readonly string[];
  log: Logger;
  /** How long to wait for more changes before restarting: an editor's save is several events. */
  debounceMs?: number;
}

/** Sources whose change means new code or a new migration; static files are served live. */
export function isReloadTrigger(file: string): boolean {
  if (/(^|[\\/])(static|node_modules)[\\/]/.test(file) || /\.test\.tsx?$/.test(file)) return false;
  return /\.(ts|tsx|sql|json)$/.test(file);
}

/**
 * Django's autoreloader: runs the server as a child process and restarts it when a source file
 * changes. Resolves with the child's exit code when this process is asked to stop.
 *
 * 1. Start the child; it takes the embedded database's lock and the port.
 * 2. On a change, wait `debounceMs`, send the child SIGTERM and wait for it to exit: its graceful
 *    shutdown closes the listener, PGlite and its socket, and removes the lock. Only then start
 *    the next child, so two servers never hold the lock or the port at once.
 * 3. A child that fails (a syntax error, a failing migration) is not restarted until the next
 *    change: its error stays on screen.
 * 4. On SIGINT/SIGTERM, stop the child the same way and exit with its code.
 */
export function runWithReloader(options: ReloaderOptions): Promise<number> {
  const { log } = options;
  let child: ChildProcess | undefined;
  let exited: Promise<number> = Promise.resolve(0);
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let queue: Promise<void> = Promise.resolve();

  const start = () => {
    const [file, ...args] = options.command;
    // Its own process group, so a Ctrl-C reaches only this process, which then stops the child
    // once, gracefully; the IPC channel lets the child notice if this process dies (see runserver).
    const current = spawn(file!, args, { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], detached: true });
    child = current;
    exited = new Promise((resolve) =>
      current.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))),
    );
    void exited.then((code) => {
      if (child === current && !stopping && code !== 0)
        log.error({ code }, 'the server stopped: fix the error and save a file to restart it');
    });
  };
  const stopChild = async (): Promise<number> => {
    const current = child;
    if (!current || current.exitCode !== null || current.signalCode !== null) return exited;
    current.kill('SIGTERM');
    return exited;
  };
  const restart = (file: string) => {
    queue = queue.then(async () => {
      if (stopping) return;
      log.info({ file }, 'source changed: restarting the server');
      await stopChild();
      if (!stopping) start();
    });
  };

  const watchers: FSWatcher[] = options.watch
    .filter((dir) => existsSync(dir))
    .map((dir) =>
      watch(dir, { recursive: true }, (_event, name) => {
        const file = name ? join(dir, name.toString()) : dir;
        if (!isReloadTrigger(file)) return;
        clearTimeout(timer);
        timer = setTimeout(() => restart(file), options.debounceMs ?? 150);
      }),
    );
  log.info({ watching: options.watch }, 'watching for file changes (--noreload turns this off)');
  start();

  return new Promise((resolve) => {
    const onSignal = () => {
      if (stopping) return;
      stopping = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
      void queue.then(stopChild).then(resolve);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
