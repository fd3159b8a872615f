// Applies the pending migrations in order, each the way it must run, and stops at the first failure.
import type pg from 'pg';
import type { Migration } from '../files/migration.js';
import { isLarge, statementsOf } from '../files/stream.js';
import { failureOf } from './errors.js';
import type { ApplyOptions, MessageFlags, Outcome } from './model.js';
import { applyWithoutTransaction } from './no-transaction.js';
import { applyPipelined } from './pipeline.js';
import { pausedForRetry } from './retry.js';
import { sendMigration } from './send.js';

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
    let failed: Outcome | undefined;
    if (outcome.migration.noTransaction) {
      // Split by PostgreSQL's parser in the pre-flight check, or (a file too large for it) by
      // the streaming splitter as it runs.
      const statements =
        options.statements?.get(outcome.migration.version) ?? statementsOf(outcome.migration.path);
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
      while (end < outcomes.length && isPipelined(outcomes[end] as Outcome)) end++;
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
function isPipelined(outcome: Outcome): boolean {
  const { migration } = outcome;
  return !isLarge(migration) && !migration.noTransaction;
}

function rollBackEarlier(outcomes: Outcome[], failed: Outcome | undefined): void {
  for (const outcome of outcomes) {
    if (outcome === failed) break;
    if (outcome.status === 'applied') outcome.status = 'rolled back';
  }
}
