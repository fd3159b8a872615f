import { describe, expect, it } from 'vitest';
import { checksumOf } from '../../../src/files/content.js';
import type { Discovery } from '../../../src/files/discover.js';
import { readVersionInput, versionOfKey, versionOrder } from '../../../src/files/keys.js';
import type { LayoutId } from '../../../src/files/layouts/index.js';
import type { Migration } from '../../../src/files/migration.js';
import type { HistoryRow } from '../../../src/history/table.js';
import { makePlan, type PlanOptions } from '../../../src/plan/plan.js';
import { rowsToRollBack } from '../../../src/plan/rollback.js';
import { limitToVersion } from '../../../src/plan/target.js';

// The plan in the order of a layout whose versions are not plain numbers: Flyway's dotted parts,
// popx's 20 digits, diesel's text. Identity is the key, whatever stand-in the table holds.

function file(layout: LayoutId, label: string, key: string): Migration {
  const sql = `SELECT '${label}';\n`;
  const name = layout === 'flyway' ? `V${label}__m.sql` : `${label}_m.up.sql`;
  return {
    ...versionOfKey(key),
    label,
    name,
    path: `/ws/${name}`,
    checksum: checksumOf(sql),
    sql,
    noTransaction: false,
    layout,
  };
}
const flyway = (label: string) => file('flyway', label, label);
const row = (m: Migration, status: HistoryRow['status'] = 'applied'): HistoryRow => ({
  version: m.version,
  ...(m.key !== undefined && { key: m.key }),
  name: m.name,
  checksum: m.checksum,
  status,
});
const OPTIONS: PlanOptions = {
  onDrift: 'fail',
  allowOutOfOrder: false,
  transaction: 'per-migration',
};
function discovery(layout: LayoutId, migrations: Migration[]): Discovery {
  return { migrations, findings: [], layout, order: versionOrder(layout) };
}
/** Rows as PostgreSQL returns them: ORDER BY version, so every stand-in (negative) first. */
const byTableVersion = (rows: HistoryRow[]) =>
  [...rows].sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));

describe('makePlan in Flyway order', () => {
  const [v1, v1_1, v1_7, v1_27, v2_0_3] = ['1', '1.1', '1.7', '1.27', '2.0.3'].map(flyway) as [
    Migration,
    Migration,
    Migration,
    Migration,
    Migration,
  ];

  it('lists files part by part: 1 < 1.1 < 1.7 < 1.27 < 2.0.3, whatever their stand-ins', () => {
    const plan = makePlan(discovery('flyway', [v2_0_3, v1_27, v1, v1_7, v1_1]), [], OPTIONS);
    expect(plan.pending.map((m) => m.label)).toEqual(['1', '1.1', '1.7', '1.27', '2.0.3']);
    expect(plan.entries.map((e) => e.key)).toEqual([undefined, '1.1', '1.7', '1.27', '2.0.3']);
  });

  it('matches rows to files by key, with the rows in the table’s order of stand-ins', () => {
    const rows = byTableVersion([row(v1), row(v1_1), row(v1_7), row(v1_27)]);
    const plan = makePlan(discovery('flyway', [v1, v1_1, v1_7, v1_27, v2_0_3]), rows, OPTIONS);
    expect(plan.findings).toEqual([]);
    expect(plan.entries.map((e) => [e.key ?? String(e.version), e.status])).toEqual([
      ['1', 'already applied'],
      ['1.1', 'already applied'],
      ['1.7', 'already applied'],
      ['1.27', 'already applied'],
      ['2.0.3', 'pending'],
    ]);
  });

  it('finds a new 1.8 after 1.27 was applied out of order, naming 1.27', () => {
    const v1_8 = flyway('1.8');
    const rows = byTableVersion([row(v1), row(v1_7), row(v1_27)]);
    const plan = makePlan(discovery('flyway', [v1, v1_7, v1_8, v1_27]), rows, OPTIONS);
    expect(plan.findings.map((f) => f.message)).toEqual([
      'V1.8__m.sql is pending but its version is lower than the highest recorded version 1.27: give it a higher version, or set allow-out-of-order: true.',
    ]);
    expect(plan.entries.find((e) => e.migration === v1_8)?.status).toBe('out of order');
  });

  it('shows a row whose file is gone as missing, under its key', () => {
    const plan = makePlan(discovery('flyway', [v1]), [row(v1), row(v1_7)], OPTIONS);
    const missing = plan.entries.find((e) => e.status === 'missing');
    expect(missing?.key).toBe('1.7');
    expect(missing?.name).toBe('V1.7__m.sql');
  });

  it('stops at to-version 1.27 read with Flyway’s key, and rolls back above it newest first', () => {
    const files = [v1, v1_1, v1_7, v1_27, v2_0_3];
    const order = versionOrder('flyway');
    const to = readVersionInput('flyway', 'to-version', '1.27');
    const plan = limitToVersion(
      makePlan(discovery('flyway', files), [], OPTIONS),
      files,
      to,
      order,
    );
    expect(plan.pending.map((m) => m.label)).toEqual(['1', '1.1', '1.7', '1.27']);
    expect(plan.entries.at(-1)?.note).toBe('above to-version 1.27');

    const applied = makePlan(
      discovery('flyway', files),
      files.map((m) => row(m)),
      OPTIONS,
    );
    const back = rowsToRollBack(applied, readVersionInput('flyway', 'to-version', '1.7'), order);
    expect(back.map((e) => e.key)).toEqual(['2.0.3', '1.27']);
  });

  it('says a to-version no file has with the label of the highest file', () => {
    const files = [v1, v1_27, v2_0_3];
    const to = readVersionInput('flyway', 'to-version', '1.8');
    const plan = limitToVersion(
      makePlan(discovery('flyway', files), [], OPTIONS),
      files,
      to,
      versionOrder('flyway'),
    );
    expect(plan.findings.map((f) => f.message)).toEqual([
      'to-version is 1.8, but no migration file has that version (the highest is 2.0.3): set to-version to the version of a file.',
    ]);
  });
});

describe('makePlan in popx and diesel order', () => {
  it('orders popx 20-digit versions beyond bigint after those that fit', () => {
    const big = file('popx', '20210410175418000000', '20210410175418000000');
    const bigger = file('popx', '20220101000000000000', '20220101000000000000');
    const small = file('popx', '9', '9');
    const rows = byTableVersion([row(small), row(bigger)]);
    const plan = makePlan(discovery('popx', [bigger, big, small]), rows, OPTIONS);
    expect(plan.entries.map((e) => [e.migration?.label, e.status])).toEqual([
      ['9', 'already applied'],
      ['20210410175418000000', 'out of order'],
      ['20220101000000000000', 'already applied'],
    ]);
  });

  it('orders a diesel folder mixing 14- and 18-digit versions as text, as diesel does', () => {
    const long = file('diesel', '202402121202030000', '202402121202030000');
    const short = file('diesel', '20240301000000', '20240301000000');
    expect(long.key).toBeUndefined();
    const plan = makePlan(discovery('diesel', [short, long]), [row(long)], OPTIONS);
    expect(plan.findings).toEqual([]);
    expect(plan.entries.map((e) => [e.version, e.status])).toEqual([
      [202402121202030000n, 'already applied'],
      [20240301000000n, 'pending'],
    ]);
  });
});
