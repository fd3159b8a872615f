// The schema as the catalog states it: tables, columns, indexes, constraints, enums, views, functions, triggers. Reads the catalog only.
import type pg from 'pg';
import type { SnapshotScope } from './scope.js';

interface Named {
  schema: string;
  name: string;
}

/** One object of the schema with the facts a difference is made of. */
export type SchemaObject =
  | (Named & { kind: 'schema' })
  | (Named & { kind: 'extension'; version: string })
  | (Named & {
      kind: 'table';
      tableKind: 'table' | 'partitioned table' | 'foreign table';
      unlogged: boolean;
      rowSecurity: boolean;
      /** `schema.table` of its parent, and its bound, for a partition. */
      partitionOf?: string;
      bound?: string;
    })
  | (Named & {
      kind: 'column';
      table: string;
      /** format_type, e.g. `character varying(100)`. */
      type: string;
      notNull: boolean;
      default?: string;
      identity?: 'always' | 'by default';
      /** The expression of a `GENERATED ALWAYS AS (…) STORED` column. */
      generated?: string;
    })
  | (Named & { kind: 'index'; table: string; definition: string; valid: boolean })
  | (Named & { kind: 'constraint'; table: string; type: string; definition: string })
  | (Named & { kind: 'enum'; labels: string[] })
  | (Named & { kind: 'view'; materialized: boolean; definition: string })
  | (Named & {
      kind: 'function';
      /** Identity arguments, e.g. `integer, text`. */
      args: string;
      routine: 'function' | 'procedure' | 'aggregate' | 'window function';
      result: string;
      /** md5 of pg_get_functiondef (or of an aggregate's parts): its body and every attribute. */
      hash: string;
    })
  | (Named & { kind: 'trigger'; table: string; definition: string; enabled: boolean });

export type ObjectKind = SchemaObject['kind'];

/** Every object of the user schemas, keyed by objectKey. */
export interface SchemaSnapshot {
  objects: Map<string, SchemaObject>;
  /**
   * The oids of the relation an object of a table, column, index, constraint, view or trigger
   * is on (an index's table and the index itself), by objectKey: what overlaySnapshot scopes by.
   */
  owners?: Map<string, number[]>;
}

/** A key that identifies an object across snapshots (oids change when an object is re-created). */
export function objectKey(object: SchemaObject): string {
  switch (object.kind) {
    case 'extension':
      return `extension ${object.name}`;
    case 'column':
    case 'constraint':
    case 'trigger':
      return `${object.kind} ${object.schema}.${object.table}.${object.name}`;
    case 'function':
      return `function ${object.schema}.${object.name}(${object.args})`;
    default:
      return `${object.kind} ${object.schema}.${object.name}`;
  }
}

const notExtensionMember = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;

/**
 * `AND (a = ANY(…) OR b = ANY(…))` for a scope (its relations' oids are numbers, written into the
 * text: the snapshot is one simple-protocol message), nothing without one.
 */
function scopeFilter(scope: SnapshotScope | undefined): (...oids: string[]) => string {
  if (!scope) return () => '';
  const list = `'{${scope.relations.map((oid) => String(Math.trunc(oid))).join(',')}}'::oid[]`;
  return (...oids) => ` AND (${oids.map((oid) => `${oid} = ANY(${list})`).join(' OR ')})`;
}

/**
 * One query per kind, sent together as one simple-protocol message (one round trip). Objects that
 * belong to an extension are left out (the extension itself is listed), as are the copies
 * PostgreSQL makes on partitions and inheritance children of a parent's columns, indexes,
 * constraints and triggers: the parent's line says it once.
 */
