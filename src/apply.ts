import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { isLarge } from './checks.js';
import { lineAtIndex, statementPieces } from './file-text.js';
import { insertRowSql, literal, type RowValues, type TrackingTable } from './history.js';
import { LOCK_LOST, POOLER_MESSAGE } from './lock.js';
import { lineAt, type Migration } from './migrations.js';
import { applyWithoutTransaction } from './no-transaction.js';
import type { Statement } from './sql.js';

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
  /** Indexes a failed `no-transaction` file left INVALID (a failed CREATE INDEX CONCURRENTLY). */
  invalidIndexes?: string[];
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
  lockRetries?: number;
  /** The statements of each `no-transaction` file, split by PostgreSQL's parser. */
  statements?: Map<bigint, Statement[]>;
  /** Aborted when the job is cancelled: no further migration starts. */
  signal?: AbortSignal;
  /** SQL that fails unless this session holds the migration lock (see lock.ts). */
  lockCheckSql?: string;
  log: (message: string) => void;
}

function rowOf(migration: Migration, options: ApplyOptions): RowValues {
  return {
    version: migration.version,
    name: migration.name,
    checksum: migration.checksum,
    status: 'applied',
    appliedBy: options.appliedBy,
  };
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
  flags: MessageFlags,
): { text: string; prefixLength: number } {
  const prefix = `${openingSql(options, flags)}\n`;
  // statement_timestamp() is when the server received this message: the file's time is the
  // difference to the clock when the INSERT runs.
  const elapsed =
    'floor(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::integer';
  const suffix = `\n;${closingSql(migration, options, flags, elapsed)}`;
  return { text: prefix + migration.sql + suffix, prefixLength: prefix.length };
}

/** What opens a migration: the transaction, the lock check, the setup and the timeouts. */
function openingSql(options: ApplyOptions, { begin, setup }: MessageFlags): string {
  return [
    begin ? 'BEGIN;' : '',
    // Once per transaction: a transaction stays on one backend even behind a pooler, and pg_locks
    // grows with the locks a long `transaction: all` holds (checking each file there measured
    // 2.7× slower for 1,000 migrations).
    begin ? (options.lockCheckSql ?? '') : '',
    setup,
    options.lockTimeout ? `SET LOCAL lock_timeout = ${literal(options.lockTimeout)};` : '',
    options.statementTimeout
      ? `SET LOCAL statement_timeout = ${literal(options.statementTimeout)};`
      : '',
  ].join('');
}

