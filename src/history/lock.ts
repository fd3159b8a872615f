// The migration lock: a session advisory lock per tracking table, polled, and the pooler checks around it.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { ConfigurationError } from '../errors.js';
import { qualifiedName, type TrackingTable } from './table.js';

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

/** pg_locks shows a bigint advisory key as classid (high 32 bits) and objid (low 32 bits). */
function lockIds(key: bigint): { classid: string; objid: string } {
  const unsigned = BigInt.asUintN(64, key);
  return { classid: String(unsigned >> 32n), objid: String(unsigned & 0xffffffffn) };
}

export const POOLER_MESSAGE =
  'The database URL does not give one server session (a transaction-mode pooler such as PgBouncer or Supavisor hands statements to different backends), so the migration lock would protect nothing: use a direct connection URL to the PostgreSQL server for migrations.';

/**
 * Best-effort detection of a transaction-mode pooler before any lock is taken (a session lock
 * taken through one would leak on a backend the run cannot reach again): the backend pid must be
 * the same across several transactions.
 */
export async function assertOneSession(client: pg.ClientBase): Promise<number> {
  const pids = new Set<number>();
  // Two here and a third with the lock itself.
  for (let i = 0; i < 2; i++) {
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    pids.add(rows[0]?.pid ?? -1);
  }
  if (pids.size !== 1) throw new ConfigurationError(POOLER_MESSAGE);
  return [...pids][0] ?? -1;
}

/**
 * SQL that fails the transaction it runs in unless this backend holds the migration lock: sent
 * at the start of each migration, so a session that lost its lock (a pooler moved it) never
 * applies anything unprotected.
 */
export function lockHeldCheckSql(key: bigint): string {
  const { classid, objid } = lockIds(key);
  return `DO $lock_check$BEGIN IF NOT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid() AND classid = ${classid} AND objid = ${objid} AND objsubid = 1) THEN RAISE EXCEPTION '${LOCK_LOST}'; END IF; END$lock_check$;`;
}

/** The message of the exception raised by lockHeldCheckSql. */
export const LOCK_LOST = 'agoat/migrate-action: migration lock not held by this session';

/** Whether any session holds the migration lock of this tracking table now. */
export async function isLockHeld(client: pg.ClientBase, tracking: TrackingTable): Promise<boolean> {
  const { classid, objid } = lockIds(lockKey(tracking));
  const { rows } = await client.query(
    `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid = ${classid} AND objid = ${objid}`,
  );
  return rows.length > 0;
}

/** Who holds the lock, for the waiting message: application, client address, for how long. */
async function describeHolder(client: pg.ClientBase, key: bigint): Promise<string> {
  const { classid, objid } = lockIds(key);
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
    [classid, objid],
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
  const pid = await assertOneSession(client);
  const key = lockKey(tracking);
  const started = Date.now();
  let lastReport = 0;
  let pause = 100;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean; pid: number }>(
      'SELECT pg_try_advisory_lock($1::bigint) AS locked, pg_backend_pid() AS pid',
      [String(key)],
    );
    if (rows[0]?.pid !== pid) throw new ConfigurationError(POOLER_MESSAGE);
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

/**
 * Tries the migration lock once, for a rehearsal, which must never wait behind a deploy: the key
 * when it was free, else a description of the holder.
 */
export async function tryLockOnce(
  client: pg.ClientBase,
  tracking: TrackingTable,
): Promise<{ key: bigint } | { holder: string }> {
  await assertOneSession(client);
  const key = lockKey(tracking);
  const { rows } = await client.query<{ locked: boolean }>(
    'SELECT pg_try_advisory_lock($1::bigint) AS locked',
    [String(key)],
  );
  return rows[0]?.locked ? { key } : { holder: await describeHolder(client, key) };
}

/** Releases the lock; false means this session did not hold it (a pooler moved the session). */
export async function releaseLock(client: pg.ClientBase, key: bigint): Promise<boolean> {
  const { rows } = await client.query<{ unlocked: boolean }>(
    'SELECT pg_advisory_unlock($1::bigint) AS unlocked',
    [String(key)],
  );
  return rows[0]?.unlocked === true;
}
