// command: rollback: checks every migration above to-version, then runs their down SQL newest first under the lock, and says what happened.

import type { Down, RollbackOutcome } from '../apply/rollback.js';
import { rollBack } from '../apply/rollback.js';
import { sessionSettingsSql } from '../db/session.js';
import type { VersionInput } from '../files/keys.js';
import { lockHeldCheckSql } from '../history/lock.js';
import { readHistory } from '../history/read.js';
import { statusCheckOf } from '../history/status-check.js';
import type { HistoryRow } from '../history/table.js';
import type { Finding } from '../plan/findings.js';
import { type Entry, makePlan, type Plan, shownVersion } from '../plan/plan.js';
import { type DownFacts, planRollback, type RollbackPlan } from '../plan/rollback.js';
import { formatDuration, plural, type Report } from '../report/model.js';
import type { DownCheck } from '../review/rules/down.js';
import { appliedBy } from '../runner/applied-by.js';
import { type Context, orderOf, report, stoppedReport, toVersionOf, underLock } from './context.js';

/** `to-version` of a rollback, in the folder's layout: 0 rolls back every migration. */
function targetOf(context: Context): VersionInput {
  return toVersionOf(context, '0') as VersionInput;
}

/** The plan of a rollback for `rows`, with each down SQL checked once per run. */
async function rollbackOf(
  context: Context,
  rows: HistoryRow[],
  checked: Map<bigint, DownCheck>,
): Promise<{ plan: Plan; rollback: RollbackPlan }> {
  const { settings } = context;
  // Drift and order are judged per migration to roll back (planRollback), not by on-drift.
  const plan = makePlan(context.discovery, rows, {
    onDrift: 'warn',
    allowOutOfOrder: true,
    transaction: 'per-migration',
  });
  const to = targetOf(context);
  const order = orderOf(context.discovery);
  // The parse-tree reading is in the review's lazy chunk: a deploy run never loads it.
  const { checkDownSql } = await import('../review/rules/down.js');
  // Keyed by version: a stand-in version is derived from its key alone, so it is as exact.
  for (const entry of plan.entries) {
    const down = entry.migration?.down;
    if (!down || order(entry, to) <= 0 || !entry.row || checked.has(entry.version)) continue;
    checked.set(entry.version, await checkDownSql(down));
  }
  const facts = new Map<bigint, DownFacts>(checked);
  return { plan, rollback: planRollback(plan, to, facts, settings.allowDataLoss, order) };
}

/** The plan's entries with each step's status (and duration, note) after the rollback. */
function withSteps(plan: Plan, statuses: Map<bigint, Partial<Entry>>): Plan {
  return {
    ...plan,
    entries: plan.entries.map((e) => {
      const change = statuses.get(e.version);
      return change ? { ...e, ...change } : e;
    }),
  };
}

function stopped(context: Context, plan: Plan, findings: Finding[]): Report {
  return stoppedReport(context, { ...plan, findings, stops: true });
}

/**
 * `rollback` to `to-version`: every applied migration above it, newest first, runs its down SQL
 * and its row becomes `rolled back` in the same transaction. Every check happens before anything
 * runs, and again under the lock on the history re-read there; a dry run only reports the plan.
 */
