// Ory popx's history: `schema_migration`, one row per applied version, the version as text.
// Reads only.
import type pg from 'pg';

import { canonicalDigits } from '../../files/layouts/index.js';
import type { ForeignHistory } from './model.js';
import { textVersions } from './tables.js';

/**
 * popx's `schema_migration (version varchar(48), version_self int)` (pop's legacy table has only
 * `version`): a row per version applied, deleted when its down runs. popx keeps no checksum.
 * Ory's versions are 20 digits, beyond bigint, so the key stays the exact decimal. A 14-digit row
 * is a legacy version: popx counts a longer version whose first 14 digits it is as applied
 * (importedRows does too).
 */
export async function readPopx(
  client: pg.ClientBase,
  schema: string,
  table: string,
): Promise<ForeignHistory> {
  const versions = await textVersions(client, schema, table);
  return {
    tool: 'popx',
    table: `${schema}.${table}`,
    // popx writes the file name's leading digits; anything else it never wrote.
    records: versions.filter((v) => /^\d+$/.test(v)).map((v) => ({ key: canonicalDigits(v) })),
  };
}
