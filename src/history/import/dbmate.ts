// dbmate's history: one row per applied version, the version as text. Reads only.
import type pg from 'pg';

import { canonicalDigits } from '../../files/layouts/index.js';
import type { ForeignHistory } from './model.js';
import { textVersions } from './tables.js';

/** dbmate's `schema_migrations (version varchar(128) primary key)`: one row per version applied. */
export async function readDbmate(
  client: pg.ClientBase,
  schema: string,
  table: string,
): Promise<ForeignHistory> {
  const versions = await textVersions(client, schema, table);
  return {
    tool: 'dbmate',
    table: `${schema}.${table}`,
    // dbmate's version is the file name's leading digits; anything else it never wrote.
    records: versions.filter((v) => /^\d+$/.test(v)).map((v) => ({ key: canonicalDigits(v) })),
  };
}
