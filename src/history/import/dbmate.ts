// dbmate's history: one row per applied version, the version as text. Reads only.
import type pg from 'pg';
import { canonicalDigits } from '../../files/layouts/index.js';
import type { ForeignHistory } from './model.js';

/** dbmate's `schema_migrations (version varchar(128) primary key)`: one row per version applied. */
export async function readDbmate(
  client: pg.ClientBase,
  schema: string,
  table: string,
): Promise<ForeignHistory> {
  const { rows } = await client.query<{ version: string }>(
    `SELECT version::text AS version FROM "${schema}"."${table}"`,
  );
  return {
    tool: 'dbmate',
    table: `${schema}.${table}`,
    // dbmate's version is the file name's leading digits; anything else it never wrote.
    records: rows
      .filter((r) => /^\d+$/.test(r.version))
      .map((r) => ({ key: canonicalDigits(r.version) })),
  };
}
