// command: migrate: checks, takes the lock, re-reads the history, applies what is pending, and says what happened.

import { applyMigrations } from '../apply/apply.js';
import type { ApplyOptions, Outcome } from '../apply/model.js';
import { sessionSettingsSql } from '../db/session.js';
import { lockHeldCheckSql } from '../history/lock.js';
import { readHistory } from '../history/read.js';
import type { HistoryRow } from '../history/table.js';
import { versionKeySql } from '../history/version-key.js';
import { createHistorySql } from '../history/write.js';
import type { Entry, Plan } from '../plan/plan.js';
import { formatDuration, plural, type Report } from '../report/model.js';
import { appliedBy } from '../runner/applied-by.js';
import {
  appliedWords,
  type CheckedPlan,
  type Context,
  planOf,
  report,
  stoppedReport,
  underLock,
} from './context.js';
import { dryRun } from './dry-run.js';

function upToDate(context: Context, plan: Plan): Report {
  return report(context, plan, {
    result: 'up-to-date',
    verdict: `Up to date: ${appliedWords(plan)}, nothing to do.`,
  });
}

/**
 * `migrate`: find every problem before writing; in a dry run report what would be applied;
 * otherwise take the lock, re-read the history, and apply what is still pending.
 */
export async function migrate(context: Context): Promise<Report> {
  const { settings } = context;
  const first = await context.history;
  const plan = await planOf(context, first.rows, { underLock: false });
  if (plan.stops) return stoppedReport(context, plan);

  if (settings.dryRun) return withImport(context, await dryRun(context, plan));
  // An import of another tool's history is work too: its rows are written under the lock.
  if (plan.pending.length === 0 && context.adoption?.imported === undefined) {
    return upToDate(context, plan);
  }

  // Everything below writes: one run at a time, and the history as it is under the lock.
  return underLock(context, (key) => migrateUnderLock(context, key, plan));
}

async function migrateUnderLock(
  context: Context,
  key: bigint,
  first: CheckedPlan,
): Promise<Report> {
  const { settings, db, tracking, log } = context;
  const sessionSql = sessionSettingsSql(db.serverMajor);
  if (sessionSql) await db.client.query(sessionSql);
  let locked = await readHistory(db.client, tracking);
  if (context.adoption) locked = await context.adoption.writeUnderLock(locked, appliedBy(), log);
  const plan = await planOf(context, locked.rows, { underLock: true, checked: first.checks });
  if (plan.stops) return withImport(context, stoppedReport(context, plan));
  if (plan.pending.length === 0) return withImport(context, upToDate(context, plan));

  const options: ApplyOptions = {
    tracking,
    transaction: settings.transaction,
    lockTimeout: settings.lockTimeout,
    statementTimeout: settings.statementTimeout,
    appliedBy: appliedBy(),
    sessionSql,
    // Also checks the role may create or write the table, before anything runs.
    setupSql:
      (await createHistorySql(db.client, tracking, {
        update: plan.pending.some((m) => m.noTransaction),
      })) + (await versionKeySql(db.client, tracking, plan.pending)),
    lockRetries: settings.lockRetries,
    lockCheckSql: lockHeldCheckSql(key),
    statements: new Map(
      [...plan.checks].flatMap(([version, check]) =>
        check.statements ? [[version, check.statements] as const] : [],
      ),
    ),
    rolledBack: rolledBackVersions(locked.rows),
    signal: context.signal,
    cancelRunning: context.cancelRunning,
    log,
  };
  const outcomes = await applyMigrations(db.client, plan.pending, options);
  return withImport(context, appliedReport(context, plan, outcomes));
}

