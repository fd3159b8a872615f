import { describe, expect, it } from 'vitest';
import {
  fixedUtc,
  typeChangeRewrites,
  typeOfFormatted,
} from '../../../src/review/rules/coercion.js';

describe('fixedUtc', () => {
  it('counts zones whose offset is zero and never changes, in any case', () => {
    for (const zone of ['UTC', 'Etc/UTC', 'GMT', 'etc/gmt+0', 'Zulu', 'Universal']) {
      expect(fixedUtc(zone), zone).toBe(true);
    }
  });

  it('does not count a zone at zero only in winter, another offset, or an unknown zone', () => {
    for (const zone of [
      'Europe/London',
      'Africa/Abidjan0',
      'Europe/Paris',
      'localtime',
      undefined,
    ]) {
      expect(fixedUtc(zone), String(zone)).toBe(false);
    }
  });
});

describe('typeChangeRewrites for timestamp <-> timestamptz', () => {
  const ts = typeOfFormatted('timestamp without time zone');
  const tstz = typeOfFormatted('timestamp with time zone');
  const tstz3 = typeOfFormatted('timestamp(3) with time zone');

  it('rewrites outside UTC, in both directions', () => {
    expect(typeChangeRewrites(ts, tstz, false)).toBe(true);
    expect(typeChangeRewrites(tstz, ts, false)).toBe(true);
  });

  it('does not rewrite under UTC without a new precision below 6', () => {
    expect(typeChangeRewrites(ts, tstz, true)).toBe(false);
    expect(typeChangeRewrites(tstz, ts, true)).toBe(false);
    expect(typeChangeRewrites(ts, typeOfFormatted('timestamp(6) with time zone'), true)).toBe(
      false,
    );
  });

  it('rewrites under UTC when the new precision is below 6', () => {
    expect(typeChangeRewrites(ts, tstz3, true)).toBe(true);
  });

  it('leaves other changes as they were under UTC', () => {
    expect(typeChangeRewrites(typeOfFormatted('integer'), typeOfFormatted('bigint'), true)).toBe(
      true,
    );
  });
});
