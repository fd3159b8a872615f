// The action's `baseline` rows for what another tool applied: each record matched to its file by
// the version's exact identity, with the tool's checksum kept where the file no longer matches it.
// Pure.
import { flywayChecksum } from '../../files/flyway-checksum.js';
import { versionOfKey } from '../../files/keys.js';
import { compareKeys, toolName } from '../../files/layouts/index.js';
import type { Migration } from '../../files/migration.js';
import { keyOf } from '../../files/naming.js';
import type { HistoryRow } from '../table.js';
import type { ForeignHistory, ForeignRecord } from './model.js';
import { matchesPrismaChecksum } from './prisma.js';

/** The action's rows for what the other tool applied, and what the import would say. */
export interface Imported {
  foreign: ForeignHistory;
  rows: HistoryRow[];
  /** The `applied_by` of each row: names the tool and its table (and what it left out). */
  note: string;
}

/** popx's legacy versions: 14 digits, which a longer version starting with them counts as. */
const POPX_LEGACY_DIGITS = 14;

/**
 * The `baseline` rows for what the other tool applied, matched to the files by key (`keyOf`: the
 * exact identity, never a bigint conversion; Prisma: by folder name). Each row's version is the
 * file's, and its key when the file has one. Each row's checksum is the file's, unless the tool
 * kept a checksum the file no longer matches: then the row keeps the tool's (`prisma:<hex>`,
 * `flyway:<int>`), so the plan reports the file as *modified*. A version the tool applied without
 * a file becomes a row the plan reports *missing*; its version is a stand-in when its key does not
 * fit bigint. golang-migrate's one version and Flyway's baseline count every file up to them, in
 * the tool's order (`compareKeys`); a popx 14-digit row counts the longer versions it starts.
 */
export function importedRows(
  foreign: ForeignHistory,
  migrations: readonly Migration[],
  /** The file's text as the tool hashed it (Prisma's, Flyway's checksum): not what runs. */
  textOf: (migration: Migration) => string = (migration) => migration.sql,
): Imported {
  const note =
    `imported from ${toolName(foreign.tool)} (${foreign.table})` +
    (foreign.remark === undefined ? '' : `; ${foreign.remark}`);
  const rows: HistoryRow[] = [];
  const taken = new Set<Migration>();
  const take = (migration: Migration, checksum: string) => {
    if (taken.has(migration)) return;
    taken.add(migration);
    rows.push(rowOf(migration, checksum));
  };
  const upTo = (key: string) => {
    for (const migration of migrations) {
      if (compareKeys(foreign.tool, keyOf(migration), key) <= 0)
        take(migration, migration.checksum);
    }
  };
  const sorted = () => rows.sort((a, b) => compareKeys(foreign.tool, rowKey(a), rowKey(b)));

  if (foreign.upTo === true) {
    const last = foreign.records[0];
    if (last !== undefined) {
      upTo(last.key);
      if (!migrations.some((m) => fileKey(m) === last.key)) rows.push(missingRow(foreign, last));
    }
    return { foreign, rows: sorted(), note };
  }
  const byKey = new Map(migrations.map((m) => [fileKey(m), m]));
  const byName = new Map(migrations.map((m) => [m.name, m]));
  const unmatched: ForeignRecord[] = [];
  for (const record of foreign.records) {
    const migration =
      (record.name === undefined ? undefined : byName.get(`${record.name}/migration.sql`)) ??
      byKey.get(record.key);
    if (migration === undefined) unmatched.push(record);
    else take(migration, checksumOf(migration, record, textOf));
  }
  if (foreign.baseline !== undefined) upTo(foreign.baseline);
  const covering = foreign.tool === 'popx' ? popxLegacy(foreign.records, migrations, take) : [];
  for (const record of unmatched) {
    if (!covering.includes(record.key)) rows.push(missingRow(foreign, record));
  }
  return { foreign, rows: sorted(), note };
}

/**
 * The identity a record names a file by: the file's key, except that a diesel folder's is its own
 * version text without dashes (its label: `0001` stays `0001`), as diesel records it.
 */
function fileKey(migration: Migration): string {
  if (migration.key === undefined && migration.layout === 'diesel' && migration.label) {
    return migration.label.replaceAll('-', '');
  }
  return keyOf(migration);
}

/** The file's checksum, or the tool's when the tool kept one the file does not match. */
function checksumOf(
  migration: Migration,
  record: ForeignRecord,
  textOf: (migration: Migration) => string,
): string {
  const prisma = record.prismaChecksum;
  if (prisma !== undefined && !matchesPrismaChecksum(textOf(migration), prisma)) {
    return `prisma:${prisma}`;
  }
  const flyway = record.flywayChecksum;
  if (flyway !== undefined && flywayChecksum(textOf(migration)) !== flyway) {
    return `flyway:${flyway}`;
  }
  return migration.checksum;
}

/**
 * popx's legacy rows: a file whose version is longer than 14 digits counts as applied when its
 * first 14 digits are recorded (popx then records the long version too). Returns the record keys
 * that covered a file this way, which are therefore not *missing*.
 */
function popxLegacy(
  records: readonly ForeignRecord[],
  migrations: readonly Migration[],
  take: (migration: Migration, checksum: string) => void,
): string[] {
  const legacy = new Set(
    records.map((r) => r.key).filter((key) => key.length === POPX_LEGACY_DIGITS),
  );
  const covering = new Set<string>();
  if (legacy.size === 0) return [];
  for (const migration of migrations) {
    const key = keyOf(migration);
    const prefix = key.slice(0, POPX_LEGACY_DIGITS);
    if (key.length > POPX_LEGACY_DIGITS && legacy.has(prefix)) {
      take(migration, migration.checksum);
      covering.add(prefix);
    }
  }
  return [...covering];
}

function rowOf(migration: Migration, checksum: string): HistoryRow {
  return {
    version: migration.version,
    name: migration.name,
    checksum,
    status: 'baseline',
    ...(migration.key === undefined ? {} : { key: migration.key }),
  };
}

function missingRow(foreign: ForeignHistory, record: ForeignRecord): HistoryRow {
  const label = record.name ?? record.script ?? `version ${record.key}`;
  return {
    ...versionOfKey(record.key),
    name: `${label} (applied by ${toolName(foreign.tool)}, no file)`,
    checksum: '',
    status: 'baseline',
  };
}

function rowKey(row: HistoryRow): string {
  return row.key ?? String(row.version);
}
