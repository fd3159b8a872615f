// The tracking table's identity and row shape. Types and names only.

export type RowStatus = 'applied' | 'baseline' | 'running' | 'failed';

/** One row of the tracking table. */
export interface HistoryRow {
  version: bigint;
  name: string;
  checksum: string;
  status: RowStatus;
}

export interface TrackingTable {
  schema: string;
  table: string;
}

/** `"schema"."table"`: the names are plain identifiers (checked by the inputs), quoted anyway. */
export function qualifiedName({ schema, table }: TrackingTable): string {
  return `"${schema}"."${table}"`;
}
