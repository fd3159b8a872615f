// A dry run of migrate: what would be applied, and the rehearsal when asked. Writes nothing.

import { type RehearsalOutcome, rehearse } from '../apply/rehearse.js';
import { sessionSettingsSql } from '../db/session.js';
import { releaseLock, tryLockOnce } from '../history/lock.js';
import { readyForRowsSql } from '../history/version-key.js';
import type { Entry } from '../plan/plan.js';
import { plural, type Report } from '../report/model.js';
import type { Review } from '../review/model.js';
import { lockLimitSentence } from '../review/observe/errors.js';
import { appliedBy } from '../runner/applied-by.js';
import { appliedWords, type CheckedPlan, type Context, report } from './context.js';
import type { ReviewStart } from './review.js';

/**
 * The review's code (its rules, the catalog readers) is a chunk of its own in dist/, loaded only
 * by a dry run that reviews: a deploy run never compiles it.
 */
const reviewing = () => import('./review.js');

// A rehearsal holds the locks its statements take until the rollback: keep it short and polite.
const REHEARSAL_LOCK_TIMEOUT = '5s';
const REHEARSAL_STATEMENT_TIMEOUT = '60s';

/**
 * A dry run writes nothing: it reports what would be applied, reviews it (unless `safety: off`)
 * and, asked to, rehearses it.
 */
export async function dryRun(context: Context, plan: CheckedPlan): Promise<Report> {
  const count = plan.pending.length;
  const applying = new Set(plan.pending);
  const entries = plan.entries.map(
    (e): Entry =>
      e.status === 'pending' && e.migration && applying.has(e.migration)
        ? { ...e, status: 'would apply' }
        : e,
  );
  const planned = { ...plan, entries };
  const review =
    count > 0 && context.settings.safety !== 'off'
      ? await (await reviewing()).startReview(context, plan)
      : undefined;
  if (count === 0 || !context.settings.rehearse) {
    const base = report(context, planned, {
      result: count > 0 ? 'pending' : 'up-to-date',
      verdict:
        count > 0
          ? `Dry run: ${plural(count, 'migration')} would be applied; nothing was written.`
          : `Dry run: up to date, ${appliedWords(plan)}, nothing would be written.`,
    });
    return withReview(base, review && (await reviewing()).finishReview(context, review));
  }
  return rehearsal(context, planned, review);
}

/**
 * The report with its review; under `safety: fail` an unacknowledged danger fails it, with the
 * dangers named in the verdict.
 */
function withReview(base: Report, review: Review | undefined): Report {
  if (!review) return base;
  const dangers =
    review.mode === 'fail'
      ? review.risks.filter((r) => r.level === 'danger' && r.acknowledged === undefined)
      : [];
  if (dangers.length === 0 || base.result === 'failed') return { ...base, review };
  const named = dangers
    .slice(0, 3)
    .map((r) => `${r.rule} in ${r.file} line ${r.line}`)
    .join(', ');
  const more = dangers.length > 3 ? `, and ${dangers.length - 3} more` : '';
  return {
    ...base,
    review,
    result: 'failed',
    verdict: `Safety review: ${plural(dangers.length, 'danger')} not acknowledged (${named}${more}), and safety is fail: write ${dangers.length === 1 ? 'it' : 'them'} the safer way the review gives, or acknowledge each with -- migrate:allow <rule> <reason>. ${base.verdict}`,
  };
}

