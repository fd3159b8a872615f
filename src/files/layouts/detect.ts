// Recognises a migrations folder's layout from its names (and, for the single-file layouts that
// share one naming, from the first lines of the files' texts when given). Pure.
import { isGoMigration } from './common.js';
import { DBMATE_NAME } from './dbmate.js';
import { isFlywayName } from './flyway.js';
import { parseUpDownName } from './golang-migrate.js';
import {
  canonicalDigits,
  compareDecimals,
  type FolderEntry,
  type LayoutId,
  MAX_UINT64,
} from './model.js';
import { POPX_NAME } from './popx.js';

export type Detection =
  | { ok: true; layout: LayoutId; reason: string }
  | { ok: false; error: string };

export interface DetectOptions {
  /**
   * The text of a top-level file, when the caller has it. dbmate, goose and the plain layout all
   * name files `<version>_<name>.sql`; only their first lines tell them apart.
   */
  textOf?: (path: string) => string | undefined;
}

/** The families names can tell apart; `single` is plain, dbmate or goose. */
type Family = 'updown' | 'flyway' | 'single' | 'prisma' | 'diesel';

const PLAIN_NAME = /^\d+_[A-Za-z0-9_-]+\.sql$/;
const GOOSE_ANNOTATION = /^\s*--.*\+goose/;
const DBMATE_UP = /^--\s*migrate:up(?:\s|$)/;
const DBMATE_UP_WITH_OPTIONS = /^--\s*migrate:up\s+\S/;
const DBMATE_DOWN = /^--\s*migrate:down(?:\s|$)/m;
const BLANK_OR_COMMENT = /^\s*(?:--|$)/;

const FAMILY_WORDS: Record<Exclude<Family, 'updown' | 'single'>, string> = {
  flyway: 'Flyway',
  prisma: 'Prisma',
  diesel: 'diesel',
};

/**
 * The layout to read the folder in. A requested layout is taken as it is. `auto` looks at the
 * names: `.up.sql`/`.down.sql` pairs (popx when a name carries a dialect or `.autocommit`, or a
 * version beyond golang-migrate's 64 bits; else golang-migrate), Flyway's `V…__…sql`, Prisma's
 * `<folder>/migration.sql`, diesel's `<folder>/up.sql`, or `<version>…sql` files (goose, dbmate or
 * plain: see `singleFileLayout`). Names of two of these families in one folder are an error naming
 * one file of each. A folder with none of them is plain.
 */
export function detectLayout(
  entries: readonly FolderEntry[],
  requested: LayoutId | 'auto',
  options: DetectOptions = {},
): Detection {
  if (requested !== 'auto')
    return { ok: true, layout: requested, reason: 'set by the layout input' };
  const first = new Map<Family, string>();
  const counts = new Map<Family, number>();
  const singles: string[] = [];
  let popxEvidence: string | undefined;
  let goFile: string | undefined;
  const note = (family: Family, path: string) => {
    if (!first.has(family)) first.set(family, path);
    counts.set(family, (counts.get(family) ?? 0) + 1);
  };
  for (const entry of entries) {
    if (entry.isDirectory) continue;
    const path = entry.path;
    const slash = path.indexOf('/');
    if (slash >= 0) {
      if (path.indexOf('/', slash + 1) >= 0) continue;
      const name = path.slice(slash + 1);
      if (name === 'migration.sql') note('prisma', path);
      else if (name === 'up.sql') note('diesel', path);
      else if (isFlywayName(name)) note('flyway', path);
      continue;
    }
    if (path.endsWith('.go')) {
      if (goFile === undefined && isGoMigration(path)) goFile = path;
      continue;
    }
    if (path === 'migration_lock.toml') {
      note('prisma', path);
      continue;
    }
    if (!path.endsWith('.sql') && !path.endsWith('.fizz')) continue;
    const upDown = parseUpDownName(path);
    if (upDown !== undefined) {
      note('updown', path);
      // Only a title with a dot (a dialect, `.autocommit`), Fizz or a long version can be popx's.
      const { version, title, extension } = upDown;
      const maybePopx = title.includes('.') || extension === 'fizz' || version.length >= 20;
      if (popxEvidence === undefined && maybePopx && isPopxOnly(path, version)) popxEvidence = path;
    } else if (isFlywayName(path)) note('flyway', path);
    else if (DBMATE_NAME.test(path)) {
      note('single', path);
      singles.push(path);
    }
  }
  const families = [...first.keys()];
  const familyWord = (family: Family): string =>
    family === 'updown'
      ? popxEvidence === undefined
        ? 'golang-migrate'
        : 'popx'
      : family === 'single'
        ? goFile === undefined
          ? 'plain, dbmate or goose'
          : 'goose'
        : FAMILY_WORDS[family];
  if (families.length > 1) {
    const [a = 'updown', b = 'single'] = families;
    return {
      ok: false,
      error:
        `The migrations folder mixes layouts: ${first.get(a)} is named as for ${familyWord(a)} and ` +
        `${first.get(b)} as for ${familyWord(b)}; keep one layout in the folder, or set ` +
        '`layout:` to the one to read.',
    };
  }
  const family = families[0];
  if (family === undefined) {
    if (goFile !== undefined) {
      return {
        ok: true,
        layout: 'goose',
        reason: `auto: only Go migrations (e.g. ${goFile}): goose`,
      };
    }
    return { ok: true, layout: 'plain', reason: 'auto: no file named as for another tool: plain' };
  }
  const count = counts.get(family) ?? 0;
  const example = `${count} file${count === 1 ? '' : 's'} such as ${first.get(family)}`;
  if (family === 'single') return singleFileLayout(singles, goFile, example, options);
  const layout: LayoutId =
    family === 'updown' ? (popxEvidence === undefined ? 'golang-migrate' : 'popx') : family;
  const why =
    layout === 'popx' ? `; ${popxEvidence} carries popx's dialect, autocommit or version` : '';
  return { ok: true, layout, reason: `auto: ${example}${why}: ${layout}` };
}

