import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { isLarge } from './checks.js';
import { lineAtIndex, type Piece, statementPieces } from './file-text.js';
import {
  insertRowSql,
  literal,
  qualifiedName,
  type RowValues,
  type TrackingTable,
} from './history.js';
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
  /** Asks the server to cancel the running statement (a message sent before a cancellation). */
  cancelRunning?: () => void;
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
function openingSql(options: ApplyOptions, { begin, setup, previous }: MessageFlags): string {
  return [
    begin ? 'BEGIN;' : '',
    // Once per transaction: a transaction stays on one backend even behind a pooler, and pg_locks
    // grows with the locks a long `transaction: all` holds (checking each file there measured
    // 2.7× slower for 1,000 migrations).
    begin ? (options.lockCheckSql ?? '') : '',
    previous === undefined ? '' : previousRowCheckSql(options.tracking, previous),
    setup,
    options.lockTimeout ? `SET LOCAL lock_timeout = ${literal(options.lockTimeout)};` : '',
    options.statementTimeout
      ? `SET LOCAL statement_timeout = ${literal(options.statementTimeout)};`
      : '',
  ].join('');
}

/** The message of the exception raised by previousRowCheckSql. */
export const PREVIOUS_NOT_COMMITTED =
  'agoat/migrate-action: the migration sent before this one did not commit';

/** SQL that fails the transaction unless `version`'s tracking row exists (see applyPipelined). */
function previousRowCheckSql(tracking: TrackingTable, version: bigint): string {
  return `DO $previous$BEGIN IF NOT EXISTS (SELECT 1 FROM ${qualifiedName(tracking)} WHERE version = ${version}) THEN RAISE EXCEPTION '${PREVIOUS_NOT_COMMITTED}'; END IF; END$previous$;`;
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
  // PIPELINE_DEPTH pieces are on the wire at a time, and the next is read and split meanwhile:
  // the server never waits for the client. After an error the server refuses the piece behind
  // it (the transaction is aborted), so nothing runs past the failure.
  const pieces = statementPieces(migration.path);
  const inFlight: { piece: Piece; settled: Promise<unknown> }[] = [];
  await inPipelineMode(client, async () => {
    for (let done = false; !done || inFlight.length > 0; ) {
      if (!done) {
        const next = await pieces.next();
        done = next.done === true;
        if (next.value) {
          const piece = next.value;
          const settled = client.query(piece.text).then(
            () => undefined,
            (error: unknown) => error ?? new Error('query failed'),
          );
          inFlight.push({ piece, settled });
        }
      }
      if (inFlight.length < PIPELINE_DEPTH && !done) continue;
      const head = inFlight.shift();
      if (!head) break;
      const error = await head.settled;
      if (!error) continue;
      await Promise.all(inFlight.map((m) => m.settled));
      await pieces.return(undefined);
      const position = (error as pg.DatabaseError).position;
      const index = position ? indexOfPosition(head.piece.text, Number(position)) : undefined;
      fail(
        error,
        index === undefined
          ? undefined
          : await lineAtIndex(migration.path, head.piece.start + index),
      );
    }
  });
  const elapsed = String(Math.round(performance.now() - started));
  await client
    .query(closingSql(migration, options, flags, elapsed))
    .catch((error: unknown) => fail(error));
}

export type MessageFlags = {
  begin: boolean;
  commit: boolean;
  setup: string;
  record?: boolean;
  /** The version whose row must exist before this migration runs (a message sent behind it). */
  previous?: bigint;
};

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
 * Whether a failed attempt is to be tried again: it failed only for want of a lock (SQLSTATE
 * 55P03, from lock_timeout), retries are left, and each migration has its own transaction (a
 * retry inside `all` would run without the earlier files' work, which the failure rolled back).
 * The attempt was rolled back; this logs why and waits the pause before the retry.
 */
async function pausedForRetry(
  migration: Migration,
  mapped: MigrationError,
  code: string | undefined,
  attempt: number,
  options: ApplyOptions,
): Promise<boolean> {
  const retries = options.lockRetries ?? 0;
  const all = options.transaction === 'all';
  if (code !== '55P03' || all || attempt > retries || options.signal?.aborted) return false;
  const pause = retryPause(attempt);
  options.log(
    `${migration.name} timed out waiting for a lock (${mapped.message}); rolled back, retry ${attempt} of ${retries} in ${(pause / 1000).toFixed(1)} s.`,
  );
  await sleep(pause);
  return true;
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
  flags: MessageFlags,
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
      if (await pausedForRetry(migration, mapped, code, attempt, options)) continue;
      outcome.status = 'failed';
      outcome.error = mapped;
      return;
    }
  }
}

