import pino, { type Logger } from 'pino';
import type { Config } from './config/index.js';

export type { Logger };

/**
 * The process logger: JSON lines on stdout, one per event. Anything under a key that usually
 * holds a secret is redacted, so a config object or request header logged by mistake leaks nothing.
 */
export function createLogger(config: Pick<Config, 'logLevel'>, fd: 1 | 2 = 1): Logger {
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
    pino.destination({ fd, sync: true }),
  );
}
