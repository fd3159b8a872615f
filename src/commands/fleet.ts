// A fleet run: the targets, every target checked read-only before any is written, then the waves; each target runs the single-database command.
import pg from 'pg';
import { cancelRunning } from '../db/cancel.js';
import { connect, type Database } from '../db/connect.js';
import { ConfigurationError, messageOf } from '../errors.js';
import type { Discovery } from '../files/discover.js';
import { readFolder } from '../files/folder.js';
import type { TargetKind, TargetResult } from '../fleet/report.js';
import { CheckSessions } from '../fleet/sessions.js';
import { inShard } from '../fleet/shard.js';
import { type FleetTarget, maskSecrets, schemaTargets, targetsOnServer } from '../fleet/targets.js';
import { runWaves } from '../fleet/waves.js';
import { readHistory } from '../history/read.js';
import {
  appliedVersions,
  pendingVersions,
  plural,
  type Report,
  versionLabel,
} from '../report/model.js';
import type { FleetSettings, Settings } from '../runner/inputs.js';
import { type Context, type PendingCheck, planOf, stoppedReport } from './context.js';
import { dryRun } from './dry-run.js';
import { migrate } from './migrate.js';
import { validate } from './validate.js';

export interface FleetHooks {
  /** A line of progress; the fleet prefixes it with the target's name. */
  log: (message: string) => void;
  warn: (message: string) => void;
  /**
   * Called once per target when its result is final, with the single-database report when the
   * target got that far (not for one that could not be reached or never started).
   */
  onTarget: (result: TargetResult, report?: Report) => void;
  /** Aborted when the job is cancelled: nothing new starts, running statements are cancelled. */
  signal: AbortSignal;
}

export interface FleetRun {
  kind: TargetKind;
  /** One result per target of this shard, in the targets' order. */
  results: TargetResult[];
  /** The targets that stopped the check, when the fleet stopped before writing anything. */
  stoppedBy: string[];
}

/** What the check found for a target that has work left: kept small, one per target. */
interface Pending {
  target: FleetTarget;
  pending: string[];
  version?: string;
}

const NOT_PENDING_STATUSES = new Set(['applied', 'already applied', 'baseline']);

/**
 * The highest version applied after the run, as its label. The entries are in the layout's order
 * (Flyway's `1.27` after `1.7`), so the last one applied is the highest.
 */
function versionOf(report: Report): string | undefined {
  const highest = report.entries.findLast((entry) => NOT_PENDING_STATUSES.has(entry.status));
  return (
    highest && (highest.key === undefined ? highest.version.toString() : versionLabel(highest))
  );
}

/** A target's line in the fleet report, from its single-database report. */
export function targetResult(name: string, report: Report): TargetResult {
  const problem = report.result === 'failed' || report.result === 'drift';
  const detail = problem
    ? [
        ...report.findings.filter((f) => f.stops).map((f) => f.message),
        ...(report.failure
          ? [
              `${report.failure.file}${report.failure.line ? ` line ${report.failure.line}` : ''}: ${report.failure.message}`,
            ]
          : []),
      ]
    : [];
  return {
    name,
    result: report.result,
    applied: appliedVersions(report.entries),
    pending: pendingVersions(report.entries),
    version: versionOf(report),
    ...(problem && { error: report.verdict }),
    ...(detail.length > 0 && { detail }),
  };
}

/** Runs the query of `databases-query` or `schemas-query` in a read-only transaction. */
async function namesFromQuery(
  settings: Settings,
  kind: 'databases-query' | 'schemas-query',
  query: string,
  log: (message: string) => void,
): Promise<(string | null)[]> {
  const db = await connect(settings.target, settings.connectTimeoutSeconds, log);
  try {
    await db.client.query('BEGIN TRANSACTION READ ONLY');
    let result: pg.QueryResult | pg.QueryResult[];
    try {
      result = await db.client.query({ text: query, rowMode: 'array' });
    } catch (error) {
      if (error instanceof pg.DatabaseError) {
        throw new ConfigurationError(`Input ${kind} failed on the server: ${error.message}.`);
      }
      throw error;
    }
    if (Array.isArray(result) || result.fields.length !== 1) {
      throw new ConfigurationError(
        `Input ${kind} must be one SELECT that returns one column of names, but it returned ${Array.isArray(result) ? `${result.length} results` : plural(result.fields.length, 'column')}.`,
      );
    }
    return result.rows.map((row: unknown[]) => (row[0] == null ? null : String(row[0])));
  } finally {
    await db.client.end().catch(() => undefined);
  }
}

