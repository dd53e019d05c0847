import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { closeSync, createReadStream, openSync, readFileSync, readSync } from 'node:fs';
import { type Readable, Transform } from 'node:stream';
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
 *
 * The age-encryption package writes the header (the file key wrapped for each recipient, or
 * with scrypt for a passphrase, and its MAC); the payload is then sealed here with Node's own
 * ChaCha20-Poly1305 (OpenSSL), about twenty times faster than the package's JavaScript cipher:
 * see {@link sealStream}.
 */
export async function encryptStream(
  plain: Readable,
  config: BackupConfig,
  kind: EncryptionKind,
): Promise<Readable> {
  if (kind === 'none') return plain;
  const encrypter = new Encrypter();
  let fileKey: Uint8Array | undefined;
  try {
    if (kind === 'recipients') {
      for (const r of config.ageRecipients) encrypter.addRecipient(r);
      // A recipient of the package's public Recipient interface that adds no stanza: it only
      // sees the file key the other recipients wrap.
      encrypter.addRecipient({
        wrapFileKey: (key: Uint8Array) => {
          fileKey = key;
          return [];
        },
      });
    } else encrypter.setPassphrase(config.passphrase!);
  } catch (error) {
    throw new BackupError(`BACKUP_AGE_RECIPIENTS: ${(error as Error).message}`);
  }
  // An empty file is header, nonce, and the 16-byte tag of its empty final chunk.
  const empty = Buffer.from(await encrypter.encrypt(new Uint8Array(0)));
  const header = empty.subarray(0, empty.length - NONCE_BYTES - TAG_BYTES);
  if (kind === 'passphrase') {
    const decrypter = new Decrypter();
    decrypter.addPassphrase(config.passphrase!);
    fileKey = await decrypter.decryptHeader(header);
  }
  const nonce = randomBytes(NONCE_BYTES);
  const seal = sealStream(payloadKey(fileKey!, nonce));
  seal.push(Buffer.concat([header, nonce]));
  plain.on('error', (error) => seal.destroy(error));
  return plain.pipe(seal);
}

const CHUNK_BYTES = 64 * 1024;
const TAG_BYTES = 16;
const NONCE_BYTES = 16;

/** age's payload key: HKDF-SHA-256 of the file key, salted with the payload nonce. */
function payloadKey(fileKey: Uint8Array, nonce: Uint8Array): Buffer {
  return Buffer.from(hkdfSync('sha256', fileKey, nonce, 'payload', 32));
}

/** The nonce of chunk `counter`: an 11-byte big-endian counter, then 1 on the final chunk. */
function chunkNonce(counter: number, last: boolean): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeUIntBE(counter, 5, 6);
  nonce[11] = last ? 1 : 0;
  return nonce;
}

/**
 * Gathers bytes that arrive in any sizes into one reused buffer of `size`, handing each full
 * one to `onFull` (which must be done with it when it returns): no allocation per chunk.
 */
class Gatherer {
  private readonly buffer: Buffer;
  used = 0;
  constructor(size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }
  /** Copies `chunk` in; calls `onFull` each time the buffer is full and more bytes follow. */
  add(chunk: Buffer, onFull: (full: Buffer) => void): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.used === this.buffer.length) {
        onFull(this.buffer);
        this.used = 0;
      }
      const n = chunk.copy(this.buffer, this.used, at);
      this.used += n;
      at += n;
    }
  }
  /** What is left: the final chunk (possibly full, or empty). */
  rest(): Buffer {
    return this.buffer.subarray(0, this.used);
  }
}

/**
 * age's STREAM payload, sealed: 64 KiB chunks, each ChaCha20-Poly1305 with its counter nonce;
 * the last one (possibly full, empty only when it is the only one) flagged as such.
 */
export function sealStream(key: Buffer): Transform {
  const gathered = new Gatherer(CHUNK_BYTES);
  let counter = 0;
  const seal = (stream: Transform, plain: Buffer, last: boolean) => {
    const cipher = createCipheriv('chacha20-poly1305', key, chunkNonce(counter++, last), {
      authTagLength: TAG_BYTES,
    });
    stream.push(cipher.update(plain));
    cipher.final();
    stream.push(cipher.getAuthTag());
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      gathered.add(chunk, (full) => seal(this, full, false));
      done();
    },
    flush(done) {
      seal(this, gathered.rest(), true);
      done();
    },
  });
}

/** The inverse of {@link sealStream}: throws on a changed, missing, reordered or extra byte. */
export function openStream(key: Buffer): Transform {
  const gathered = new Gatherer(CHUNK_BYTES + TAG_BYTES);
  let counter = 0;
  const open = (sealed: Buffer, last: boolean) => {
    if (sealed.length < TAG_BYTES) throw new Error('ciphertext is truncated (no final chunk)');
    const decipher = createDecipheriv('chacha20-poly1305', key, chunkNonce(counter, last), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    let plain: Buffer;
    try {
      plain = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
      decipher.final();
    } catch {
      throw new Error(`invalid tag: ciphertext chunk ${counter} fails authentication`);
    }
    if (last && plain.length === 0 && counter > 0) throw new Error('final chunk is empty');
    counter++;
    return plain;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        gathered.add(chunk, (full) => this.push(open(full, false)));
        done();
      } catch (error) {
        done(error as Error);
      }
    },
    flush(done) {
      try {
        done(null, open(gathered.rest(), true));
      } catch (error) {
        done(error as Error);
      }
    },
  });
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
 * Decrypts the age file at `path` with the identities of BACKUP_AGE_IDENTITY_FILE or the
 * passphrase. Refuses at once when neither is configured or none matches (the header is read and
 * its MAC checked by the age-encryption package); a changed or truncated byte later makes the
 * returned stream fail (every 64 KiB chunk is authenticated, by Node's ChaCha20-Poly1305).
 */
export async function decryptFile(path: string, config: BackupConfig, archive: string): Promise<Readable> {
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
    const { header, nonce } = readHeader(path);
    const fileKey = await decrypter.decryptHeader(header);
    const payload = createReadStream(path, { start: header.length + NONCE_BYTES });
    const open = openStream(payloadKey(fileKey, nonce));
    payload.on('error', (error) => open.destroy(error));
    return payload.pipe(open);
  } catch (error) {
    throw new BackupError(`cannot decrypt ${archive}: ${describeAgeError(error)}`, { cause: error });
  }
}

/** The header of an age file (up to and with its `--- <MAC>` line) and the payload nonce after it. */
function readHeader(path: string): { header: Buffer; nonce: Buffer } {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(1 << 20); // far more than any header of a few recipients
    const n = readSync(fd, head, 0, head.length, 0);
    const macLine = head.subarray(0, n).indexOf('\n--- ');
    const end = macLine === -1 ? -1 : head.subarray(0, n).indexOf('\n', macLine + 1);
    if (end === -1) throw new Error('invalid header (no MAC line)');
    const header = Buffer.from(head.subarray(0, end + 1));
    if (n < header.length + NONCE_BYTES) throw new Error('unexpected end of file after the header');
    return { header, nonce: Buffer.from(head.subarray(header.length, header.length + NONCE_BYTES)) };
  } finally {
    closeSync(fd);
  }
}

function describeAgeError(error: unknown): string {
  const message = (error as Error).message ?? String(error);
  if (/no identity matched/i.test(message))
    return 'no configured identity or passphrase matches it (wrong key?)';
  if (/incorrect passphrase|scrypt/i.test(message)) return 'the passphrase does not match';
  return `it is not a readable age file (${message})`;
}