/** What closes it: the session reset, the action's settings, the tracking row, the commit. */
function closingSql(
  migration: Migration,
  options: ApplyOptions,
  { commit, record = true }: MessageFlags,
  executionMs: string,
): string {
  const row = record
    ? `${insertRowSql(options.tracking, rowOf(migration, options), executionMs)};`
    : '';
  return `SET SESSION AUTHORIZATION DEFAULT;RESET ALL;${options.sessionSql}${row}${commit ? 'COMMIT;' : ''}`;
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

/**
 * What PostgreSQL said, as the report needs it, with the file's `line` when it is known: the one
 * mapping of a server error for every way a migration runs (whole, in pieces, statement by statement).
 */
export function describeError(error: unknown, line?: number): MigrationError {
  const e = error as pg.DatabaseError;
  if (e.message === LOCK_LOST) return { message: POOLER_MESSAGE, code: e.code };
  return {
    message: e.message ?? String(error),
    code: e.code,
    detail: e.detail,
    // 25001: CREATE INDEX CONCURRENTLY, VACUUM and the like refuse to run in a transaction.
    hint:
      e.code === '25001' ? 'add the line -- migrate:no-transaction at the top of the file' : e.hint,
    line,
  };
}

/** describeError for a whole-file message: the error position mapped back to the file's line. */
export function migrationError(
  error: unknown,
  migration: Migration,
  text: string,
  prefixLength: number,
): MigrationError {
  const position = (error as pg.DatabaseError).position;
  const line = position
    ? lineInFile(migration, indexOfPosition(text, Number(position)), prefixLength)
    : undefined;
  return describeError(error, line);
}

/** The pause before retry `attempt` (1-based) of a migration that timed out on a lock. */
export function retryPause(attempt: number, random = Math.random): number {
  const base = Math.min(1000 * 2 ** (attempt - 1), 30_000);
  return Math.round(base / 2 + random() * (base / 2));
}

/**
 * Runs one transactional migration (in its own transaction unless `all`), retrying up to
 * `lockRetries` times when it failed only for want of a lock (SQLSTATE 55P03, from lock_timeout):
 * the attempt is rolled back, so a retry starts clean.
 */
/** A migration's statements failed; `error` is already mapped to the file. */
class MigrationFailed extends Error {
  constructor(
    readonly error: MigrationError,
    readonly code: string | undefined,
  ) {
    super(error.message);
  }
}

/** One attempt at a small file: the whole migration and its row in one message. */
async function sendWhole(
  client: pg.ClientBase,
  migration: Migration,
  options: ApplyOptions,
  flags: MessageFlags,
): Promise<void> {
  const { text, prefixLength } = migrationMessage(migration, options, flags);
  try {
    await client.query(text);
  } catch (error) {
    const mapped = migrationError(error, migration, text, prefixLength);
    throw new MigrationFailed(mapped, (error as { code?: string }).code);
  }
}

/**
 * One attempt at a large file: the same transaction, timeouts and bookkeeping as sendWhole, but
 * the file goes in statement-aligned pieces of about 64 KiB, read as they are sent, so the file
 * is never held whole.
 */
async function sendInPieces(
  client: pg.ClientBase,
  migration: Migration,
  options: ApplyOptions,
  flags: MessageFlags,
): Promise<void> {
  const started = performance.now();
  const fail = (error: unknown, line?: number): never => {
    throw new MigrationFailed(describeError(error, line), (error as pg.DatabaseError).code);
  };
  const opening = openingSql(options, flags);
  if (opening) await client.query(opening).catch((error: unknown) => fail(error));
  // The next piece is read and split while the server runs the current one.
  const pieces = statementPieces(migration.path);
  let next = pieces.next();
  for (;;) {
    const { value: piece, done } = await next;
    if (done) break;
    const running = client.query(piece.text);
    next = pieces.next();
    try {
      await running;
    } catch (error) {
      await pieces.return(undefined);
      const position = (error as pg.DatabaseError).position;
      const index = position ? indexOfPosition(piece.text, Number(position)) : undefined;
      fail(
        error,
        index === undefined ? undefined : await lineAtIndex(migration.path, piece.start + index),
      );
    }
  }
  const elapsed = String(Math.round(performance.now() - started));
  await client
    .query(closingSql(migration, options, flags, elapsed))
    .catch((error: unknown) => fail(error));
}

export type MessageFlags = { begin: boolean; commit: boolean; setup: string; record?: boolean };

/** Sends one migration in its transaction, whole or in pieces by its size. */
export function sendMigration(
  client: pg.ClientBase,
  migration: Migration,
  options: ApplyOptions,
  flags: MessageFlags,
): Promise<void> {
  const send = isLarge(migration) ? sendInPieces : sendWhole;
  return send(client, migration, options, flags);
}

export function failureOf(error: unknown): { mapped: MigrationError; code?: string } {
  if (error instanceof MigrationFailed) return { mapped: error.error, code: error.code };
  const e = error as pg.DatabaseError;
  return { mapped: { message: e.message ?? String(error), code: e.code }, code: e.code };
}

/**
 * Runs one transactional migration (in its own transaction unless `all`), retrying up to
 * `lockRetries` times when it failed only for want of a lock (SQLSTATE 55P03, from lock_timeout):
 * the attempt is rolled back, so a retry starts clean.
 */
async function applyInTransaction(
  client: pg.ClientBase,
  outcome: Outcome,
  options: ApplyOptions,
  { all, ...flags }: { all: boolean } & MessageFlags,
): Promise<void> {
  const { migration } = outcome;
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    try {
      await sendMigration(client, migration, options, flags);
      outcome.status = 'applied';
      outcome.durationMs = Math.round(performance.now() - started);
      options.log(`Applied ${migration.name} in ${outcome.durationMs} ms.`);
      return;
    } catch (error) {
      outcome.durationMs = Math.round(performance.now() - started);
      await client.query('ROLLBACK').catch(() => undefined);
      const { mapped, code } = failureOf(error);
      const retries = options.lockRetries ?? 0;
      if (code === '55P03' && !all && attempt <= retries && !options.signal?.aborted) {
        const pause = retryPause(attempt);
        options.log(
          `${migration.name} timed out waiting for a lock (${mapped.message}); rolled back, retry ${attempt} of ${retries} in ${(pause / 1000).toFixed(1)} s.`,
        );
        await sleep(pause);
        continue;
      }
      outcome.status = 'failed';
      outcome.error = mapped;
      return;
    }
  }
}

/**
 * Applies the pending migrations in order and stops at the first failure. With `per-migration`
 * each file and its row commit together in one round trip; with `all` every file and row commit
 * in one transaction, one message per file. A failed transaction is rolled back, so it leaves no
 * trace and is tried again next run. A `no-transaction` file runs statement by statement.
 * When `signal` aborts (the job was cancelled), no further migration starts.
 */
export async function applyMigrations(
  client: pg.ClientBase,
  pending: Migration[],
  options: ApplyOptions,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = pending.map((migration) => ({ migration, status: 'not attempted' }));
  const all = options.transaction === 'all';
  let setup = options.setupSql;
  for (const [index, outcome] of outcomes.entries()) {
    if (options.signal?.aborted) {
      // With `all`, what ran so far is still open: roll it back rather than commit half.
      if (all && index > 0) {
        await client.query('ROLLBACK');
        rollBackEarlier(outcomes, undefined);
      }
      return outcomes;
    }
    const statements = options.statements?.get(outcome.migration.version);
    if (outcome.migration.noTransaction && statements) {
      if (setup) await client.query(`BEGIN;${setup}COMMIT;`);
      await applyWithoutTransaction(client, outcome, statements, options);
    } else {
      // With `all`, the first message opens the one transaction and the last commits it.
      const begin = !all || index === 0;
      const commit = !all || index === outcomes.length - 1;
      await applyInTransaction(client, outcome, options, { all, begin, commit, setup });
    }
    setup = '';
    if (outcome.status === 'failed') {
      if (all) rollBackEarlier(outcomes, outcome);
      return outcomes;
    }
  }
  return outcomes;
}

function rollBackEarlier(outcomes: Outcome[], failed: Outcome | undefined): void {
  for (const outcome of outcomes) {
    if (outcome === failed) break;
    if (outcome.status === 'applied') outcome.status = 'rolled back';
  }
}
