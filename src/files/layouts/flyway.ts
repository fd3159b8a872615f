// Flyway's folder: `V<version>__<description>.sql` with versions of `.` or `_` separated parts,
// compared as Flyway's MigrationVersion compares them; `U` undo files as down SQL; `.sql.conf`
// script configuration. Repeatable (`R__`) and baseline (`B`) migrations are refused. Pure.
import { emptyReading } from './common.js';
import {
  baseName,
  canonicalDigits,
  type FolderEntry,
  type LayoutMigration,
  type LayoutReading,
} from './model.js';
import { finishReading } from './order.js';

/** Flyway's version: digits, parts separated by `.` or `_` (`_` is read as `.`). */
const FLYWAY_VERSION = /^\d+(?:[._]\d+)*$/;
/**
 * A name Flyway would treat as a migration of some kind: a prefix letter, then `__` somewhere, then
 * `.sql` (by hand: the regular expression `^[VUBR].*__.*\.sql$` backtracks over every name).
 */
export function isFlywayName(name: string): boolean {
  const prefix = name.charCodeAt(0);
  // V, U, B, R
  if (prefix !== 86 && prefix !== 85 && prefix !== 66 && prefix !== 82) return false;
  const separator = name.indexOf('__', 1);
  return separator > 0 && name.endsWith('.sql') && separator + 2 <= name.length - 4;
}

/**
 * Flyway's identity of a version: each part as a number (`07` is 7), trailing zero parts dropped
 * (MigrationVersion.tokenize), so `1.0` is `1` and `1.07` is `1.7`; undefined when not a version.
 */
export function flywayKey(version: string): string | undefined {
  if (!FLYWAY_VERSION.test(version)) return undefined;
  // The common case, one part without leading zeros, needs no splitting.
  if (version.charCodeAt(0) !== 48 && !version.includes('.') && !version.includes('_')) {
    return version;
  }
  const parts = version.split(/[._]/).map(canonicalDigits);
  while (parts.length > 1 && parts[parts.length - 1] === '0') parts.pop();
  return parts.join('.');
}

interface FlywayName {
  prefix: 'V' | 'U' | 'B' | 'R';
  version: string;
}

/** The prefix and version of a Flyway file name (`V1_1__add.sql` → V, `1_1`), if it is one. */
export function parseFlywayName(name: string): FlywayName | undefined {
  if (!isFlywayName(name)) return undefined;
  const separator = name.indexOf('__', 1);
  return { prefix: name[0] as FlywayName['prefix'], version: name.slice(1, separator) };
}

/**
 * The migrations of a Flyway folder, its files and those one folder down (Flyway reads its
 * locations recursively; deeper folders are not read here). Flyway's default prefixes and `__`
 * separator only. A `U` file is the down SQL of the `V` file of the same version; a
 * `<file>.sql.conf` is that migration's settings file (`executeInTransaction=false`).
 */
export function readFlyway(entries: readonly FolderEntry[]): LayoutReading {
  const reading = emptyReading();
  const migrations: LayoutMigration[] = [];
  const undo = new Map<string, string>();
  const settings: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory || entry.path.indexOf('/') !== entry.path.lastIndexOf('/')) continue;
    const name = baseName(entry.path);
    if (name.endsWith('.sql.conf')) {
      settings.push(entry.path);
      continue;
    }
    if (name === 'flyway.conf' || name === 'flyway.toml') {
      reading.warnings.push(
        `${entry.path} is not read: settings there (prefixes, placeholders, ` +
          'executeInTransaction) do not apply to the action.',
      );
      continue;
    }
    if (!name.endsWith('.sql')) continue;
    const parsed = parseFlywayName(name);
    if (parsed?.prefix === 'R' && parsed.version === '') {
      reading.errors.push(
        `${entry.path} is a Flyway repeatable migration (R__), which the action does not run ` +
          'yet; make it a versioned V file or move it out of the folder.',
      );
      continue;
    }
    const key = parsed === undefined ? undefined : flywayKey(parsed.version);
    if (parsed === undefined || key === undefined || parsed.prefix === 'R') {
      // Flyway ignores other files; the action refuses them at the top, where a typo hides.
      if (entry.path.includes('/')) continue;
      reading.errors.push(
        `${entry.path} is not a Flyway migration name: V<version>__<description>.sql, the ` +
          'version digits separated by . or _.',
      );
      continue;
    }
    if (parsed.prefix === 'B') {
      reading.errors.push(
        `${entry.path} is a Flyway baseline migration (B prefix), which the action does not ` +
          'read; keep the versioned files it replaces, or move it out of the folder.',
      );
      continue;
    }
    if (parsed.prefix === 'U') {
      const existing = undo.get(key);
      if (existing !== undefined) {
        reading.errors.push(`${existing} and ${entry.path} both undo version ${key}; keep one.`);
      } else undo.set(key, entry.path);
      continue;
    }
    migrations.push({
      layout: 'flyway',
      label: parsed.version.replaceAll('_', '.'),
      key,
      name,
      upFile: entry.path,
      noTransaction: false,
    });
  }
  if (undo.size > 0 || settings.length > 0) attachCompanions(migrations, undo, settings, reading);
  return finishReading('flyway', migrations, reading);
}

/** Undo files become down files and `.sql.conf` files settings files of their V migration. */
function attachCompanions(
  migrations: LayoutMigration[],
  undo: Map<string, string>,
  settings: string[],
  reading: ReturnType<typeof emptyReading>,
): void {
  const byKey = new Map(migrations.map((migration) => [migration.key, migration]));
  for (const [key, path] of undo) {
    const migration = byKey.get(key);
    if (migration === undefined) {
      reading.errors.push(`${path} undoes version ${key}, which has no V file.`);
    } else migration.downFile = path;
  }
  const byFile = new Map(migrations.map((migration) => [migration.upFile, migration]));
  for (const path of settings) {
    const migration = byFile.get(path.slice(0, -'.conf'.length));
    if (migration === undefined) {
      reading.warnings.push(`${path} is not read: it configures no versioned migration here.`);
    } else migration.settingsFile = path;
  }
}
