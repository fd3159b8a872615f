// dbmate's folder (`<version>...sql` files) and its sections (`-- migrate:up` / `-- migrate:down`
// with options such as `transaction:false`), read as dbmate's migration.go reads them. Pure.
import { emptyReading } from './common.js';
import {
  canonicalDigits,
  type FolderEntry,
  type LayoutMigration,
  type LayoutReading,
  type LineError,
  type Sections,
} from './model.js';
import { finishReading } from './order.js';
import { forEachLine } from './text.js';

/** dbmate's migrationFileRegexp: `^(\d+).*\.sql$` (no `_` needed: `20240212120203.sql` is one). */
export const DBMATE_NAME = /^(\d+).*\.sql$/;

/** dbmate's upRegExp and downRegExp, on one line: the marker, then whitespace or the line's end. */
const UP_MARKER = /^--\s*migrate:up(?:\s|$)/;
const DOWN_MARKER = /^--\s*migrate:down(?:\s|$)/;
const MARKER_PREFIX = /^--\s*migrate:(?:up|down)/;
const BLANK_OR_COMMENT = /^\s*(?:--|$)/;

/**
 * The migrations of a dbmate folder. dbmate's version is the leading digits as text and it
 * applies files in name order; the action keeps them as numbers (`001_a.sql` and `1_b.sql` become
 * one version, an error) and warns where the two orders differ. Each file's text is cut with
 * `dbmateSections`. Sub-folders are not read.
 */
export function readDbmate(entries: readonly FolderEntry[]): LayoutReading {
  const reading = emptyReading();
  const migrations: LayoutMigration[] = [];
  for (const entry of entries) {
    if (entry.isDirectory || entry.path.includes('/')) continue;
    const name = entry.path;
    const match = DBMATE_NAME.exec(name);
    if (match === null) {
      if (name.endsWith('.sql')) {
        reading.errors.push(`${name} is not a dbmate migration name: it must start with digits.`);
      }
      continue;
    }
    const version = match[1] ?? '';
    migrations.push({
      layout: 'dbmate',
      label: version,
      key: canonicalDigits(version),
      name,
      upFile: name,
      sections: dbmateSections,
      noTransaction: false,
    });
  }
  return finishReading('dbmate', migrations, reading, (migration) => migration.name);
}

/** The options after a marker (`transaction:false foo:bar`), each a `key:value` pair as dbmate. */
function markerOptions(line: string): Map<string, string> {
  const options = new Map<string, string>();
  const rest = line.replace(MARKER_PREFIX, '').trim();
  if (rest === '') return options;
  for (const pair of rest.split(/\s+/)) {
    const parts = pair.split(':');
    if (parts.length === 2) options.set(parts[0] ?? '', parts[1] ?? '');
  }
  return options;
}

/**
 * Cuts a dbmate file into its up and down parts. As dbmate: the up marker is required and comes
 * first, only blank and comment lines may precede it, the down marker is required (dbmate refuses
 * a file without one), and `transaction:false` on a marker runs that part outside a transaction.
 * dbmate's several up/down pairs in one file are refused: the action keeps one of each per file.
 */
export function dbmateSections(text: string): Sections {
  const errors: LineError[] = [];
  let up: { line: number; options: Map<string, string> } | undefined;
  let down: { line: number; start: number; next: number; options: Map<string, string> } | undefined;
  let statementBeforeUp = 0;
  forEachLine(text, (line, number, start, next) => {
    if (up === undefined && statementBeforeUp === 0 && !BLANK_OR_COMMENT.test(line)) {
      statementBeforeUp = number;
    }
    if (!line.startsWith('--')) return;
    if (UP_MARKER.test(line)) {
      if (up !== undefined) {
        errors.push({
          line: number,
          message:
            'A second `-- migrate:up` section: the action reads one up and one down section per ' +
            'file; move this section into a migration of its own.',
        });
      } else up = { line: number, options: markerOptions(line) };
    } else if (DOWN_MARKER.test(line)) {
      if (up === undefined) {
        errors.push({
          line: number,
          message: '`-- migrate:down` comes before `-- migrate:up`; dbmate needs up first.',
        });
      } else if (down !== undefined) {
        errors.push({
          line: number,
          message: 'A second `-- migrate:down` line; a file has one down section.',
        });
      } else down = { line: number, start, next, options: markerOptions(line) };
    }
  });
  if (up === undefined) {
    errors.push({ line: 1, message: 'No `-- migrate:up` line; dbmate requires one.' });
  } else if (statementBeforeUp !== 0) {
    errors.push({
      line: statementBeforeUp,
      message: 'A statement before `-- migrate:up`; dbmate allows only comments there.',
    });
  }
  if (down === undefined && up !== undefined) {
    errors.push({
      line: up.line,
      message: 'No `-- migrate:down` line; dbmate requires one (it may be followed by nothing).',
    });
  }
  const upEnd = down?.start ?? text.length;
  return {
    up: { text: text.slice(0, upEnd), line: 1, offset: 0 },
    ...(down === undefined
      ? {}
      : { down: { text: text.slice(down.next), line: down.line + 1, offset: down.next } }),
    noTransaction: up?.options.get('transaction') === 'false',
    downNoTransaction: down?.options.get('transaction') === 'false',
    explicitStatements: { up: [], down: [] },
    errors,
  };
}