/** The report with the rows the import of another tool's history wrote, or would write. */
function withImport(context: Context, result: Report): Report {
  const changes = context.adoption?.changes(context.settings.dryRun) ?? [];
  if (changes.length === 0) return result;
  const withChanges = { ...result, changes: [...changes, ...result.changes] };
  // A dry run that would write the import has something to do, as a dry-run baseline has.
  if (context.settings.dryRun && result.result === 'up-to-date') {
    const what = `${plural(changes.length, 'migration')} of the other tool's history would be recorded as baseline; nothing was written.`;
    return { ...withChanges, result: 'pending', verdict: `Dry run: ${what}` };
  }
  return withChanges;
}

/** Versions whose row says `rolled back`: applying one again replaces its row. */
function rolledBackVersions(rows: HistoryRow[]): ReadonlySet<bigint> | undefined {
  const versions = rows.filter((row) => row.status === 'rolled back').map((row) => row.version);
  return versions.length > 0 ? new Set(versions) : undefined;
}

function appliedReport(context: Context, plan: Plan, outcomes: Outcome[]): Report {
  const byVersion = new Map(outcomes.map((o) => [o.migration.version, o]));
  const entries: Entry[] = plan.entries.map((entry) => {
    const outcome = byVersion.get(entry.version);
    if (!outcome) return entry;
    const note =
      outcome.status === 'rolled back'
        ? 'rolled back with the failed migration (transaction: all)'
        : outcome.error
          ? errorNote(outcome)
          : undefined;
    return {
      ...entry,
      status: outcome.status === 'rolled back' ? 'pending' : outcome.status,
      durationMs: outcome.durationMs,
      note,
    };
  });
  const applied = outcomes.filter((o) => o.status === 'applied');
  const failed = outcomes.find((o) => o.status === 'failed');
  const total = applied.reduce((sum, o) => sum + (o.durationMs ?? 0), 0);
  const base = { ...report(context, plan, { result: 'applied', verdict: '' }), entries };
  if (!failed && context.signal?.aborted) {
    const left = outcomes.filter((o) => o.status !== 'applied').length;
    return {
      ...base,
      result: 'failed',
      verdict: `The job was cancelled: ${plural(applied.length, 'migration')} applied, ${left} not attempted.`,
    };
  }
  if (!failed) {
    return {
      ...base,
      result: 'applied',
      verdict: `Applied ${plural(applied.length, 'migration')} in ${formatDuration(total)}.`,
    };
  }
  const findings = [...plan.findings];
  if (failed.migration.noTransaction) {
    const invalid = failed.invalidIndexes ?? [];
    const indexes =
      invalid.length > 0
        ? ` It left ${plural(invalid.length, 'INVALID index', 'INVALID indexes')} (${invalid.join(', ')}): drop ${invalid.length === 1 ? 'it' : 'them'} with DROP INDEX CONCURRENTLY.`
        : '';
    findings.push({
      kind: 'failed',
      version: failed.migration.version,
      file: failed.migration.name,
      line: failed.error?.line,
      message: `${failed.migration.name} ran without a transaction and failed part-way, so the database may be half-changed: its row is recorded as failed; check the database, then run command: repair.${indexes}`,
      stops: true,
    });
  }
  const notAttempted = outcomes.filter((o) => o.status === 'not attempted').length;
  const before =
    context.settings.transaction === 'all'
      ? 'Nothing was applied (transaction: all).'
      : `${plural(applied.length, 'migration')} applied before it, ${notAttempted} not attempted.`;
  const cancelled = context.signal?.aborted ? ' The job was cancelled.' : '';
  return {
    ...base,
    findings,
    failure: failed.error && { file: failed.migration.name, ...failed.error },
    result: 'failed',
    verdict: `${failed.migration.name} failed${failed.error?.line ? ` at line ${failed.error.line}` : ''}: ${failed.error?.message ?? 'unknown error'}. ${before}${cancelled}`,
  };
}

function errorNote(outcome: Outcome): string {
  const error = outcome.error;
  if (!error) return '';
  const where = error.line ? `line ${error.line}: ` : '';
  const hint = error.hint ? ` (hint: ${error.hint})` : '';
  return `${where}${error.message}${hint}`;
}
