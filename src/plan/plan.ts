// The plan: which migrations are applied, pending or drifted, decided from files and history. Pure.

import type { Discovery } from '../files/discover.js';
import type { VersionOrder } from '../files/keys.js';
import type { Migration } from '../files/migration.js';
import { byVersion, keyOf } from '../files/naming.js';
import type { HistoryRow } from '../history/table.js';
import { type Finding, isDrift } from './findings.js';

/** A row of the status table; the words are the summary's words. */
export type Status =
  | 'applied'
  | 'already applied'
  | 'baseline'
  | 'would apply'
  | 'rehearsed'
  | 'not rehearsed'
  | 'pending'
  | 'modified'
  | 'missing'
  | 'out of order'
  | 'failed'
  | 'not attempted'
  | 'rolled back'
  | 'would roll back';

export interface Entry {
  /** The tracking table's version: a stand-in (negative) when `key` is set. */
  version: bigint;
  /** The exact version when `version` is a stand-in (Flyway's `1.7`): the file's or the row's. */
  key?: string;
  name: string;
  status: Status;
  /** The file's checksum, or the recorded one when the file is missing. */
  checksum: string;
  migration?: Migration;
  row?: HistoryRow;
  durationMs?: number;
  note?: string;
}

export interface Plan {
  /** Every file and every row, by version. */
  entries: Entry[];
  findings: Finding[];
  /** What a run would apply, in order. */
  pending: Migration[];
  /** A finding stops the run: nothing may be written. */
  stops: boolean;
  /** A *modified* or *missing* migration exists, even under `on-drift: warn`. */
  drift: boolean;
}

export interface PlanOptions {
  onDrift: 'fail' | 'warn';
  allowOutOfOrder: boolean;
  transaction: 'per-migration' | 'all';
  /** Another run holds the lock: a `running` row is in progress, not failed. */
  runningIsLive?: boolean;
}

/**
 * Decides, from the files and the recorded history alone, what is applied, what is pending and
 * what is wrong. Pure: the same inputs always give the same plan, so the run can recompute it
 * after taking the lock and re-reading the history.
 */
export function makePlan(discovery: Discovery, history: HistoryRow[], options: PlanOptions): Plan {
  const findings: Finding[] = [...discovery.findings];
  // The layout's order (Flyway's parts, diesel's text), else plain numbers compared directly.
  const order: VersionOrder = discovery.order ?? byVersion;
  const files = inOrder(discovery.migrations, order);
  const rows = inOrder(history, order);
  // A `rolled back` row is pending again: it does not count as recorded.
  const highestRecorded = rows.findLast((row) => row.status !== 'rolled back');
  const entries: Entry[] = [];
  const pending: Migration[] = [];

  // One merge of two lists in the layout's order: thousands of migrations cost no lookups or
  // sorts. Equal in that order is one version: a file matches its row by the exact key.
  let f = 0;
  let r = 0;
  while (f < files.length || r < rows.length) {
    const file = files[f];
    const row = rows[r];
    const previous = f > 0 ? files[f - 1] : undefined;
    const compared = row && file ? order(row, file) : 0;
    if (file && previous && order(previous, file) === 0) {
      f++; // a duplicate version, already a finding: the first file stands for it
    } else if (row && (!file || compared <= 0)) {
      const match = file && compared === 0 ? file : undefined;
      if (row.status === 'rolled back' && match) {
        // Rolled back: pending again, and applying it replaces its row.
        const entry = pendingEntry(match, highestRecorded, options, findings, order);
        entries.push({ ...entry, note: entry.note ?? 'rolled back earlier' });
        pending.push(match);
        r++;
        f++;
        continue;
      }
      entries.push(recordedEntry(row, match, options, findings));
      r++;
      if (match) f++;
    } else if (file) {
      entries.push(pendingEntry(file, highestRecorded, options, findings, order));
      pending.push(file);
      f++;
    }
  }
  return {
    entries,
    findings,
    pending,
    stops: findings.some((finding) => finding.stops),
    drift: findings.some(isDrift),
  };
}

/** The list itself when already in order (as read), else a sorted copy. */
function inOrder<T extends { version: bigint; key?: string }>(list: T[], order: VersionOrder): T[] {
  for (let i = 1; i < list.length; i++) {
    if (order(list[i - 1] as T, list[i] as T) > 0) return [...list].sort(order);
  }
  return list;
}

/** A version as sentences show it: the file's own label, a row's exact key, else the number. */
export function shownVersion(item: { version: bigint; key?: string; label?: string }): string {
  return item.label ?? keyOf(item);
}

