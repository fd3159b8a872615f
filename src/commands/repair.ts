// command: repair: deletes failed rows and re-records modified checksums, under the lock, in one transaction.

import { readHistory } from '../history/read.js';
import { qualifiedName } from '../history/table.js';
import type { Entry, Plan } from '../plan/plan.js';
import { plural, type Report, versionLabel } from '../report/model.js';
import { literal } from '../sql/literal.js';
import { type Context, planOf, report, stoppedReport, underLock } from './context.js';

// Findings about the files themselves: with them, which file a row belongs to is not certain.
const FILE_PROBLEMS = new Set(['duplicate', 'misnamed', 'unreadable', 'version-too-large']);

interface Change {
  entry: Entry;
  sql: string;
  sentence: string;
}

/**
 * What repair would change: `failed` rows are deleted (the migration runs again next time), and
 * the checksum and name of *modified* applied migrations are re-recorded to the current files.
 * *missing* rows are never touched: a file that is gone may be a mistake in the checkout.
 */
function changesOf(context: Context, plan: Plan): Change[] {
  const table = qualifiedName(context.tracking);
  const changes: Change[] = [];
  for (const entry of plan.entries) {
    if (entry.status === 'failed' && entry.row) {
      changes.push({
        entry,
        sql: `DELETE FROM ${table} WHERE version = ${entry.version} AND status IN ('failed', 'running');`,
        sentence: `deleted the failed row of ${entry.row.name} (version ${versionLabel(entry)}); it will run again on the next migrate`,
      });
    } else if (entry.status === 'modified' && entry.migration && entry.row) {
      const { checksum, name } = entry.migration;
      changes.push({
        entry,
        sql: `UPDATE ${table} SET checksum = ${literal(checksum)}, name = ${literal(name)} WHERE version = ${entry.version};`,
        sentence: `re-recorded the checksum of ${name} (version ${versionLabel(entry)}) from ${entry.row.checksum.slice(0, 12)} to ${checksum.slice(0, 12)}`,
      });
    }
  }
  return changes;
}

function repairedEntries(plan: Plan, changes: Change[], done: boolean): Plan {
  const changed = new Map(changes.map((c) => [c.entry, c]));
  const entries = plan.entries.map((entry): Entry => {
    if (!changed.has(entry)) return entry;
    if (entry.status === 'failed') {
      return {
        ...entry,
        status: 'pending',
        note: done ? 'failed row deleted' : 'failed row would be deleted',
      };
    }
    return {
      ...entry,
      status: done ? 'already applied' : 'modified',
      note: done ? 'checksum re-recorded' : 'checksum would be re-recorded',
    };
  });
  // Repair answers the findings it handles; the others stay.
  const handled = new Set(changes.map((c) => c.entry.version));
  const findings = plan.findings.filter(
    (f) =>
      !(
        f.version !== undefined &&
        handled.has(f.version) &&
        (f.kind === 'failed' || f.kind === 'modified')
      ),
  );
  return {
    ...plan,
    entries,
    findings,
    drift: findings.some((f) => f.kind === 'modified' || f.kind === 'missing'),
  };
}

/**
 * `repair`, after a person has looked: deletes `failed` rows and re-records the checksums of
 * modified migrations, under the migration lock, in one transaction, and lists every change.
 */
export async function repair(context: Context): Promise<Report> {
  const { settings, db, tracking } = context;
  const history = await context.history;
  const plan = await planOf(context, history.rows, { underLock: false });
  const fileProblems = plan.findings.filter((f) => FILE_PROBLEMS.has(f.kind));
  if (fileProblems.length > 0) return stoppedReport(context, { ...plan, findings: fileProblems });
  const changes = changesOf(context, plan);
  if (changes.length === 0) {
    return report(context, plan, {
      result: 'up-to-date',
      verdict: 'Nothing to repair: no failed row and no modified migration.',
    });
  }
  if (settings.dryRun) {
    return {
      ...report(context, repairedEntries(plan, changes, false), {
        result: 'pending',
        verdict: `Dry run: repair would make ${plural(changes.length, 'change')}; nothing was written.`,
      }),
      changes: changes.map((c) => `would have ${c.sentence}`),
    };
  }
  return underLock(context, async () => {
    const locked = await readHistory(db.client, tracking);
    const current = await planOf(context, locked.rows, { underLock: true, checked: plan.checks });
    const now = changesOf(context, current);
    if (now.length > 0) await db.client.query(`BEGIN;${now.map((c) => c.sql).join('')}COMMIT;`);
    return {
      ...report(context, repairedEntries(current, now, true), {
        result: now.length > 0 ? 'applied' : 'up-to-date',
        verdict:
          now.length > 0
            ? `Repaired ${plural(now.length, 'row')} of the tracking table.`
            : 'Nothing to repair: no failed row and no modified migration.',
      }),
      changes: now.map((c) => c.sentence),
    };
  });
}
