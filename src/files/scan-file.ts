// Reads a file from disk through the content scanner, in 1 MiB reads into one shared buffer.
import { isUtf8 } from 'node:buffer';
import { hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { ContentScanner, DIRECTIVE, type FileScan, hasBom } from './scan.js';

const CR = 0x0d;

// One buffer for every file of the run: reading thousands of files allocates nothing per file.
let shared: Buffer | undefined;

/**
 * Scans a file in 1 MiB reads into a shared buffer: any size, constant memory. The usual small
 * file without BOM or CR is hashed in one call, without a streaming hash object: for thousands of
 * files those objects (and their native finalisers) cost more garbage collection than hashing.
 */
export function scanFile(filePath: string): FileScan {
  shared ??= Buffer.allocUnsafe(1 << 20);
  const fd = openSync(filePath, 'r');
  try {
    const first = readSync(fd, shared, 0, shared.length, null);
    const bytes = shared.subarray(0, first);
    // A short read of a regular file is its end: spare the read that would return 0.
    if (first < shared.length && !hasBom(bytes) && !bytes.includes(CR)) {
      return {
        checksum: hash('sha256', bytes, 'hex'),
        utf8: isUtf8(bytes),
        size: first,
        mentionsDirective: bytes.includes(DIRECTIVE),
      };
    }
    const scanner = new ContentScanner();
    scanner.update(bytes);
    for (let read = first; read === shared.length; ) {
      read = readSync(fd, shared, 0, shared.length, null);
      if (read > 0) scanner.update(shared.subarray(0, read));
    }
    return scanner.finish();
  } finally {
    closeSync(fd);
  }
}
