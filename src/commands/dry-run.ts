// A dry run of migrate: what would be applied, and the rehearsal when asked. Writes nothing.

import { type RehearsalOutcome, rehearse } from '../apply/rehearse.js';
import { sessionSettingsSql } from '../db/session.js';
import { releaseLock, tryLockOnce } from '../history/lock.js';
import { createHistorySql } from '../history/write.js';
import type { Entry, Plan } from '../plan/plan.js';
import { plural, type Report } from '../report/model.js';
import { appliedBy } from '../runner/applied-by.js';
import { appliedWords, type Context, report } from './context.js';

// A rehearsal holds the locks its statements take until the rollback: keep it short and polite.
const REHEARSAL_LOCK_TIMEOUT = '5s';
const REHEARSAL_STATEMENT_TIMEOUT = '60s';

/** A dry run writes nothing: it reports what would be applied and, asked to, rehearses it. */
export async function dryRun(context: Context, plan: Plan): Promise<Report> {
  const count = plan.pending.length;
  const entries = plan.entries.map(
    (e): Entry => (e.status === 'pending' && e.migration ? { ...e, status: 'would apply' } : e),
  );
  const planned = { ...plan, entries };
  if (count === 0 || !context.settings.rehearse) {
    return report(context, planned, {
      result: count > 0 ? 'pending' : 'up-to-date',
      verdict:
        count > 0
          ? `Dry run: ${plural(count, 'migration')} would be applied; nothing was written.`
          : `Dry run: up to date, ${appliedWords(plan)}, nothing would be written.`,
    });
  }
  return rehearsal(context, planned);
}

async function rehearsal(context: Context, plan: Plan): Promise<Report> {
  const { settings, db, tracking } = context;
  const lock = await tryLockOnce(db.client, tracking);
  if ('holder' in lock) {
    context.warn(
      `Rehearsal skipped: another run holds the migration lock (${lock.holder}); a rehearsal never waits behind a deploy.`,
    );
    return report(context, plan, {
      result: 'pending',
      verdict: `Dry run: ${plural(plan.pending.length, 'migration')} would be applied; the rehearsal was skipped because another run holds the migration lock.`,
    });
  }
  let outcomes: RehearsalOutcome[];
  try {
    outcomes = await rehearse(db.client, plan.pending, {
      tracking,
      transaction: 'all',
      lockTimeout: settings.lockTimeout ?? REHEARSAL_LOCK_TIMEOUT,
      statementTimeout: settings.statementTimeout ?? REHEARSAL_STATEMENT_TIMEOUT,
      appliedBy: appliedBy(),
      sessionSql: sessionSettingsSql(db.serverMajor),
      // A fresh database gets its tracking table first in the real run: the rehearsal creates
      // it too, inside its rolled-back transaction.
      setupSql: (await context.history).exists ? '' : await createHistorySql(db.client, tracking),
      signal: context.signal,
      log: context.log,
    });
  } finally {
    await releaseLock(db.client, lock.key);
  }

  const byVersion = new Map(outcomes.map((o) => [o.migration.version, o]));
  const entries = plan.entries.map((entry): Entry => {
    const outcome = byVersion.get(entry.version);
    if (!outcome) return entry;
    const note = outcome.error
      ? `${outcome.error.line ? `line ${outcome.error.line}: ` : ''}${outcome.error.message}`
      : outcome.note;
    return { ...entry, status: outcome.status, durationMs: outcome.durationMs, note };
  });
  const failed = outcomes.find((o) => o.status === 'failed');
  const rehearsed = outcomes.filter((o) => o.status === 'rehearsed').length;
  const skipped = outcomes.filter((o) => o.status === 'not rehearsed').length;
  const unrehearsed = skipped > 0 ? ` (${skipped} not rehearsed)` : '';
  const base = report(context, { ...plan, entries }, { result: 'pending', verdict: '' });
  if (failed) {
    return {
      ...base,
      result: 'failed',
      failure: failed.error && { file: failed.migration.name, ...failed.error },
      verdict: `Rehearsal failed: ${failed.migration.name}${failed.error?.line ? ` line ${failed.error.line}` : ''}: ${failed.error?.message}. Everything was rolled back.`,
    };
  }
  return {
    ...base,
    verdict: `Dry run: ${plural(plan.pending.length, 'migration')} would be applied; ${rehearsed} rehearsed successfully${unrehearsed} and rolled back.`,
  };
}
