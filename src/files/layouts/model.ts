// The shared shapes of the layout readers: what a folder listing, a migration of another tool and
// a file's sections look like. Types and tiny pure helpers only; nothing here reads files.

/** The folder layouts the action reads: its own and other tools' as they are. */
export type LayoutId =
  | 'plain'
  | 'golang-migrate'
  | 'dbmate'
  | 'goose'
  | 'flyway'
  | 'prisma'
  | 'diesel'
  | 'popx';

export const LAYOUT_IDS = [
  'plain',
  'golang-migrate',
  'dbmate',
  'goose',
  'flyway',
  'prisma',
  'diesel',
  'popx',
] as const satisfies readonly LayoutId[];

/** The layouts whose migrations this folder reads; `plain` stays with src/migrations.ts. */
export type ForeignLayoutId = Exclude<LayoutId, 'plain'>;

/**
 * One entry of a migrations folder: the folder's own entries and those one level down (Prisma and
 * diesel keep one folder per migration). `path` is relative to the folder, `/` separated:
 * `001_init.up.sql`, `20240212120203_init/migration.sql`.
 */
export interface FolderEntry {
  path: string;
  isDirectory: boolean;
}

/** A line of a file's text with the problem found there (1-based, as an editor counts). */
export interface LineError {
  line: number;
  message: string;
}

/** A part of a file's text and the file line it starts on, so errors map back to the file. */
export interface TextPart {
  text: string;
  /** 1-based line of the file on which `text` starts. */
  line: number;
  /** Character offset of `text` in the file's text. */
  offset: number;
}

/**
 * A single-file migration (dbmate, goose) cut into its parts. `up` runs on migrate; `down` only on
 * rollback. The up part starts at the top of the file and ends before the down marker, so its
 * header comments (and the up marker, a comment) belong to it, as for the plain layout's checksum.
 */
export interface Sections {
  up: TextPart;
  down?: TextPart;
  /** The up part runs outside a transaction (dbmate `transaction:false`, goose `NO TRANSACTION`). */
  noTransaction: boolean;
  /** The down part runs outside a transaction (dbmate's down marker has its own options). */
  downNoTransaction: boolean;
  /**
   * Statements the tool never splits (goose `StatementBegin` … `StatementEnd` blocks, e.g. a
   * function with a dollar-quoted body): each is one statement, whatever semicolons it holds.
   */
  explicitStatements: { up: TextPart[]; down: TextPart[] };
  errors: LineError[];
}

/** One migration of another tool's folder, named and ordered as that tool does. */
export interface LayoutMigration {
  layout: ForeignLayoutId;
  /** The version as the tool writes it: `1.7`, `20240212120203`, `2024-02-12-120203`. */
  label: string;
  /**
   * The exact identity as a canonical string: two migrations are the same version when their keys
   * are equal. Numeric layouts: the decimal number without leading zeros (`001` → `1`; popx's
   * 20-digit versions stay exact, beyond bigint). Flyway: the dotted parts as numbers without
   * trailing zero parts (`1.07` and `1.70.0` → `1.7` and `1.70`). diesel: the text without dashes.
   * Order keys with `compareKeys`.
   */
  key: string;
  /** What the summary shows: the up file's name, or the folder's name for Prisma and diesel. */
  name: string;
  upFile: string;
  downFile?: string;
  /**
   * A companion file whose text decides `noTransaction` (diesel `metadata.toml`, Flyway
   * `<file>.sql.conf`): read it and pass it to `readSettings`.
   */
  settingsFile?: string;
  /** For single-file layouts (dbmate, goose): cuts the up file's text into up and down parts. */
  sections?: (text: string) => Sections;
  /**
   * Runs outside a transaction as far as the names tell (popx `.autocommit`). For dbmate and goose
   * the sections decide, for diesel and Flyway the settings file.
   */
  noTransaction: boolean;
  /** The down file runs outside a transaction (popx `.autocommit.down.sql`). */
  downNoTransaction?: boolean;
}

/** A file the reader deliberately left out, with why: never silently. */
export interface SkippedFile {
  path: string;
  reason: string;
  /**
   * The file is for another database (a popx dialect): the tool itself leaves it out on
   * PostgreSQL, so the log counts these in one line instead of warning about each.
   */
  otherDialect?: string;
}

/** What reading a folder in one layout gives. Errors stop the run; warnings are reported. */
export interface LayoutReading {
  /** In the tool's order (`compareKeys`). */
  migrations: LayoutMigration[];
  errors: string[];
  warnings: string[];
  skipped: SkippedFile[];
}

export interface ReadOptions {
  /** Leave migrations written in Go (goose, popx) out as `skipped` instead of an error. */
  skipGo?: boolean;
}

/** The last part of a `/` separated path. */
export function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? path : path.slice(slash + 1);
}

/** A run of ASCII digits as a canonical decimal: leading zeros dropped, `0` kept. */
export function canonicalDigits(digits: string): string {
  let start = 0;
  while (start < digits.length - 1 && digits.charCodeAt(start) === 48) start++;
  return digits.slice(start);
}

/** Compares canonical decimals exactly, without converting: longer is larger, else by text. */
export function compareDecimals(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** 18446744073709551615, the largest unsigned 64-bit number (golang-migrate's `uint`). */
export const MAX_UINT64 = '18446744073709551615';
/** 9223372036854775807, the largest signed 64-bit number (goose's `int64`, PostgreSQL's bigint). */
export const MAX_INT64 = '9223372036854775807';
