// Maps what PostgreSQL said when a migration failed to the report's error, with the file's line. Pure.
import type pg from 'pg';
import { messageOf } from '../errors.js';
import type { Migration } from '../files/migration.js';
import { LOCK_LOST, POOLER_MESSAGE } from '../history/lock.js';
import type { TrackingTable } from '../history/table.js';
import { indexOfPosition, lineAt } from '../sql/lines.js';
import type { MigrationError } from './model.js';

function lineInFile(migration: Migration, messageIndex: number, prefixLength: number) {
  const index = messageIndex - prefixLength;
  if (index < 0 || index > migration.sql.length) return undefined;
  return lineAt(migration.sql, index);
}

/**
 * What PostgreSQL said, as the report needs it, with the file's `line` when it is known: the one
 * mapping of a server error for every way a migration runs (whole, in pieces, statement by statement).
 */
export function describeError(error: unknown, line?: number): MigrationError {
  const e = error as pg.DatabaseError;
  if (e.message === LOCK_LOST) return { message: POOLER_MESSAGE, code: e.code };
  return {
    message: messageOf(error),
    code: e.code,
    detail: e.detail,
    // 25001: CREATE INDEX CONCURRENTLY, VACUUM and the like refuse to run in a transaction.
    hint:
      e.code === '25001' ? 'add the line -- migrate:no-transaction at the top of the file' : e.hint,
    line,
  };
}

/**
 * describeError for a whole-file message: the error position mapped back to the file's line. A
 * position outside the file is in the action's own SQL around it (the tracking table's creation
 * or row), and the message says so rather than blaming the migration.
 */
export function migrationError(
  error: unknown,
  migration: Migration,
  text: string,
  prefixLength: number,
  tracking?: TrackingTable,
): MigrationError {
  const position = (error as pg.DatabaseError).position;
  if (!position) return describeError(error);
  const line = lineInFile(migration, indexOfPosition(text, Number(position)), prefixLength);
  const described = describeError(error, line);
  if (line !== undefined || !tracking) return described;
  return {
    ...described,
    message: `the tracking table ${tracking.schema}.${tracking.table} could not be created or written around ${migration.name} (${described.message}); check that the role may create and write it, and that no migration changes it`,
  };
}

/** A migration's statements failed; `error` is already mapped to the file. */
export class MigrationFailed extends Error {
  constructor(
    readonly error: MigrationError,
    readonly code: string | undefined,
  ) {
    super(error.message);
  }
}

export function failureOf(error: unknown): { mapped: MigrationError; code?: string } {
  if (error instanceof MigrationFailed) return { mapped: error.error, code: error.code };
  const e = error as pg.DatabaseError;
  return { mapped: { message: messageOf(error), code: e.code }, code: e.code };
}
