// The current column types and valid NOT NULL checks of the tables the pending ALTERs touch: what the predictions need to know of the target. Catalog reads only.
import type pg from 'pg';

/** Column facts for the rules: `format_type` of a column, and whether a valid CHECK proves it NOT NULL. */
export interface ColumnFacts {
  columnType: (table: string, column: string) => string | undefined;
  hasValidNotNullCheck: (table: string, column: string) => boolean;
}

const COLUMNS_SQL = `SELECT n.nspname AS schema, c.relname AS name, a.attname AS column,
  format_type(a.atttypid, a.atttypmod) AS type
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
 * Reads, in two queries, the columns and the valid NOT NULL checks of `tables` (qualified
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
    }>(COLUMNS_SQL, [schemas, names]);
    const checks = await client.query<{ schema: string; name: string; def: string }>(CHECKS_SQL, [
      schemas,
      names,
    ]);
    for (const row of columns.rows) types.set(`${row.schema}.${row.name}\n${row.column}`, row.type);
    for (const row of checks.rows) {
      const match = NOT_NULL_CHECK.exec(row.def);
      if (match?.[1]) proven.add(`${row.schema}.${row.name}\n${unquote(match[1])}`);
    }
  }
  return {
    columnType: (table, column) => types.get(`${table}\n${column}`),
    hasValidNotNullCheck: (table, column) => proven.has(`${table}\n${column}`),
  };
}
