// golang-migrate's history: one row, the last version applied and whether it is dirty. Reads only.
import type pg from 'pg';
import { ConfigurationError } from '../../errors.js';
import type { ForeignHistory } from './model.js';
import { foreignTable } from './tables.js';

/**
 * golang-migrate keeps one row (`version bigint, dirty boolean`): every version up to it was
 * applied. A dirty row means a migration failed part-way and nobody knows what it left: refused.
 */
export async function readGolangMigrate(
  client: pg.ClientBase,
  schema: string,
  table: string,
): Promise<ForeignHistory> {
  const label = `${schema}.${table}`;
  const { rows } = await client.query<{ version: string; dirty: boolean }>(
    `SELECT version::text AS version, dirty FROM ${foreignTable(schema, table)}`,
  );
  if (rows.length > 1) {
    throw new ConfigurationError(
      `golang-migrate's table ${label} has ${rows.length} rows where golang-migrate keeps one; fix it with golang-migrate's force command before importing its history.`,
    );
  }
  const row = rows[0];
  if (row === undefined) return { tool: 'golang-migrate', table: label, records: [], upTo: true };
  if (row.dirty) {
    throw new ConfigurationError(
      `golang-migrate's table ${label} says version ${row.version} is dirty (it failed part-way), so the database's state is unknown: check the database, then run golang-migrate force with the version it is really at, before importing its history.`,
    );
  }
  return { tool: 'golang-migrate', table: label, records: [{ key: row.version }], upTo: true };
}
