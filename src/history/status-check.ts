// The status CHECK of a tracking table created before `rolled back` existed: found, and the SQL that widens it. Reads only.
import type pg from 'pg';
import { qualifiedName, type TrackingTable } from './table.js';
import { STATUS_LIST } from './write.js';

/** What writing a `rolled back` row needs of the table first. */
export interface StatusCheck {
  /** SQL that widens the old CHECK to every status (empty when nothing needs to change). */
  sql: string;
  /** Whether this role may change it (it owns the table, or is a member of its owner). */
  allowed: boolean;
}

/**
 * A table created by an earlier build has `CHECK (status IN ('applied', 'baseline', 'running',
 * 'failed'))`, which refuses `rolled back`. The CHECK is replaced, under the migration lock and
 * inside the first rollback's transaction, only when a rollback is about to write that status:
 * a table that never sees a rollback stays exactly as it was. Only a CHECK that lists the
 * action's own four statuses is replaced; any other constraint is the owner's and stays.
 */
export async function statusCheckOf(
  client: pg.ClientBase,
  tracking: TrackingTable,
): Promise<StatusCheck> {
  const table = qualifiedName(tracking);
  const { rows } = await client.query<{ name: string; definition: string; owned: boolean }>(
    `SELECT c.conname AS name, pg_get_constraintdef(c.oid) AS definition,
            pg_has_role(t.relowner, 'USAGE') AS owned
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
      WHERE c.conrelid = $1::regclass AND c.contype = 'c'`,
    [table],
  );
  const old = rows.filter(
    (r) =>
      ["'applied'", "'baseline'", "'running'", "'failed'"].every((s) => r.definition.includes(s)) &&
      !r.definition.includes("'rolled back'"),
  );
  const [first] = old;
  if (!first) return { sql: '', allowed: true };
  const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const drops = old.map((r) => `DROP CONSTRAINT ${quote(r.name)}`).join(', ');
  return {
    sql: `ALTER TABLE ${table} ${drops}, ADD CONSTRAINT ${quote(first.name)} CHECK (status IN (${STATUS_LIST}));`,
    allowed: first.owned,
  };
}
