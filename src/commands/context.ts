// What every command gets, and the steps they share: the checked plan, the stopped report, the work under the lock.

import type { Database } from '../db/connect.js';
import type { Discovery } from '../files/discover.js';
import { readVersionInput, type VersionInput, type VersionOrder } from '../files/keys.js';
import { byVersion } from '../files/naming.js';
import { acquireLock, isLockHeld, POOLER_MESSAGE, releaseLock } from '../history/lock.js';
import type { History } from '../history/read.js';
import type { HistoryRow, TrackingTable } from '../history/table.js';
import { checkAllowances, type FileAllowances } from '../plan/allowances.js';
import { checkFile, type FileCheck } from '../plan/checks.js';
import {
  appliedCount,
  makePlan,
  type Plan,
  resultOfStoppedPlan,
  withFindings,
} from '../plan/plan.js';
import { limitToVersion } from '../plan/target.js';
import { plural, type Report } from '../report/model.js';
import type { Settings } from '../runner/inputs.js';
import type { Adoption } from './import.js';

/** What every command gets: the checked settings, the open database and the files read. */
export interface Context {
  settings: Settings;
  db: Database;
  discovery: Discovery;
  tracking: TrackingTable;
  /** The history as first read, without the lock (started as soon as the connection opened). */
  history: Promise<History>;
  log: (message: string) => void;
  /** Aborted when the job is cancelled (SIGINT, SIGTERM). */
  signal?: AbortSignal;
  /** Asks the server to cancel the statement the connection is running. */
  cancelRunning?: () => void;
  /** Says a warning to the person reading the run (an annotation on Actions). */
  warn: (message: string) => void;
  /** The import of another tool's history into an empty tracking table (`import-history`). */
  adoption?: Adoption;
  /** Files already checked in this run, by version: a fleet checks each file once for all targets. */
  checked?: ReadonlyMap<bigint, PendingCheck>;
}

/** `3 migrations applied` (and the versions a baseline covers): what the history holds. */
export function appliedWords(plan: Plan): string {
  const { applied, baseline } = appliedCount(plan.entries);
  const covered =
    baseline > 0 ? ` (and ${plural(baseline, 'version')} covered by the baseline)` : '';
  return `${plural(applied, 'migration')} applied${covered}`;
}

/** The report of a run that stopped on its findings before writing anything. */
export function stoppedReport(context: Context, plan: Plan): Report {
  const stopping = plan.findings.filter((f) => f.stops);
  const first = stopping[0]?.message ?? '';
  const others = stopping.length > 1 ? ` (and ${plural(stopping.length - 1, 'more problem')})` : '';
  return report(context, plan, {
    result: resultOfStoppedPlan(plan),
    verdict: `Stopped before writing anything: ${first}${others}`,
  });
}

/** The pre-flight check of one pending file: its statements' checks and its allow lines. */
export interface PendingCheck extends FileCheck {
  allowances?: FileAllowances;
}

/** A plan with the pre-flight check of each pending file, by version. */
export interface CheckedPlan extends Plan {
  checks: ReadonlyMap<bigint, PendingCheck>;
}

/**
 * The plan for the history read, with the findings of checking every pending file. A file is
 * checked once per run: the plan made under the lock reuses the checks of the first plan.
 */
export async function planOf(
  context: Context,
  rows: HistoryRow[],
  { underLock, checked }: { underLock: boolean; checked?: ReadonlyMap<bigint, PendingCheck> },
): Promise<CheckedPlan> {
  const { settings } = context;
  // A `running` row is a no-transaction migration in progress only while another run holds the
  // lock; otherwise its run was killed and it counts as failed.
  const runningIsLive =
    !underLock &&
    rows.some((row) => row.status === 'running') &&
    (await isLockHeld(context.db.client, context.tracking));
  const made = makePlan(context.discovery, rows, {
    onDrift: settings.onDrift,
    allowOutOfOrder: settings.allowOutOfOrder,
    transaction: settings.transaction,
    runningIsLive,
  });
  const to = settings.command === 'migrate' ? toVersionOf(context) : undefined;
  const plan = to
    ? limitToVersion(made, context.discovery.migrations, to, orderOf(context.discovery))
    : made;
  const checks = new Map<bigint, PendingCheck>();
  for (const migration of plan.pending) {
    let check = checked?.get(migration.version) ?? context.checked?.get(migration.version);
    if (!check) {
      const file = await checkFile(migration, context.tracking);
      const { allowances, findings } = checkAllowances(migration);
      check = { ...file, findings: [...file.findings, ...findings], allowances };
    }
    checks.set(migration.version, check);
  }
  const findings = [...checks.values()].flatMap((check) => check.findings);
  return { ...withFindings(plan, findings), checks };
}

/** The order of the folder's versions: its layout's (Flyway, popx, diesel), else by number. */
export function orderOf(discovery: Discovery): VersionOrder {
  return discovery.order ?? byVersion;
}

/** `to-version` read in the folder's layout (`1.27` for Flyway), or `fallback` when not set. */
export function toVersionOf(context: Context, fallback?: string): VersionInput | undefined {
  const text = context.settings.toVersion ?? fallback;
  if (text === undefined) return undefined;
  return readVersionInput(context.discovery.layout ?? 'plain', 'to-version', text);
}

/** A report of the plan as it stands, with the result and verdict given. */
export function report(
  context: Context,
  plan: Plan,
  fields: Pick<Report, 'result' | 'verdict'>,
): Report {
  return {
    command: context.settings.command,
    target: context.settings.target.label,
    dryRun: context.settings.dryRun,
    entries: plan.entries,
    findings: plan.findings,
    drift: plan.drift,
    changes: [],
    ...fields,
  };
}

/**
 * Runs `work` holding the migration lock, and releases it whatever happens. A lock this session
 * no longer holds at the end means statements went to other backends (a pooler): the run fails.
 */
export async function underLock(
  context: Context,
  work: (key: bigint) => Promise<Report>,
): Promise<Report> {
  const { settings, db, tracking, log } = context;
  const key = await acquireLock(
    db.client,
    tracking,
    settings.lockWaitTimeoutSeconds,
    log,
    context.signal,
  );
  let result: Report;
  try {
    result = await work(key);
  } catch (error) {
    await releaseLock(db.client, key).catch(() => undefined);
    throw error;
  }
  if (!(await releaseLock(db.client, key))) {
    return { ...result, result: 'failed', verdict: `${POOLER_MESSAGE} ${result.verdict}` };
  }
  return result;
}
