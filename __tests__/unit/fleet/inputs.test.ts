import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/errors.js';
import {
  parseCanary,
  parseConcurrency,
  parseOnTargetFailure,
  parseShardInput,
  type TargetInputs,
  targetSource,
} from '../../../src/fleet/inputs.js';

describe('parseConcurrency', () => {
  it('reads a whole number of 1 or more, and 4 when empty', () => {
    expect(parseConcurrency('1')).toBe(1);
    expect(parseConcurrency(' 16 ')).toBe(16);
    expect(parseConcurrency('')).toBe(4);
  });

  it.each(['0', '-1', '1.5', 'four', '1e3', '9999999999999999'])('refuses %j', (raw) => {
    expect(() => parseConcurrency(raw)).toThrow(ConfigurationError);
    expect(() => parseConcurrency(raw)).toThrow(
      `Input concurrency is "${raw}", but it must be a whole number of 1 or more.`,
    );
  });
});

describe('parseCanary', () => {
  it('reads a whole number of 0 or more, and 1 when empty', () => {
    expect(parseCanary('0')).toBe(0);
    expect(parseCanary('3')).toBe(3);
    expect(parseCanary('')).toBe(1);
  });

  it('refuses a negative or fractional number', () => {
    expect(() => parseCanary('-1')).toThrow(
      'Input canary is "-1", but it must be a whole number of 0 or more.',
    );
    expect(() => parseCanary('0.5')).toThrow(ConfigurationError);
  });
});

describe('parseOnTargetFailure', () => {
  it('reads stop or continue, and stop when empty', () => {
    expect(parseOnTargetFailure('continue')).toBe('continue');
    expect(parseOnTargetFailure('stop')).toBe('stop');
    expect(parseOnTargetFailure('')).toBe('stop');
  });

  it('refuses anything else, naming the allowed values', () => {
    expect(() => parseOnTargetFailure('Stop')).toThrow(
      'Input on-target-failure is "Stop", but it must be one of: stop, continue.',
    );
  });
});

describe('parseShardInput', () => {
  it('gives no shard when empty, else the parsed i/n', () => {
    expect(parseShardInput('')).toBeUndefined();
    expect(parseShardInput(' 2/3 ')).toEqual({ index: 2, count: 3 });
    expect(() => parseShardInput('0/3')).toThrow(/^Input shard is "0\/3", but it must be i\/n/);
  });
});

describe('targetSource', () => {
  const none: TargetInputs = {
    databaseUrl: '',
    databaseUrls: '',
    databasesQuery: '',
    schemasQuery: '',
  };
  const url = 'postgres://u:secret@h/app';

  it('is one database for database-url alone, or for the fallback', () => {
    expect(targetSource({ ...none, databaseUrl: url })).toEqual({
      kind: 'single',
      databaseUrl: url,
    });
    expect(targetSource({ ...none, fallbackUrl: url })).toEqual({
      kind: 'single',
      databaseUrl: url,
    });
    expect(targetSource(none)).toEqual({ kind: 'single', databaseUrl: '' });
  });

  it('is the list for database-urls, also when DATABASE_URL is set for the job', () => {
    expect(targetSource({ ...none, databaseUrls: url, fallbackUrl: 'postgres://other/x' })).toEqual(
      {
        kind: 'list',
        databaseUrls: url,
      },
    );
  });

  it('refuses database-url and database-urls together, without repeating either', () => {
    const run = () => targetSource({ ...none, databaseUrl: url, databaseUrls: url });
    expect(run).toThrow(ConfigurationError);
    expect(run).toThrow(
      'Inputs database-url and database-urls are both given, but only one may be: put every target in database-urls, one per line.',
    );
  });

  it('runs a query on database-url or its fallback, and refuses a query without either', () => {
    expect(targetSource({ ...none, databaseUrl: url, databasesQuery: 'select 1' })).toEqual({
      kind: 'databases-query',
      databaseUrl: url,
      query: 'select 1',
    });
    expect(targetSource({ ...none, fallbackUrl: url, schemasQuery: 'select 2' })).toEqual({
      kind: 'schemas-query',
      databaseUrl: url,
      query: 'select 2',
    });
    expect(() => targetSource({ ...none, schemasQuery: 'select 2' })).toThrow(
      'Input schemas-query is given, but database-url is not: the query runs on database-url, so give it too.',
    );
  });

  it('refuses two sources of targets together', () => {
    expect(() =>
      targetSource({ ...none, databaseUrl: url, databasesQuery: 'a', schemasQuery: 'b' }),
    ).toThrow(/^Inputs databases-query and schemas-query are both given, but only one may be/);
    expect(() => targetSource({ ...none, databaseUrls: url, schemasQuery: 'b' })).toThrow(
      'Inputs database-urls and schemas-query are both given, but only one may be: schemas-query runs on database-url and makes the targets itself.',
    );
  });
});
