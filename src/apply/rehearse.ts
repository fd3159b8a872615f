// Rehearses the pending transactional migrations inside one transaction that is always rolled back.
import type pg from 'pg';
import { downTextWithFileLines } from '../files/down.js';
import type { Migration } from '../files/migration.js';
import { isLarge } from '../files/stream.js';
import { indexOfPosition, lineAt } from '../sql/lines.js';
import { splitSql } from '../sql/splitter.js';
import { describeError, failureOf, MigrationFailed } from './errors.js';
import { closingSql, openingSql } from './message.js';
import type { ApplyOptions, MessageFlags, Outcome } from './model.js';
import { sendMigration } from './send.js';

/**
 * Watches the rehearsal statement by statement (the safety review's observations), inside its
 * transaction. With an observer, each transactional file that is not large runs one statement
 * at a time, as the run would split it, instead of in one message.
 */
export interface RehearsalObserver {
  /** Once, after BEGIN, before the first migration. */
  start(): Promise<void>;
  /** Right before a statement is sent. */
  before(): Promise<void>;
  /** Right after it succeeded; `line` is the line of its first keyword in the file. */
  after(migration: Migration, statement: { text: string; line: number }): Promise<void>;
  /** Once, after the last statement rehearsed (also after a failure), before the rollback. */
  finish(): Promise<void>;
  /** Once, after the rollback, when finish() ran: the database is as it was before the rehearsal. */
  rolledBack?(): Promise<void>;
}

export interface RehearsalOutcome extends Omit<Outcome, 'status'> {
  status: 'rehearsed' | 'failed' | 'not rehearsed' | 'not attempted';
  note?: string;
  /** The proof of its down SQL (see ReversalProbe): `reversible`, or what is wrong. */
  reversal?: string;
}

/**
 * Proves a migration's down SQL inside the rehearsal: the schema is read before its up and after
 * its down, and the two compared. Given by the caller (the review's catalog snapshot), so the
 * rehearsal itself knows nothing of the catalog.
 */
export interface ReversalProbe<S = unknown> {
  /** The schema as the rehearsal's transaction sees it now. */
  snapshot(): Promise<S>;
  /** `reversible`, or a sentence naming what the down SQL leaves behind or removes too much. */
  compare(beforeUp: S, afterDown: S): string;
}

/**
 * Executes the pending transactional migrations in order inside one transaction that is always
 * rolled back, also on error and on cancellation, and says for each whether it worked and how
 * long it took. It stops before the first `no-transaction` file, which cannot run inside a
 * transaction: that file and every later one are `not rehearsed`.
 */
export async function rehearse(
  client: pg.ClientBase,
  pending: Migration[],
  options: ApplyOptions,
  observer?: RehearsalObserver,
  reversal?: ReversalProbe,
): Promise<RehearsalOutcome[]> {
  const outcomes: RehearsalOutcome[] = pending.map((migration) => ({
    migration,
    status: 'not attempted',
  }));
  const blocked = pending.findIndex((m) => m.noTransaction);
  if (blocked !== -1) {
    for (const outcome of outcomes.slice(blocked)) {
      outcome.status = 'not rehearsed';
      outcome.note =
        outcome.migration === pending[blocked]
          ? 'runs without a transaction, so it cannot be rehearsed'
          : `after ${pending[blocked]?.name}, which cannot be rehearsed`;
    }
  }
  // The action's session settings first: the rehearsal reads strings as the real run does.
  await client.query(`${options.sessionSql}BEGIN`);
  // After a failed statement the transaction is aborted: nothing more can be read in it.
  let aborted = false;
  try {
    await observer?.start();
    for (const outcome of outcomes) {
      if (outcome.status !== 'not attempted' || options.signal?.aborted) break;
      const started = performance.now();
      try {
        // The first creates the tracking table as the real run would (setupSql), so the
        // rehearsal sees what the real run will see.
        const setup = outcome === outcomes[0] ? options.setupSql : '';
        const flags = { begin: false, commit: false, setup, record: false };
        const down = reversal && outcome.migration.down;
        const beforeUp = down && !down.noTransaction ? await reversal.snapshot() : undefined;
        if (observer && !isLarge(outcome.migration)) {
          await runByStatement(client, outcome.migration, options, flags, observer);
        } else {
          await sendMigration(client, outcome.migration, options, flags);
        }
        outcome.status = 'rehearsed';
        if (down?.noTransaction) {
          outcome.reversal = 'down SQL not rehearsed: it runs without a transaction';
        } else if (down && reversal) {
          outcome.reversal = await proveReversal(
            client,
            outcome.migration,
            options,
            reversal,
            beforeUp,
          );
        }
      } catch (error) {
        outcome.status = 'failed';
        outcome.error = failureOf(error).mapped;
        aborted = true;
        return outcomes;
      } finally {
        outcome.durationMs = Math.round(performance.now() - started);
      }
    }
    return outcomes;
  } finally {
    // Whatever happened, nothing of the rehearsal stays (the observer reads before it goes).
    let finished = false;
    try {
      if (observer && !aborted && !options.signal?.aborted) {
        await observer.finish();
        finished = true;
      }
    } finally {
      await client.query('ROLLBACK');
    }
    if (finished) await observer?.rolledBack?.();
  }
}

