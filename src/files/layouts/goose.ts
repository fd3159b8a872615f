// goose's folder (`<version>_<name>.sql`, Go migrations refused) and its annotations (`-- +goose
// Up` / `Down`, `StatementBegin` / `StatementEnd`, `NO TRANSACTION`), read as goose's sqlparser
// reads them. Pure.
import { emptyReading, isGoMigration, refuseGo } from './common.js';
import {
  canonicalDigits,
  compareDecimals,
  type FolderEntry,
  type LayoutMigration,
  type LayoutReading,
  type LineError,
  MAX_INT64,
  type ReadOptions,
  type Sections,
  type TextPart,
} from './model.js';
import { finishReading } from './order.js';
import { forEachLine } from './text.js';

/** goose's NumericComponent for SQL: digits, `_`, anything, `.sql`. */
export const GOOSE_NAME = /^(\d+)_.*\.sql$/;

/**
 * The migrations of a goose folder: versions are signed 64-bit numbers from 1, compared as
 * numbers. Go migrations are an error, or skipped with `skipGo`; other `.go` files (helpers,
 * tests) are not migrations, as for goose. Each file's text is cut with `gooseSections`.
 */
export function readGoose(
  entries: readonly FolderEntry[],
  options: ReadOptions = {},
): LayoutReading {
  const reading = emptyReading();
  const migrations: LayoutMigration[] = [];
  for (const entry of entries) {
    if (entry.isDirectory || entry.path.includes('/')) continue;
    const name = entry.path;
    if (name.endsWith('.go')) {
      if (isGoMigration(name)) refuseGo('goose', name, options, reading);
      continue;
    }
    const match = GOOSE_NAME.exec(name);
    if (match === null) {
      if (name.endsWith('.sql')) {
        reading.errors.push(`${name} is not a goose migration name: <version>_<name>.sql.`);
      }
      continue;
    }
    const version = match[1] ?? '';
    const key = canonicalDigits(version);
    if (key === '0' || compareDecimals(key, MAX_INT64) > 0) {
      reading.errors.push(
        `${name} has version ${version}; goose versions go from 1 to ${MAX_INT64}.`,
      );
      continue;
    }
    migrations.push({
      layout: 'goose',
      label: version,
      key,
      name,
      upFile: name,
      sections: gooseSections,
      noTransaction: false,
    });
  }
  return finishReading('goose', migrations, reading);
}

type Annotation =
  | 'Up'
  | 'Down'
  | 'StatementBegin'
  | 'StatementEnd'
  | 'NO TRANSACTION'
  | 'ENVSUB ON'
  | 'ENVSUB OFF';

const ANNOTATIONS = new Map<string, Annotation>(
  (
    [
      'Up',
      'Down',
      'StatementBegin',
      'StatementEnd',
      'NO TRANSACTION',
      'ENVSUB ON',
      'ENVSUB OFF',
    ] as const
  ).map((annotation) => [annotation.toLowerCase(), annotation]),
);

/** goose's extractAnnotation: the annotation of a `-- +goose …` line, or why it is not one. */
function annotationOf(line: string): Annotation | string {
  if (line.startsWith(' ') || line.startsWith('\t')) {
    return 'A goose annotation must start at the beginning of its line.';
  }
  const command = line.replaceAll('--', '').replace('+goose', '');
  if (command.includes('+goose')) return 'Two goose annotations on one line.';
  const annotation = ANNOTATIONS.get(command.trim().toLowerCase());
  return annotation ?? `\`${line.trim()}\` is not a goose annotation.`;
}

type State = 'start' | 'up' | 'upBlock' | 'down' | 'downBlock';

/**
 * Cuts a goose file into its up and down parts. As goose: `-- +goose Up` comes first (only blank
 * and comment lines before it), `Down` is optional, annotations are case-insensitive, `NO
 * TRANSACTION` anywhere runs both parts outside a transaction, and a `StatementBegin` …
 * `StatementEnd` block is one statement goose never splits (returned in `explicitStatements`).
 * `ENVSUB ON` is refused: the action does not substitute environment variables.
 */
export function gooseSections(text: string): Sections {
  const errors: LineError[] = [];
  const explicit: { up: TextPart[]; down: TextPart[] } = { up: [], down: [] };
  let state: State = 'start';
  let noTransaction = false;
  let statementBeforeUp = false;
  let down: { line: number; start: number; next: number } | undefined;
  let block: { line: number; offset: number } | undefined;
  forEachLine(text, (line, number, start, next) => {
    const trimmed = line.trim();
    if (trimmed.startsWith('--') && line.includes('+goose')) {
      const annotation = annotationOf(line);
      switch (annotation) {
        case 'Up':
          if (state !== 'start') errors.push({ line: number, message: 'A second `-- +goose Up`.' });
          else state = 'up';
          return;
        case 'Down':
          if (state === 'up') {
            state = 'down';
            down = { line: number, start, next };
          } else {
            errors.push({
              line: number,
              message:
                state === 'start'
                  ? '`-- +goose Down` before `-- +goose Up`; goose needs Up first.'
                  : state === 'down'
                    ? 'A second `-- +goose Down`.'
                    : '`-- +goose Down` inside a StatementBegin block; close it with StatementEnd.',
            });
          }
          return;
        case 'StatementBegin':
          if (state === 'up' || state === 'down') {
            state = state === 'up' ? 'upBlock' : 'downBlock';
            block = { line: number + 1, offset: next };
          } else {
            errors.push({
              line: number,
              message:
                state === 'start'
                  ? '`-- +goose StatementBegin` before `-- +goose Up`.'
                  : 'A `-- +goose StatementBegin` inside another; close the first with StatementEnd.',
            });
          }
          return;
        case 'StatementEnd':
          if ((state === 'upBlock' || state === 'downBlock') && block !== undefined) {
            const part = { text: text.slice(block.offset, start), ...block };
            (state === 'upBlock' ? explicit.up : explicit.down).push(part);
            state = state === 'upBlock' ? 'up' : 'down';
            block = undefined;
          } else {
            errors.push({
              line: number,
              message: '`-- +goose StatementEnd` without a `-- +goose StatementBegin` before it.',
            });
          }
          return;
        case 'NO TRANSACTION':
          noTransaction = true;
          return;
        case 'ENVSUB ON':
          errors.push({
            line: number,
            message:
              '`-- +goose ENVSUB ON` asks for environment variables to be substituted, which the ' +
              'action does not do; write the values into the file.',
          });
          return;
        case 'ENVSUB OFF':
          return;
        default:
          errors.push({ line: number, message: annotation });
          return;
      }
    }
    if (state === 'start' && !statementBeforeUp && trimmed !== '' && !trimmed.startsWith('--')) {
      // One such error is enough: goose stops at the first such line too.
      statementBeforeUp = true;
      errors.push({ line: number, message: 'A statement before `-- +goose Up`.' });
    }
  });
  if (state === 'start') {
    errors.push({ line: 1, message: 'No `-- +goose Up` annotation; goose requires one.' });
  } else if (block !== undefined) {
    errors.push({
      line: block.line - 1,
      message: '`-- +goose StatementBegin` is never closed by `-- +goose StatementEnd`.',
    });
  }
  return {
    up: { text: text.slice(0, down?.start ?? text.length), line: 1, offset: 0 },
    ...(down === undefined
      ? {}
      : { down: { text: text.slice(down.next), line: down.line + 1, offset: down.next } }),
    noTransaction,
    downNoTransaction: noTransaction,
    explicitStatements: explicit,
    errors,
  };
}
