import { describe, expect, it } from 'vitest';
import { checksumOf } from '../../../src/files/content.js';
import type { Discovery } from '../../../src/files/discover.js';
import type { Migration } from '../../../src/files/migration.js';
import type { HistoryRow, RowStatus } from '../../../src/history/table.js';
import type { Finding } from '../../../src/plan/findings.js';
import {
  makePlan,
  type Plan,
  type PlanOptions,
  resultOfStoppedPlan,
  withFindings,
} from '../../../src/plan/plan.js';

function migration(
  name: string,
  sql = `-- ${name}\nSELECT 1;\n`,
  noTransaction = false,
): Migration {
  const version = BigInt(/^\d+/.exec(name)?.[0] ?? 'x');
  return {
    version,
    name,
    path: `/ws/migrations/${name}`,
    checksum: checksumOf(sql),
    sql,
    noTransaction,
  };
}

function row(m: Migration, status: RowStatus = 'applied', checksum = m.checksum): HistoryRow {
  return { version: m.version, name: m.name, checksum, status };
}

const FAIL: PlanOptions = { onDrift: 'fail', allowOutOfOrder: false, transaction: 'per-migration' };
const discovery = (migrations: Migration[], findings: Finding[] = []): Discovery => ({
  migrations,
  findings,
});
const statuses = (plan: Plan) => plan.entries.map((e) => [e.version, e.status]);

const m1 = migration('001_one.sql');
const m2 = migration('002_two.sql');
const m3 = migration('003_three.sql');