/** Every target of the fleet, before the shard takes its share. */
async function allTargets(
  settings: Settings,
  fleet: FleetSettings,
  log: (message: string) => void,
): Promise<FleetTarget[]> {
  const { source } = fleet;
  if (source.kind === 'list') return fleet.targets ?? [];
  const names = await namesFromQuery(settings, source.kind, source.query, log);
  const targets =
    source.kind === 'databases-query'
      ? targetsOnServer(source.databaseUrl, names)
      : schemaTargets(source.databaseUrl, names);
  if (targets.length === 0) {
    const what = source.kind === 'databases-query' ? 'database' : 'schema';
    throw new ConfigurationError(
      `Input ${source.kind} returned no ${what} names, so there is no target to migrate: check the query.`,
    );
  }
  return targets;
}

/**
 * Runs the command on every target of this job's shard. Every target is checked first, read
 * only and at most `concurrency` at a time; if any cannot be reached or has a finding that stops
 * a run, nothing is written anywhere. Then the targets with work left run in waves (the canaries
 * alone first), each exactly as a single database: its own connection, lock, history and
 * transactions. The migration files are read once for all.
 */
export async function runFleet(settings: Settings, hooks: FleetHooks): Promise<FleetRun> {
  const fleet = settings.fleet;
  if (!fleet) throw new Error('runFleet: the settings name no fleet.');
  if (settings.command === 'baseline' || settings.command === 'repair') {
    throw new ConfigurationError(
      `command: ${settings.command} works on one database at a time: give it database-url, not database-urls, databases-query or schemas-query.`,
    );
  }
  const kind: TargetKind = fleet.source.kind === 'schemas-query' ? 'schema' : 'database';
  // The files are read once for the whole fleet, in the folder's layout.
  const reading = readFolder(settings.migrationsDir, {
    layout: settings.layout,
    skipGo: settings.skipGoMigrations,
  });
  reading.catch(() => undefined);
  const every = await allTargets(settings, fleet, hooks.log);
  const discovery = await reading;
  const { shard } = fleet;
  const targets = shard ? every.filter((t) => inShard(t.name, shard)) : every;
  if (shard) {
    hooks.log(
      `Shard ${shard.index}/${shard.count}: ${plural(targets.length, kind)} of ${every.length}.`,
    );
  }

  // The open connections of the targets in flight: a cancelled job cancels each one's statement.
  const inFlight = new Set<{ target: FleetTarget; db: Database }>();
  const onAbort = () => {
    for (const { target, db } of inFlight) void cancelRunning(target.target, db.client);
  };
  hooks.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await checkThenRun(settings, fleet, discovery, targets, kind, hooks, inFlight);
  } finally {
    hooks.signal.removeEventListener('abort', onAbort);
  }
}

