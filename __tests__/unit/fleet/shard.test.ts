import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/errors.js';
import { inShard, parseShard, shardOf } from '../../../src/fleet/shard.js';

describe('parseShard', () => {
  it('reads i/n counted from 1, with spaces allowed', () => {
    expect(parseShard('1/4')).toEqual({ index: 1, count: 4 });
    expect(parseShard(' 4 / 4 ')).toEqual({ index: 4, count: 4 });
    expect(parseShard('1/1')).toEqual({ index: 1, count: 1 });
    expect(parseShard('256/256')).toEqual({ index: 256, count: 256 });
  });

  it.each(['0/4', '5/4', '1/0', '1/257', '4', '1/4/2', 'a/b', '-1/4', '1.5/4', ''])(
    'refuses %j with one sentence naming the input and the form',
    (text) => {
      expect(() => parseShard(text)).toThrow(ConfigurationError);
      expect(() => parseShard(text)).toThrow(
        `Input shard is "${text}", but it must be i/n with 1 ≤ i ≤ n ≤ 256, counting from 1 (1/4 to 4/4), for example shard: \${{ matrix.shard }}/4 with matrix shard: [1, 2, 3, 4].`,
      );
    },
  );
});

describe('shardOf', () => {
  it('gives the values of SHA-256 computed outside Node (sha256sum), so they never change', () => {
    // printf '%s' NAME | sha256sum: the first 16 hex digits as a number, mod n, plus 1.
    expect([shardOf('tenant_1', 4), shardOf('tenant_1', 256), shardOf('tenant_1', 7)]).toEqual([
      2, 218, 2,
    ]);
    expect([shardOf('eu-1', 4), shardOf('eu-1', 256), shardOf('eu-1', 7)]).toEqual([4, 180, 3]);
    expect([shardOf('Ünïcode', 4), shardOf('Ünïcode', 256), shardOf('Ünïcode', 7)]).toEqual([
      2, 234, 1,
    ]);
  });

  it('puts every name in shard 1 of 1', () => {
    expect(shardOf('anything', 1)).toBe(1);
  });
});

describe('inShard', () => {
  const names = Array.from({ length: 10_000 }, (_, i) => `tenant_${i}`);

  it.each([2, 3, 7, 16])(
    'splits 10,000 names into %i shards: each name in exactly one, shares balanced',
    (count) => {
      const shares = Array.from({ length: count }, (_, i) =>
        names.filter((name) => inShard(name, { index: i + 1, count })),
      );
      const seen = new Map<string, number>();
      for (const share of shares)
        for (const name of share) seen.set(name, (seen.get(name) ?? 0) + 1);
      expect(seen.size).toBe(names.length);
      expect([...seen.values()].every((times) => times === 1)).toBe(true);
      // A uniform hash gives a binomial share: mean 10,000/n, standard deviation below sqrt(10,000/n).
      // Six deviations either way is far outside what a good hash does and far inside a bad one.
      const mean = names.length / count;
      const bound = 6 * Math.sqrt(mean);
      for (const share of shares) expect(Math.abs(share.length - mean)).toBeLessThan(bound);
    },
  );

  it('spreads 10,000 names over 256 shards (the matrix limit) with none empty or crowded', () => {
    const counts = new Array<number>(256).fill(0);
    for (const name of names) {
      const shard = shardOf(name, 256);
      counts[shard - 1] = (counts[shard - 1] ?? 0) + 1;
    }
    const mean = names.length / 256;
    for (const count of counts) expect(Math.abs(count - mean)).toBeLessThan(6 * Math.sqrt(mean));
  });
});
