// Which relations a rehearsal's schema difference can involve: those its transaction locked, and those whose definitions name an object it created or changed. Catalog reads only.
import type pg from 'pg';

/**
 * The relations (oids) a snapshot reads the tables, columns, indexes, constraints, views and
 * triggers of. Schemas, extensions, enums and functions are always read whole.
 */
export interface SnapshotScope {
  relations: number[];
}

/** A schema's oid and name, as read when the rehearsal starts (see renamedSchemas). */
export interface SchemaName {
  oid: number;
  name: string;
}

/** Every schema's oid and name: a handful of rows, read before the rehearsal's first statement. */
export async function readSchemaNames(client: pg.ClientBase): Promise<SchemaName[]> {
  const { rows } = await client.query<{ oid: string; name: string }>(
    'SELECT oid::int8 AS oid, nspname::text AS name FROM pg_namespace',
  );
  return rows.map((row) => ({ oid: Number(row.oid), name: row.name }));
}

// Catalogs whose names a snapshot's text can hold (format_type, pg_get_*def, pg_get_expr): a
// rename there changes the text of objects on relations the transaction never locked.
const NAMED = [
  ['pg_type', 'typname'],
  ['pg_proc', 'proname'],
  ['pg_operator', 'oprname'],
  ['pg_collation', 'collname'],
  ['pg_opclass', 'opcname'],
  ['pg_opfamily', 'opfname'],
  ['pg_ts_config', 'cfgname'],
  ['pg_ts_dict', 'dictname'],
] as const;

// A row whose xmin is the transaction's xid or later is one it wrote (or one a transaction that
// committed since wrote: more than needed, never less). age() counts from the transaction's own
// xid, so its subtransactions' rows (savepoints) are negative.
const ours = (alias: string) => `age(${alias}.xmin) <= 0`;

/**
 * The relations a difference can be on: (1) every relation the transaction holds a lock on (every
 * DDL locks what it changes, also what a CASCADE drops; a relation it creates is locked by it);
 * (2) every relation whose columns, defaults, indexes, constraints, rules (views) or triggers
 * depend (pg_depend) on a relation of (1) or on a type, enum, function, operator, collation,
 * operator class or text search object the transaction created or changed, or on any object of
 * the same name (a new one can change how an older one is qualified). Renamed enum values count
 * as changes of their type. One query.
 */
const SCOPE_SQL = `
WITH changed AS (
  SELECT 'pg_class'::regclass AS classid, c.oid, c.relname::text AS name
  FROM pg_class c WHERE c.oid >= 16384 AND ${ours('c')}
  UNION
  SELECT 'pg_class'::regclass, l.relation, c.relname::text
  FROM pg_locks l LEFT JOIN pg_class c ON c.oid = l.relation
  WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND l.relation >= 16384
  UNION
  SELECT 'pg_type'::regclass, e.enumtypid, t.typname::text
  FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE ${ours('e')}
  ${NAMED.map(([catalog, name]) => `UNION SELECT '${catalog}'::regclass, x.oid, x.${name}::text FROM ${catalog} x WHERE ${ours('x')}`).join('\n  ')}
), refs AS (
  SELECT classid, oid FROM changed
  UNION
  SELECT 'pg_class'::regclass, c.oid FROM pg_class c
  WHERE c.relname IN (SELECT name FROM changed WHERE classid = 'pg_class'::regclass)
  ${NAMED.map(([catalog, name]) => `UNION SELECT '${catalog}'::regclass, x.oid FROM ${catalog} x WHERE x.${name} IN (SELECT name FROM changed WHERE classid = '${catalog}'::regclass)`).join('\n  ')}
)
SELECT (SELECT count(*) FROM changed WHERE oid < 16384)::int AS builtin,
  coalesce((SELECT array_agg(DISTINCT rel::int8) FROM (
    SELECT oid AS rel FROM refs WHERE classid = 'pg_class'::regclass
    UNION ALL
    SELECT CASE d.classid
      WHEN 'pg_class'::regclass THEN d.objid
      WHEN 'pg_attrdef'::regclass THEN (SELECT adrelid FROM pg_attrdef WHERE oid = d.objid)
      WHEN 'pg_constraint'::regclass THEN (SELECT conrelid FROM pg_constraint WHERE oid = d.objid)
      WHEN 'pg_rewrite'::regclass THEN (SELECT ev_class FROM pg_rewrite WHERE oid = d.objid)
      WHEN 'pg_trigger'::regclass THEN (SELECT tgrelid FROM pg_trigger WHERE oid = d.objid)
    END
    FROM pg_depend d JOIN refs r ON d.refclassid = r.classid AND d.refobjid = r.oid
  ) s WHERE rel IS NOT NULL AND rel <> 0), '{}') AS relations,
  coalesce((SELECT array_agg(n.oid::int8) FROM pg_namespace n
    JOIN unnest($1::int8[], $2::text[]) AS s(oid, name) ON s.oid = n.oid
    WHERE n.nspname <> s.name), '{}') AS renamed`;

/**
 * The scope of the rehearsal's snapshots, read inside its transaction after its last statement,
 * or undefined when only a whole snapshot is exact: a schema of `before` renamed (every name in
 * it changed, and dependencies on pinned schemas are not recorded), or a built-in type, function
 * or the like changed (nothing records what depends on those).
 */
export async function rehearsalScope(
  client: pg.ClientBase,
  before: SchemaName[],
): Promise<SnapshotScope | undefined> {
  const { rows } = await client.query<{
    builtin: number;
    relations: string[];
    renamed: string[];
  }>(SCOPE_SQL, [before.map((s) => s.oid), before.map((s) => s.name)]);
  const row = rows[0];
  if (!row || row.builtin > 0 || row.renamed.length > 0) return undefined;
  return { relations: row.relations.map(Number).sort((a, b) => a - b) };
}
