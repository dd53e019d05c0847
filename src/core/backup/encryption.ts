import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { Decrypter, Encrypter } from 'age-encryption';
import type { BackupConfig } from '../config/index.js';
import { BackupError } from './errors.js';

/** How an archive is (or is to be) encrypted. */
export type EncryptionKind = 'recipients' | 'passphrase' | 'none';

const AGE_MAGIC = 'age-encryption.org/v1\n';

/**
 * Which encryption `backup create` uses: the age recipients if any are configured, else the
 * passphrase. Without either it refuses unless `noEncrypt` (the operator's explicit --no-encrypt).
 */
export function chooseEncryption(config: BackupConfig, noEncrypt: boolean): EncryptionKind {
  if (noEncrypt) return 'none';
  if (config.ageRecipients.length > 0 && config.passphrase)
    throw new BackupError('set BACKUP_AGE_RECIPIENTS or BACKUP_PASSPHRASE, not both');
  if (config.ageRecipients.length > 0) {
    const bad = config.ageRecipients.filter((r) => !/^age1[0-9a-z]+$/.test(r));
    if (bad.length > 0)
      throw new BackupError(
        `BACKUP_AGE_RECIPIENTS: "${bad[0]}" is not an age recipient (age1…, from age-keygen -y)`,
      );
    return 'recipients';
  }
  if (config.passphrase) return 'passphrase';
  throw new BackupError(
    'refusing to write an unencrypted backup: set BACKUP_AGE_RECIPIENTS (age1… keys) or BACKUP_PASSPHRASE_FILE, ' +
      'or pass --no-encrypt to write it in the clear',
  );
}

/**
 * Encrypts `plain` to the configured recipients or passphrase as it streams, in the standard age
 * format (`age -d -i key.txt` reads it). Memory stays at a few 64 KiB chunks.
 */
export async function encryptStream(
  plain: Readable,
  config: BackupConfig,
  kind: EncryptionKind,
): Promise<Readable> {
  if (kind === 'none') return plain;
  const encrypter = new Encrypter();
  try {
    if (kind === 'recipients') for (const r of config.ageRecipients) encrypter.addRecipient(r);
    else encrypter.setPassphrase(config.passphrase!);
  } catch (error) {
    throw new BackupError(`BACKUP_AGE_RECIPIENTS: ${(error as Error).message}`);
  }
  const web = await encrypter.encrypt(Readable.toWeb(plain) as unknown as ReadableStream<Uint8Array>);
  return Readable.fromWeb(web as unknown as WebReadableStream<Uint8Array>, { highWaterMark: 4 });
}

/** Whether the file at `path` is an age file (else it should be a plain tar). */
export function isAgeFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(AGE_MAGIC.length);
    const n = readSync(fd, head, 0, head.length, 0);
    return head.subarray(0, n).toString('latin1') === AGE_MAGIC;
  } finally {
    closeSync(fd);
  }
}

/**
 * Decrypts an age stream with the identities of BACKUP_AGE_IDENTITY_FILE or the passphrase.
 * Refuses at once when neither is configured or none matches; a changed or truncated byte
 * later makes the returned stream fail (age authenticates every 64 KiB chunk).
 */
export async function decryptStream(
  encrypted: Readable,
  config: BackupConfig,
  archive: string,
): Promise<Readable> {
  const decrypter = new Decrypter();
  let keys = 0;
  if (config.ageIdentityFile) {
    let text: string;
    try {
      text = readFileSync(config.ageIdentityFile, 'utf8');
    } catch (error) {
      throw new BackupError(
        `BACKUP_AGE_IDENTITY_FILE: cannot read ${config.ageIdentityFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    const identities = text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('AGE-SECRET-KEY-'));
    if (identities.length === 0)
      throw new BackupError(
        `BACKUP_AGE_IDENTITY_FILE: no AGE-SECRET-KEY-1… identity in ${config.ageIdentityFile}`,
      );
    for (const identity of identities) decrypter.addIdentity(identity);
    keys += identities.length;
  }
  if (config.passphrase) {
    decrypter.addPassphrase(config.passphrase);
    keys += 1;
  }
  if (keys === 0)
    throw new BackupError(
      `${archive} is encrypted: set BACKUP_AGE_IDENTITY_FILE (the age identity of its recipient) or BACKUP_PASSPHRASE_FILE`,
    );
  try {
    const web = await decrypter.decrypt(Readable.toWeb(encrypted) as unknown as ReadableStream<Uint8Array>);
    return Readable.fromWeb(web as unknown as WebReadableStream<Uint8Array>, { highWaterMark: 4 });
  } catch (error) {
    throw new BackupError(`cannot decrypt ${archive}: ${describeAgeError(error)}`, { cause: error });
  }
}

function describeAgeError(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  if (/no identity matched/i.test(message))
    return 'no configured identity or passphrase matches it (wrong key?)';
  if (/incorrect passphrase|scrypt/i.test(message)) return 'the passphrase does not match';
  return `it is not a readable age file (${message})`;
}