/** A `.up.sql`/`.down.sql` name only popx reads: dialect, `.autocommit`, Fizz, or > 64 bits. */
function isPopxOnly(name: string, version: string): boolean {
  const popx = POPX_NAME.exec(name);
  if (popx !== null && ((popx[3] ?? '') !== '' || popx[4] !== '' || popx[6] === 'fizz'))
    return true;
  return compareDecimals(canonicalDigits(version), MAX_UINT64) > 0;
}

/**
 * dbmate, goose and plain share `<version>_<name>.sql`. goose when Go migrations sit beside them
 * or a file's header has a `+goose` annotation; dbmate when a name only dbmate reads
 * (`20240212120203.sql`) or a `-- migrate:up` with options (`transaction:false`) appears, or when
 * every file has dbmate's two markers (the plain layout reads those files alike); else plain.
 * A goose file and a dbmate file in one folder are an error naming both.
 */
function singleFileLayout(
  paths: readonly string[],
  goFile: string | undefined,
  example: string,
  options: DetectOptions,
): Detection {
  let goose = goFile;
  let dbmateOnly: string | undefined;
  let dbmateMarked: string | undefined;
  let everyFileMarked = options.textOf !== undefined;
  // goose and dbmate want their marker in every file: when the first file has none, the folder is
  // plain (a stray marker further on is named by the pre-flight check of pending files), and the
  // other files' texts are not read, so a run with nothing to do reads each file once.
  let unmarked = false;
  for (const path of paths) {
    const text = unmarked ? undefined : options.textOf?.(path);
    if (text === undefined) {
      if (!PLAIN_NAME.test(path) && !path.includes('_')) dbmateOnly ??= path;
      everyFileMarked = false;
      continue;
    }
    const header = headerOf(text);
    if (header.goose) goose ??= path;
    if (header.dbmateUp) {
      dbmateMarked ??= path;
      if (header.dbmateOptions || !PLAIN_NAME.test(path)) dbmateOnly ??= path;
    }
    if (!header.dbmateUp || !DBMATE_DOWN.test(text)) everyFileMarked = false;
    if (!header.goose && !header.dbmateUp && goose === undefined && dbmateMarked === undefined) {
      unmarked = true;
    }
  }
  const dbmate = dbmateOnly ?? (everyFileMarked ? dbmateMarked : undefined);
  if (goose !== undefined && (dbmate ?? dbmateMarked) !== undefined) {
    return {
      ok: false,
      error:
        `The migrations folder mixes layouts: ${goose} is written for goose and ` +
        `${dbmate ?? dbmateMarked} for dbmate; keep one layout in the folder, or set \`layout:\` ` +
        'to the one to read.',
    };
  }
  if (goose !== undefined) {
    return { ok: true, layout: 'goose', reason: `auto: ${example}; ${goose} is goose's: goose` };
  }
  if (dbmate !== undefined) {
    const why =
      dbmateOnly === undefined ? 'every file has dbmate markers' : `${dbmate} is dbmate's`;
    return { ok: true, layout: 'dbmate', reason: `auto: ${example}; ${why}: dbmate` };
  }
  const texts = options.textOf === undefined ? ' (file texts not looked at)' : '';
  return { ok: true, layout: 'plain', reason: `auto: ${example}${texts}: plain` };
}

/** What the leading blank and comment lines of a file say (both tools' markers sit there). */
function headerOf(text: string): { goose: boolean; dbmateUp: boolean; dbmateOptions: boolean } {
  const found = { goose: false, dbmateUp: false, dbmateOptions: false };
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf('\n', start);
    const line = text.slice(start, newline < 0 ? text.length : newline);
    if (!BLANK_OR_COMMENT.test(line)) break;
    if (GOOSE_ANNOTATION.test(line)) found.goose = true;
    else if (DBMATE_UP.test(line)) {
      found.dbmateUp = true;
      if (DBMATE_UP_WITH_OPTIONS.test(line)) found.dbmateOptions = true;
    }
    if (newline < 0) break;
    start = newline + 1;
  }
  return found;
}
