// diesel's history: `__diesel_schema_migrations`, one row per applied version. Reads only.
import type pg from 'pg';

import type { ForeignHistory } from './model.js';
import { textVersions } from './tables.js';

/**
 * diesel records each applied version as the folder name's version without dashes
 * (`20240212120203`; older diesel kept the dashes, `2024-02-12-120203`). The key is that text
 * without dashes, exactly as the diesel layout keys its folders (files/layouts/diesel.ts): diesel
 * compares versions as text, so `0001` and `1` are two versions to it.
 */
export async function readDiesel(
  client: pg.ClientBase,
  schema: string,
  table: string,
): Promise<ForeignHistory> {
  const versions = await textVersions(client, schema, table);
  return {
    tool: 'diesel',
    table: `${schema}.${table}`,
    records: versions
      .map((v) => v.replaceAll('-', ''))
      .filter((v) => /^\d+$/.test(v))
      .map((v) => ({ key: v })),
  };
}
