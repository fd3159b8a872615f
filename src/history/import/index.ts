// Imports another tool's history into an empty tracking table: finds the tool's table, reads it
// (never writes it), and turns each migration it applied into a `baseline` row naming the tool.
import type pg from 'pg';
import { ConfigurationError } from '../../errors.js';
import type { Migration } from '../../files/migration.js';
import type { HistoryRow, TrackingTable } from '../table.js';
import { readDbmate } from './dbmate.js';
import { readDiesel } from './diesel.js';
import { readGolangMigrate } from './golang-migrate.js';
import { readGoose } from './goose.js';
import type { ForeignHistory, ImportTool } from './model.js';
import { matchesPrismaChecksum, readPrisma } from './prisma.js';
import { columnsOf, TABLES, toolOfTable } from './tables.js';

export type { ForeignHistory, ImportTool } from './model.js';
export { IMPORT_TOOLS } from './model.js';

const READERS: Record<
  ImportTool,
  (client: pg.ClientBase, schema: string, table: string) => Promise<ForeignHistory>
> = {
  'golang-migrate': readGolangMigrate,
  dbmate: readDbmate,
  goose: readGoose,
  prisma: readPrisma,
  diesel: readDiesel,
};

/**
 * The other tool's history, when its table exists in the tracking table's schema: `tools` are
 * the ones to look for (one, or each for `import-history: auto`). The action's own table is never
 * one of them (its name is `table:`). Two tools' tables found by `auto` are an error naming both.
 */
export async function readForeignHistory(
  client: pg.ClientBase,
  tracking: TrackingTable,
  tools: readonly ImportTool[],
): Promise<ForeignHistory | undefined> {
  const names = tools.map((tool) => TABLES[tool]).filter((name) => name !== tracking.table);
  if (names.length === 0) return undefined;
  const found = await columnsOf(client, tracking.schema, names);
  const matches: { tool: ImportTool; table: string }[] = [];
  for (const [table, columns] of found) {
    const tool = toolOfTable(table, columns);
    if (tool !== undefined && tools.includes(tool)) matches.push({ tool, table });
  }
  const [first, second] = matches;
  if (second !== undefined && first !== undefined) {
    throw new ConfigurationError(
      `Both ${first.tool}'s table ${tracking.schema}.${first.table} and ${second.tool}'s table ${tracking.schema}.${second.table} exist: set import-history to the tool whose history this database follows, or to none.`,
    );
  }
  if (first === undefined) return undefined;
  return READERS[first.tool](client, tracking.schema, first.table);
}

/**
 * When the action's own table name holds another tool's table (golang-migrate and dbmate both
 * use `schema_migrations`), the sentence that says whose it is and what to do; else undefined.
 */
export async function clashWith(
  client: pg.ClientBase,
  tracking: TrackingTable,
): Promise<string | undefined> {
  const found = await columnsOf(client, tracking.schema, [tracking.table]);
  const columns = found.get(tracking.table);
  const tool = columns && toolOfTable(tracking.table, columns);
  if (tool === undefined) return undefined;
  return `The table ${tracking.schema}.${tracking.table} is ${tool}'s history table, not this action's: set table: to a new name (for example ${tracking.table}_action), and the first run imports ${tool}'s history from ${tracking.schema}.${tracking.table}, which it only reads.`;
}

/** The action's rows for what the other tool applied, and what the import would say. */
export interface Imported {
  foreign: ForeignHistory;
  rows: HistoryRow[];
  /** The `applied_by` of each row: names the tool and its table. */
  note: string;
}

/**
 * The `baseline` rows for what the other tool applied, matched to the files by version (Prisma:
 * by folder name). Each row's checksum is the file's, unless the tool kept a checksum the file no
 * longer matches: then the row keeps the tool's (`prisma:<hex>`), so the plan reports the file as
 * *modified*. A version the tool applied without a file becomes a row the plan reports *missing*.
 * Pure.
 */
export function importedRows(
  foreign: ForeignHistory,
  migrations: readonly Migration[],
  /** The file's text as the tool hashed it (for Prisma's checksum): not what runs. */
  textOf: (migration: Migration) => string = (migration) => migration.sql,
): Imported {
  const rows: HistoryRow[] = [];
  const note = `imported from ${foreign.tool} (${foreign.table})`;
  if (foreign.upTo === true) {
    const last = foreign.records[0];
    if (last !== undefined) {
      const upTo = BigInt(last.key);
      for (const migration of migrations) {
        if (migration.version <= upTo) rows.push(rowOf(migration, migration.checksum));
      }
      if (!migrations.some((m) => m.version === upTo)) {
        rows.push(missingRow(foreign, upTo));
      }
    }
    return { foreign, rows: rows.sort(byVersion), note };
  }
  const byVersionMap = new Map(migrations.map((m) => [m.version, m]));
  const byName = new Map(migrations.map((m) => [m.name, m]));
  for (const record of foreign.records) {
    const version = BigInt(record.key);
    const migration =
      (record.name === undefined ? undefined : byName.get(`${record.name}/migration.sql`)) ??
      byVersionMap.get(version);
    if (migration === undefined) {
      rows.push(missingRow(foreign, version, record.name));
      continue;
    }
    const stored = record.prismaChecksum;
    const matches = stored === undefined || matchesPrismaChecksum(textOf(migration), stored);
    rows.push(rowOf(migration, matches ? migration.checksum : `prisma:${stored}`));
  }
  return { foreign, rows: rows.sort(byVersion), note };
}

function rowOf(migration: Migration, checksum: string): HistoryRow {
  return { version: migration.version, name: migration.name, checksum, status: 'baseline' };
}

function missingRow(foreign: ForeignHistory, version: bigint, name?: string): HistoryRow {
  const label = name ?? `version ${version}`;
  return {
    version,
    name: `${label} (applied by ${foreign.tool}, no file)`,
    checksum: '',
    status: 'baseline',
  };
}

function byVersion(a: HistoryRow, b: HistoryRow): number {
  return a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
}
