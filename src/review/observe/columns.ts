// The current column types, NOT NULL columns and valid NOT NULL checks of the tables the pending ALTERs touch: what the predictions need to know of the target. Catalog reads only.
import type pg from 'pg';

/** Column facts for the rules: `format_type` of a column, and whether it is proven NOT NULL. */
export interface ColumnFacts {
  columnType: (table: string, column: string) => string | undefined;
  /** NOT NULL already (SET NOT NULL does nothing), or a valid CHECK (col IS NOT NULL) (it skips its scan). */
  provenNotNull: (table: string, column: string) => boolean;
}

// On 18 a NOT NULL constraint added NOT VALID also sets attnotnull, yet SET NOT NULL scans to
// validate it: only a column without such a constraint counts as NOT NULL already.
const COLUMNS_SQL = `SELECT n.nspname AS schema, c.relname AS name, a.attname AS column,
  format_type(a.atttypid, a.atttypmod) AS type,
  a.attnotnull AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid
    AND k.contype = 'n' AND NOT k.convalidated AND a.attnum = ANY (k.conkey)) AS not_null
FROM unnest($1::text[], $2::text[]) AS t(schema, name)
JOIN pg_namespace n ON n.nspname = t.schema
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.name
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped`;

const CHECKS_SQL = `SELECT n.nspname AS schema, c.relname AS name, pg_get_constraintdef(k.oid) AS def
FROM unnest($1::text[], $2::text[]) AS t(schema, name)
JOIN pg_namespace n ON n.nspname = t.schema
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.name
JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'c' AND k.convalidated`;

/** `CHECK ((col IS NOT NULL))` or `CHECK (("Col" IS NOT NULL))` as pg_get_constraintdef writes it. */
const NOT_NULL_CHECK = /^CHECK \(\(?("(?:[^"]|"")+"|[^\s()"]+) IS NOT NULL\)?\)$/;

function unquote(identifier: string): string {
  return identifier.startsWith('"') ? identifier.slice(1, -1).replaceAll('""', '"') : identifier;
}

/**
 * Reads, in two queries, the columns (type, NOT NULL) and the valid NOT NULL checks of `tables` (qualified
 * `schema.name`, as the catalog stores them). Only the tables the pending statements alter are
 * asked for, so the cost does not grow with the size of the schema.
 */
export async function readColumnFacts(
  client: pg.ClientBase,
  tables: readonly { schema: string; name: string }[],
): Promise<ColumnFacts> {
  const types = new Map<string, string>();
  const proven = new Set<string>();
  if (tables.length > 0) {
    const schemas = tables.map((t) => t.schema);
    const names = tables.map((t) => t.name);
    const columns = await client.query<{
      schema: string;
      name: string;
      column: string;
      type: string;
      not_null: boolean;
    }>(COLUMNS_SQL, [schemas, names]);
    const checks = await client.query<{ schema: string; name: string; def: string }>(CHECKS_SQL, [
      schemas,
      names,
    ]);
    for (const row of columns.rows) {
      types.set(`${row.schema}.${row.name}\n${row.column}`, row.type);
      if (row.not_null) proven.add(`${row.schema}.${row.name}\n${row.column}`);
    }
    for (const row of checks.rows) {
      const match = NOT_NULL_CHECK.exec(row.def);
      if (match?.[1]) proven.add(`${row.schema}.${row.name}\n${unquote(match[1])}`);
    }
  }
  return {
    columnType: (table, column) => types.get(`${table}\n${column}`),
    provenNotNull: (table, column) => proven.has(`${table}\n${column}`),
  };
}
