import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Decrypter, Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { afterAll, describe, expect, it } from 'vitest';
import type { BackupConfig } from '../config/index.js';
import { decryptFile, encryptStream } from './encryption.js';

const dir = mkdtempSync(join(tmpdir(), 'slipway-age-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const config = (over: Partial<BackupConfig>): BackupConfig => ({
  dir,
  ageRecipients: [],
  ageIdentityFile: undefined,
  passphrase: undefined,
  schedule: undefined,
  keep: { daily: 0, weekly: 0, monthly: 0 },
  ...over,
});

// The payload is sealed and opened with Node's ChaCha20-Poly1305, not the package's: the
// age-encryption package itself is the reference it must agree with, in both directions, at
// every chunk boundary (64 KiB of plaintext per chunk; the last one may be full, or empty).
describe('age payload with native ChaCha20-Poly1305', async () => {
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  writeFileSync(join(dir, 'key.txt'), `${identity}\n`);
  const sizes = [0, 1, 65_535, 65_536, 65_537, 131_072, 200_000];

  it.each(sizes)('%i bytes written here read back with the age-encryption package', async (size) => {
    const plain = randomBytes(size);
    const sealed = await bytesOf(
      await encryptStream(Readable.from([plain]), config({ ageRecipients: [recipient] }), 'recipients'),
    );
    const decrypter = new Decrypter();
    decrypter.addIdentity(identity);
    expect(Buffer.from(await decrypter.decrypt(sealed)).equals(plain)).toBe(true);
  });

  it.each(sizes)('%i bytes written by the age-encryption package read back here', async (size) => {
    const plain = randomBytes(size);
    const encrypter = new Encrypter();
    encrypter.addRecipient(recipient);
    const file = join(dir, `ref-${size}.age`);
    writeFileSync(file, await encrypter.encrypt(plain));
    const opened = await decryptFile(file, config({ ageIdentityFile: join(dir, 'key.txt') }), 'x');
    expect((await bytesOf(opened)).equals(plain)).toBe(true);
  });

  it('refuses a flipped byte, a dropped final chunk and an extra byte', async () => {
    const plain = randomBytes(150_000);
    const sealed = await bytesOf(
      await encryptStream(Readable.from([plain]), config({ ageRecipients: [recipient] }), 'recipients'),
    );
    const read = async (bytes: Buffer) => {
      const file = join(dir, 'bad.age');
      writeFileSync(file, bytes);
      return bytesOf(await decryptFile(file, config({ ageIdentityFile: join(dir, 'key.txt') }), 'x'));
    };
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 70_000]! ^= 1;
    await expect(read(flipped)).rejects.toThrow(/invalid tag/);
    const fullChunks = sealed.subarray(0, sealed.length - (150_000 - 2 * 65_536) - 16);
    await expect(read(fullChunks)).rejects.toThrow(/invalid tag/);
    await expect(read(Buffer.concat([sealed, Buffer.from([0])]))).rejects.toThrow(/invalid tag/);
    expect((await read(sealed)).equals(plain)).toBe(true);
  });

  it('a passphrase archive reads back with the package and the passphrase', async () => {
    const plain = randomBytes(70_000);
    const sealed = await bytesOf(
      await encryptStream(Readable.from([plain]), config({ passphrase: 'correct horse' }), 'passphrase'),
    );
    const decrypter = new Decrypter();
    decrypter.addPassphrase('correct horse');
    expect(Buffer.from(await decrypter.decrypt(sealed)).equals(plain)).toBe(true);
  }, 120_000); // scrypt at age's work factor, three times: seconds each on a busy machine
});
