import { describe, expect, it } from 'vitest';
import { checksumOf } from '../../../src/files/content.js';
import type { Migration } from '../../../src/files/migration.js';
import type { HistoryRow, RowStatus } from '../../../src/history/table.js';
import { makePlan, type PlanOptions } from '../../../src/plan/plan.js';
import { type DownFacts, planRollback } from '../../../src/plan/rollback.js';
import { limitToVersion } from '../../../src/plan/target.js';

function migration(version: number, down?: string, noTransaction = false): Migration {
  const name = `00${version}_m.sql`;
  const sql = `SELECT ${version};\n`;
  return {
    version: BigInt(version),
    name,
    path: `/ws/${name}`,
    checksum: checksumOf(sql),
    sql,
    noTransaction,
    down: down === undefined ? undefined : { sql: down, file: name, line: 3, noTransaction },
  };
}
const row = (m: Migration, status: RowStatus = 'applied', checksum = m.checksum): HistoryRow => ({
  version: m.version,
  name: m.name,
  checksum,
  status,
});
const OPTIONS: PlanOptions = {
  onDrift: 'warn',
  allowOutOfOrder: true,
  transaction: 'per-migration',
};
/** A to-version as the runner reads it for the plain layout. */
const to = (version: bigint) => ({ version, label: String(version) });
const plan = (files: Migration[], rows: HistoryRow[], options = OPTIONS) =>
  makePlan({ migrations: files, findings: [] }, rows, options);

const m1 = migration(1);
const m2 = migration(2, 'DROP TABLE b;');
const m3 = migration(3, 'DROP INDEX c;');

describe('makePlan with rolled back rows', () => {
  it('makes a rolled back migration pending again, not out of order', () => {
    const p = plan([m1, m2, m3], [row(m1), row(m2, 'rolled back'), row(m3, 'rolled back')], {
      ...OPTIONS,
      allowOutOfOrder: false,
    });
    expect(p.pending.map((m) => m.version)).toEqual([2n, 3n]);
    expect(p.findings).toEqual([]);
    expect(p.entries.map((e) => [e.version, e.status, e.note])).toEqual([
      [1n, 'already applied', undefined],
      [2n, 'pending', 'rolled back earlier'],
      [3n, 'pending', 'rolled back earlier'],
    ]);
  });

  it('shows a rolled back row whose file is gone as rolled back, not missing', () => {
    const p = plan([m1], [row(m1), row(m2, 'rolled back')], { ...OPTIONS, onDrift: 'fail' });
    expect(p.stops).toBe(false);
    expect(p.entries.map((e) => e.status)).toEqual(['already applied', 'rolled back']);
  });
});

describe('planRollback', () => {
  const none = new Map<bigint, DownFacts>();

  it('rolls back the applied migrations above to-version, newest first', () => {
    const r = planRollback(plan([m1, m2, m3], [row(m1), row(m2), row(m3)]), to(1n), none, false);
    expect(r.findings).toEqual([]);
    expect(r.steps.map((s) => s.migration.version)).toEqual([3n, 2n]);
  });

  it('refuses a migration without down SQL, a changed file and a missing file, naming each', () => {
    const m4 = migration(4, 'SELECT 1;');
    const r = planRollback(
      plan([m1, m2, m4], [row(m1), row(m2, 'applied', 'old'), row(m3), row(m4)]),
      to(0n),
      none,
      false,
    );
    expect(r.findings.map((f) => [f.kind, f.file])).toEqual([
      ['rollback', '003_m.sql'],
      ['rollback', '002_m.sql'],
      ['rollback', '001_m.sql'],
    ]);
    expect(r.findings[0]?.message).toContain('its file is missing');
    expect(r.findings[1]?.message).toContain('was changed after it was applied');
    expect(r.findings[2]?.message).toBe(
      '001_m.sql has no down SQL: add a -- migrate:down section that undoes it, or roll back to version 1 or above.',
    );
    expect(r.findings.every((f) => f.stops)).toBe(true);
  });

  it('refuses data loss unless allowed, and transaction control always', () => {
    const facts = new Map<bigint, DownFacts>([
      [2n, { losses: [{ line: 4, what: 'DROP TABLE b' }], transactionControl: [] }],
      [3n, { losses: [], transactionControl: [{ keyword: 'COMMIT', line: 5 }] }],
    ]);
    const p = plan([m1, m2, m3], [row(m1), row(m2), row(m3)]);
    const refused = planRollback(p, to(1n), facts, false);
    expect(refused.findings.map((f) => [f.file, f.line])).toEqual([
      ['003_m.sql', 5],
      ['002_m.sql', 4],
    ]);
    expect(refused.findings[1]?.message).toBe(
      '002_m.sql line 4: the down SQL of 002_m.sql loses data (DROP TABLE b): set allow-data-loss: true if that is intended.',
    );
    const allowed = planRollback(p, to(1n), facts, true);
    expect(allowed.findings.map((f) => f.line)).toEqual([5]);
  });

  it('refuses while a failed row exists anywhere', () => {
    const r = planRollback(
      plan([m1, m2, m3], [row(m1, 'failed'), row(m2), row(m3)]),
      to(1n),
      none,
      false,
    );
    expect(r.findings.map((f) => f.kind)).toEqual(['failed']);
  });

  it('has nothing to do at or above the highest applied version, or for rolled back rows', () => {
    const p = plan([m1, m2, m3], [row(m1), row(m2), row(m3, 'rolled back')]);
    expect(planRollback(p, to(2n), none, false).steps).toEqual([]);
    expect(planRollback(p, to(1n), none, false).steps.map((s) => s.migration.version)).toEqual([
      2n,
    ]);
  });
});

describe('limitToVersion', () => {
  it('keeps pending migrations above to-version pending, with a note', () => {
    const p = limitToVersion(plan([m1, m2, m3], []), [m1, m2, m3], to(2n));
    expect(p.pending.map((m) => m.version)).toEqual([1n, 2n]);
    expect(p.entries.map((e) => [e.version, e.status, e.note])).toEqual([
      [1n, 'pending', undefined],
      [2n, 'pending', undefined],
      [3n, 'pending', 'above to-version 2'],
    ]);
  });

  it('stops on a version no file has', () => {
    const p = limitToVersion(plan([m1, m3], []), [m1, m3], to(2n));
    expect(p.stops).toBe(true);
    expect(p.findings.map((f) => f.message)).toEqual([
      'to-version is 2, but no migration file has that version (the highest is 3): set to-version to the version of a file.',
    ]);
  });
});