describe('makePlan', () => {
  it('has nothing pending and no findings when every file is applied', () => {
    const plan = makePlan(discovery([m1, m2]), [row(m1), row(m2)], FAIL);
    expect(statuses(plan)).toEqual([
      [1n, 'already applied'],
      [2n, 'already applied'],
    ]);
    expect(plan).toMatchObject({ findings: [], pending: [], stops: false, drift: false });
  });

  it('makes every file pending on an empty history', () => {
    const plan = makePlan(discovery([m1, m2]), [], FAIL);
    expect(statuses(plan)).toEqual([
      [1n, 'pending'],
      [2n, 'pending'],
    ]);
    expect(plan.pending).toEqual([m1, m2]);
    expect(plan.stops).toBe(false);
  });

  it('lists pending migrations after the applied ones with their checksums', () => {
    const plan = makePlan(discovery([m1, m2, m3]), [row(m1)], FAIL);
    expect(statuses(plan)).toEqual([
      [1n, 'already applied'],
      [2n, 'pending'],
      [3n, 'pending'],
    ]);
    expect(plan.pending.map((m) => m.name)).toEqual(['002_two.sql', '003_three.sql']);
    expect(plan.entries[1]).toMatchObject({ name: '002_two.sql', checksum: m2.checksum });
  });

  it('shows a baseline row as baseline, not pending', () => {
    const plan = makePlan(discovery([m1, m2]), [row(m1, 'baseline')], FAIL);
    expect(statuses(plan)).toEqual([
      [1n, 'baseline'],
      [2n, 'pending'],
    ]);
    expect(plan.findings).toEqual([]);
  });

  it('orders pending migrations by numeric version: 2 before 10', () => {
    const m10 = migration('10_ten.sql');
    const m2b = migration('2_two.sql');
    const m9 = migration('9_nine.sql');
    // Given in name order, as a string sort would put them.
    const plan = makePlan(discovery([m10, m2b, m9]), [], FAIL);
    expect(plan.pending.map((m) => m.version)).toEqual([2n, 9n, 10n]);
    expect(plan.entries.map((e) => e.version)).toEqual([2n, 9n, 10n]);
  });

  it('reports a modified migration with both checksums, stopping under on-drift: fail', () => {
    const recorded = checksumOf('the old content\n');
    const plan = makePlan(discovery([m1, m2]), [row(m1, 'applied', recorded)], FAIL);
    expect(plan.entries[0]).toMatchObject({ status: 'modified', checksum: m1.checksum });
    expect(plan.findings).toHaveLength(1);
    expect(plan.findings[0]).toMatchObject({
      kind: 'modified',
      version: 1n,
      file: '001_one.sql',
      recordedChecksum: recorded,
      currentChecksum: m1.checksum,
      stops: true,
    });
    expect(plan.findings[0]?.message).toContain('001_one.sql');
    expect(plan).toMatchObject({ stops: true, drift: true });
  });

  it('reports a missing migration with the recorded checksum', () => {
    const plan = makePlan(discovery([m2]), [row(m1), row(m2)], FAIL);
    expect(plan.entries[0]).toMatchObject({
      version: 1n,
      name: '001_one.sql',
      status: 'missing',
      checksum: m1.checksum,
    });
    expect(plan.findings).toHaveLength(1);
    expect(plan.findings[0]).toMatchObject({
      kind: 'missing',
      file: '001_one.sql',
      recordedChecksum: m1.checksum,
      stops: true,
    });
    expect(plan).toMatchObject({ stops: true, drift: true });
  });

  it('with on-drift: warn, drift does not stop the run but drift is still true', () => {
    const warn: PlanOptions = { ...FAIL, onDrift: 'warn' };
    const changed = row(m2, 'applied', checksumOf('old\n'));
    const plan = makePlan(discovery([m2, m3]), [row(m1), changed], warn);
    expect(plan.findings.map((f) => [f.kind, f.stops])).toEqual([
      ['missing', false],
      ['modified', false],
    ]);
    expect(plan.stops).toBe(false);
    expect(plan.drift).toBe(true);
    expect(plan.pending.map((m) => m.name)).toEqual(['003_three.sql']);
  });

  it('reports a pending version below the highest recorded as out of order', () => {
    const plan = makePlan(discovery([m1, m2, m3]), [row(m1), row(m3)], FAIL);
    expect(plan.entries[1]).toMatchObject({ version: 2n, status: 'out of order' });
    expect(plan.findings).toHaveLength(1);
    expect(plan.findings[0]).toMatchObject({
      kind: 'out-of-order',
      version: 2n,
      file: '002_two.sql',
      stops: true,
    });
    expect(plan.findings[0]?.message).toContain('allow-out-of-order');
    expect(plan).toMatchObject({ stops: true, drift: false });
  });

  it('with allow-out-of-order, the lower version is simply pending', () => {
    const options = { ...FAIL, allowOutOfOrder: true };
    const plan = makePlan(discovery([m1, m2, m3]), [row(m1), row(m3)], options);
    expect(plan.entries[1]).toMatchObject({ version: 2n, status: 'pending' });
    expect(plan.findings).toEqual([]);
    expect(plan.pending).toEqual([m2]);
    expect(plan.stops).toBe(false);
  });

  it('does not call a version above the highest recorded out of order', () => {
    const plan = makePlan(discovery([m1, m2, m3]), [row(m1), row(m2)], FAIL);
    expect(plan.findings).toEqual([]);
    expect(plan.pending).toEqual([m3]);
  });

  it('compares versions exactly when looking for out-of-order files', () => {
    const high = migration('123456789012345679_high.sql');
    const low = migration('123456789012345678_low.sql');
    const plan = makePlan(discovery([low, high]), [row(high)], FAIL);
    expect(plan.findings.map((f) => [f.kind, f.version])).toEqual([
      ['out-of-order', 123456789012345678n],
    ]);
  });

  it('reports a failed row as failed, stopping the run even under on-drift: warn', () => {
    const warn: PlanOptions = { ...FAIL, onDrift: 'warn' };
    const plan = makePlan(discovery([m1, m2]), [row(m1), row(m2, 'failed')], warn);
    expect(plan.entries[1]).toMatchObject({ version: 2n, status: 'failed' });
    expect(plan.findings).toHaveLength(1);
    expect(plan.findings[0]).toMatchObject({ kind: 'failed', file: '002_two.sql', stops: true });
    expect(plan.findings[0]?.message).toContain('repair');
    expect(plan).toMatchObject({ stops: true, drift: false, pending: [] });
  });

  it('counts a running row (left by a killed job) as failed', () => {
    const plan = makePlan(discovery([m1]), [row(m1, 'running')], FAIL);
    expect(plan.entries[0]).toMatchObject({ status: 'failed' });
    expect(plan.findings.map((f) => [f.kind, f.stops])).toEqual([['failed', true]]);
    expect(plan.stops).toBe(true);
  });

  it('treats a running row as in progress, not failed, while another run holds the lock', () => {
    const live: PlanOptions = { ...FAIL, runningIsLive: true };
    const plan = makePlan(discovery([m1, m2]), [row(m1), row(m2, 'running')], live);
    expect(plan.entries[1]).toMatchObject({ version: 2n, status: 'pending' });
    expect(plan.entries[1]?.note).toContain('another run');
    expect(plan.findings).toEqual([]);
    expect(plan.stops).toBe(false);
    // It has a row, so this run does not apply it.
    expect(plan.pending).toEqual([]);
  });

  it('still reports a failed row while another run holds the lock', () => {
    const live: PlanOptions = { ...FAIL, runningIsLive: true };
    const plan = makePlan(discovery([m1]), [row(m1, 'failed')], live);
    expect(plan.findings.map((f) => f.kind)).toEqual(['failed']);
    expect(plan.stops).toBe(true);
  });

  it('refuses a pending no-transaction file with transaction: all', () => {
    const idx = migration(
      '004_index.sql',
      '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n',
      true,
    );
    const all: PlanOptions = { ...FAIL, transaction: 'all' };
    const plan = makePlan(discovery([m1, idx]), [], all);
    expect(plan.findings).toHaveLength(1);
    expect(plan.findings[0]).toMatchObject({
      kind: 'no-transaction-in-all',
      file: '004_index.sql',
      stops: true,
    });
    expect(plan.stops).toBe(true);
  });

  it('accepts a pending no-transaction file with transaction: per-migration', () => {
    const idx = migration('004_index.sql', 'CREATE INDEX CONCURRENTLY i ON t (a);\n', true);
    const plan = makePlan(discovery([m1, idx]), [], FAIL);
    expect(plan.findings).toEqual([]);
    expect(plan.pending).toEqual([m1, idx]);
  });

  it('does not refuse an already applied no-transaction file with transaction: all', () => {
    const idx = migration('001_index.sql', 'CREATE INDEX CONCURRENTLY i ON t (a);\n', true);
    const plan = makePlan(discovery([idx, m2]), [row(idx)], { ...FAIL, transaction: 'all' });
    expect(plan.findings).toEqual([]);
  });

  it('keeps the findings of the discovery and stops on them', () => {
    const duplicate: Finding = {
      kind: 'duplicate',
      version: 1n,
      file: '1_b.sql',
      message: '001_a.sql and 1_b.sql have the same version 1',
      stops: true,
    };
    const plan = makePlan(discovery([m1], [duplicate]), [], FAIL);
    expect(plan.findings).toContainEqual(duplicate);
    expect(plan.stops).toBe(true);
  });
});

