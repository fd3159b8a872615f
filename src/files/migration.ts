// One migration file as the rest of the run sees it; its text is read only when needed.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import type { Finding } from '../plan/findings.js';
import { unwrapAtomic } from './atomic.js';
import { normalizeContent } from './content.js';

/** A migration's down SQL (a down file or section), run only by `rollback`. */
export interface Down {
  readonly sql: string;
  /** The file holding it, relative to the migrations folder. */
  file: string;
  /** 1-based line of that file where the down SQL starts. */
  line: number;
  noTransaction: boolean;
}

/** One migration file, read and checked. */
export interface Migration {
  version: bigint;
  /** File name, e.g. `001_initial_schema.sql`. */
  name: string;
  path: string;
  /** SHA-256 of the content without BOM and with LF line endings. */
  checksum: string;
  /** The content as executed: without BOM, with LF line endings. */
  readonly sql: string;
  /** `-- migrate:no-transaction`: run outside a transaction, one statement at a time. */
  noTransaction: boolean;
  /** Size in bytes; above LARGE_FILE the file is streamed, never held whole. */
  size?: number;
  /** The first `limit` characters of the text, without reading a large file whole. */
  preview?: (limit: number) => string;
  /** The version as the file writes it (`00001`, `20240212120203`), when another layout's. */
  label?: string;
  /** The down SQL, when the file or its layout has one. */
  down?: Down;
}

/**
 * A migration file as read: its text is read only when it is needed (to run the file, parse it
 * or show it), so a run with nothing to do never holds the files' contents. A class rather than
 * an object with closures: thousands of files cost a field each, not a closure each.
 */
export class MigrationFile implements Migration {
  private text: string | undefined;
  private unwrapped: string | undefined;
  noTransaction = false;
  directiveFindings: Finding[] | undefined;

  constructor(
    readonly version: bigint,
    readonly name: string,
    readonly path: string,
    readonly checksum: string,
    readonly size: number,
  ) {}

  get sql(): string {
    this.text ??= normalizeContent(readFileSync(this.path));
    // A leading `BEGIN;` and trailing `COMMIT;` run as the action's own transaction (atomic.ts).
    if (this.noTransaction) return this.text;
    this.unwrapped ??= unwrapAtomic(this.text) ?? this.text;
    return this.unwrapped;
  }

  preview(limit: number): string {
    return this.text === undefined && this.size > limit * 4
      ? head(this.path, limit)
      : this.sql.slice(0, limit);
  }
}

/** The first `limit` characters of a file, reading only its first bytes. */
function head(filePath: string, limit: number): string {
  const bytes = Buffer.alloc(limit * 4);
  const fd = openSync(filePath, 'r');
  try {
    const read = readSync(fd, bytes, 0, bytes.length, 0);
    // A character cut at the end decodes as U+FFFD: drop it with the rest past `limit`.
    return normalizeContent(Buffer.from(new TextDecoder().decode(bytes.subarray(0, read)))).slice(
      0,
      limit,
    );
  } finally {
    closeSync(fd);
  }
}
