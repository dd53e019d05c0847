import { SlipwayError } from '../errors.js';

/**
 * A backup, verify, restore or prune refused or failed in a way the operator can act on: a
 * damaged archive, a wrong key, a missing pg_dump. The CLI prints its message as one line.
 *
 * @example
 *   throw new BackupError('archive is damaged: database.sql.gz does not match its checksum');
 */
export class BackupError extends SlipwayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SLIPWAY_BACKUP', 500, message);
    if (options && 'cause' in options) this.cause = options.cause;
  }
}
