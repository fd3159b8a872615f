// One migration file as the rest of the run sees it; its text is read only when needed.
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import type { Finding } from '../plan/findings.js';
import { unwrapAtomic } from './atomic.js';
import { normalizeContent } from './content.js';

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
  /**
   * The exact identity, when `version` is not it: a Flyway version with dots (`1.7`) or a popx
   * version beyond bigint. Then `version` is a stand-in the tracking table's primary key holds,
   * and the key is what matches files to rows and what orders them (files/layouts/order.ts).
   */
  key?: string;
  /** The other tool's layout the file was read in (`goose`, `dbmate` …), when not the plain one. */
  layout?: string;
  /** The migration's down SQL, run only by `rollback`: a down section, or another tool's down file. */
  down?: DownSql;
  /** The up text is cut from a file that holds more (a down section): never streamed from `path`. */
  held?: boolean;
}

/** A migration's down SQL and where it is written, for errors at the file's own lines. */
export interface DownSql {
  readonly sql: string;
  /** File name (relative to the migrations folder) that holds it. */
  file: string;
  /** 1-based line of that file where the down SQL starts. */
  line: number;
  /** Runs outside a transaction, statement by statement (as a `no-transaction` up does). */
  noTransaction: boolean;
}

/**
 * A migration file as read: its text is read only when it is needed (to run the file, parse it
 * or show it), so a run with nothing to do never holds the files' contents. A class rather than
 * an object with closures: thousands of files cost a field each, not a closure each.
 */
export class MigrationFile implements Migration {
  private text: string | undefined;
  /** Where the up part ends, when the file has a `-- migrate:down` section. */
  private upEnd: number | undefined;
  /** The up part as it runs (a leading BEGIN; and trailing COMMIT; blanked: atomic.ts). */
  private up: string | undefined;
  noTransaction = false;
  layout?: string;
  directiveFindings: Finding[] | undefined;
  down?: DownSql;
  held?: boolean;

  constructor(
    readonly version: bigint,
    readonly name: string,
    readonly path: string,
    readonly checksum: string,
    readonly size: number,
    text?: string,
  ) {
    this.text = text;
  }

  /**
   * The up part as it runs: the whole file, or what comes before its `-- migrate:down` line; a
   * leading `BEGIN;` and trailing `COMMIT;` run as the action's own transaction (atomic.ts).
   */
  get sql(): string {
    if (this.up === undefined) {
      const text = this.fullText();
      const up = this.upEnd === undefined ? text : text.slice(0, this.upEnd);
      this.up = this.noTransaction ? up : (unwrapAtomic(up) ?? up);
    }
    return this.up;
  }

  /** The file's whole text, as the checksum's definition reads it. */
  fullText(): string {
    this.text ??= normalizeContent(readFileSync(this.path));
    return this.text;
  }

  /** Cuts the file at its down marker: `sql` becomes the up part, `down` the rest. */
  cutAt(upEnd: number, downStart: number, line: number, noTransaction: boolean): void {
    this.upEnd = upEnd;
    this.held = true;
    this.down = new DownSection(this, downStart, line, noTransaction);
  }

  preview(limit: number): string {
    return this.text === undefined && this.size > limit * 4
      ? head(this.path, limit)
      : this.sql.slice(0, limit);
  }
}

/** The down section of a file: its text read from the file's own (lazy) text. */
class DownSection implements DownSql {
  readonly file: string;

  constructor(
    private readonly owner: MigrationFile,
    private readonly start: number,
    readonly line: number,
    readonly noTransaction: boolean,
  ) {
    this.file = owner.name;
  }

  get sql(): string {
    return this.owner.fullText().slice(this.start);
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