function snapshotSql(schemaFilter: string, only: (...oids: string[]) => string): string {
  const inSchemas = `n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)' ${schemaFilter}`;
  return `
SELECT n.nspname AS schema FROM pg_namespace n WHERE ${inSchemas};
SELECT x.extname AS name, n.nspname AS schema, x.extversion AS version
FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
WHERE x.extname <> 'plpgsql' AND ${inSchemas};
SELECT c.oid::int8 AS rel, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
       c.relpersistence = 'u' AS unlogged, c.relrowsecurity AS rls,
       CASE WHEN c.relispartition THEN (
         SELECT pn.nspname || '.' || p.relname FROM pg_inherits i
         JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
         WHERE i.inhrelid = c.oid) END AS partition_of,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'f') AND ${inSchemas} AND ${notExtensionMember('pg_class', 'c.oid')}${only('c.oid')};
SELECT c.oid::int8 AS rel, n.nspname AS schema, c.relname AS table, a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
       pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity::text AS identity,
       a.attgenerated::text AS generated
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relkind IN ('r', 'p', 'f') AND NOT c.relispartition AND a.attnum > 0
  AND NOT a.attisdropped AND (a.attislocal OR a.attinhcount = 0)
  AND ${inSchemas} AND ${notExtensionMember('pg_class', 'c.oid')}${only('c.oid')}
ORDER BY n.nspname, c.relname, a.attnum;
SELECT x.indrelid::int8 AS rel, x.indexrelid::int8 AS rel2, n.nspname AS schema, ic.relname AS name, tc.relname AS table,
       pg_get_indexdef(ic.oid) AS definition, x.indisvalid AS valid
FROM pg_index x
JOIN pg_class ic ON ic.oid = x.indexrelid JOIN pg_class tc ON tc.oid = x.indrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
WHERE NOT ic.relispartition AND ${inSchemas} AND ${notExtensionMember('pg_class', 'tc.oid')}
  ${only('x.indrelid', 'x.indexrelid')};
SELECT c.oid::int8 AS rel, n.nspname AS schema, c.relname AS table, k.conname AS name, k.contype::text AS type,
       pg_get_constraintdef(k.oid) AS definition
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE k.contype <> 'n' AND k.conparentid = 0 AND (k.conislocal OR k.coninhcount = 0)
  AND ${inSchemas} AND ${notExtensionMember('pg_class', 'c.oid')}${only('c.oid')};
SELECT n.nspname AS schema, t.typname AS name,
       coalesce(array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FILTER (WHERE e.oid IS NOT NULL), '{}') AS labels
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typtype = 'e' AND ${inSchemas} AND ${notExtensionMember('pg_type', 't.oid')}
GROUP BY 1, 2;
SELECT c.oid::int8 AS rel, n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized,
       pg_get_viewdef(c.oid) AS definition
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND ${inSchemas} AND ${notExtensionMember('pg_class', 'c.oid')}${only('c.oid')};
SELECT n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS args,
       p.prokind::text AS routine, coalesce(pg_get_function_result(p.oid), '') AS result,
       md5(CASE WHEN p.prokind = 'a'
                THEN concat_ws(' ', pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
                               a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggtranstype, a.agginitval)
                ELSE pg_get_functiondef(p.oid) END) AS hash
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
WHERE ${inSchemas} AND ${notExtensionMember('pg_proc', 'p.oid')};
SELECT c.oid::int8 AS rel, n.nspname AS schema, c.relname AS table, g.tgname AS name,
       pg_get_triggerdef(g.oid) AS definition, g.tgenabled <> 'D' AS enabled
FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT g.tgisinternal AND g.tgparentid = 0 AND ${inSchemas}
  AND ${notExtensionMember('pg_class', 'c.oid')}${only('c.oid')};`;
}

type Row = Record<string, unknown>;
const text = (row: Row, column: string) => String(row[column] ?? '');
const optional = (row: Row, column: string) => {
  const value = row[column];
  return value === null || value === undefined || value === '' ? undefined : String(value);
};

const TABLE_KINDS = { r: 'table', p: 'partitioned table', f: 'foreign table' } as const;
const ROUTINES = { f: 'function', p: 'procedure', a: 'aggregate', w: 'window function' } as const;

/**
 * The schema of the user schemas (or of `schemas` only): one round trip. Run it inside the
 * rehearsal's transaction to see its uncommitted changes; it reads no user table and takes no
 * lock on user relations. With a `scope`, tables, columns, indexes, constraints, views and
 * triggers are read for its relations only (an index also when only its table is in scope).
 */
