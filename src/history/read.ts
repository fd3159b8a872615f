// Reads the tracking table in one query and checks that it fits. Reads only.
import type pg from 'pg';
import { ConfigurationError } from '../errors.js';
import { byVersion } from '../files/naming.js';
import { type HistoryRow, qualifiedName, type RowStatus, type TrackingTable } from './table.js';

// Type OIDs of pg_type, as the server reports them for each column of a result.
const INT4 = 23;
const INT8 = 20;
const TEXT = 25;
const VARCHAR = 1043;
const TIMESTAMPTZ = 1184;

const EXPECTED: Record<string, { types: number[]; type: string }> = {
  version: { types: [INT8], type: 'bigint' },
  name: { types: [TEXT, VARCHAR], type: 'text' },
  checksum: { types: [TEXT, VARCHAR], type: 'text' },
  status: { types: [TEXT, VARCHAR], type: 'text' },
  applied_at: { types: [TIMESTAMPTZ], type: 'timestamptz' },
  execution_ms: { types: [INT4, INT8], type: 'integer' },
  applied_by: { types: [TEXT, VARCHAR], type: 'text' },
};
// The run needs four columns; the other three are selected as typed NULLs, so that the result's
// description still shows their types for the fit check without sending their values.
const NEEDED = ['version', 'name', 'checksum', 'status'];
// `version_key` (the exact identity of a stand-in version, always negative) exists only in a table
// that once had to hold one: read through the row as JSON, which does not fail when the column is
// absent, and only for negative versions, so a table without any costs nothing per row.
const KEY = "CASE WHEN version < 0 THEN to_jsonb(t)->>'version_key' END AS version_key";
const SELECTED = Object.keys(EXPECTED)
  .map((c) => (NEEDED.includes(c) ? c : `CASE WHEN false THEN ${c} END AS ${c}`))
  .concat(KEY)
  .join(', ');
const STATUSES = new Set<string>(['applied', 'baseline', 'running', 'failed', 'rolled back']);

/** The tracking table's rows, and whether the table exists at all. */
export interface History {
  exists: boolean;
  rows: HistoryRow[];
}

/**
 * Reads the history in one query. A missing table (or schema) is an empty history, so that the
 * everyday run that finds nothing to do costs a single round trip; the column types are checked
 * from the result's own description rather than by a second query to the catalog.
 */