export async function rollback(context: Context): Promise<Report> {
  const { settings, db, tracking } = context;
  const toVersion = targetOf(context).label;
  const checked = new Map<bigint, DownCheck>();
  const first = await context.history;
  const { plan, rollback: planned } = await rollbackOf(context, first.rows, checked);
  if (planned.findings.length > 0) return stopped(context, plan, planned.findings);
  if (planned.steps.length === 0) {
    return report(context, plan, {
      result: 'up-to-date',
      verdict: `Nothing to roll back: no applied migration above version ${toVersion}.`,
    });
  }
  const fit = await statusCheckOf(db.client, tracking);
  if (!fit.allowed) {
    return stopped(context, plan, [
      {
        kind: 'rollback',
        message: `The tracking table ${tracking.schema}.${tracking.table} was created before the status rolled back existed, and this role does not own it: as its owner, run ${fit.sql}`,
        stops: true,
      },
    ]);
  }
  const names = planned.steps.map((s) => s.migration.name).join(', ');
  if (settings.dryRun) {
    const would = new Map(
      planned.steps.map((s) => [s.entry.version, { status: 'would roll back' as const }]),
    );
    return report(context, withSteps(plan, would), {
      result: 'pending',
      verdict: `Dry run: ${plural(planned.steps.length, 'migration')} would be rolled back to version ${toVersion}, newest first (${names}); nothing was written.`,
    });
  }

  return underLock(context, async (key) => {
    const sessionSql = sessionSettingsSql(db.serverMajor);
    if (sessionSql) await db.client.query(sessionSql);
    const locked = await readHistory(db.client, tracking);
    const now = await rollbackOf(context, locked.rows, checked);
    if (now.rollback.findings.length > 0) return stopped(context, now.plan, now.rollback.findings);
    if (now.rollback.steps.length === 0) {
      return report(context, now.plan, {
        result: 'up-to-date',
        verdict: `Nothing to roll back: no applied migration above version ${toVersion}.`,
      });
    }
    const downs: Down[] = now.rollback.steps.map((s) => {
      const check = checked.get(s.migration.version);
      return {
        migration: s.migration,
        statements: check?.statements ?? [],
        text: check?.text ?? '',
      };
    });
    const outcomes = await rollBack(db.client, downs, {
      tracking,
      appliedBy: appliedBy(),
      sessionSql,
      setupSql: (await statusCheckOf(db.client, tracking)).sql,
      lockCheckSql: lockHeldCheckSql(key),
      lockTimeout: settings.lockTimeout,
      statementTimeout: settings.statementTimeout,
      signal: context.signal,
      log: context.log,
    });
    return rolledBackReport(context, now.plan, outcomes);
  });
}

function rolledBackReport(context: Context, plan: Plan, outcomes: RollbackOutcome[]): Report {
  const toVersion = targetOf(context).label;
  const statuses = new Map<bigint, Partial<Entry>>();
  for (const o of outcomes) {
    const note = o.error
      ? `down SQL ${o.error.line ? `line ${o.error.line}: ` : ''}${o.error.message}`
      : undefined;
    statuses.set(o.migration.version, { status: o.status, durationMs: o.durationMs, note });
  }
  const done = outcomes.filter((o) => o.status === 'rolled back');
  const changes = done.map(
    (o) =>
      `rolled back ${o.migration.name} (version ${shownVersion(o.migration)}) in ${formatDuration(o.durationMs)}`,
  );
  const total = done.reduce((sum, o) => sum + (o.durationMs ?? 0), 0);
  const base = {
    ...report(context, withSteps(plan, statuses), { result: 'applied', verdict: '' }),
    changes,
  };
  const failed = outcomes.find((o) => o.status === 'failed');
  const notAttempted = outcomes.filter((o) => o.status === 'not attempted').length;
  if (!failed) {
    if (notAttempted > 0) {
      return {
        ...base,
        result: 'failed',
        verdict: `The job was cancelled: ${plural(done.length, 'migration')} rolled back, ${notAttempted} not attempted.`,
      };
    }
    return {
      ...base,
      verdict: `Rolled back ${plural(done.length, 'migration')} to version ${toVersion} in ${formatDuration(total)}.`,
    };
  }
  const down = (failed.migration as { down?: { file: string } }).down;
  const file = down?.file ?? failed.migration.name;
  const findings: Finding[] = [...base.findings];
  const half = failed.migration.down?.noTransaction === true;
  if (half) {
    findings.push({
      kind: 'failed',
      version: failed.migration.version,
      file,
      line: failed.error?.line,
      message: `The down SQL of ${failed.migration.name} ran without a transaction and failed part-way, so the database may be half rolled back: its row is recorded as failed; check the database, then run command: repair.`,
      stops: true,
    });
  }
  const still = half ? 'its row is recorded as failed' : 'it is still applied';
  return {
    ...base,
    findings,
    result: 'failed',
    failure: failed.error && { file, ...failed.error },
    verdict: `The down SQL of ${failed.migration.name} failed${failed.error?.line ? ` at line ${failed.error.line}` : ''}: ${failed.error?.message ?? 'unknown error'}. ${plural(done.length, 'migration')} rolled back before it, ${notAttempted} not attempted; ${still}.`,
  };
}
