// What reading another tool's history table gives: the versions it applied, with its checksums
// where it kept them. Types, and the list of tools.

import { type ForeignLayoutId, LAYOUT_IDS } from '../../files/layouts/index.js';

/** The tools whose history the action imports: every other tool whose folders it reads. */
export type ImportTool = ForeignLayoutId;

export const IMPORT_TOOLS: readonly ImportTool[] = LAYOUT_IDS.filter(
  (layout): layout is ImportTool => layout !== 'plain',
);

/** One migration the other tool records as applied. */
export interface ForeignRecord {
  /**
   * The version's exact identity, canonical as the files' keys are (files/layouts): a decimal
   * without leading zeros (`00042` → `42`, popx's 20 digits too), Flyway's dotted key (`1.07` →
   * `1.7`), diesel's text without dashes. Files are matched on it.
   */
  key: string;
  /** Prisma records a migration by its folder's name. */
  name?: string;
  /** Prisma's SHA-256 of the file, as Prisma wrote it. */
  prismaChecksum?: string;
  /** Flyway's CRC32 of the file (signed), as Flyway wrote it; absent when it stored none. */
  flywayChecksum?: number;
  /** The file the tool ran, as it names it (Flyway's `script`), for a row without a file. */
  script?: string;
}

/** The other tool's history, read. */
export interface ForeignHistory {
  tool: ImportTool;
  /** `schema.table`, as the log and the notes name it. */
  table: string;
  records: ForeignRecord[];
  /**
   * golang-migrate keeps only the last version applied: every version up to it was applied,
   * in order. Then `records` holds that one version.
   */
  upTo?: boolean;
  /**
   * Flyway's baseline (`<< Flyway Baseline >>`): every file at or below this key counts as
   * applied. The key itself is a marker, not a migration, so it never becomes a *missing* row.
   */
  baseline?: string;
  /** What the import leaves out and says so in its note (Flyway's repeatable migrations). */
  remark?: string;
}
