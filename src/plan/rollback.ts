// What `rollback` would do: the applied migrations above to-version, newest first, and everything that refuses it. Pure.
import type { VersionInput, VersionOrder } from '../files/keys.js';
import type { DownSql, Migration } from '../files/migration.js';
import { byVersion } from '../files/naming.js';
import type { HistoryRow } from '../history/table.js';
import type { Finding } from './findings.js';
import type { Entry, Plan } from './plan.js';

/** One migration to roll back: its row, its file and its down SQL. */
export interface RollbackStep {
  entry: Entry;
  row: HistoryRow;
  migration: Migration & { down: DownSql };
}

/** What the pre-flight check of one down SQL found (see review/rules/down.ts). */
export interface DownFacts {
  losses: { line: number; what: string }[];
  transactionControl: { keyword: string; line: number }[];
  parseError?: { line: number; message: string };
}

export interface RollbackPlan {
  /** Newest first: the order they are rolled back in. */
  steps: RollbackStep[];
  /** Every reason not to start; any one of them means nothing runs. */
  findings: Finding[];
}

// Findings about the files or rows that make any rollback unsafe, wherever they are.
const ALWAYS_STOP = new Set([
  'duplicate',
  'misnamed',
  'unreadable',
  'version-too-large',
  'directive',
  'failed',
]);

/**
 * The rows above `to` in the layout's `order` that record the migration as done: those a rollback
 * undoes, newest first (the plan's entries are in that order).
 */
export function rowsToRollBack(
  plan: Plan,
  to: VersionInput,
  order: VersionOrder = byVersion,
): Entry[] {
  return plan.entries
    .filter((e) => order(e, to) > 0 && e.row && e.row.status !== 'rolled back')
    .reverse();
}

/**
 * Decides what `rollback` to `toVersion` runs, and refuses before anything runs: every migration
 * above it must have its file unchanged (the down SQL is the file's, so a changed file may undo
 * something else) and down SQL that parses, has no transaction control, and loses no data unless
 * `allowDataLoss`. A failed row anywhere stops it: the database may be half-changed.
 */
export function planRollback(
  plan: Plan,
  to: VersionInput,
  downs: ReadonlyMap<bigint, DownFacts>,
  allowDataLoss: boolean,
  order: VersionOrder = byVersion,
): RollbackPlan {
  const findings: Finding[] = plan.findings
    .filter((f) => ALWAYS_STOP.has(f.kind))
    .map((f) => ({ ...f, stops: true }));
  const steps: RollbackStep[] = [];
  const refuse = (entry: Entry, message: string, line?: number) =>
    findings.push({
      kind: 'rollback',
      version: entry.version,
      file: entry.migration?.name ?? entry.name,
      line,
      message,
      stops: true,
    });
  for (const entry of rowsToRollBack(plan, to, order)) {
    const { migration, row } = entry;
    if (!row || entry.status === 'failed') continue; // a finding of its own already
    if (!migration) {
      refuse(
        entry,
        `${entry.name} cannot be rolled back: its file is missing, so its down SQL is unknown; restore the file.`,
      );
      continue;
    }
    if (migration.checksum !== row.checksum) {
      refuse(
        entry,
        `${migration.name} cannot be rolled back: it was changed after it was applied (recorded checksum ${row.checksum.slice(0, 12)}, now ${migration.checksum.slice(0, 12)}), so its down SQL may not undo what ran; restore the applied content.`,
      );
      continue;
    }
    const down = migration.down;
    if (!down) {
      refuse(
        entry,
        `${migration.name} has no down SQL: add a -- migrate:down section that undoes it, or roll back to version ${migration.label ?? migration.key ?? migration.version} or above.`,
      );
      continue;
    }
    const facts = downs.get(migration.version);
    for (const control of facts?.transactionControl ?? []) {
      refuse(
        entry,
        `${down.file} line ${control.line}: ${control.keyword} is not allowed in down SQL, because the action owns the transaction; remove it.`,
        control.line,
      );
    }
    if (facts?.parseError) {
      const { line, message } = facts.parseError;
      refuse(
        entry,
        `${down.file} line ${line}: the down SQL does not parse (${message}); fix it before rolling back.`,
        line,
      );
    }
    if (!allowDataLoss) {
      for (const loss of facts?.losses ?? []) {
        refuse(
          entry,
          `${down.file} line ${loss.line}: the down SQL of ${migration.name} loses data (${loss.what}): set allow-data-loss: true if that is intended.`,
          loss.line,
        );
      }
    }
    steps.push({ entry, row, migration: migration as RollbackStep['migration'] });
  }
  return { steps, findings };
}
