/**
 * The file types attachments may have, told from the content (magic bytes), never from the name
 * or the type the browser claims. The name's extension must agree with the content.
 */
export interface FileType {
  readonly contentType: string;
  /** The extension the stored file gets. */
  readonly extension: string;
  /** Extensions an uploaded file of this type may have. */
  readonly extensions: readonly string[];
  readonly label: string;
}

const PDF: FileType = { contentType: 'application/pdf', extension: 'pdf', extensions: ['pdf'], label: 'PDF' };
const PNG: FileType = { contentType: 'image/png', extension: 'png', extensions: ['png'], label: 'PNG' };
const JPEG: FileType = {
  contentType: 'image/jpeg',
  extension: 'jpg',
  extensions: ['jpg', 'jpeg', 'jpe'],
  label: 'JPEG',
};
const GIF: FileType = { contentType: 'image/gif', extension: 'gif', extensions: ['gif'], label: 'GIF' };
const WEBP: FileType = { contentType: 'image/webp', extension: 'webp', extensions: ['webp'], label: 'WebP' };
export const PLAIN_TEXT: FileType = {
  contentType: 'text/plain',
  extension: 'txt',
  extensions: ['txt', 'text', 'csv', 'md', 'log'],
  label: 'plain text',
};

/** Every type accepted, for messages and `accept=` attributes. */
export const ALLOWED_TYPES: readonly FileType[] = [PDF, PNG, JPEG, GIF, WEBP, PLAIN_TEXT];

const startsWith = (head: Uint8Array, bytes: readonly number[], at = 0) =>
  bytes.every((b, i) => head[at + i] === b);
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

/**
 * The binary type whose signature `head` (the first bytes, 16 are enough) starts with, or
 * undefined: then the file is accepted only as plain text, which {@link TextChecker} decides.
 *
 * @example
 *   binaryType(Buffer.from('%PDF-1.7\n…')) // PDF
 */
export function binaryType(head: Uint8Array): FileType | undefined {
  if (startsWith(head, ascii('%PDF-'))) return PDF;
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return PNG;
  if (startsWith(head, [0xff, 0xd8, 0xff])) return JPEG;
  if (startsWith(head, ascii('GIF87a')) || startsWith(head, ascii('GIF89a'))) return GIF;
  if (startsWith(head, ascii('RIFF')) && startsWith(head, ascii('WEBP'), 8)) return WEBP;
  return undefined;
}

/**
 * Decides, chunk by chunk, whether a file is plain text: valid UTF-8 (a BOM allowed) without NUL
 * or other control characters than tab, line feed, form feed and carriage return.
 */
export class TextChecker {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private ok = true;

  push(chunk: Uint8Array): void {
    if (!this.ok) return;
    try {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it looks for
      if (/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(this.decoder.decode(chunk, { stream: true })))
        this.ok = false;
    } catch {
      this.ok = false;
    }
  }

  /** Whether everything pushed was text; call once, after the last chunk. */
  end(): boolean {
    this.push(new Uint8Array());
    try {
      this.decoder.decode();
    } catch {
      this.ok = false;
    }
    return this.ok;
  }
}

/** The lower-case extension of a file name (`Scan.PDF` → `pdf`), or ''. */
export function extensionOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}
