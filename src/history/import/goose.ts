// goose's history: `goose_db_version`, a log of ups (and, in old versions, downs). Reads only.
import type pg from 'pg';
import type { ForeignHistory } from './model.js';
import { foreignTable } from './tables.js';

/**
 * goose inserts `(version_id, is_applied = true)` on up; on down goose 3 deletes the row, older
 * goose inserted `is_applied = false`. So a version is applied when its latest row says so.
 * Version 0 is goose's own first row, not a migration.
 */
export async function readGoose(
  client: pg.ClientBase,
  schema: string,
  table: string,
): Promise<ForeignHistory> {
  const { rows } = await client.query<{ version: string }>(
    `SELECT version_id::text AS version FROM (
       SELECT DISTINCT ON (version_id) version_id, is_applied FROM ${foreignTable(schema, table)}
        ORDER BY version_id, id DESC) latest
      WHERE is_applied AND version_id > 0`,
  );
  return {
    tool: 'goose',
    table: `${schema}.${table}`,
    records: rows.map((r) => ({ key: r.version })),
  };
}
