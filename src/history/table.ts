// The tracking table's identity and row shape. Types and names only.

/** `rolled back`: its down SQL ran (command: rollback); the migration is pending again. */
export type RowStatus = 'applied' | 'baseline' | 'running' | 'failed' | 'rolled back';

/** One row of the tracking table. */
export interface HistoryRow {
  version: bigint;
  name: string;
  checksum: string;
  status: RowStatus;
  /**
   * The exact version (`1.7`, a popx version beyond bigint) when `version` is its stand-in: the
   * `version_key` column, which a table has only once such a row was written.
   */
  key?: string;
}

export interface TrackingTable {
  schema: string;
  table: string;
}

/** `"name"`, with any `"` doubled: a `schemas-query` schema may hold any character. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** `"schema"."table"`, each name quoted as an identifier. */
export function qualifiedName({ schema, table }: TrackingTable): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
}
