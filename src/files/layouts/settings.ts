// Per-migration settings files of other tools, read for the one thing the action needs from them,
// whether to run in a transaction: diesel's `metadata.toml`, Flyway's `<file>.sql.conf`. Pure.
import type { ForeignLayoutId } from './model.js';
import { forEachLine } from './text.js';

export interface MigrationSettings {
  noTransaction: boolean;
  /** Each names the file and line. */
  errors: string[];
}

const TOML_KEY_VALUE = /^("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=\s*(.*)$/;
const TOML_TABLE = /^\[\[?\s*[^\]]+\]\]?\s*(?:#.*)?$/;

/**
 * diesel's `metadata.toml`: only a top-level `run_in_transaction = true | false` matters; other
 * keys and tables are ignored. As diesel (whose field is `#[serde(default)] bool`), a file that
 * exists without `run_in_transaction` means false: no transaction. A line that is not TOML is an
 * error, where diesel would silently fall back to a transaction.
 */
export function readDieselMetadata(text: string, path: string): MigrationSettings {
  const errors: string[] = [];
  let runInTransaction: boolean | undefined;
  let inTable = false;
  let openBrackets = 0;
  let multilineQuote: string | undefined;
  forEachLine(text, (raw, number) => {
    const line = raw.trim();
    // A multi-line array or string of another key: skip to its end.
    if (multilineQuote !== undefined) {
      if (line.includes(multilineQuote)) multilineQuote = undefined;
      return;
    }
    if (openBrackets > 0) {
      openBrackets += bracketBalance(line);
      return;
    }
    if (line === '' || line.startsWith('#')) return;
    if (TOML_TABLE.test(line)) {
      inTable = true;
      return;
    }
    const match = TOML_KEY_VALUE.exec(line);
    if (match === null || (match[2] ?? '').trim() === '') {
      errors.push(`${path}:${number}: \`${line}\` is not a TOML key = value line.`);
      return;
    }
    const key = (match[1] ?? '').replace(/^["']|["']$/g, '');
    const value = (match[2] ?? '').replace(/\s+#.*$/, '').trim();
    if (key === 'run_in_transaction' && !inTable) {
      if (value === 'true' || value === 'false') runInTransaction = value === 'true';
      else {
        errors.push(`${path}:${number}: run_in_transaction must be true or false, not ${value}.`);
      }
      return;
    }
    for (const quote of ['"""', "'''"]) {
      if (value.startsWith(quote) && value.indexOf(quote, 3) < 0) multilineQuote = quote;
    }
    if (value.startsWith('[')) openBrackets = Math.max(0, bracketBalance(value));
  });
  return { noTransaction: runInTransaction !== true, errors };
}

function bracketBalance(text: string): number {
  let balance = 0;
  for (const character of text) {
    if (character === '[') balance++;
    else if (character === ']') balance--;
  }
  return balance;
}

const PROPERTY = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/;
const UTF8 = /^utf-?8$/i;

/**
 * Flyway's script configuration (`V2__x.sql.conf`, Java properties): `executeInTransaction=false`
 * (also as `flyway.executeInTransaction`) runs the migration outside a transaction. A condition
 * (`shouldExecute`) or an encoding other than UTF-8 is an error: the action always runs the file and
 * reads it as UTF-8. Other keys are ignored.
 */
export function readFlywayScriptConfig(text: string, path: string): MigrationSettings {
  const errors: string[] = [];
  let noTransaction = false;
  forEachLine(text, (raw, number) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) return;
    const match = PROPERTY.exec(line);
    if (match === null) {
      errors.push(`${path}:${number}: \`${line}\` is not a key=value line.`);
      return;
    }
    const key = (match[1] ?? '').replace(/^flyway\./, '');
    const value = (match[2] ?? '').trim();
    if (key === 'executeInTransaction') {
      if (/^(?:true|false)$/i.test(value)) noTransaction = value.toLowerCase() === 'false';
      else errors.push(`${path}:${number}: executeInTransaction must be true or false.`);
    } else if (key === 'shouldExecute') {
      errors.push(
        `${path}:${number}: shouldExecute makes the migration conditional, which the action does ` +
          'not support; remove it.',
      );
    } else if (key === 'encoding' && !UTF8.test(value)) {
      errors.push(`${path}:${number}: the action reads migrations as UTF-8, not ${value}.`);
    }
  });
  return { noTransaction, errors };
}

/** The settings file of a migration of `layout` (its `settingsFile`), read. */
export function readSettings(
  layout: ForeignLayoutId,
  text: string,
  path: string,
): MigrationSettings {
  if (layout === 'diesel') return readDieselMetadata(text, path);
  if (layout === 'flyway') return readFlywayScriptConfig(text, path);
  return { noTransaction: false, errors: [] };
}
