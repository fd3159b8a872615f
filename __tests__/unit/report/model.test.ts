import { describe, expect, it } from 'vitest';
import type { Entry, Status } from '../../../src/plan/plan.js';
import {
  appliedVersions,
  formatDuration,
  pendingVersions,
  plural,
  versionLabel,
} from '../../../src/report/model.js';

const entry = (version: bigint, status: Status): Entry => ({
  version,
  name: `${version}_x.sql`,
  status,
  checksum: 'c'.repeat(64),
});

describe('appliedVersions', () => {
  it('gives the versions applied by this run as strings without leading zeros', () => {
    const entries = [
      entry(1n, 'already applied'),
      entry(2n, 'baseline'),
      entry(3n, 'applied'),
      entry(4n, 'applied'),
      entry(5n, 'failed'),
      entry(6n, 'not attempted'),
    ];
    expect(appliedVersions(entries)).toEqual(['3', '4']);
  });

  it('keeps large versions exact', () => {
    expect(appliedVersions([entry(9223372036854775807n, 'applied')])).toEqual([
      '9223372036854775807',
    ]);
  });

  it('is empty when nothing was applied', () => {
    expect(appliedVersions([entry(1n, 'already applied'), entry(2n, 'would apply')])).toEqual([]);
  });
});

describe('pendingVersions', () => {
  it('gives the versions still without an applied or baseline row', () => {
    const entries = [
      entry(1n, 'already applied'),
      entry(2n, 'baseline'),
      entry(3n, 'applied'),
      entry(4n, 'modified'),
      entry(5n, 'missing'),
      entry(6n, 'pending'),
      entry(7n, 'would apply'),
      entry(8n, 'out of order'),
      entry(9n, 'failed'),
      entry(10n, 'not attempted'),
      entry(11n, 'rehearsed'),
      entry(12n, 'not rehearsed'),
    ];
    expect(pendingVersions(entries)).toEqual(['6', '7', '8', '9', '10', '11', '12']);
  });

  it('gives 123456789012345678 exactly', () => {
    expect(pendingVersions([entry(123456789012345678n, 'pending')])).toEqual([
      '123456789012345678',
    ]);
  });
});

describe('formatDuration', () => {
  it('is empty without a duration', () => {
    expect(formatDuration(undefined)).toBe('');
  });

  it('gives milliseconds below a second', () => {
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatDuration(12)).toBe('12 ms');
    expect(formatDuration(999)).toBe('999 ms');
  });

  it('gives seconds with one decimal from a second on', () => {
    expect(formatDuration(1000)).toBe('1.0 s');
    expect(formatDuration(2500)).toBe('2.5 s');
    expect(formatDuration(61_000)).toBe('61.0 s');
  });
});

describe('plural', () => {
  it('uses the singular for one and the plural otherwise', () => {
    expect(plural(1, 'migration')).toBe('1 migration');
    expect(plural(0, 'migration')).toBe('0 migrations');
    expect(plural(2, 'migration')).toBe('2 migrations');
  });

  it('takes an irregular plural', () => {
    expect(plural(1, 'entry', 'entries')).toBe('1 entry');
    expect(plural(3, 'entry', 'entries')).toBe('3 entries');
  });
});

describe('versions kept under a stand-in (Flyway, popx)', () => {
  // A stand-in is negative; what anyone sees is the version the file writes, or the row's key.
  const keyed = (key: string, status: Status, label?: string): Entry => ({
    ...entry(-4242n, status),
    key,
    ...(label !== undefined && {
      migration: {
        version: -4242n,
        key,
        label,
        name: `V${label}__x.sql`,
        path: '',
        checksum: '',
        sql: '',
        noTransaction: false,
      },
    }),
  });

  it('gives the outputs the file’s label, never the stand-in', () => {
    const entries = [
      keyed('1.7', 'applied', '1.07'),
      entry(2n, 'applied'),
      keyed('2.0.3', 'pending'),
    ];
    expect(appliedVersions(entries)).toEqual(['1.07', '2']);
    expect(pendingVersions(entries)).toEqual(['2.0.3']);
  });

  it('labels a row without a file by its version_key', () => {
    expect(versionLabel(keyed('1.27', 'missing'))).toBe('1.27');
    expect(versionLabel(keyed('1.27', 'applied', '1.27.0'))).toBe('1.27.0');
  });
});
