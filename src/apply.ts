import type pg from 'pg';
import { insertRowSql, literal, type TrackingTable } from './history.js';
import { lineAt, type Migration } from './migrations.js';

/** What PostgreSQL said when a migration failed. DETAIL can carry row data: log only. */
export interface MigrationError {
  message: string;
  code?: string;
  detail?: string;
  hint?: string;
  /** 1-based line of the file where PostgreSQL places the error, when it says. */
  line?: number;
}

export interface Outcome {
  migration: Migration;
  status: 'applied' | 'failed' | 'not attempted' | 'rolled back';
  durationMs?: number;
  error?: MigrationError;
}

export interface ApplyOptions {
  tracking: TrackingTable;
  transaction: 'per-migration' | 'all';
  lockTimeout?: string;
  statementTimeout?: string;
  appliedBy: string;
  /** SQL that restores the action's own session settings after a migration's RESET ALL. */
  sessionSql: string;
  /** SQL to run in the first transaction before the first migration (creating the table). */
  setupSql: string;
  log: (message: string) => void;
}

/**
 * Builds the one message that applies a migration: the timeouts, the file, then the bookkeeping
 * with the timeouts reset, so that they never touch the tracking row. The session is reset after
 * the file, so a `SET` or `SET ROLE` in one migration does not leak into the next or into the
 * INSERT. The prefix is a single line, so an error position maps back to the file's line.
 */
export function migrationMessage(
  migration: Migration,
  options: ApplyOptions,
  { begin, commit, setup }: { begin: boolean; commit: boolean; setup: string },
): { text: string; prefixLength: number } {
  const settings = [
    begin ? 'BEGIN;' : '',
    setup,
    options.lockTimeout ? `SET LOCAL lock_timeout = ${literal(options.lockTimeout)};` : '',
    options.statementTimeout
      ? `SET LOCAL statement_timeout = ${literal(options.statementTimeout)};`
      : '',
  ].join('');
  const prefix = `${settings}\n`;
  // statement_timestamp() is when the server received this message: the file's time is the
  // difference to the clock when the INSERT runs.
  const elapsed =
    'floor(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::integer';
  const row = insertRowSql(
    options.tracking,
    {
      version: migration.version,
      name: migration.name,
      checksum: migration.checksum,
      status: 'applied',
      appliedBy: options.appliedBy,
    },
    elapsed,
  );
  const suffix = `\n;SET SESSION AUTHORIZATION DEFAULT;RESET ALL;${options.sessionSql}${row};${commit ? 'COMMIT;' : ''}`;
  return { text: prefix + migration.sql + suffix, prefixLength: prefix.length };
}

/**
 * Index in `text` (UTF-16 units) of PostgreSQL's 1-based error `position`, which counts
 * characters: a character outside the BMP is one for PostgreSQL and two for JavaScript.
 */
export function indexOfPosition(text: string, position: number): number {
  let index = 0;
  for (let chars = 1; chars < position && index < text.length; chars++) {
    const code = text.charCodeAt(index);
    index += code >= 0xd800 && code <= 0xdbff ? 2 : 1;
  }
  return index;
}

function lineInFile(migration: Migration, messageIndex: number, prefixLength: number) {
  const index = messageIndex - prefixLength;
  if (index < 0 || index > migration.sql.length) return undefined;
  return lineAt(migration.sql, index);
}

function migrationError(
  error: unknown,
  migration: Migration,
  text: string,
  prefixLength: number,
): MigrationError {
  const e = error as pg.DatabaseError;
  const position = e.position ? Number(e.position) : undefined;
  return {
    message: e.message ?? String(error),
    code: e.code,
    detail: e.detail,
    // 25001: CREATE INDEX CONCURRENTLY, VACUUM and the like refuse to run in a transaction.
    hint:
      e.code === '25001' ? 'add the line -- migrate:no-transaction at the top of the file' : e.hint,
    line:
      position === undefined
        ? undefined
        : lineInFile(migration, indexOfPosition(text, position), prefixLength),
  };
}

/**
 * Applies the pending migrations in order and stops at the first failure. With `per-migration`
 * each file and its row commit together in one round trip; with `all` every file and row commit
 * in one transaction, one message per file. A failed transaction is rolled back, so it leaves no
 * trace and is tried again next run.
 */
export async function applyMigrations(
  client: pg.ClientBase,
  pending: Migration[],
  options: ApplyOptions,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = pending.map((migration) => ({ migration, status: 'not attempted' }));
  const all = options.transaction === 'all';
  if (all) await client.query(`BEGIN;${options.setupSql}`);
  for (const [index, outcome] of outcomes.entries()) {
    const { migration } = outcome;
    const { text, prefixLength } = migrationMessage(migration, options, {
      begin: !all,
      commit: !all,
      setup: !all && index === 0 ? options.setupSql : '',
    });
    const started = performance.now();
    try {
      await client.query(text);
      outcome.status = 'applied';
      outcome.durationMs = Math.round(performance.now() - started);
      options.log(`Applied ${migration.name} in ${outcome.durationMs} ms.`);
    } catch (error) {
      outcome.status = 'failed';
      outcome.durationMs = Math.round(performance.now() - started);
      outcome.error = migrationError(error, migration, text, prefixLength);
      await client.query('ROLLBACK');
      if (all) rollBackEarlier(outcomes, outcome);
      return outcomes;
    }
  }
  if (all) {
    try {
      await client.query('COMMIT');
    } catch (error) {
      // A deferred constraint can fail at COMMIT: then nothing was applied.
      const last = outcomes.at(-1);
      if (last) {
        last.status = 'failed';
        last.error = { message: (error as Error).message, code: (error as pg.DatabaseError).code };
        rollBackEarlier(outcomes, last);
      }
    }
  }
  return outcomes;
}

function rollBackEarlier(outcomes: Outcome[], failed: Outcome): void {
  for (const outcome of outcomes) {
    if (outcome === failed) break;
    if (outcome.status === 'applied') outcome.status = 'rolled back';
  }
}
