// A file's text as a stream: decoded chunks and statement-aligned pieces, for files too large to hold.
import { isAscii } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { lineAtInChunks } from '../sql/lines.js';
import type { Statement } from '../sql/parser.js';
import { type SplitStatement, StatementSplitter } from '../sql/splitter.js';
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

/**
 * A file's top-level statements, split by the streaming splitter as the file is read, for a
 * `no-transaction` file too large for PostgreSQL's parser: only the statement in progress is held.
 * Each text runs from the statement's first token to its `;` (or the end of the file).
 */
export async function* statementsOf(filePath: string): AsyncGenerator<Statement> {
  const splitter = new StatementSplitter();
  const window = new TextWindow();
  const cut = function* (statements: SplitStatement[]) {
    for (const s of statements) {
      yield { text: window.slice(s.start, s.end), offset: s.start, line: s.line };
    }
    const last = statements.at(-1);
    if (last) window.dropBefore(last.end);
  };
  for await (const chunk of textChunks(filePath)) {
    window.push(chunk);
    yield* cut(splitter.push(chunk));
  }
  yield* cut(splitter.end());
}

/**
 * The chunks of a streamed text from some index on, kept as they came: a slice within one chunk
 * copies nothing, and dropping what is done frees whole chunks. (Appending to one string and
 * cutting it after each chunk copies the whole file again, and the garbage it leaves costs tens of
 * MB of memory on a 50 MB file.)
 */
export class TextWindow {
  private chunks: string[] = [];
  private starts: number[] = [];
  /** Index (over the whole text) just past the last chunk pushed. */
  end = 0;

  push(chunk: string): void {
    this.chunks.push(chunk);
    this.starts.push(this.end);
    this.end += chunk.length;
  }

  /** Index of the first character kept. */
  get start(): number {
    return this.starts[0] ?? this.end;
  }

  /** The text from `from` to `to`; both must be kept (from >= start). */
  slice(from: number, to: number): string {
    let i = 0;
    while (i + 1 < this.chunks.length && (this.starts[i + 1] as number) <= from) i++;
    let text = '';
    for (; i < this.chunks.length && (this.starts[i] as number) < to; i++) {
      const begin = this.starts[i] as number;
      const chunk = this.chunks[i] as string;
      text += chunk.slice(Math.max(0, from - begin), Math.min(chunk.length, to - begin));
    }
    return text;
  }

  /** Forgets the chunks that end at or before `index`. */
  dropBefore(index: number): void {
    let n = 0;
    while (
      n < this.chunks.length &&
      (this.starts[n] as number) + (this.chunks[n] as string).length <= index
    )
      n++;
    if (n > 0) {
      this.chunks.splice(0, n);
      this.starts.splice(0, n);
    }
  }

  /** Forgets everything kept. */
  clear(): void {
    this.chunks = [];
    this.starts = [];
  }

  /** Characters kept. */
  get length(): number {
    return this.end - this.start;
  }
}

/** The 1-based line of the file at an index into its text (see lineAtInChunks). */
export function lineAtIndex(filePath: string, index: number): Promise<number> {
  return lineAtInChunks(textChunks(filePath), index);
}

/** Whether a migration is streamed in pieces rather than held whole (a cut file is held). */
export function isLarge(migration: { size?: number; held?: boolean }): boolean {
  return !migration.held && (migration.size ?? 0) > LARGE_FILE;
}
