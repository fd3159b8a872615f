// diesel's history: `__diesel_schema_migrations`, one row per applied version. Reads only.
import type pg from 'pg';
import { canonicalDigits } from '../../files/layouts/index.js';
import type { ForeignHistory } from './model.js';

/** diesel records each applied version as text without dashes (`20240212120203`). */
export async function readDiesel(
  client: pg.ClientBase,
  schema: string,
  table: string,
): Promise<ForeignHistory> {
  const { rows } = await client.query<{ version: string }>(
    `SELECT version::text AS version FROM "${schema}"."${table}"`,
  );
  return {
    tool: 'diesel',
    table: `${schema}.${table}`,
    records: rows
      .map((r) => r.version.replaceAll('-', ''))
      .filter((v) => /^\d+$/.test(v))
      .map((v) => ({ key: canonicalDigits(v) })),
  };
}
