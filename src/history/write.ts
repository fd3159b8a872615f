// The SQL that creates the tracking table and records a row: text to send with a migration.
import type pg from 'pg';
import { literal } from '../sql/literal.js';
import { qualifiedName, quoteIdentifier, type RowStatus, type TrackingTable } from './table.js';

/**
 * The SQL that creates the tracking table, and its schema when `pg_namespace` lacks it: a role may
 * own its schema without having CREATE on the database, so `CREATE SCHEMA IF NOT EXISTS` is not
 * issued blindly. The caller sends it inside the first migration's transaction, while holding the
 * migration lock, so a run whose first migration fails leaves no table behind.
 */
export async function createHistorySql(
  client: pg.ClientBase,
  tracking: TrackingTable,
): Promise<string> {
  const { rows } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [
    tracking.schema,
  ]);
  const createSchema =
    rows.length === 0 ? `CREATE SCHEMA ${quoteIdentifier(tracking.schema)};` : '';
  return `${createSchema}CREATE TABLE IF NOT EXISTS ${qualifiedName(tracking)} (version bigint PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, status text NOT NULL CHECK (status IN ('applied', 'baseline', 'running', 'failed')), applied_at timestamptz NOT NULL DEFAULT now(), execution_ms integer NOT NULL DEFAULT 0, applied_by text NOT NULL DEFAULT '');`;
}

export interface RowValues {
  version: bigint;
  name: string;
  checksum: string;
  status: RowStatus;
  appliedBy: string;
}

/**
 * The INSERT that records a migration, as text to send in the same message as the migration.
 * `executionMs` is an SQL expression, so that the server measures the time the file took.
 */
export function insertRowSql(tracking: TrackingTable, row: RowValues, executionMs: string): string {
  return `INSERT INTO ${qualifiedName(tracking)} (version, name, checksum, status, applied_at, execution_ms, applied_by) VALUES (${row.version}, ${literal(row.name)}, ${literal(row.checksum)}, ${literal(row.status)}, now(), ${executionMs}, ${literal(row.appliedBy)})`;
}
