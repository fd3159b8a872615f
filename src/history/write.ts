// The SQL that creates the tracking table and records a row: text to send with a migration.
import type pg from 'pg';
import { ConfigurationError } from '../errors.js';
import { literal } from '../sql/literal.js';
import { qualifiedName, quoteIdentifier, type RowStatus, type TrackingTable } from './table.js';

/**
 * The SQL that creates the tracking table when it does not exist, and its schema when
 * `pg_namespace` lacks it: a role may own its schema without having CREATE on the database, so
 * `CREATE SCHEMA IF NOT EXISTS` is not issued blindly. The caller sends it inside the first
 * migration's transaction, while holding the migration lock, so a run whose first migration fails
 * leaves no table behind. Before anything runs, the same query checks that the session's role may
 * create the table, or write the existing one (INSERT, and UPDATE for `no-transaction` files):
 * otherwise the action's own SQL would fail inside the first migration and be reported as that
 * migration's failure. Throws a ConfigurationError that names the missing grant.
 */
export async function createHistorySql(
  client: pg.ClientBase,
  tracking: TrackingTable,
  { update = false }: { update?: boolean } = {},
): Promise<string> {
  const access = await accessOf(client, tracking);
  const problem = missingGrant(access, tracking, update);
  if (problem) throw new ConfigurationError(problem);
  if (access.table_exists) return '';
  const createSchema = access.schema_exists
    ? ''
    : `CREATE SCHEMA ${quoteIdentifier(tracking.schema)};`;
  return `${createSchema}CREATE TABLE IF NOT EXISTS ${qualifiedName(tracking)} (version bigint PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, status text NOT NULL CHECK (status IN (${STATUS_LIST})), applied_at timestamptz NOT NULL DEFAULT now(), execution_ms integer NOT NULL DEFAULT 0, applied_by text NOT NULL DEFAULT '');`;
}

interface Access {
  role: string;
  database: string;
  schema_exists: boolean;
  create_database: boolean;
  create_schema: boolean;
  usage_schema: boolean;
  table_exists: boolean;
  select_table: boolean;
  insert_table: boolean;
  update_table: boolean;
}

/** What the session's role may do with the tracking table and its schema, in one query. */
async function accessOf(client: pg.ClientBase, tracking: TrackingTable): Promise<Access> {
  // By OID, not by name: looking a name up in a schema without USAGE is itself refused.
  const { rows } = await client.query<Access>(
    `SELECT current_user AS role, current_database() AS database,
       n.oid IS NOT NULL AS schema_exists,
       has_database_privilege(current_database(), 'CREATE') AS create_database,
       n.oid IS NOT NULL AND has_schema_privilege(n.oid, 'CREATE') AS create_schema,
       n.oid IS NOT NULL AND has_schema_privilege(n.oid, 'USAGE') AS usage_schema,
       c.oid IS NOT NULL AS table_exists,
       c.oid IS NOT NULL AND has_table_privilege(c.oid, 'SELECT') AS select_table,
       c.oid IS NOT NULL AND has_table_privilege(c.oid, 'INSERT') AS insert_table,
       c.oid IS NOT NULL AND has_table_privilege(c.oid, 'UPDATE') AS update_table
     FROM (SELECT 1) AS one
     LEFT JOIN pg_namespace n ON n.nspname = $1
     LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = $2`,
    [tracking.schema, tracking.table],
  );
  return rows[0] as Access;
}

/** An identifier as a GRANT needs it: quoted unless PostgreSQL would read it unquoted. */
function ident(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

/** The sentence for a grant the run needs and lacks, or undefined. */
function missingGrant(
  access: Access,
  tracking: TrackingTable,
  update: boolean,
): string | undefined {
  const role = ident(access.role);
  const schema = ident(tracking.schema);
  const table = `${schema}.${ident(tracking.table)}`;
  const name = `${tracking.schema}.${tracking.table}`;
  if (!access.schema_exists) {
    if (access.create_database) return undefined;
    return `The tracking table ${name} cannot be created: its schema does not exist and role ${access.role} has no CREATE privilege on database ${access.database}; create the schema (CREATE SCHEMA ${schema} AUTHORIZATION ${role}) or run GRANT CREATE ON DATABASE ${ident(access.database)} TO ${role}, or set schema: to a schema the role may create tables in.`;
  }
  if (!access.table_exists) {
    const lacking = [access.usage_schema ? '' : 'USAGE', access.create_schema ? '' : 'CREATE']
      .filter(Boolean)
      .join(', ');
    if (!lacking) return undefined;
    return `The tracking table ${name} cannot be created: role ${access.role} has no ${lacking} privilege on schema ${tracking.schema}; run GRANT ${lacking} ON SCHEMA ${schema} TO ${role}, or set schema: to a schema the role may create tables in.`;
  }
  const lacking = [
    access.usage_schema ? '' : `USAGE ON SCHEMA ${schema}`,
    access.select_table && access.insert_table && (access.update_table || !update)
      ? ''
      : `SELECT, INSERT${update ? ', UPDATE' : ''} ON ${table}`,
  ].filter(Boolean);
  if (lacking.length === 0) return undefined;
  return `The tracking table ${name} cannot be written by role ${access.role}: run ${lacking.map((grant) => `GRANT ${grant} TO ${role}`).join(' and ')}.`;
}

/** Every status a row may have, as the CHECK of a table this action creates lists them. */
export const STATUS_LIST = "'applied', 'baseline', 'running', 'failed', 'rolled back'";

export interface RowValues {
  version: bigint;
  /** The exact version when `version` is its stand-in: written to `version_key` (version-key.ts). */
  key?: string;
  name: string;
  checksum: string;
  status: RowStatus;
  appliedBy: string;
  /** The version has a `rolled back` row: this row replaces it (a migration applied again). */
  replacesRolledBack?: boolean;
}

/**
 * The INSERT that records a migration, as text to send in the same message as the migration.
 * `executionMs` is an SQL expression, so that the server measures the time the file took.
 */
export function insertRowSql(tracking: TrackingTable, row: RowValues, executionMs: string): string {
  // Only a `rolled back` row is replaced: a row of any other status still makes the INSERT fail
  // on the primary key, as a migration applied twice must.
  const replace = row.replacesRolledBack
    ? `DELETE FROM ${qualifiedName(tracking)} WHERE version = ${row.version} AND status = 'rolled back';`
    : '';
  // `version_key` only for a row that has one: a table without the column takes every other row.
  const [keyColumn, keyValue] =
    row.key === undefined ? ['', ''] : [', version_key', `, ${literal(row.key)}`];
  return `${replace}INSERT INTO ${qualifiedName(tracking)} (version, name, checksum, status, applied_at, execution_ms, applied_by${keyColumn}) VALUES (${row.version}, ${literal(row.name)}, ${literal(row.checksum)}, ${literal(row.status)}, now(), ${executionMs}, ${literal(row.appliedBy)}${keyValue})`;
}
