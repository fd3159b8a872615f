// Which tool's history tables exist in a schema, from the catalog in one query. Reads only.
import type pg from 'pg';
import { canonicalDigits } from '../../files/layouts/index.js';
import { qualifiedName } from '../table.js';
import type { ForeignHistory, ImportTool } from './model.js';

/** Each tool's default table name (golang-migrate and dbmate share one). */
export const TABLES: Record<ImportTool, string> = {
  'golang-migrate': 'schema_migrations',
  dbmate: 'schema_migrations',
  goose: 'goose_db_version',
  flyway: 'flyway_schema_history',
  prisma: '_prisma_migrations',
  diesel: '__diesel_schema_migrations',
  popx: 'schema_migration',
};

/** A table's columns and their types as `format_type` spells them. */
export type Columns = Map<string, string>;

/** The columns of each of `tables` that exists in `schema`. */
export async function columnsOf(
  client: pg.ClientBase,
  schema: string,
  tables: readonly string[],
): Promise<Map<string, Columns>> {
  const { rows } = await client.query<{ table: string; column: string; type: string }>(
    `SELECT c.relname AS table, a.attname AS column, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
      WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND c.relkind IN ('r', 'p')`,
    [schema, [...new Set(tables)]],
  );
  const found = new Map<string, Columns>();
  for (const row of rows) {
    const columns = found.get(row.table) ?? new Map<string, string>();
    columns.set(row.column, row.type);
    found.set(row.table, columns);
  }
  return found;
}

/**
 * Whose table this is, from its name and columns: golang-migrate's `schema_migrations` has
 * `version bigint, dirty boolean`; dbmate's has one text `version`; popx's `schema_migration` a
 * text `version` and, since popx's transactional table, `version_self`. Undefined when none.
 */
export function toolOfTable(table: string, columns: Columns): ImportTool | undefined {
  if (table === TABLES.goose && columns.has('version_id') && columns.has('is_applied')) {
    return 'goose';
  }
  if (table === TABLES.prisma && columns.has('migration_name') && columns.has('finished_at')) {
    return 'prisma';
  }
  if (table === TABLES.diesel && columns.has('version') && columns.has('run_on')) return 'diesel';
  if (table === TABLES.flyway && columns.has('installed_rank') && columns.has('success')) {
    return 'flyway';
  }
  if (table === TABLES.popx && isText(columns.get('version'))) {
    // pop's legacy table has the one column; popx's own adds version_self.
    if (columns.size === 1 || (columns.size === 2 && columns.has('version_self'))) return 'popx';
  }
  const version = columns.get('version');
  if (version === undefined) return undefined;
  if (columns.has('dirty') && columns.size === 2) return 'golang-migrate';
  if (columns.size === 1 && isText(version)) return 'dbmate';
  return undefined;
}

function isText(type: string | undefined): boolean {
  return type !== undefined && (type.startsWith('character varying') || type === 'text');
}

/** `"schema"."table"` of another tool's table, each name quoted (a schema may hold any character). */
export function foreignTable(schema: string, table: string): string {
  return qualifiedName({ schema, table });
}

/** The `version` column of a table with one row per applied version (dbmate, diesel, popx), as text. */
export async function textVersions(
  client: pg.ClientBase,
  schema: string,
  table: string,
): Promise<string[]> {
  const { rows } = await client.query<{ version: string }>(
    `SELECT version::text AS version FROM ${foreignTable(schema, table)}`,
  );
  return rows.map((row) => row.version);
}

/**
 * The history of a tool that writes one row per applied version, the file name's leading digits
 * as text (dbmate, popx): each version as a canonical decimal; anything else it never wrote.
 */
export function digitVersions(
  tool: ImportTool,
): (client: pg.ClientBase, schema: string, table: string) => Promise<ForeignHistory> {
  return async (client, schema, table) => {
    const versions = await textVersions(client, schema, table);
    return {
      tool,
      table: `${schema}.${table}`,
      records: versions.filter((v) => /^\d+$/.test(v)).map((v) => ({ key: canonicalDigits(v) })),
    };
  };
}
