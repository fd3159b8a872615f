// The retry policy for a migration that timed out waiting for a lock (SQLSTATE 55P03).
import { setTimeout as sleep } from 'node:timers/promises';
import type { Migration } from '../files/migration.js';
import type { ApplyOptions, MigrationError } from './model.js';

/** The pause before retry `attempt` (1-based) of a migration that timed out on a lock. */
export function retryPause(attempt: number, random = Math.random): number {
  const base = Math.min(1000 * 2 ** (attempt - 1), 30_000);
  return Math.round(base / 2 + random() * (base / 2));
}

/**
 * Whether a failed attempt is to be tried again: it failed only for want of a lock (SQLSTATE
 * 55P03, from lock_timeout), retries are left, and each migration has its own transaction (a
 * retry inside `all` would run without the earlier files' work, which the failure rolled back).
 * The attempt was rolled back; this logs why and waits the pause before the retry.
 */
export async function pausedForRetry(
  migration: Migration,
  mapped: MigrationError,
  code: string | undefined,
  attempt: number,
  options: ApplyOptions,
): Promise<boolean> {
  const retries = options.lockRetries ?? 0;
  const all = options.transaction === 'all';
  if (code !== '55P03' || all || attempt > retries || options.signal?.aborted) return false;
  const pause = retryPause(attempt);
  options.log(
    `${migration.name} timed out waiting for a lock (${mapped.message}); rolled back, retry ${attempt} of ${retries} in ${(pause / 1000).toFixed(1)} s.`,
  );
  await sleep(pause);
  return true;
}
