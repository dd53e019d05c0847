import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { messagesFor } from '../../../core/errors.js';
import { ContactValidationError } from '../errors.js';
import { storedPath, storeFile } from './storage.js';

const SAMPLES = {
  pdf: Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n'),
  png: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]),
  jpeg: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0]),
  gif: Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1'),
  webp: Buffer.concat([Buffer.from('RIFF'), Buffer.from([26, 0, 0, 0]), Buffer.from('WEBPVP8 ')]),
  text: Buffer.from('Grüezi!\nNotes from the meeting.\tDone.\r\n'),
};

const root = mkdtempSync(join(tmpdir(), 'slipway-media-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const files = () => readdirSync(join(root, 'attachments')).sort();

async function refusal(promise: Promise<unknown>): Promise<string[]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ContactValidationError);
  return messagesFor((error as ContactValidationError).errors, 'file');
}

describe('storing attachment files', () => {
  it('accepts PDF, PNG, JPEG, GIF, WebP and plain text, told from the content', async () => {
    const cases: [keyof typeof SAMPLES, string, string][] = [
      ['pdf', 'Contract.PDF', 'application/pdf'],
      ['png', 'photo.png', 'image/png'],
      ['jpeg', 'photo.jpeg', 'image/jpeg'],
      ['gif', 'a.gif', 'image/gif'],
      ['webp', 'b.webp', 'image/webp'],
      ['text', 'notes.txt', 'text/plain'],
    ];
    for (const [sample, name, type] of cases) {
      const stored = await storeFile(root, SAMPLES[sample], name);
      expect(stored.contentType).toBe(type);
      expect(stored.size).toBe(SAMPLES[sample].length);
      expect(stored.sha256).toBe(createHash('sha256').update(SAMPLES[sample]).digest('hex'));
      expect(readFileSync(storedPath(root, stored.storedName))).toEqual(SAMPLES[sample]);
    }
  });

  it('names the file randomly, never after the user, and reads a stream chunk by chunk', async () => {
    async function* chunks() {
      yield SAMPLES.pdf.subarray(0, 3); // the signature arrives split
      yield SAMPLES.pdf.subarray(3);
    }
    const stored = await storeFile(root, chunks(), '../../etc/passwd.pdf');
    expect(stored.storedName).toMatch(/^attachments\/[0-9a-f]{32}\.pdf$/);
    expect(stored.contentType).toBe('application/pdf');
    expect(files().every((f) => /^[0-9a-f]{32}\.(\w+|upload\.pending)$/.test(f))).toBe(true);
  });

  it('refuses a type that is not allowed, by extension or by content, leaving no file', async () => {
    const before = files();
    expect(await refusal(storeFile(root, Buffer.from('MZ\x90\x00'), 'setup.exe'))).toEqual([
      'Files of type .exe are not accepted: only PDF, PNG, JPEG, GIF, WebP, plain text.',
    ]);
    expect(await refusal(storeFile(root, SAMPLES.text, 'README'))).toEqual([
      'Files without an extension are not accepted: only PDF, PNG, JPEG, GIF, WebP, plain text.',
    ]);
    // An executable renamed .pdf: the content decides.
    expect(
      await refusal(storeFile(root, Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0]), 'invoice.pdf')),
    ).toEqual([
      'The content of this file is not one of the accepted types: PDF, PNG, JPEG, GIF, WebP, plain text.',
    ]);
    expect(await refusal(storeFile(root, SAMPLES.png, 'scan.pdf'))).toEqual([
      "The file's name ends in .pdf, but its content is PNG.",
    ]);
    expect(await refusal(storeFile(root, Buffer.from('<html>\u0000</html>'), 'page.txt'))).toHaveLength(1);
    expect(await refusal(storeFile(root, Buffer.from([0xc3, 0x28]), 'bad-utf8.txt'))).toHaveLength(1);
    expect(await refusal(storeFile(root, Buffer.alloc(0), 'empty.txt'))).toEqual(['The file is empty.']);
    expect(files()).toEqual(before);
  });

  it('stops an upload larger than the limit and removes what it wrote', async () => {
    const before = files();
    async function* big() {
      for (let i = 0; i < 20; i++) yield Buffer.alloc(1024, 'a');
    }
    expect(await refusal(storeFile(root, big(), 'big.txt', { maxBytes: 10 * 1024 }))).toEqual([
      'The file is larger than 10 KiB, the most accepted.',
    ]);
    expect(files()).toEqual(before);
  });

  it('refuses to turn anything but a name it made into a path', () => {
    expect(() => storedPath(root, '../secrets/key.pdf')).toThrow(/not a stored attachment name/);
    expect(() => storedPath(root, 'attachments/../../x.pdf')).toThrow(/not a stored attachment name/);
  });
});
