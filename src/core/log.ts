import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { Config } from './config/index.js';

export type { Logger };

/**
 * How log lines are written: `json`, one JSON object per line for log collectors (servers in
 * production, and any command given `--json`); `human`, one readable line per event (the
 * development server and every other command).
 */
export type LogFormat = 'json' | 'human';

/**
 * The process logger. Anything under a key that usually holds a secret is redacted in both
 * formats, so a config object or request header logged by mistake leaks nothing.
 *
 * @example
 *   createLogger(config, 1, config.debug ? 'human' : 'json'); // a server
 *   createLogger(config, 2, 'human');                          // a CLI command: stderr
 */
export function createLogger(
  config: Pick<Config, 'logLevel'>,
  fd: 1 | 2 = 1,
  format: LogFormat = 'json',
): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'slipway' },
      redact: {
        paths: [
          'password',
          '*.password',
          'secretKey',
          '*.secretKey',
          'req.headers.authorization',
          'req.headers.cookie',
          'res.headers["set-cookie"]',
        ],
        censor: '[redacted]',
      },
    },
    format === 'json' ? pino.destination({ fd, sync: true }) : humanDestination(fd),
  );
}

/** pino-pretty, synchronous (a command's last line is never lost at exit), in colour on a terminal. */
function humanDestination(fd: 1 | 2): DestinationStream {
  // Loaded on first use: servers in production never need it.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  return pretty({
    destination: fd,
    sync: true,
    colorize: (fd === 1 ? process.stdout : process.stderr).isTTY === true,
    ignore: 'pid,hostname,service,reqId',
    translateTime: 'HH:MM:ss',
    singleLine: true,
  });
}
