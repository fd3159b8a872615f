// The relations that exist on the target before the pending migrations: one catalog query, no user data read.
import type pg from 'pg';
import type { ExistingRelation, RelationLookup } from '../model.js';

/** Schemas that never hold the project's relations. */
export const SYSTEM_SCHEMA_FILTER = `n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'`;

const RELATIONS_SQL = `
SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
       tn.nspname AS table_schema, t.relname AS table_name,
       c.reltuples::float8 AS rows,
       CASE WHEN c.relkind IN ('r', 'p', 'm', 'i', 'I', 'S', 't') THEN pg_total_relation_size(c.oid) ELSE 0 END::int8 AS bytes
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_index i ON i.indexrelid = c.oid
LEFT JOIN pg_class t ON t.oid = i.indrelid
LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
WHERE ${SYSTEM_SCHEMA_FILTER}
  AND ($1::text[] IS NULL OR n.nspname = ANY($1::text[]))`;

interface Row {
  oid: string;
  schema: string;
  name: string;
  kind: string;
  table_schema: string | null;
  table_name: string | null;
  rows: number;
  bytes: string;
}

/** The key of a relation in readRelations' map. */
export function relationKey(schema: string, name: string): string {
  return `${schema}.${name}`;
}

/**
 * Every relation of the user schemas (or of `schemas` only), keyed by `schema.name`: kind, an
 * index's table, estimated rows and total bytes. pg_total_relation_size takes and at once releases
 * an ACCESS SHARE lock per relation, so a relation locked exclusively by another session makes
 * this wait (bounded by the session's lock_timeout).
 */
export async function readRelations(
  client: pg.ClientBase,
  schemas?: string[],
): Promise<Map<string, ExistingRelation>> {
  const { rows } = await client.query<Row>(RELATIONS_SQL, [schemas ?? null]);
  const relations = new Map<string, ExistingRelation>();
  for (const row of rows) {
    const relation: ExistingRelation = {
      schema: row.schema,
      name: row.name,
      kind: row.kind,
      rows: row.rows,
      bytes: Number(row.bytes),
      oid: Number(row.oid),
    };
    if (row.table_schema !== null && row.table_name !== null) {
      relation.table = relationKey(row.table_schema, row.table_name);
    }
    relations.set(relationKey(row.schema, row.name), relation);
  }
  return relations;
}

/** A RelationLookup over readRelations' map. */
export function lookupOf(relations: Map<string, ExistingRelation>): RelationLookup {
  return (schema, name) => relations.get(relationKey(schema, name));
}