/**
 * Applies the pending migrations in order and stops at the first failure. With `per-migration`
 * each file and its row commit together in one message; with `all` every file and row commit
 * in one transaction, one message per file. Small files are pipelined (see applyPipelined). A
 * failed transaction is rolled back, so it leaves no trace and is tried again next run. A
 * `no-transaction` file runs statement by statement. When `signal` aborts (the job was
 * cancelled), no further migration is sent.
 */
export async function applyMigrations(
  client: pg.ClientBase,
  pending: Migration[],
  options: ApplyOptions,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = pending.map((migration) => ({ migration, status: 'not attempted' }));
  const all = options.transaction === 'all';
  // The tracking table is created with the first migration, in its transaction.
  const flagsOf = (index: number): MessageFlags => ({
    // With `all`, the first message opens the one transaction and the last commits it.
    begin: !all || index === 0,
    commit: !all || index === outcomes.length - 1,
    setup: index === 0 ? options.setupSql : '',
  });
  for (let index = 0; index < outcomes.length; ) {
    if (options.signal?.aborted) break;
    const outcome = outcomes[index] as Outcome;
    const statements = options.statements?.get(outcome.migration.version);
    let failed: Outcome | undefined;
    if (outcome.migration.noTransaction && statements) {
      if (index === 0 && options.setupSql) await client.query(`BEGIN;${options.setupSql}COMMIT;`);
      await applyWithoutTransaction(client, outcome, statements, options);
      if (outcome.status === 'failed') failed = outcome;
      index++;
    } else if (isLarge(outcome.migration)) {
      await applyInTransaction(client, outcome, options, flagsOf(index));
      if (outcome.status === 'failed') failed = outcome;
      index++;
    } else {
      let end = index + 1;
      while (end < outcomes.length && isPipelined(outcomes[end] as Outcome, options)) end++;
      failed = await applyPipelined(client, outcomes.slice(index, end), index, options, flagsOf);
      index = end;
    }
    if (failed) {
      if (all) rollBackEarlier(outcomes, failed);
      return outcomes;
    }
  }
  // Cancelled with `all` before the last file was sent: what ran is still open and uncommitted.
  // Roll it back rather than commit half.
  if (
    all &&
    outcomes.some((o) => o.status === 'not attempted') &&
    outcomes[0]?.status === 'applied'
  ) {
    await client.query('ROLLBACK');
    rollBackEarlier(outcomes, undefined);
  }
  return outcomes;
}

/** A small transactional file: its whole migration goes in one message. */
function isPipelined(outcome: Outcome, options: ApplyOptions): boolean {
  const { migration } = outcome;
  return (
    !isLarge(migration) && !(migration.noTransaction && options.statements?.has(migration.version))
  );
}

/**
 * How many messages may be on the wire at once, and their bytes at most. Two is enough for the
 * server never to wait for the client between migrations (the client prepares the next message
 * in a fraction of the time the server takes to run one); more would only let more start after
 * a cancellation.
 */
const PIPELINE_DEPTH = 2;
const PIPELINE_BYTES = 1 << 20;

/** A message on the wire; `settled` never rejects. */
interface InFlight {
  outcome: Outcome;
  /** Its place in the run, where a retry starts again. */
  position: number;
  sentAt: number;
  settled: Promise<{ at: number; error?: unknown }>;
  text: string;
  prefixLength: number;
}