function pendingEntry(
  migration: Migration,
  highestRecorded: HistoryRow | undefined,
  options: PlanOptions,
  findings: Finding[],
  order: VersionOrder,
): Entry {
  const entry: Entry = {
    version: migration.version,
    ...(migration.key !== undefined && { key: migration.key }),
    name: migration.name,
    status: 'pending',
    checksum: migration.checksum,
    migration,
  };
  if (
    highestRecorded !== undefined &&
    order(migration, highestRecorded) < 0 &&
    !options.allowOutOfOrder
  ) {
    const highest = keyOf(highestRecorded);
    entry.status = 'out of order';
    entry.note = `lower than the highest recorded version ${highest}`;
    findings.push({
      kind: 'out-of-order',
      version: migration.version,
      file: migration.name,
      message: `${migration.name} is pending but its version is lower than the highest recorded version ${highest}: give it a higher version, or set allow-out-of-order: true.`,
      stops: true,
    });
  }
  if (migration.noTransaction && options.transaction === 'all') {
    findings.push({
      kind: 'no-transaction-in-all',
      version: migration.version,
      file: migration.name,
      message: `${migration.name} is marked -- migrate:no-transaction, which cannot run with transaction: all; use transaction: per-migration.`,
      stops: true,
    });
  }
  return entry;
}

function recordedEntry(
  row: HistoryRow,
  migration: Migration | undefined,
  options: PlanOptions,
  findings: Finding[],
): Entry {
  const driftStops = options.onDrift === 'fail';
  const key = row.key ?? migration?.key;
  const base = { version: row.version, ...(key !== undefined && { key }), row, migration };
  if (row.status === 'rolled back') {
    // Rolled back and its file gone: nothing is applied, so nothing has drifted.
    return { ...base, name: row.name, status: 'rolled back', checksum: row.checksum };
  }
  if (row.status === 'running' && options.runningIsLive) {
    const name = migration?.name ?? row.name;
    const note = 'being applied by another run (no-transaction)';
    return { ...base, name, status: 'pending', checksum: row.checksum, note };
  }
  if (row.status === 'failed' || row.status === 'running') {
    const how =
      row.status === 'failed'
        ? 'failed part-way'
        : 'was interrupted part-way (its run ended while it was running)';
    findings.push({
      kind: 'failed',
      version: row.version,
      file: row.name,
      message: `${row.name} ${how}, so the database may be half-changed: check the database, then run the action with command: repair.`,
      stops: true,
    });
    return { ...base, name: row.name, status: 'failed', checksum: row.checksum, note: how };
  }
  if (!migration) {
    findings.push({
      kind: 'missing',
      version: row.version,
      file: row.name,
      recordedChecksum: row.checksum,
      message: `${row.name} was applied but its file is missing: restore the file.`,
      stops: driftStops,
    });
    return { ...base, name: row.name, status: 'missing', checksum: row.checksum };
  }
  if (migration.checksum !== row.checksum) {
    findings.push({
      kind: 'modified',
      version: row.version,
      file: migration.name,
      recordedChecksum: row.checksum,
      currentChecksum: migration.checksum,
      message: `${migration.name} was changed after it was applied (recorded checksum ${row.checksum.slice(0, 12)}, now ${migration.checksum.slice(0, 12)}): restore the applied content and put the change in a new migration, or run command: repair if the edit is harmless.`,
      stops: driftStops,
    });
    return { ...base, name: migration.name, status: 'modified', checksum: migration.checksum };
  }
  const status = row.status === 'baseline' ? 'baseline' : 'already applied';
  return { ...base, name: migration.name, status, checksum: migration.checksum };
}

/**
 * How many of the folder's migrations the history says were applied, for "Up to date: N
 * migrations applied": rows recorded `applied` whose file is still there. A `baseline` row marks a
 * version as done without running it, and a row whose file is missing is no migration of this
 * folder; neither counts.
 */
export function appliedCount(entries: readonly Entry[]): { applied: number; baseline: number } {
  let applied = 0;
  let baseline = 0;
  for (const entry of entries) {
    if (entry.status === 'missing') continue;
    if (entry.row?.status === 'applied') applied++;
    else if (entry.row?.status === 'baseline') baseline++;
  }
  return { applied, baseline };
}

/** The plan with more findings (from parsing the pending files), `stops` recomputed. */
export function withFindings(plan: Plan, findings: Finding[]): Plan {
  if (findings.length === 0) return plan;
  const all = [...plan.findings, ...findings];
  return { ...plan, findings: all, stops: all.some((f) => f.stops) };
}

export type Result = 'up-to-date' | 'applied' | 'pending' | 'drift' | 'failed';

/** The `result` output of a run that stopped on its findings. */
export function resultOfStoppedPlan(plan: Plan): Result {
  return plan.findings.some((f) => f.stops && isDrift(f)) ? 'drift' : 'failed';
}
