import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  fleetOutputs,
  fleetResult,
  fleetVerdict,
  type TargetResult,
} from '../../../src/fleet/report.js';

const upToDate = (name: string, version = '42'): TargetResult => ({
  name,
  result: 'up-to-date',
  applied: [],
  pending: [],
  version,
});

describe('fleetResult', () => {
  const of = (...results: TargetResult['result'][]) =>
    fleetResult(results.map((result, i) => ({ ...upToDate(`t${i}`), result })));

  it('is failed if any failed, else drift, else applied, else pending, else up-to-date', () => {
    expect(of('up-to-date', 'pending', 'applied', 'drift', 'failed')).toBe('failed');
    expect(of('up-to-date', 'pending', 'applied', 'drift')).toBe('drift');
    expect(of('up-to-date', 'pending', 'applied')).toBe('applied');
    expect(of('up-to-date', 'pending')).toBe('pending');
    expect(of('up-to-date')).toBe('up-to-date');
    expect(fleetResult([])).toBe('up-to-date');
  });

  it('counts a target not started as pending when it has migrations left, else up to date', () => {
    const notStarted = (pending: string[]): TargetResult => ({
      ...upToDate('n'),
      result: 'not started',
      pending,
      error: 'the job was cancelled',
    });
    expect(fleetResult([upToDate('a'), notStarted(['43'])])).toBe('pending');
    expect(fleetResult([upToDate('a'), notStarted([])])).toBe('up-to-date');
  });
});

describe('compareVersions', () => {
  it('orders digits as numbers of any length and other parts as text', () => {
    const versions = [
      '10',
      '9',
      '1.27',
      '1.7',
      '20240102',
      '20240101',
      '2.0.3',
      '100000000000000000001',
      '2',
    ];
    expect([...versions].sort(compareVersions)).toEqual([
      '1.7',
      '1.27',
      '2',
      '2.0.3',
      '9',
      '10',
      '20240101',
      '20240102',
      '100000000000000000001',
    ]);
  });

  it('gives labels equal as numbers a fixed order by their text', () => {
    expect(compareVersions('01', '1')).toBeLessThan(0);
    expect(compareVersions('1', '01')).toBeGreaterThan(0);
    expect(compareVersions('7', '7')).toBe(0);
  });
});

describe('fleetOutputs', () => {
  const targets: TargetResult[] = [
    { name: 'a', result: 'applied', applied: ['10', '9'], pending: [], version: '10' },
    { name: 'b', result: 'applied', applied: ['9', '10', '11'], pending: [], version: '11' },
    {
      name: 'c',
      result: 'failed',
      applied: [],
      pending: ['11', '12'],
      version: '10',
      error: '011_x.sql failed at line 3: division by zero.',
    },
    upToDate('d', '12'),
  ];

  it('sums the counts and gives the union of versions, sorted as numbers', () => {
    const outputs = fleetOutputs(targets);
    expect(outputs).toMatchObject({
      result: 'failed',
      appliedCount: 5,
      pendingCount: 2,
      applied: ['9', '10', '11'],
      pending: ['11', '12'],
    });
  });

  it('gives targets as JSON keyed by name with result, applied, pending and error', () => {
    expect(JSON.parse(fleetOutputs(targets).targets)).toEqual({
      a: { result: 'applied', applied: ['10', '9'], pending: [], error: null },
      b: { result: 'applied', applied: ['9', '10', '11'], pending: [], error: null },
      c: {
        result: 'failed',
        applied: [],
        pending: ['11', '12'],
        error: '011_x.sql failed at line 3: division by zero.',
      },
      d: { result: 'up-to-date', applied: [], pending: [], error: null },
    });
  });

  it('keeps a target named __proto__ as a key', () => {
    const parsed = JSON.parse(fleetOutputs([upToDate('__proto__'), upToDate('x')]).targets);
    expect(Object.keys(parsed)).toEqual(['__proto__', 'x']);
  });
});

describe('fleetVerdict', () => {
  it('says how many targets ended each way, as in the spec', () => {
    const targets: TargetResult[] = [
      ...Array.from({ length: 117 }, (_, i) => upToDate(`u${i}`)),
      { name: 'a1', result: 'applied', applied: ['43'], pending: [], version: '43' },
      { name: 'a2', result: 'applied', applied: ['43', '44'], pending: [], version: '44' },
      { name: 'f', result: 'failed', applied: [], pending: ['43'], error: 'x', version: '42' },
    ];
    expect(fleetVerdict(targets, 'database')).toBe(
      '120 databases: 117 up to date, 2 applied 3 migrations, 1 failed',
    );
  });

  it('names pending, drift and not started targets, in the singular where one', () => {
    const targets: TargetResult[] = [
      { name: 'p', result: 'pending', applied: [], pending: ['1'] },
      { name: 'd', result: 'drift', applied: [], pending: [], error: 'modified' },
      { name: 'n', result: 'not started', applied: [], pending: [], error: 'cancelled' },
      { name: 'a', result: 'applied', applied: ['1'], pending: [] },
    ];
    expect(fleetVerdict(targets, 'schema')).toBe(
      '4 schemas: 1 applied 1 migration, 1 with 1 pending migration, 1 with drift, 1 not started',
    );
  });

  it('says so when there is no target', () => {
    expect(fleetVerdict([], 'database')).toBe('0 databases: nothing to migrate');
  });
});