describe('withFindings', () => {
  it('adds findings and recomputes stops', () => {
    const plan = makePlan(discovery([m1]), [], FAIL);
    const control: Finding = {
      kind: 'transaction-control',
      file: '001_one.sql',
      line: 2,
      message: '001_one.sql line 2: COMMIT',
      stops: true,
    };
    const more = withFindings(plan, [control]);
    expect(more.findings).toEqual([control]);
    expect(more.stops).toBe(true);
    expect(more.entries).toEqual(plan.entries);
    expect(more.pending).toEqual(plan.pending);
  });

  it('does not make a plan stop on findings that do not stop', () => {
    const plan = makePlan(discovery([m1]), [], FAIL);
    const note: Finding = { kind: 'modified', message: 'warning only', stops: false };
    expect(withFindings(plan, [note]).stops).toBe(false);
    expect(withFindings(plan, []).findings).toEqual([]);
  });
});

describe('resultOfStoppedPlan', () => {
  const duplicate: Finding = { kind: 'duplicate', message: 'dup', stops: true };

  it('is drift when a modified migration stops the run', () => {
    const plan = makePlan(discovery([m1]), [row(m1, 'applied', checksumOf('x'))], FAIL);
    expect(resultOfStoppedPlan(plan)).toBe('drift');
  });

  it('is drift when a missing migration stops the run', () => {
    const plan = makePlan(discovery([]), [row(m1)], FAIL);
    expect(resultOfStoppedPlan(plan)).toBe('drift');
  });

  it('is drift when drift and another finding both stop the run', () => {
    const plan = makePlan(discovery([m1, m2], [duplicate]), [row(m1, 'applied', 'x')], FAIL);
    expect(resultOfStoppedPlan(plan)).toBe('drift');
  });

  it('is failed for a stopping finding that is not drift', () => {
    const plan = makePlan(discovery([m1, m2, m3]), [row(m1), row(m3)], FAIL);
    expect(resultOfStoppedPlan(plan)).toBe('failed');
  });

  it('is failed when drift is only a warning and another finding stops the run', () => {
    const warn: PlanOptions = { ...FAIL, onDrift: 'warn' };
    const plan = makePlan(discovery([m1], [duplicate]), [row(m1, 'applied', 'x')], warn);
    expect(plan.drift).toBe(true);
    expect(resultOfStoppedPlan(plan)).toBe('failed');
  });
});
