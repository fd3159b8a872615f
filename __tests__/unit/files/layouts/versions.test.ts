import { describe, expect, it } from 'vitest';
import { compareKeys, flywayKey } from '../../../../src/files/layouts/index.js';

const sorted = (layout: Parameters<typeof compareKeys>[0], keys: string[]) =>
  [...keys].sort((a, b) => compareKeys(layout, a, b));

describe('flywayKey', () => {
  it('reads parts as numbers and drops trailing zero parts, as MigrationVersion does', () => {
    expect(flywayKey('1.07')).toBe('1.7');
    expect(flywayKey('1.7')).toBe('1.7');
    expect(flywayKey('1_7')).toBe('1.7');
    expect(flywayKey('1.0')).toBe('1');
    expect(flywayKey('1.0.0')).toBe('1');
    expect(flywayKey('1.70')).toBe('1.70');
    expect(flywayKey('0')).toBe('0');
    expect(flywayKey('2024.01.15.1030')).toBe('2024.1.15.1030');
  });

  it('refuses what is not digits separated by . or _', () => {
    expect(flywayKey('1..2')).toBeUndefined();
    expect(flywayKey('1.a')).toBeUndefined();
    expect(flywayKey('')).toBeUndefined();
    expect(flywayKey('1.')).toBeUndefined();
  });
});

describe('compareKeys', () => {
  it('orders Flyway versions part by part as numbers', () => {
    expect(sorted('flyway', ['2.0.3', '1.27', '1.7', '1.10', '1'])).toEqual([
      '1',
      '1.7',
      '1.10',
      '1.27',
      '2.0.3',
    ]);
    expect(compareKeys('flyway', '1', '1.0.1')).toBeLessThan(0);
  });

  it('orders diesel versions as text, as diesel does', () => {
    // 2024-03-01-000000 (old 14-digit form) comes after 2024-02-12-120203-0000 as text,
    // although it is the smaller number.
    expect(sorted('diesel', ['20240301000000', '202402121202030000', '00000000000000'])).toEqual([
      '00000000000000',
      '202402121202030000',
      '20240301000000',
    ]);
  });

  it('orders numeric layouts as exact numbers of any length', () => {
    expect(sorted('golang-migrate', ['10', '9', '100'])).toEqual(['9', '10', '100']);
    expect(
      sorted('popx', ['20150100000001000000', '20150100000001000001', '9223372036854775808']),
    ).toEqual(['9223372036854775808', '20150100000001000000', '20150100000001000001']);
    expect(compareKeys('goose', '5', '5')).toBe(0);
  });
});
