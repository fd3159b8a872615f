import { describe, expect, it } from 'vitest';
import { flywayChecksum } from '../../../src/files/flyway-checksum.js';

// An independent CRC32 (IEEE 802.3, reflected polynomial 0xEDB88320), table-driven as
// java.util.zip.CRC32 computes it, so the module's use of zlib is checked against another code.
const TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (TABLE[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Flyway's computation spelled out: Java's readLine lines, each line's UTF-8 bytes, signed int. */
function flywayByLines(text: string): number {
  const lines = text.split(/\r\n|\r|\n/);
  // readLine returns no last empty line after a final terminator; an empty line adds no bytes.
  const bytes = Buffer.from(lines.join(''), 'utf8');
  return crc32(bytes) | 0;
}

describe('flywayChecksum', () => {
  it('is the CRC32 of the text as a signed 32-bit int: 123456789 gives 0xCBF43926', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(flywayChecksum('123456789')).toBe(0xcbf43926 | 0);
    expect(flywayChecksum('123456789')).toBeLessThan(0);
  });

  it('leaves the line terminators out, so LF, CRLF and CR files give the same value', () => {
    const lf = 'CREATE TABLE users (\n  id int\n);\n\nINSERT INTO users VALUES (1);\n';
    expect(flywayChecksum(lf)).toBe(flywayByLines(lf));
    expect(flywayChecksum(lf.replaceAll('\n', '\r\n'))).toBe(flywayChecksum(lf));
    expect(flywayChecksum(lf.replaceAll('\n', '\r'))).toBe(flywayChecksum(lf));
    expect(flywayChecksum(lf)).toBe(crc32(Buffer.from(lf.replaceAll('\n', ''))) | 0);
    // Anything else in a line counts: a space is a change.
    expect(flywayChecksum(lf.replace('id int', 'id  int'))).not.toBe(flywayChecksum(lf));
  });

  it('drops a BOM at the start, from text or from bytes', () => {
    const text = 'SELECT 1;\n';
    expect(flywayChecksum(`\ufeff${text}`)).toBe(flywayChecksum(text));
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
    expect(flywayChecksum(withBom)).toBe(flywayChecksum(text));
  });

  it('hashes non-ASCII text as its UTF-8 bytes', () => {
    const text = "INSERT INTO t VALUES ('café', '日本');\n";
    expect(flywayChecksum(text)).toBe(flywayByLines(text));
    expect(flywayChecksum(Buffer.from(text, 'utf8'))).toBe(flywayChecksum(text));
  });

  it('gives 0 for an empty file, as a CRC32 over no bytes', () => {
    expect(flywayChecksum('')).toBe(0);
    expect(flywayChecksum('\n\n')).toBe(0);
  });
});
