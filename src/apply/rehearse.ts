// Rehearses the pending transactional migrations inside one transaction that is always rolled back.
import type pg from 'pg';
import type { Migration } from '../files/migration.js';
import { failureOf } from './errors.js';
import type { ApplyOptions, Outcome } from './model.js';
import { sendMigration } from './send.js';

export interface RehearsalOutcome extends Omit<Outcome, 'status'> {
  status: 'rehearsed' | 'failed' | 'not rehearsed' | 'not attempted';
  note?: string;
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
  try {
    for (const outcome of outcomes) {
      if (outcome.status !== 'not attempted' || options.signal?.aborted) break;
      const started = performance.now();
      try {
        // The first creates the tracking table as the real run would (setupSql), so the
        // rehearsal sees what the real run will see.
        const setup = outcome === outcomes[0] ? options.setupSql : '';
        const flags = { begin: false, commit: false, setup, record: false };
        await sendMigration(client, outcome.migration, options, flags);
        outcome.status = 'rehearsed';
      } catch (error) {
        outcome.status = 'failed';
        outcome.error = failureOf(error).mapped;
        return outcomes;
      } finally {
        outcome.durationMs = Math.round(performance.now() - started);
      }
    }
    return outcomes;
  } finally {
    // Whatever happened, nothing of the rehearsal stays.
    await client.query('ROLLBACK');
  }
}
