// golang-migrate's folder: `<version>_<title>.up.sql` and `.down.sql` pairs, read from the names
// as golang-migrate's source.Parse reads them. Pure; reads no file.
import { emptyReading } from './common.js';
import {
  canonicalDigits,
  compareDecimals,
  type FolderEntry,
  type LayoutMigration,
  type LayoutReading,
  MAX_UINT64,
} from './model.js';
import { finishReading } from './order.js';

export interface UpDownName {
  version: string;
  title: string;
  direction: 'up' | 'down';
  extension: string;
}

const LEADING_VERSION = /^[0-9]+_/;

/**
 * A name read as golang-migrate's source.Regex `^([0-9]+)_(.*)\.(down|up)\.(.*)$` reads it: the
 * greedy title makes the last `.up.` or `.down.` the direction. Written out by hand because that
 * regular expression backtracks over every name (quadratic in its length).
 */
export function parseUpDownName(name: string): UpDownName | undefined {
  const versionMatch = LEADING_VERSION.exec(name);
  if (versionMatch === null) return undefined;
  const titleStart = versionMatch[0].length;
  const up = name.lastIndexOf('.up.');
  const down = name.lastIndexOf('.down.');
  const at = Math.max(up, down);
  if (at < titleStart) return undefined;
  const direction = at === up ? 'up' : 'down';
  return {
    version: name.slice(0, titleStart - 1),
    title: name.slice(titleStart, at),
    direction,
    extension: name.slice(at + direction.length + 2),
  };
}

/**
 * The migrations of a golang-migrate folder. Identity and order are the version as an unsigned
 * 64-bit number (`001_a` and `1_b` are one version, an error); golang-migrate has no way to say
 * "no transaction" (it sends each file whole), so none is. Sub-folders are not read.
 */
export function readGolangMigrate(entries: readonly FolderEntry[]): LayoutReading {
  const reading = emptyReading();
  const byKey = new Map<string, { up?: string; down?: string; version: string }>();
  for (const entry of entries) {
    if (entry.isDirectory || entry.path.includes('/')) continue;
    const name = entry.path;
    const parsed = parseUpDownName(name);
    if (parsed === undefined) {
      if (name.endsWith('.sql')) {
        reading.errors.push(
          `${name} is not a golang-migrate migration name: <version>_<title>.up.sql or .down.sql.`,
        );
      }
      continue;
    }
    const { version, direction, extension } = parsed;
    if (extension !== 'sql') {
      reading.errors.push(`${name} is not an SQL file; the action runs only .sql migrations.`);
      continue;
    }
    const key = canonicalDigits(version);
    if (compareDecimals(key, MAX_UINT64) > 0) {
      reading.errors.push(
        `${name} has a version above ${MAX_UINT64}, which golang-migrate cannot read either.`,
      );
      continue;
    }
    const pair = byKey.get(key) ?? { version };
    const side = direction === 'up' ? 'up' : 'down';
    const existing = pair[side];
    if (existing !== undefined) {
      reading.errors.push(
        `${existing} and ${name} are both the ${side} file of version ${key}; keep one of them.`,
      );
      continue;
    }
    pair[side] = name;
    byKey.set(key, pair);
  }
  const migrations: LayoutMigration[] = [];
  for (const [key, pair] of byKey) {
    if (pair.up === undefined) {
      reading.errors.push(`${pair.down} is a down file without an up file of version ${key}.`);
      continue;
    }
    migrations.push({
      layout: 'golang-migrate',
      label: pair.version,
      key,
      name: pair.up,
      upFile: pair.up,
      ...(pair.down === undefined ? {} : { downFile: pair.down }),
      noTransaction: false,
    });
  }
  return finishReading('golang-migrate', migrations, reading);
}