export async function readHistory(
  client: pg.ClientBase,
  tracking: TrackingTable,
): Promise<History> {
  let result: pg.QueryResult;
  try {
    result = await client.query({
      // No ORDER BY: the rows are sorted below (see there).
      text: `SELECT ${SELECTED} FROM ${qualifiedName(tracking)} AS t`,
      rowMode: 'array',
      // Every value as the server's text: no Date or number parsing for thousands of rows.
      types: { getTypeParser: () => (value: string) => value },
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === '42P01') return { exists: false, rows: [] };
    if (code === '42501') throw await readDenied(client, tracking);
    if (code === '42703') throw await misfit(client, tracking);
    throw error;
  }
  const wrong = result.fields.filter(
    (f) => f.name !== 'version_key' && !EXPECTED[f.name]?.types.includes(f.dataTypeID),
  );
  if (wrong.length > 0) throw await misfit(client, tracking);

  const rows = result.rows.map((r: unknown[]): HistoryRow => {
    const row: HistoryRow = {
      version: BigInt(r[0] as string),
      name: r[1] as string,
      checksum: r[2] as string,
      status: r[3] as RowStatus,
    };
    const key = r[7] as string | null;
    if (key !== null) row.key = key;
    return row;
  });
  // Sorted here rather than by the server: in a new session, planning an ordered scan costs the
  // server 5-7 ms of CPU (about an eighth of a fleet's whole cost per up-to-date database), and
  // sorting a history that comes back in the order it was written is nearly free here.
  rows.sort(byVersion);
  const unknown = rows.find((row) => !STATUSES.has(row.status));
  if (unknown) {
    throw new ConfigurationError(
      `${tableLabel(tracking)} was not written by this action (version ${unknown.key ?? unknown.version} has status "${unknown.status}"): ${whatToDo(tracking, rows.at(-1)?.version)}`,
    );
  }
  return { exists: true, rows };
}

function tableLabel(tracking: TrackingTable): string {
  return `The tracking table ${tracking.schema}.${tracking.table}`;
}

function whatToDo(tracking: TrackingTable, highest: bigint | undefined): string {
  const baseline =
    highest === undefined
      ? 'then run command: baseline with the highest version it recorded'
      : `then run command: baseline with baseline-version: ${highest} (the highest version it recorded)`;
  return `leave it as it is, set table: to a new name (for example ${tracking.table}_v2), ${baseline}.`;
}

/**
 * The one sentence for a history the role may not read: the tracking table is named, and the
 * grant it lacks (USAGE on the schema, SELECT on the table), rather than PostgreSQL's bare
 * `permission denied for schema ops`.
 */
async function readDenied(
  client: pg.ClientBase,
  tracking: TrackingTable,
): Promise<ConfigurationError> {
  // By OID, not by name: looking a name up in a schema without USAGE is itself refused.
  const { rows } = await client.query<{ role: string; usage: boolean; select: boolean }>(
    `SELECT current_user AS role, coalesce(has_schema_privilege(n.oid, 'USAGE'), true) AS usage,
       coalesce(has_table_privilege(c.oid, 'SELECT'), true) AS select
     FROM (SELECT 1) AS one
     LEFT JOIN pg_namespace n ON n.nspname = $1
     LEFT JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = $2`,
    [tracking.schema, tracking.table],
  );
  const access = rows[0] ?? { role: 'the role', usage: false, select: false };
  const role = /^[a-z_][a-z0-9_$]*$/.test(access.role)
    ? access.role
    : `"${access.role.replaceAll('"', '""')}"`;
  const grants = [
    access.usage ? '' : `GRANT USAGE ON SCHEMA ${tracking.schema} TO ${role}`,
    access.select
      ? ''
      : `GRANT SELECT, INSERT, UPDATE ON ${tracking.schema}.${tracking.table} TO ${role}`,
  ].filter(Boolean);
  const what = access.usage
    ? 'SELECT privilege on it'
    : `USAGE privilege on schema ${tracking.schema}`;
  return new ConfigurationError(
    `${tableLabel(tracking)} cannot be read: role ${access.role} has no ${what}; run ${grants.join(' and ') || `GRANT USAGE ON SCHEMA ${tracking.schema} TO ${role}`}.`,
  );
}

/** Names what does not fit in an existing table, for the one-sentence error. */
async function misfit(client: pg.ClientBase, tracking: TrackingTable): Promise<ConfigurationError> {
  const { rows } = await client.query<{ column_name: string; data_type: string }>(
    'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
    [tracking.schema, tracking.table],
  );
  const actual = new Map(rows.map((r) => [r.column_name, r.data_type]));
  const problems: string[] = [];
  for (const [column, { type }] of Object.entries(EXPECTED)) {
    const found = actual.get(column);
    if (found === undefined) problems.push(`no column ${column}`);
    else if (!sameType(found, type)) problems.push(`${column} is ${found}, not ${type}`);
  }
  let highest: bigint | undefined;
  if (actual.has('version')) {
    const max = await client.query<{ max: string | null }>(
      // Compared as numbers: an old table may keep versions as text, where '9' > '10'.
      `SELECT max(version::text::numeric)::text AS max FROM ${qualifiedName(tracking)} WHERE version::text ~ '^[0-9]+$'`,
    );
    const text = max.rows[0]?.max;
    if (text && /^\d+$/.test(text)) highest = BigInt(text);
  }
  return new ConfigurationError(
    `${tableLabel(tracking)} exists but does not fit this action (${problems.join('; ')}): ${whatToDo(tracking, highest)}`,
  );
}

function sameType(found: string, expected: string): boolean {
  const aliases: Record<string, string[]> = {
    bigint: ['bigint'],
    text: ['text', 'character varying'],
    timestamptz: ['timestamp with time zone'],
    integer: ['integer', 'bigint'],
  };
  return aliases[expected]?.includes(found) ?? false;
}