const REVERSAL_SAVEPOINT = 'agoat_migrate_reversal';

/**
 * Up (already run), down, then up again, behind a savepoint: the schema after the down must equal
 * the schema before the up, and the up must run again after its down. A down or second up that
 * fails is rolled back to the savepoint (the state after the first up), so the rehearsal goes on
 * with the next migration; the sentence says what failed, at the file's line.
 */
async function proveReversal(
  client: pg.ClientBase,
  migration: Migration,
  options: ApplyOptions,
  reversal: ReversalProbe,
  beforeUp: unknown,
): Promise<string> {
  const down = migration.down;
  if (!down) return '';
  const flags = { begin: false, commit: false, setup: '', record: false };
  await client.query(`SAVEPOINT ${REVERSAL_SAVEPOINT}`);
  let step = 'the down SQL';
  let verdict: string | undefined;
  try {
    // One line of prefix, then the down SQL after a blank line per file line: an error position
    // maps to the file's own line.
    const text = `${openingSql(options, flags)}\n${downTextWithFileLines(down.sql, down.line).slice(1)}\n;${closingSql(migration, options, flags, '0')}`;
    try {
      await client.query(text);
    } catch (error) {
      const position = (error as pg.DatabaseError).position;
      const line = position ? lineAt(text, indexOfPosition(text, Number(position))) : undefined;
      throw new MigrationFailed(
        describeError(error, line && line > 1 ? line : undefined),
        undefined,
      );
    }
    const afterDown = await reversal.snapshot();
    verdict = reversal.compare(beforeUp, afterDown);
    step = 'the up SQL run again after the down';
    await sendMigration(client, migration, options, flags);
    await client.query(`RELEASE SAVEPOINT ${REVERSAL_SAVEPOINT}`);
    return verdict;
  } catch (error) {
    await client.query(`ROLLBACK TO SAVEPOINT ${REVERSAL_SAVEPOINT}`);
    await client.query(`RELEASE SAVEPOINT ${REVERSAL_SAVEPOINT}`);
    const { mapped } = failureOf(error);
    // What the down left behind is the cause; the up failing again is its consequence.
    if (verdict !== undefined && verdict !== 'reversible') {
      return `${verdict}, so the up SQL fails when run again (${mapped.message})`;
    }
    const where = mapped.line
      ? ` at ${step === 'the down SQL' ? down.file : migration.name} line ${mapped.line}`
      : '';
    return `not reversible: ${step} failed${where}: ${mapped.message}`;
  }
}

/**
 * One migration statement by statement, with the same timeouts and session reset as its one
 * message would have, so the observer sees what each statement does.
 */
async function runByStatement(
  client: pg.ClientBase,
  migration: Migration,
  options: ApplyOptions,
  flags: MessageFlags,
  observer: RehearsalObserver,
): Promise<void> {
  const sql = migration.sql;
  const opening = openingSql(options, flags);
  if (opening) await client.query(opening);
  for (const statement of splitSql(sql)) {
    const text = sql.slice(statement.start, statement.end);
    await observer.before();
    try {
      await client.query(text);
    } catch (error) {
      const position = (error as pg.DatabaseError).position;
      const index = position ? indexOfPosition(text, Number(position)) : undefined;
      const line = index === undefined ? statement.line : lineAt(sql, statement.start + index);
      throw new MigrationFailed(describeError(error, line), (error as pg.DatabaseError).code);
    }
    const quoted = text.endsWith(';') ? text.slice(0, -1).trimEnd() : text;
    await observer.after(migration, { text: quoted, line: statement.line });
  }
  await client.query(closingSql(migration, options, flags, '0'));
}
