// What reading another tool's history table gives: the versions it applied, with its checksums
// where it kept them. Types only.

/** The tools whose history the action imports. */
export type ImportTool = 'golang-migrate' | 'dbmate' | 'goose' | 'prisma' | 'diesel';

export const IMPORT_TOOLS: readonly ImportTool[] = [
  'golang-migrate',
  'dbmate',
  'goose',
  'prisma',
  'diesel',
];

/** One migration the other tool records as applied. */
export interface ForeignRecord {
  /** The version as a canonical decimal (`00042` → `42`), the key files are matched on. */
  key: string;
  /** Prisma records a migration by its folder's name. */
  name?: string;
  /** Prisma's SHA-256 of the file, as Prisma wrote it. */
  prismaChecksum?: string;
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
}