async function rehearsal(
  context: Context,
  plan: CheckedPlan,
  review: ReviewStart | undefined,
): Promise<Report> {
  const { settings, db, tracking } = context;
  const lock = await tryLockOnce(db.client, tracking);
  if ('holder' in lock) {
    context.warn(
      `Rehearsal skipped: another run holds the migration lock (${lock.holder}); a rehearsal never waits behind a deploy.`,
    );
    const skipped = report(context, plan, {
      result: 'pending',
      verdict: `Dry run: ${plural(plan.pending.length, 'migration')} would be applied; the rehearsal was skipped because another run holds the migration lock.`,
    });
    return withReview(skipped, review && (await reviewing()).finishReview(context, review));
  }
  const observer = review && (await reviewing()).observerFor(context, review);
  // Every pending migration with down SQL is also run down and up again: its proof.
  const reversalNotes: string[] = [];
  const reversal = plan.pending.some((m) => m.down)
    ? (await reviewing()).reversalProbe(db.client, reversalNotes)
    : undefined;
  let outcomes: RehearsalOutcome[];
  try {
    outcomes = await rehearse(
      db.client,
      plan.pending,
      {
        tracking,
        transaction: 'all',
        lockTimeout: settings.lockTimeout ?? REHEARSAL_LOCK_TIMEOUT,
        statementTimeout: settings.statementTimeout ?? REHEARSAL_STATEMENT_TIMEOUT,
        appliedBy: appliedBy(),
        sessionSql: sessionSettingsSql(db.serverMajor),
        // A fresh database gets its tracking table first in the real run: the rehearsal creates
        // it too, inside its rolled-back transaction.
        setupSql: await readyForRowsSql(
          db.client,
          tracking,
          (await context.history).exists,
          plan.pending,
        ),
        signal: context.signal,
        log: context.log,
      },
      observer,
      reversal,
    );
  } finally {
    await releaseLock(db.client, lock.key);
  }

  // A rehearsal of many files in one transaction can run out of lock table space: that is the
  // rehearsal's limit, not the migration failing, and the dry run reports what it could.
  const outOfLocks = outcomes.find((o) => o.status === 'failed' && o.error?.code === '53200');
  if (outOfLocks) {
    review?.notes.push(lockLimitSentence());
    for (const o of outcomes.slice(outcomes.indexOf(outOfLocks))) {
      if (o.status === 'failed' || o.status === 'not attempted') {
        o.status = 'not rehearsed';
        o.note = 'the rehearsal ran out of lock table space (max_locks_per_transaction)';
        o.error = undefined;
      }
    }
  }
  for (const note of reversalNotes) context.warn(note);
  for (const o of outcomes) {
    if (o.reversal && o.reversal !== 'reversible') {
      context.warn(`${o.migration.name}: ${o.reversal}.`);
    }
  }
  const reviewed = review && (await reviewing()).finishReview(context, review, observer);
  const byVersion = new Map(outcomes.map((o) => [o.migration.version, o]));
  const entries = plan.entries.map((entry): Entry => {
    const outcome = byVersion.get(entry.version);
    if (!outcome) return entry;
    const note = outcome.error
      ? `${outcome.error.line ? `line ${outcome.error.line}: ` : ''}${outcome.error.message}`
      : [outcome.note, outcome.reversal].filter(Boolean).join('; ') || undefined;
    return { ...entry, status: outcome.status, durationMs: outcome.durationMs, note };
  });
  const failed = outcomes.find((o) => o.status === 'failed');
  const rehearsed = outcomes.filter((o) => o.status === 'rehearsed').length;
  const skipped = outcomes.filter((o) => o.status === 'not rehearsed').length;
  const unrehearsed = skipped > 0 ? ` (${skipped} not rehearsed)` : '';
  const base = report(context, { ...plan, entries }, { result: 'pending', verdict: '' });
  if (failed) {
    return withReview(
      {
        ...base,
        result: 'failed',
        failure: failed.error && { file: failed.migration.name, ...failed.error },
        verdict: `Rehearsal failed: ${failed.migration.name}${failed.error?.line ? ` line ${failed.error.line}` : ''}: ${failed.error?.message}. Everything was rolled back.`,
      },
      reviewed,
    );
  }
  return withReview(
    {
      ...base,
      verdict: `Dry run: ${plural(plan.pending.length, 'migration')} would be applied; ${rehearsed} rehearsed successfully${unrehearsed} and rolled back.`,
    },
    reviewed,
  );
}
