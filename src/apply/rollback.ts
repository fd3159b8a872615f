// Runs down SQL newest first: each down and its row's change to `rolled back` in one transaction, or statement by statement for a no-transaction down.
import type pg from 'pg';
import { ConfigurationError } from '../errors.js';
import type { DownSql, Migration } from '../files/migration.js';
import { LOCK_LOST, POOLER_MESSAGE } from '../history/lock.js';
import { qualifiedName, type TrackingTable } from '../history/table.js';
import { indexOfPosition, lineAt } from '../sql/lines.js';
import { literal } from '../sql/literal.js';
import type { Statement } from '../sql/parser.js';
import { describeError } from './errors.js';
import type { MigrationError } from './model.js';

/** One migration to roll back, with its down SQL's statements split (for a no-transaction down). */
export interface Down {
  migration: Migration & { down: DownSql };
  /** The statements and the file-lined text their offsets index (see review/rules/down.ts). */
  statements: Statement[];
  text: string;
}

export interface RollbackOutcome {
  migration: Migration;
  status: 'rolled back' | 'failed' | 'not attempted';
  durationMs?: number;
  error?: MigrationError;
}

export interface RollbackOptions {
  tracking: TrackingTable;
  appliedBy: string;
  /** SQL that restores the action's own session settings after a down's RESET ALL. */
  sessionSql: string;
  /** SQL for the first transaction (widening an old status CHECK), before the first down. */
  setupSql: string;
  /** SQL that fails unless this session holds the migration lock. */
  lockCheckSql: string;
  lockTimeout?: string;
  statementTimeout?: string;
  signal?: AbortSignal;
  log: (message: string) => void;
}

/** The row's new status, who and when; `executionMs` is an SQL expression. */
function rowUpdateSql(
  options: RollbackOptions,
  version: bigint,
  status: string,
  executionMs: string,
) {
  return `UPDATE ${qualifiedName(options.tracking)} SET status = ${literal(status)}, applied_at = now(), applied_by = ${literal(options.appliedBy)}, execution_ms = ${executionMs} WHERE version = ${version};`;
}

const reset = (options: RollbackOptions) =>
  `SET SESSION AUTHORIZATION DEFAULT;RESET ALL;${options.sessionSql}`;

function timeoutsSql(options: RollbackOptions, local: boolean): string {
  const set = local ? 'SET LOCAL' : 'SET';
  return [
    options.lockTimeout ? `${set} lock_timeout = ${literal(options.lockTimeout)};` : '',
    options.statementTimeout
      ? `${set} statement_timeout = ${literal(options.statementTimeout)};`
      : '',
  ].join('');
}

/** The file line of an error raised by `statementText`, which starts at `offset` of `text`. */
function errorLine(error: unknown, text: string, statementText: string, offset: number) {
  const position = (error as pg.DatabaseError).position;
  if (!position) return undefined;
  return lineAt(text, offset + indexOfPosition(statementText, Number(position)));
}

/** A transactional down: the down SQL and the row's change in one message, one transaction. */
async function rollBackInTransaction(
  client: pg.ClientBase,
  down: Down,
  options: RollbackOptions,
  setup: string,
): Promise<void> {
  const { migration } = down;
  // The prefix is one line and the down text has a blank line per file line before it, so an
  // error position maps to the file's own line.
  const prefix = `BEGIN;${options.lockCheckSql}${setup}${timeoutsSql(options, true)}`;
  const elapsed =
    'floor(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::integer';
  // The down text's first line goes on the prefix's line: a section's blank line, or a whole down
  // file's own first line (golang-migrate, diesel, popx, Flyway's U file), which has no blank line.
  const text = `${prefix}${down.text}\n;${reset(options)}${rowUpdateSql(options, migration.version, 'rolled back', elapsed)}COMMIT;`;
  try {
    await client.query(text);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    const line = errorLine(error, text, text, 0);
    throw describeError(error, line !== undefined && line > 1 ? line : undefined);
  }
}

/**
 * A no-transaction down (`DROP INDEX CONCURRENTLY`): its row is committed as `running` first, the
 * statements run one by one, and the row becomes `rolled back`, or `failed` when one fails (the
 * database may then be half rolled back: a person must look, as after a failed no-transaction up).
 */
async function rollBackWithoutTransaction(
  client: pg.ClientBase,
  down: Down,
  options: RollbackOptions,
  setup: string,
  outcome: RollbackOutcome,
): Promise<void> {
  const { migration } = down;
  await client.query(options.lockCheckSql).catch((error: Error) => {
    throw error.message === LOCK_LOST ? new ConfigurationError(POOLER_MESSAGE) : error;
  });
  await client.query(
    `BEGIN;${setup}${rowUpdateSql(options, migration.version, 'running', '0')}COMMIT;`,
  );
  const timeouts = timeoutsSql(options, false);
  if (timeouts) await client.query(timeouts);
  const started = performance.now();
  let failure: MigrationError | undefined;
  for (const statement of down.statements) {
    if (options.signal?.aborted) {
      failure = { message: 'the job was cancelled before this statement', line: statement.line };
      break;
    }
    try {
      await client.query(statement.text);
    } catch (error) {
      failure = describeError(
        error,
        errorLine(error, down.text, statement.text, statement.offset) ?? statement.line,
      );
      break;
    }
  }
  outcome.durationMs = Math.round(performance.now() - started);
  await client.query(
    `${reset(options)}${rowUpdateSql(options, migration.version, failure ? 'failed' : 'rolled back', String(outcome.durationMs))}`,
  );
  if (failure) throw failure;
}

/**
 * Rolls back `downs` in the order given (newest first) and stops at the first failure: a failed
 * transactional down leaves no trace and its row stays as it was; those after it are not
 * attempted. When `signal` aborts, no further down starts.
 */
export async function rollBack(
  client: pg.ClientBase,
  downs: Down[],
  options: RollbackOptions,
): Promise<RollbackOutcome[]> {
  const outcomes: RollbackOutcome[] = downs.map((d) => ({
    migration: d.migration,
    status: 'not attempted',
  }));
  for (const [index, down] of downs.entries()) {
    if (options.signal?.aborted) break;
    const outcome = outcomes[index] as RollbackOutcome;
    const setup = index === 0 ? options.setupSql : '';
    const started = performance.now();
    try {
      if (down.migration.down.noTransaction) {
        await rollBackWithoutTransaction(client, down, options, setup, outcome);
      } else {
        await rollBackInTransaction(client, down, options, setup);
        outcome.durationMs = Math.round(performance.now() - started);
      }
      outcome.status = 'rolled back';
      options.log(`Rolled back ${down.migration.name} in ${outcome.durationMs} ms.`);
    } catch (error) {
      if (error instanceof ConfigurationError) throw error;
      outcome.durationMs ??= Math.round(performance.now() - started);
      outcome.status = 'failed';
      outcome.error = error instanceof Error ? describeError(error) : (error as MigrationError);
      break;
    }
  }
  return outcomes;
}