/**
 * Applies small transactional migrations, each in one message, with the next message sent while
 * the server runs the current one: the server never waits a round trip between migrations. This
 * is safe because nothing behind a failure can commit. An error leaves the transaction aborted,
 * and PostgreSQL refuses every later statement, COMMIT included, until the ROLLBACK sent here
 * once the failed message's answer is in. A message sent behind another also starts by checking
 * that the other's tracking row exists, which covers the one failure after which the session is
 * not left aborted: a COMMIT that fails (a deferred constraint). A migration that timed out on a
 * lock (55P03) is retried from where it failed, up to `lockRetries` times. Returns the failed
 * outcome, if any; the ones behind it stay `not attempted`.
 */
async function applyPipelined(
  client: pg.ClientBase,
  run: Outcome[],
  firstIndex: number,
  options: ApplyOptions,
  flagsOf: (index: number) => MessageFlags,
): Promise<Outcome | undefined> {
  const inFlight: InFlight[] = [];
  let bytes = 0;
  let next = 0;
  let attempt = 1;
  let lastDone = performance.now();
  const send = (position: number) => {
    const outcome = run[position] as Outcome;
    const flags = flagsOf(firstIndex + position);
    // Within `transaction: all` nothing commits before the end, and an error aborts the one
    // transaction: only a message that commits on its own needs the check.
    const previous = flags.begin ? inFlight.at(-1)?.outcome.migration.version : undefined;
    const { text, prefixLength } = migrationMessage(outcome.migration, options, {
      ...flags,
      previous,
    });
    const sentAt = performance.now();
    const settled = client.query(text).then(
      () => ({ at: performance.now() }),
      (error: unknown) => ({ at: performance.now(), error }),
    );
    inFlight.push({ outcome, position, sentAt, settled, text, prefixLength });
    bytes += text.length;
  };
  return inPipelineMode(client, async () => {
    while (next < run.length || inFlight.length > 0) {
      while (
        next < run.length &&
        !options.signal?.aborted &&
        (inFlight.length === 0 ||
          (inFlight.length < PIPELINE_DEPTH &&
            bytes + (run[next]?.migration.size ?? 0) <= PIPELINE_BYTES))
      ) {
        send(next++);
      }
      const head = inFlight.shift();
      if (!head) break; // cancelled with nothing on the wire
      const { at, error } = await head.settled;
      bytes -= head.text.length;
      const { outcome } = head;
      outcome.durationMs = Math.round(at - Math.max(lastDone, head.sentAt));
      lastDone = at;
      if (!error) {
        outcome.status = 'applied';
        attempt = 1;
        options.log(`Applied ${outcome.migration.name} in ${outcome.durationMs} ms.`);
        // A message already sent would still run: ask the server to cancel it.
        if (options.signal?.aborted && inFlight.length > 0) options.cancelRunning?.();
        continue;
      }
      // Everything behind the failure was refused; then the transaction is rolled back.
      await Promise.all(inFlight.map((m) => m.settled));
      inFlight.length = 0;
      bytes = 0;
      await client.query('ROLLBACK').catch(() => undefined);
      const mapped = migrationError(error, outcome.migration, head.text, head.prefixLength);
      const code = (error as pg.DatabaseError).code;
      if (await pausedForRetry(outcome.migration, mapped, code, attempt, options)) {
        attempt++;
        next = head.position;
        continue;
      }
      outcome.status = 'failed';
      outcome.error = mapped;
      return outcome;
    }
    return undefined;
  });
}

/**
 * Runs `work` with pg's pipeline mode on: queries go on the wire as they are made instead of
 * waiting for the previous answer, and are answered in order.
 */
async function inPipelineMode<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  const pipelined = client as pg.ClientBase & { pipeline: boolean };
  pipelined.pipeline = true;
  try {
    return await work();
  } finally {
    pipelined.pipeline = false;
  }
}

function rollBackEarlier(outcomes: Outcome[], failed: Outcome | undefined): void {
  for (const outcome of outcomes) {
    if (outcome === failed) break;
    if (outcome.status === 'applied') outcome.status = 'rolled back';
  }
}
