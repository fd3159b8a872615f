// Flyway's history: `flyway_schema_history`, one row per thing Flyway did, in installed_rank
// order: migrations run, its baseline and schema markers, repairs, undos. Reads only.
import type pg from 'pg';
import { ConfigurationError } from '../../errors.js';
import { compareKeys, flywayKey } from '../../files/layouts/index.js';
import type { ForeignHistory, ForeignRecord } from './model.js';
import { foreignTable } from './tables.js';

/** A row of flyway_schema_history, the columns the import reads. */
export interface FlywayRow {
  version: string | null;
  description: string;
  type: string;
  script: string;
  checksum: number | null;
  success: boolean;
}

/**
 * What Flyway considers applied, as its MigrationInfoService reads the table: each versioned row
 * that succeeded applies its version (a later row of the same version wins); a `DELETE` row
 * (written by `flyway repair` for a migration whose file is gone) and an `UNDO_*` row (an undo
 * ran) take the version back; a baseline row (`BASELINE`, or a `B` file's `SQL_BASELINE`) makes
 * every version at or below it count as applied; the `SCHEMA` row only says Flyway created the
 * schema. Repeatable migrations (`version` NULL) are not imported: the action does not run them.
 * A row with `success = false` is a migration that failed where it could not be rolled back
 * (Flyway itself stops there until `repair`): refused, naming it.
 */
export async function readFlyway(
  client: pg.ClientBase,
  schema: string,
  table: string,
): Promise<ForeignHistory> {
  const label = `${schema}.${table}`;
  const { rows } = await client.query<FlywayRow>(
    `SELECT version::text AS version, description::text AS description, type::text AS type,
            script::text AS script, checksum::integer AS checksum, success
       FROM ${foreignTable(schema, table)} ORDER BY installed_rank`,
  );
  return flywayHistory(label, rows);
}

/** What `rows` (in installed_rank order) say Flyway applied, as readFlyway describes. Pure. */
export function flywayHistory(label: string, rows: readonly FlywayRow[]): ForeignHistory {
  const failed = rows.find((row) => !row.success);
  if (failed !== undefined) {
    const what =
      failed.version === null
        ? `the repeatable migration ${failed.script}`
        : `version ${failed.version} (${failed.script})`;
    throw new ConfigurationError(
      `Flyway's table ${label} records ${what} as failed (success = false), so the database's state is unknown: fix the database and run flyway repair, then run again.`,
    );
  }
  const applied = new Map<string, ForeignRecord>();
  const repeatables = new Set<string>();
  let baseline: string | undefined;
  for (const row of rows) {
    if (row.type === 'SCHEMA') continue;
    if (row.version === null) {
      if (row.type !== 'DELETE') repeatables.add(row.description);
      continue;
    }
    const key = flywayKey(row.version);
    if (key === undefined) {
      throw new ConfigurationError(
        `Flyway's table ${label} records version ${row.version} (${row.script}), which is not a Flyway version (digits separated by . or _); fix that row before importing Flyway's history.`,
      );
    }
    if (row.type.endsWith('BASELINE')) {
      if (baseline === undefined || compareKeys('flyway', key, baseline) > 0) baseline = key;
    } else if (row.type === 'DELETE' || row.type.startsWith('UNDO_')) {
      applied.delete(key);
    } else {
      applied.set(key, {
        key,
        script: row.script,
        ...(row.checksum === null ? {} : { flywayChecksum: row.checksum }),
      });
    }
  }
  return {
    tool: 'flyway',
    table: label,
    records: [...applied.values()],
    ...(baseline === undefined ? {} : { baseline }),
    ...(repeatables.size === 0
      ? {}
      : {
          remark: `${repeatables.size} repeatable migration${repeatables.size === 1 ? '' : 's'} Flyway ran not imported (the action does not run R__ files)`,
        }),
  };
}
