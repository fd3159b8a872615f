import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/errors.js';
import {
  readVersionInput,
  standInVersion,
  versionOfKey,
  versionOrder,
} from '../../../src/files/keys.js';
import { compareKeys } from '../../../src/files/layouts/index.js';

/** The stand-in as the design defines it, computed here without the module's code. */
function expectedStandIn(key: string): bigint {
  const hex = createHash('sha256').update(Buffer.from(key, 'utf8')).digest('hex').slice(0, 16);
  return -1n - (BigInt(`0x${hex}`) % 2n ** 63n);
}

describe('standInVersion', () => {
  it('is -1 minus the first 8 bytes of the key’s SHA-256 without its top bit', () => {
    for (const key of ['1.7', '2.0.3', '20210410175418000000', '1.27']) {
      expect(standInVersion(key), key).toBe(expectedStandIn(key));
    }
  });

  it('is negative and within bigint for every key, so it never equals a real version', () => {
    for (const key of ['1.7', '2.0.3', '99999999999999999999', '0.0.1', 'x']) {
      const v = standInVersion(key);
      expect(v < 0n, key).toBe(true);
      expect(v >= -(2n ** 63n), key).toBe(true);
    }
  });

  it('differs for keys Flyway tells apart', () => {
    expect(standInVersion('1.7')).not.toBe(standInVersion('1.70'));
  });
});

describe('versionOfKey', () => {
  it('keeps a number that fits bigint as the version, without a key', () => {
    expect(versionOfKey('42')).toEqual({ version: 42n });
    expect(versionOfKey('9223372036854775807')).toEqual({ version: 9223372036854775807n });
  });

  it('gives a dotted or too large version a stand-in and keeps the key', () => {
    expect(versionOfKey('1.7')).toEqual({ version: expectedStandIn('1.7'), key: '1.7' });
    expect(versionOfKey('9223372036854775808')).toEqual({
      version: expectedStandIn('9223372036854775808'),
      key: '9223372036854775808',
    });
  });
});

describe('versionOrder', () => {
  const flyway = versionOrder('flyway');
  const v = (key: string) => versionOfKey(key);

  it('orders Flyway versions part by part, numbers and keys alike', () => {
    const keys = ['2.0.3', '1.27', '1', '1.7', '10', '2'];
    const sorted = keys
      .map(v)
      .sort(flyway)
      .map((x) => x.key ?? String(x.version));
    expect(sorted).toEqual(['1', '1.7', '1.27', '2', '2.0.3', '10']);
  });

  it('agrees with compareKeys on every pair, keyed or not', () => {
    const keys = ['0', '1', '1.1', '1.7', '1.10', '1.27', '2', '2.0.3', '2.0.10', '10', '10.1'];
    for (const a of keys) {
      for (const b of keys) {
        expect(Math.sign(flyway?.(v(a), v(b)) ?? 0), `${a} ${b}`).toBe(
          Math.sign(compareKeys('flyway', a, b)),
        );
      }
    }
  });

  it('orders popx versions as exact numbers, beyond bigint too', () => {
    const popx = versionOrder('popx');
    const keys = ['20210410175418000000', '9', '9223372036854775807', '100000000000000000000'];
    const sorted = keys
      .map(v)
      .sort(popx)
      .map((x) => x.key ?? String(x.version));
    expect(sorted).toEqual([
      '9',
      '9223372036854775807',
      '20210410175418000000',
      '100000000000000000000',
    ]);
  });

  it('orders diesel versions as text: an 18-digit version before a later 14-digit one', () => {
    const diesel = versionOrder('diesel');
    const short = { version: 20240301000000n };
    const long = { version: 202402121202030000n };
    expect(diesel?.(long, short)).toBeLessThan(0);
  });

  it('leaves the plain layout and the numeric tools to the numbers', () => {
    for (const layout of ['plain', 'golang-migrate', 'dbmate', 'goose', 'prisma'] as const) {
      expect(versionOrder(layout), layout).toBeUndefined();
    }
  });
});

describe('readVersionInput', () => {
  it('reads a Flyway version with its own key: dots, underscores, trailing zero parts', () => {
    expect(readVersionInput('flyway', 'to-version', '1.27')).toEqual({
      version: expectedStandIn('1.27'),
      key: '1.27',
      label: '1.27',
    });
    expect(readVersionInput('flyway', 'to-version', '1_07').key).toBe('1.7');
    expect(readVersionInput('flyway', 'to-version', '3.0')).toEqual({ version: 3n, label: '3.0' });
  });

  it('reads popx digits exactly, beyond bigint', () => {
    expect(readVersionInput('popx', 'to-version', '20240212120203000000')).toMatchObject({
      key: '20240212120203000000',
    });
    expect(readVersionInput('popx', 'to-version', '0042')).toEqual({ version: 42n, label: '0042' });
  });

  it('reads a diesel version with or without dashes', () => {
    expect(readVersionInput('diesel', 'to-version', '2024-02-12-120203').version).toBe(
      20240212120203n,
    );
  });

  it('refuses what the layout does not write, naming the input', () => {
    const cases = [
      ['plain', '1.7'],
      ['popx', '1.7'],
      ['flyway', '1..7'],
      ['diesel', '1.7'],
    ] as const;
    for (const [layout, text] of cases) {
      expect(() => readVersionInput(layout, 'to-version', text), `${layout} ${text}`).toThrow(
        ConfigurationError,
      );
    }
    expect(() => readVersionInput('plain', 'baseline-version', '1.7')).toThrow(
      'Input baseline-version is "1.7", but it must be a migration version number such as 3.',
    );
  });
});