export async function snapshotSchema(
  client: pg.ClientBase,
  schemas?: string[],
  scope?: SnapshotScope,
): Promise<SchemaSnapshot> {
  const filter = schemas
    ? `AND n.nspname = ANY(ARRAY[${schemas.map((s) => client.escapeLiteral(s)).join(', ') || 'NULL'}]::text[])`
    : '';
  // Several statements in one text: pg answers with one result per statement.
  const results = (await client.query(
    snapshotSql(filter, scopeFilter(scope)),
  )) as unknown as pg.QueryResult<Row>[];
  const [
    spaces,
    extensions,
    tables,
    columns,
    indexes,
    constraints,
    enums,
    views,
    functions,
    triggers,
  ] = results.map((r) => r.rows);
  const objects: SchemaObject[] = [];
  const owners = new Map<string, number[]>();
  const add = (object: SchemaObject, r: Row) => {
    objects.push(object);
    const oids = [r.rel, r.rel2].filter((v) => v !== undefined && v !== null).map(Number);
    owners.set(objectKey(object), oids);
  };
  for (const r of spaces ?? [])
    objects.push({ kind: 'schema', schema: text(r, 'schema'), name: text(r, 'schema') });
  for (const r of extensions ?? []) {
    objects.push({
      kind: 'extension',
      schema: text(r, 'schema'),
      name: text(r, 'name'),
      version: text(r, 'version'),
    });
  }
  for (const r of tables ?? []) {
    const object: SchemaObject = {
      kind: 'table',
      schema: text(r, 'schema'),
      name: text(r, 'name'),
      tableKind: TABLE_KINDS[text(r, 'kind') as keyof typeof TABLE_KINDS] ?? 'table',
      unlogged: r.unlogged === true,
      rowSecurity: r.rls === true,
    };
    const parent = optional(r, 'partition_of');
    if (parent !== undefined) {
      object.partitionOf = parent;
      object.bound = text(r, 'bound');
    }
    add(object, r);
  }
  for (const r of columns ?? []) {
    const object: SchemaObject = {
      kind: 'column',
      schema: text(r, 'schema'),
      table: text(r, 'table'),
      name: text(r, 'name'),
      type: text(r, 'type'),
      notNull: r.not_null === true,
    };
    const generated = optional(r, 'generated');
    const expression = optional(r, 'default');
    if (generated !== undefined) object.generated = expression ?? '';
    else if (expression !== undefined) object.default = expression;
    const identity = optional(r, 'identity');
    if (identity !== undefined) object.identity = identity === 'a' ? 'always' : 'by default';
    add(object, r);
  }
  for (const r of indexes ?? []) {
    add(
      {
        kind: 'index',
        schema: text(r, 'schema'),
        name: text(r, 'name'),
        table: text(r, 'table'),
        definition: text(r, 'definition'),
        valid: r.valid === true,
      },
      r,
    );
  }
  for (const r of constraints ?? []) {
    add(
      {
        kind: 'constraint',
        schema: text(r, 'schema'),
        table: text(r, 'table'),
        name: text(r, 'name'),
        type: text(r, 'type'),
        definition: text(r, 'definition'),
      },
      r,
    );
  }
  for (const r of enums ?? []) {
    const labels = Array.isArray(r.labels) ? r.labels.map(String) : [];
    objects.push({ kind: 'enum', schema: text(r, 'schema'), name: text(r, 'name'), labels });
  }
  for (const r of views ?? []) {
    add(
      {
        kind: 'view',
        schema: text(r, 'schema'),
        name: text(r, 'name'),
        materialized: r.materialized === true,
        definition: text(r, 'definition'),
      },
      r,
    );
  }
  for (const r of functions ?? []) {
    objects.push({
      kind: 'function',
      schema: text(r, 'schema'),
      name: text(r, 'name'),
      args: text(r, 'args'),
      routine: ROUTINES[text(r, 'routine') as keyof typeof ROUTINES] ?? 'function',
      result: text(r, 'result'),
      hash: text(r, 'hash'),
    });
  }
  for (const r of triggers ?? []) {
    add(
      {
        kind: 'trigger',
        schema: text(r, 'schema'),
        table: text(r, 'table'),
        name: text(r, 'name'),
        definition: text(r, 'definition'),
        enabled: r.enabled === true,
      },
      r,
    );
  }
  return { objects: new Map(objects.map((o) => [objectKey(o), o])), owners };
}

/**
 * A whole snapshot brought up to date by a scoped one: `base`'s objects on relations outside
 * `scope`, and everything `scoped` read (tables and the like of the scope, and every schema,
 * extension, enum and function). Exact when nothing outside the scope changed since `base` was
 * read, as rehearsalScope makes sure for a scope read later in the same transaction.
 */
export function overlaySnapshot(
  base: SchemaSnapshot,
  scoped: SchemaSnapshot,
  scope: SnapshotScope,
): SchemaSnapshot {
  const inScope = new Set(scope.relations);
  const objects = new Map<string, SchemaObject>();
  const owners = new Map<string, number[]>();
  for (const [key, object] of base.objects) {
    const oids = base.owners?.get(key);
    if (oids === undefined || oids.length === 0 || oids.some((oid) => inScope.has(oid))) continue;
    objects.set(key, object);
    owners.set(key, oids);
  }
  for (const [key, object] of scoped.objects) {
    objects.set(key, object);
    const oids = scoped.owners?.get(key);
    if (oids) owners.set(key, oids);
  }
  return { objects, owners };
}
