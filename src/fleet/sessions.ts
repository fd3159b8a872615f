// The read-only check's sessions for the schema targets of one database, reused from one schema to the next (the one module of fleet/ that talks to the server).
import type pg from 'pg';
import { connect, type Database } from '../db/connect.js';
import type { ConnectionTarget } from '../db/url.js';
import { quoteIdentifier } from '../history/table.js';

/**
 * What makes a reused session look as a new one opened for `schema` does: every setting back to
 * the session's defaults, then search_path set to the schema, quoted as an identifier (as the
 * startup option sets it). One round trip.
 */
export function reuseSql(schema: string): string {
  return `RESET ALL; SET search_path TO ${quoteIdentifier(schema)}`;
}

/**
 * Whether the session is idle outside a transaction once its last answer is in: a query that
 * failed gives its error before the server's ReadyForQuery, which may still be on its way.
 */
export async function settlesIdle(db: Database): Promise<boolean> {
  const client = db.client as pg.Client & { readyForQuery?: boolean };
  if (client.readyForQuery !== true) {
    const drained = await new Promise<boolean>((resolve) => {
      const finish = (value: boolean) => {
        client.off('drain', onDrain);
        client.off('end', onEnd);
        client.off('error', onEnd);
        resolve(value);
      };
      const onDrain = () => finish(true);
      const onEnd = () => finish(false);
      client.on('drain', onDrain);
      client.on('end', onEnd);
      client.on('error', onEnd);
    });
    if (!drained) return false;
  }
  return client.getTransactionStatus() === 'I';
}

/**
 * Sessions for checking schema targets that all live in one database: a backend start costs the
 * server far more than the check's few queries (about 35 ms of its CPU per connection on a 2-core
 * runner, against 2–10 ms for the queries), so a session that finished one schema's check is given
 * to the next, with its search_path set to that schema.
 *
 * Only for the check, which reads and never changes its session: it runs no SET, takes no lock and
 * opens no transaction. Even so, a reused session gets RESET ALL before its new search_path, and
 * it is reused only when the check finished without an error and the session is idle outside a
 * transaction; any other is closed. Writes never use these sessions: a
 * migration's RESET ALL brings back the search_path a session started with, so each target that
 * writes gets a connection of its own, opened with its schema.
 *
 * At most one session per caller in flight is ever open: a new one is opened only when none is
 * idle, so with `concurrency` lanes there are never more than `concurrency` sessions.
 */
export class CheckSessions {
  private readonly idle: Database[] = [];

  constructor(private readonly timeoutSeconds: number) {}

  /** An idle session reset and set to the target's schema, or a new one opened with it. */
  async take(target: ConnectionTarget, log: (message: string) => void): Promise<Database> {
    if (target.searchPath === undefined)
      throw new Error('CheckSessions: a target without a schema.');
    const reused = this.idle.pop();
    if (reused) {
      try {
        await reused.client.query(reuseSql(target.searchPath));
        return reused;
      } catch {
        // A session the server closed while it was idle: open a new one instead.
        await reused.client.end().catch(() => undefined);
      }
    }
    const db = await connect(target, this.timeoutSeconds, log);
    // A session the server ends while it waits in the pool reports an error event with no query
    // to take it: without a listener that would end the process; its next query fails instead.
    db.client.on('error', () => undefined);
    return db;
  }

  /** Keeps the session for the next schema when `clean` (the check succeeded) and it is idle; else closes it. */
  async release(db: Database, clean: boolean): Promise<void> {
    if (clean && (await settlesIdle(db))) this.idle.push(db);
    else await db.client.end().catch(() => undefined);
  }

  /** Closes every idle session: before anything writes, so the writes have the connections to themselves. */
  async close(): Promise<void> {
    const all = this.idle.splice(0);
    await Promise.all(all.map((db) => db.client.end().catch(() => undefined)));
  }
}
