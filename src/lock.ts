import { createHash } from 'node:crypto';
import type pg from 'pg';
import { ConfigurationError } from './errors.js';
import { qualifiedName, type TrackingTable } from './history.js';

/**
 * The advisory lock key of one tracking table: the first 8 bytes of a SHA-256, as a signed
 * bigint, so that two tracking tables in one database never share a lock.
 */
export function lockKey(tracking: TrackingTable): bigint {
  const digest = createHash('sha256')
    .update(`agoat/migrate-action:${qualifiedName(tracking)}`)
    .digest();
  return digest.readBigInt64BE(0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Who holds the lock, for the waiting message: application, client address, for how long. */
async function describeHolder(client: pg.ClientBase, key: bigint): Promise<string> {
  const unsigned = BigInt.asUintN(64, key);
  const { rows } = await client.query<{
    pid: number;
    application_name: string;
    client_addr: string | null;
    seconds: number | null;
  }>(
    `SELECT a.pid, a.application_name, host(a.client_addr) AS client_addr,
            round(extract(epoch FROM now() - a.backend_start))::int AS seconds
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid`,
    [String(unsigned >> 32n), String(unsigned & 0xffffffffn)],
  );
  const holder = rows[0];
  if (!holder) return 'a session that has just let go';
  const app = holder.application_name || 'an unnamed application';
  const from = holder.client_addr ? ` from ${holder.client_addr}` : '';
  return `${app} (pid ${holder.pid}${from}, connected ${holder.seconds ?? '?'} s ago)`;
}

/**
 * Takes the session-level migration lock, polling `pg_try_advisory_lock` with no transaction
 * open between polls. Blocking inside `pg_advisory_lock` instead would deadlock with a
 * `CREATE INDEX CONCURRENTLY` run by the holder, which waits for every open transaction.
 */
export async function acquireLock(
  client: pg.ClientBase,
  tracking: TrackingTable,
  waitSeconds: number,
  log: (message: string) => void,
  signal?: AbortSignal,
): Promise<bigint> {
  const key = lockKey(tracking);
  const started = Date.now();
  let lastReport = 0;
  let pause = 100;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock($1::bigint) AS locked',
      [String(key)],
    );
    if (rows[0]?.locked) return key;
    if (signal?.aborted) {
      throw new Error(
        'The job was cancelled while waiting for the migration lock: nothing was applied.',
      );
    }
    const waited = Date.now() - started;
    if (waited >= waitSeconds * 1000) {
      const holder = await describeHolder(client, key);
      throw new ConfigurationError(
        `Another run held the migration lock for ${qualifiedName(tracking)} for more than ${waitSeconds} s (held by ${holder}): nothing was applied; wait for that run to finish or raise lock-wait-timeout.`,
      );
    }
    if (waited - lastReport >= 5000 || lastReport === 0) {
      lastReport = Math.max(waited, 1);
      log(
        `Waiting for the migration lock, held by ${await describeHolder(client, key)} (${Math.round(waited / 1000)} s of ${waitSeconds} s).`,
      );
    }
    await sleep(Math.min(pause, waitSeconds * 1000 - waited));
    pause = Math.min(pause * 2, 1000);
  }
}

/** Releases the lock; false means this session did not hold it (a pooler moved the session). */
export async function releaseLock(client: pg.ClientBase, key: bigint): Promise<boolean> {
  const { rows } = await client.query<{ unlocked: boolean }>(
    'SELECT pg_advisory_unlock($1::bigint) AS unlocked',
    [String(key)],
  );
  return rows[0]?.unlocked === true;
}
