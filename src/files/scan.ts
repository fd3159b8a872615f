// One streaming pass over a file's bytes: checksum, UTF-8 validity, size, a hint of directives. Pure: bytes in, facts out.
import { isUtf8 } from 'node:buffer';
import { createHash, type Hash } from 'node:crypto';

const CR = 0x0d;
const LF = 0x0a;
/** The bytes whose presence means a file may hold a directive and must be read as text. */
export const DIRECTIVE = Buffer.from('migrate:');
const EMPTY = Buffer.alloc(0);

/** What one pass over a file's bytes found. */
export interface FileScan {
  /** SHA-256 of the bytes without a leading BOM and with every CRLF as LF, lowercase hex. */
  checksum: string;
  /** The bytes are valid UTF-8. */
  utf8: boolean;
  /** The file's size in bytes. */
  size: number;
  /** The bytes contain `migrate:`: the file may hold a directive and must be read as text. */
  mentionsDirective: boolean;
}

/** Bytes at the end of `chunk` that may start a UTF-8 sequence finished by the next chunk. */
export function incompleteTail(chunk: Buffer): number {
  for (let back = 1; back <= Math.min(3, chunk.length); back++) {
    const byte = chunk[chunk.length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const needs = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needs > back ? back : 0;
  }
  return 0;
}

/**
 * The checksum of a migration, computed over its bytes in one streaming pass, without decoding
 * them to text and without holding the file: the BOM is skipped and CRLF hashed as LF, as the
 * checksum's definition says, so a Windows checkout is not drift. The chunks may split anywhere.
 */
export class ContentScanner {
  private readonly hash: Hash = createHash('sha256');
  private carry: Buffer = EMPTY;
  private started = false;
  private utf8 = true;
  private mentionsDirective = false;
  private size = 0;
  // The last bytes of the previous chunk, to find `migrate:` across the seam of two chunks.
  private readonly tail = Buffer.alloc(DIRECTIVE.length - 1);
  private tailLength = 0;

  update(bytes: Buffer): void {
    this.size += bytes.length;
    let chunk = this.carry.length > 0 ? Buffer.concat([this.carry, bytes]) : bytes;
    if (!this.started) {
      if (chunk.length < 3) {
        this.carry = Buffer.from(chunk);
        return;
      }
      this.started = true;
      if (hasBom(chunk)) chunk = chunk.subarray(3);
    }
    // Hold back what the next chunk may complete: a CR (of a CRLF) or a split UTF-8 sequence.
    let keep = incompleteTail(chunk);
    if (keep === 0 && chunk[chunk.length - 1] === CR) keep = 1;
    const body = keep > 0 ? chunk.subarray(0, chunk.length - keep) : chunk;
    this.carry = keep > 0 ? Buffer.from(chunk.subarray(chunk.length - keep)) : EMPTY;
    this.consume(body);
  }

  private consume(body: Buffer): void {
    if (this.utf8 && !isUtf8(body)) this.utf8 = false;
    if (!this.mentionsDirective) {
      this.mentionsDirective = body.includes(DIRECTIVE) || this.seamHasDirective(body);
      const from = Math.max(0, body.length - this.tail.length);
      this.tailLength = body.copy(this.tail, 0, from);
    }
    let start = 0;
    for (let cr = body.indexOf(CR); cr !== -1; cr = body.indexOf(CR, cr + 1)) {
      if (body[cr + 1] !== LF) continue;
      this.hash.update(body.subarray(start, cr));
      start = cr + 1;
    }
    this.hash.update(start === 0 ? body : body.subarray(start));
  }

  /** `migrate:` straddling the previous chunk and this one (a file read in several pieces). */
  private seamHasDirective(body: Buffer): boolean {
    if (this.tailLength === 0) return false;
    const seam = Buffer.concat([
      this.tail.subarray(0, this.tailLength),
      body.subarray(0, DIRECTIVE.length - 1),
    ]);
    return seam.includes(DIRECTIVE);
  }

  finish(): FileScan {
    // What is left is a file shorter than a BOM, a final CR, or an unfinished UTF-8 sequence
    // (which isUtf8 then rejects).
    if (this.carry.length > 0) this.consume(this.carry);
    return {
      checksum: this.hash.digest('hex'),
      utf8: this.utf8,
      size: this.size,
      mentionsDirective: this.mentionsDirective,
    };
  }
}

export function hasBom(bytes: Buffer): boolean {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}
