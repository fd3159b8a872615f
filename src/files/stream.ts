// A file's text as a stream: decoded chunks and statement-aligned pieces, for files too large to hold.
import { isAscii } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { lineAtInChunks } from '../sql/lines.js';
import { StatementSplitter } from '../sql/splitter.js';
import { incompleteTail } from './scan.js';

/** Files above this size are streamed: never held whole, sent to the server in pieces. */
export const LARGE_FILE = 4 * 1024 * 1024;
/** The size of the statement-aligned pieces a large file is sent in. */
const PIECE = 64 * 1024;
/**
 * The size of each read. V8 makes strings of up to 64 KiB more than ten times faster than larger
 * ones (measured with Buffer#toString: 5.8 GB/s at 64 KiB, 0.26 GB/s at 256 KiB).
 */
const READ = 64 * 1024;

/**
 * A file's text in chunks, as the action runs it: UTF-8 decoded as it streams, the BOM dropped,
 * CRLF turned into LF (also when a CR ends one chunk and its LF starts the next).
 */
export async function* textChunks(filePath: string, size = READ): AsyncGenerator<string> {
  // Synchronous reads: a 64 KiB read from the page cache takes microseconds, far less than a
  // trip through the thread pool; the event loop still runs between the pieces sent.
  const fd = openSync(filePath, 'r');
  const buffer = Buffer.allocUnsafe(size + 4);
  let carried = 0; // bytes of an unfinished UTF-8 sequence, moved to the buffer's start
  let first = true;
  let carryCR = false;
  try {
    for (;;) {
      const bytesRead = readSync(fd, buffer, carried, size, null);
      const end = carried + bytesRead;
      const keep = bytesRead === 0 ? 0 : incompleteTail(buffer.subarray(0, end));
      let body = buffer.subarray(0, end - keep);
      if (first && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf)
        body = body.subarray(3);
      first = false;
      // The file was checked to be UTF-8 when it was read for its checksum; an ASCII chunk (the
      // bulk of a data migration) decodes several times faster as Latin-1, to the same text.
      let text = isAscii(body) ? body.toString('latin1') : body.toString('utf8');
      if (carryCR) text = `\r${text}`;
      carryCR = bytesRead > 0 && text.endsWith('\r');
      if (carryCR) text = text.slice(0, -1);
      if (text) yield text.includes('\r') ? text.replaceAll('\r\n', '\n') : text;
      if (bytesRead === 0) break;
      buffer.copy(buffer, 0, end - keep, end);
      carried = keep;
    }
  } finally {
    closeSync(fd);
  }
}

export interface Piece {
  text: string;
  /** Index in the file's text where the piece starts. */
  start: number;
}

/**
 * A large file as pieces of about 64 KiB that end where statements end, so that each can be sent
 * as one simple-query message inside the migration's one transaction: the file is never held
 * whole, and each round trip carries many statements.
 */
export async function* statementPieces(filePath: string): AsyncGenerator<Piece> {
  const splitter = new StatementSplitter();
  let pending = '';
  let start = 0; // index of pending[0] in the whole text
  for await (const chunk of textChunks(filePath)) {
    pending += chunk;
    const last = splitter.push(chunk).at(-1);
    if (last && last.end - start >= PIECE) {
      const text = pending.slice(0, last.end - start);
      yield { text, start };
      pending = pending.slice(text.length);
      start = last.end;
    }
  }
  splitter.end();
  if (pending.trim()) yield { text: pending, start };
}

/** The 1-based line of the file at an index into its text (see lineAtInChunks). */
export function lineAtIndex(filePath: string, index: number): Promise<number> {
  return lineAtInChunks(textChunks(filePath), index);
}

/** Whether a migration is streamed in pieces rather than held whole (a cut file is held). */
export function isLarge(migration: { size?: number; held?: boolean }): boolean {
  return !migration.held && (migration.size ?? 0) > LARGE_FILE;
}
