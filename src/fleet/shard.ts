// The `shard` input and which targets belong to a shard (pure: a hash of the name, nothing else).
import { createHash } from 'node:crypto';
import { ConfigurationError } from '../errors.js';

/** GitHub runs at most 256 jobs of one matrix. */
export const MAX_SHARDS = 256;

/**
 * This job's share of the targets: shard `index` of `count`, counted from 1 (`1/4` … `4/4`), as
 * in Playwright's, Jest's and Vitest's `--shard=i/n`, so a matrix such as `shard: [1, 2, 3, 4]`
 * with `shard: ${{ matrix.shard }}/4` reads the same. `strategy.job-index` counts from 0 and
 * GitHub's expressions cannot add 1: a workflow that passes it gets `0/n` refused on its first
 * job, so a mix-up fails loudly instead of leaving one share of the targets unmigrated.
 */
export interface Shard {
  index: number;
  count: number;
}

/** Parses `i/n` (1 ≤ i ≤ n ≤ 256); spaces around the numbers are allowed. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d{1,3})\s*\/\s*(\d{1,3})\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !(count >= 1 && count <= MAX_SHARDS && index >= 1 && index <= count)) {
    throw new ConfigurationError(
      `Input shard is "${text}", but it must be i/n with 1 ≤ i ≤ n ≤ ${MAX_SHARDS}, counting from 1 (1/4 to 4/4), for example shard: \${{ matrix.shard }}/4 with matrix shard: [1, 2, 3, 4].`,
    );
  }
  return { index, count };
}

/**
 * The shard (from 1) a target name falls in among `count`: the first 8 bytes of the SHA-256 of its
 * UTF-8 bytes, read big-endian, modulo `count`, plus 1. The same on every runner, every run and
 * every Node version, and independent of the other names: adding a target moves no other one.
 */
export function shardOf(name: string, count: number): number {
  const digest = createHash('sha256').update(name, 'utf8').digest();
  return Number(digest.readBigUInt64BE(0) % BigInt(count)) + 1;
}

/** Whether the target `name` is this job's to migrate. */
export function inShard(name: string, shard: Shard): boolean {
  return shardOf(name, shard.count) === shard.index;
}