async function checkThenRun(
  settings: Settings,
  fleet: FleetSettings,
  discovery: Discovery,
  targets: FleetTarget[],
  kind: TargetKind,
  hooks: FleetHooks,
  inFlight: Set<{ target: FleetTarget; db: Database }>,
): Promise<FleetRun> {
  const checked = new Map<bigint, PendingCheck>();
  /**
   * Opens a target's connection (or takes a check session) and runs `work` with its context;
   * closes it (or gives the session back) whatever happens.
   */
  const withTarget = async <T>(
    target: FleetTarget,
    work: (c: Context) => Promise<T>,
    sessions?: CheckSessions,
  ) => {
    const targetSettings: Settings = {
      ...settings,
      target: target.target,
      schema: target.schema ?? settings.schema,
      fleet: undefined,
    };
    const log = (message: string) => hooks.log(`${target.name}: ${message}`);
    const db = sessions
      ? await sessions.take(target.target, log)
      : await connect(target.target, settings.connectTimeoutSeconds, log);
    const entry = { target, db };
    inFlight.add(entry);
    let clean = false;
    try {
      const tracking = { schema: targetSettings.schema, table: settings.table };
      const history = readHistory(db.client, tracking);
      history.catch(() => undefined);
      const value = await work({
        settings: targetSettings,
        db,
        discovery,
        tracking,
        history,
        log,
        warn: (message) => hooks.warn(`${target.name}: ${message}`),
        signal: hooks.signal,
        cancelRunning: () => void cancelRunning(target.target, db.client),
        checked,
      });
      clean = true;
      return value;
    } finally {
      inFlight.delete(entry);
      if (sessions) await sessions.release(db, clean);
      else await db.client.end().catch(() => undefined);
    }
  };
  const failure = (target: FleetTarget, error: unknown, pending: string[] = []) => ({
    name: target.name,
    result: 'failed' as const,
    applied: [],
    pending,
    error: maskSecrets(messageOf(error), target.secrets),
  });

  // 1. Check: read only. A target is final here unless it has migrations to write.
  const results = new Map<string, TargetResult>();
  const toRun: Pending[] = [];
  const final = (result: TargetResult, report?: Report) => {
    results.set(result.name, result);
    hooks.onTarget(result, report);
  };
  // Schema targets share one database: their checks reuse up to `concurrency` sessions.
  const sessions =
    kind === 'schema' ? new CheckSessions(settings.connectTimeoutSeconds) : undefined;
  const checks = await runWaves(
    targets,
    (target) =>
      withTarget(
        target,
        async (context) => {
          if (settings.command === 'validate') {
            const report = await validate(context);
            return final(targetResult(target.name, report), report);
          }
          const plan = await planOf(context, (await context.history).rows, { underLock: false });
          for (const [version, check] of plan.checks) checked.set(version, check);
          if (plan.stops) {
            const report = stoppedReport(context, plan);
            return final(targetResult(target.name, report), report);
          }
          if (plan.pending.length > 0 && !(settings.dryRun && !settings.rehearse)) {
            // What would be applied, from the plan: without the safety review, whose queries and
            // parsing a run that writes does not use.
            const quiet = {
              ...context.settings,
              dryRun: true,
              rehearse: false,
              safety: 'off' as const,
            };
            const report = await dryRun({ ...context, settings: quiet }, plan);
            const result = targetResult(target.name, report);
            toRun.push({ target, pending: result.pending, version: result.version });
            return;
          }
          // Nothing to write: the single-database answer is the final one (a dry run, up to date).
          const report = await migrate(context);
          return final(targetResult(target.name, report), report);
        },
        sessions,
      ),
    {
      concurrency: fleet.concurrency,
      canary: 0,
      onTargetFailure: 'continue',
      signal: hooks.signal,
    },
  ).finally(() => sessions?.close());
  for (const outcome of checks) {
    if (outcome.status === 'failed') final(failure(outcome.target, outcome.error));
    else if (outcome.status === 'not started') {
      final({
        name: outcome.target.name,
        result: 'not started',
        applied: [],
        pending: [],
        error: outcome.reason,
      });
    }
  }

  const stoppedBy = targets
    .map((t) => results.get(t.name))
    .filter((r) => r?.result === 'failed' || r?.result === 'drift')
    .map((r) => r?.name as string);
  const cancelled = hooks.signal.aborted;
  // 2. Write: only when no target stopped the check (a dry run writes nothing, so its rehearsals run).
  if ((stoppedBy.length > 0 || cancelled) && !settings.dryRun) {
    const reason = cancelled
      ? 'the job was cancelled'
      : `nothing was written anywhere because the check stopped on ${plural(stoppedBy.length, kind)} (${stoppedBy.slice(0, 5).join(', ')}${stoppedBy.length > 5 ? ', …' : ''})`;
    for (const { target, pending, version } of toRun) {
      final({
        name: target.name,
        result: 'not started',
        applied: [],
        pending,
        version,
        error: reason,
      });
    }
  } else {
    // The checks finish in any order; the canaries and waves follow the targets' own order.
    const order = new Map(targets.map((t, i) => [t.name, i]));
    toRun.sort((a, b) => (order.get(a.target.name) ?? 0) - (order.get(b.target.name) ?? 0));
    const byName = new Map(toRun.map((p) => [p.target.name, p]));
    const outcomes = await runWaves(
      toRun.map((p) => p.target),
      (target) =>
        withTarget(target, async (context) => {
          const report = await migrate(context);
          const result = targetResult(target.name, report);
          final(result, report);
          return result;
        }),
      {
        concurrency: fleet.concurrency,
        canary: settings.dryRun ? 0 : fleet.canary,
        onTargetFailure: settings.dryRun ? 'continue' : fleet.onTargetFailure,
        signal: hooks.signal,
        isFailure: (result) => result.result === 'failed' || result.result === 'drift',
      },
    );
    for (const outcome of outcomes) {
      const known = byName.get(outcome.target.name);
      if (outcome.status === 'failed' && outcome.error !== undefined) {
        final(failure(outcome.target, outcome.error, known?.pending));
      } else if (outcome.status === 'not started') {
        final({
          name: outcome.target.name,
          result: 'not started',
          applied: [],
          pending: known?.pending ?? [],
          version: known?.version,
          error: outcome.reason,
        });
      }
    }
  }
  return {
    kind,
    stoppedBy,
    results: targets.map(
      (t) =>
        results.get(t.name) ?? {
          name: t.name,
          result: 'not started',
          applied: [],
          pending: [],
          error: 'the run ended before it started',
        },
    ),
  };
}
