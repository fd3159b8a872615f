// Ory popx's folder: `<version>_<name>[.<dialect>][.autocommit].(up|down).sql`, read from the names
// as popx's ParseMigrationFilename and sortAndFilter read them for PostgreSQL. Pure.
import { emptyReading, isGoMigration, refuseGo } from './common.js';
import {
  canonicalDigits,
  type FolderEntry,
  type LayoutMigration,
  type LayoutReading,
  type ReadOptions,
  type SkippedFile,
} from './model.js';
import { finishReading } from './order.js';

/** popx's mrx: `^(\d+)_([^.]+)(\.[a-z0-9]+)?(|\.autocommit)\.(up|down)\.(sql|fizz)$`. */
export const POPX_NAME = /^(\d+)_([^.]+)(\.[a-z0-9]+)?(|\.autocommit)\.(up|down)\.(sql|fizz)$/;

/** pop's names for PostgreSQL (CanonicalDialect maps these to `postgres`). */
const POSTGRES_DIALECTS = new Set(['postgres', 'postgresql', 'pg', 'pgx']);

interface PopxFile {
  path: string;
  version: string;
  specific: boolean;
  autocommit: boolean;
}

/**
 * The migrations of a popx folder for PostgreSQL. A file for PostgreSQL wins over one for all
 * dialects of the same version, as in popx; files of other dialects are skipped (listed, not an
 * error). `.autocommit` means no transaction. Versions are compared as exact numbers (Ory's are 20
 * digits, beyond bigint); popx itself orders them as text, and a difference is a warning.
 */
export function readPopx(
  entries: readonly FolderEntry[],
  options: ReadOptions = {},
): LayoutReading {
  const reading = emptyReading();
  const ups = new Map<string, PopxFile>();
  const downs = new Map<string, PopxFile>();
  for (const entry of entries) {
    if (entry.isDirectory || entry.path.includes('/')) continue;
    const name = entry.path;
    if (name.endsWith('.go')) {
      if (isGoMigration(name)) refuseGo('popx', name, options, reading);
      continue;
    }
    const match = POPX_NAME.exec(name);
    if (match === null) {
      if (name.endsWith('.sql') || name.endsWith('.fizz')) {
        reading.errors.push(
          `${name} is not a popx migration name: ` +
            '<version>_<name>[.<dialect>][.autocommit].up.sql or .down.sql.',
        );
      }
      continue;
    }
    const [, version = '', , dialectPart = '', autocommitPart, direction, type] = match;
    const dialect = dialectPart.slice(1);
    if (dialect === 'autocommit' && autocommitPart === '') {
      // popx reads this as the dialect `autocommit`, which it does not support and so ignores.
      reading.skipped.push({
        path: name,
        reason:
          'popx reads `.autocommit` without a dialect as a dialect it ignores; ' +
          'name it <version>_<name>.postgres.autocommit.up.sql',
      });
      continue;
    }
    if (dialect !== '' && !POSTGRES_DIALECTS.has(dialect)) {
      reading.skipped.push({
        path: name,
        reason: `a popx migration for ${dialect}`,
        otherDialect: dialect,
      });
      continue;
    }
    if (type === 'fizz') {
      reading.errors.push(
        `${name} is a Fizz migration, which the action cannot run; rewrite it in SQL.`,
      );
      continue;
    }
    const file: PopxFile = {
      path: name,
      version,
      specific: dialect !== '',
      autocommit: autocommitPart === '.autocommit',
    };
    const key = canonicalDigits(version);
    const side = direction === 'up' ? ups : downs;
    const existing = side.get(key);
    if (existing === undefined || (file.specific && !existing.specific)) {
      side.set(key, file);
    } else if (existing.specific === file.specific) {
      reading.errors.push(
        `${existing.path} and ${name} are both the ${direction} migration of version ${version} ` +
          'for PostgreSQL; keep one of them.',
      );
    }
  }
  const migrations: LayoutMigration[] = [];
  for (const [key, up] of ups) {
    const down = downs.get(key);
    migrations.push({
      layout: 'popx',
      label: up.version,
      key,
      name: up.path,
      upFile: up.path,
      ...(down === undefined ? {} : { downFile: down.path, downNoTransaction: down.autocommit }),
      noTransaction: up.autocommit,
    });
  }
  for (const [key, down] of downs) {
    if (!ups.has(key)) {
      reading.errors.push(
        `${down.path} is a down migration without an up migration of its version.`,
      );
    }
  }
  return finishReading('popx', migrations, reading, (migration) => migration.label);
}

/** One log line for the files a popx folder holds for other databases; undefined when none. */
export function otherDialectsLine(skipped: readonly SkippedFile[]): string | undefined {
  const counts = new Map<string, number>();
  for (const { otherDialect } of skipped) {
    if (otherDialect !== undefined) counts.set(otherDialect, (counts.get(otherDialect) ?? 0) + 1);
  }
  if (counts.size === 0) return undefined;
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  const each = [...counts].map(([dialect, n]) => `${dialect}: ${n}`).join(', ');
  return `Left out ${total} ${total === 1 ? 'file' : 'files'} for other databases (${each}), as popx does on PostgreSQL.`;
}
