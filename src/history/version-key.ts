// The `version_key` column a tracking table needs before it records a stand-in version, and what a write of rows needs first (the table, the column): found, and the SQL that adds them. Reads only.
import type pg from 'pg';
import { ConfigurationError } from '../errors.js';
import { qualifiedName, type TrackingTable } from './table.js';
import { createHistorySql } from './write.js';

/** What writing a row with a key needs of the table first. */
export interface VersionKeyColumn {
  /** SQL that adds the column (empty when the table has it). */
  sql: string;
  /** Whether this role may add it (it owns the table, or is a member of its owner, or creates it). */
  allowed: boolean;
}

/**
 * A migration whose version does not fit bigint (Flyway's `1.7`, popx's 20 digits) is recorded
 * under a stand-in version, with its exact version in `version_key`. The column is added, under the
 * migration lock and inside the first migration's transaction, only when such a row is about to be
 * written: a table that never holds one stays exactly as an earlier build created it. A table that
 * does not exist yet is created in the same transaction, by this role, so it may add the column.
 */
export async function versionKeyColumnOf(
  client: pg.ClientBase,
  tracking: TrackingTable,
): Promise<VersionKeyColumn> {
  const table = qualifiedName(tracking);
  const { rows } = await client.query<{ exists: boolean; has: boolean; owned: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AS exists,
            EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1)
                      AND attname = 'version_key' AND NOT attisdropped) AS has,
            coalesce((SELECT pg_has_role(relowner, 'USAGE') FROM pg_class
                       WHERE oid = to_regclass($1)), true) AS owned`,
    [table],
  );
  const found = rows[0] ?? { exists: false, has: false, owned: true };
  if (found.has) return { sql: '', allowed: true };
  return {
    sql: `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS version_key text UNIQUE;`,
    allowed: !found.exists || found.owned,
  };
}

/**
 * The SQL that readies the tracking table for `rows` before they are written: the `version_key`
 * column when one of them has a key, else nothing (and no query). A role that does not own an
 * existing table cannot add it: one sentence with the statement its owner runs.
 */
export async function versionKeySql(
  client: pg.ClientBase,
  tracking: TrackingTable,
  rows: readonly { key?: string }[],
): Promise<string> {
  if (!rows.some((row) => row.key !== undefined)) return '';
  const column = await versionKeyColumnOf(client, tracking);
  if (!column.allowed) {
    throw new ConfigurationError(
      `The tracking table ${tracking.schema}.${tracking.table} needs a version_key column to record versions that are not whole numbers of bigint size (such as 1.7), and this role does not own it: as its owner, run ${column.sql}`,
    );
  }
  return column.sql;
}

/**
 * What a transaction that writes `rows` runs first: the tracking table when it does not exist yet
 * (with the grant checks of `createHistorySql`), and its `version_key` column when a row has a key.
 */
export async function readyForRowsSql(
  client: pg.ClientBase,
  tracking: TrackingTable,
  exists: boolean,
  rows: readonly { key?: string }[],
): Promise<string> {
  const create = exists ? '' : await createHistorySql(client, tracking);
  return create + (await versionKeySql(client, tracking, rows));
}
