import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checksumOf, normalizeContent } from '../../../src/files/content.js';
import { ContentScanner } from '../../../src/files/scan.js';
import { scanFile } from '../../../src/files/scan-file.js';

/** The checksum as the definition says it: decode, drop the BOM, CRLF → LF, SHA-256. */
const reference = (bytes: Buffer) => checksumOf(normalizeContent(bytes));

/** A deterministic PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

function scanInPieces(bytes: Buffer, random: () => number) {
  const scanner = new ContentScanner();
  for (let i = 0; i < bytes.length; ) {
    const size = 1 + Math.floor(random() * 7);
    scanner.update(bytes.subarray(i, i + size));
    i += size;
  }
  return scanner.finish();
}

const SAMPLES = [
  'CREATE TABLE a (id int);\n',
  '\uFEFFCREATE TABLE a (id int);\r\nINSERT INTO a VALUES (1);\r\n',
  'line one\r\nline two\rlone CR\r\n\r\n',
  "SELECT 'é', '漢字', '🐐';\r\n-- migrate:no-transaction\r\n",
  '\r',
  '',
  '\uFEFF',
  'ab',
];

describe('ContentScanner', () => {
  it('gives the checksum of the definition for every way of splitting the bytes', () => {
    const random = prng(42);
    for (const text of SAMPLES) {
      const bytes = Buffer.from(text);
      for (let round = 0; round < 50; round++) {
        expect(scanInPieces(bytes, random).checksum, JSON.stringify(text)).toBe(reference(bytes));
      }
    }
  });

  it('finds `migrate:` also when it straddles two pieces', () => {
    const bytes = Buffer.from('SELECT 1;\n-- migrate:down\n');
    for (let cut = 1; cut < bytes.length; cut++) {
      const scanner = new ContentScanner();
      scanner.update(bytes.subarray(0, cut));
      scanner.update(bytes.subarray(cut));
      expect(scanner.finish().mentionsDirective).toBe(true);
    }
    const plain = new ContentScanner();
    plain.update(Buffer.from('SELECT 1;'));
    expect(plain.finish().mentionsDirective).toBe(false);
  });

  it('accepts UTF-8 split inside a character and rejects invalid or truncated UTF-8', () => {
    const random = prng(7);
    const valid = Buffer.from('€🐐漢'.repeat(20));
    for (let round = 0; round < 50; round++) expect(scanInPieces(valid, random).utf8).toBe(true);
    expect(scanInPieces(Buffer.from([0x41, 0xff, 0x42]), random).utf8).toBe(false);
    expect(scanInPieces(Buffer.from([0x41, 0xe2, 0x82]), random).utf8).toBe(false);
  });
});

describe('scanFile', () => {
  it('gives the same checksum as the definition for small and multi-megabyte files', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'scan-'));
    const big = Buffer.from(`\uFEFF${"INSERT INTO t VALUES (1, 'é');\r\n".repeat(100_000)}`);
    for (const [name, bytes] of [
      ['small.sql', Buffer.from('SELECT 1;\n')],
      ['crlf.sql', Buffer.from('SELECT 1;\r\nSELECT 2;\r\n')],
      ['big.sql', big],
    ] as const) {
      const file = path.join(dir, name);
      await writeFile(file, bytes);
      const scan = scanFile(file);
      expect(scan.checksum, name).toBe(reference(bytes));
      expect(scan.utf8).toBe(true);
    }
    expect(big.length).toBeGreaterThan(2 * 1024 * 1024);
  });
});
