// Which relations a rehearsal's schema difference can involve: those its transaction locked, and those whose definitions name an object it created or changed. Catalog reads only.
import type pg from 'pg';

/**
 * The relations (oids) a snapshot reads the tables, columns, indexes, constraints, views and
 * triggers of. Schemas, extensions, enums and functions are always read whole.
 */
export interface SnapshotScope {
  relations: number[];
}

/** What rehearsalScope compares with, read before the rehearsal's first statement. */
export interface ScopeStart {
  /** Every schema's oid and name (a handful of rows). */
  schemas: { oid: number; name: string }[];
  /**
   * Names that more than one object of a catalog (pg_class, pg_type, pg_proc …) carries: which of
   * them a name means depends on the search path, so dropping or renaming one of them can change
   * how the others are written where they are used. Usually none.
   */
  shared: { catalog: string; name: string; count: number }[];
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

const SHARED_SQL = [['pg_class', 'relname'], ...NAMED]
  .map(
    ([catalog, name]) =>
      `SELECT '${catalog}' AS catalog, ${name}::text AS name, count(*)::int AS count FROM ${catalog} WHERE oid >= 16384 GROUP BY ${name} HAVING count(*) > 1`,
  )
  .join('\nUNION ALL\n');

/** The schemas and shared names: one round trip, before the rehearsal's first statement. */
export async function readScopeStart(client: pg.ClientBase): Promise<ScopeStart> {
  // Several statements in one text: pg answers with one result per statement.
  const [schemas, shared] = (await client.query(
    `SELECT oid::int8 AS oid, nspname::text AS name FROM pg_namespace;
     ${SHARED_SQL}`,
  )) as unknown as pg.QueryResult[];
  return {
    schemas: (schemas?.rows ?? []).map((row) => ({ oid: Number(row.oid), name: String(row.name) })),
    shared: (shared?.rows ?? []).map((row) => ({
      catalog: String(row.catalog),
      name: String(row.name),
      count: Number(row.count),
    })),
  };
}

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
 * a name such an object got, or a name fewer objects carry than at the start (which object a name
 * means depends on the search path, and pg_get_*def qualifies a name that is not the one it
 * means). Renamed enum values count as changes of their type. One query.
 */
const NAME_COLUMNS = [['pg_class', 'relname'], ...NAMED] as const;

const SCOPE_SQL = `
WITH changed AS (
  SELECT 'pg_class'::regclass AS classid, c.oid
  FROM pg_class c WHERE c.oid >= 16384 AND ${ours('c')}
  UNION
  SELECT 'pg_class'::regclass, l.relation
  FROM pg_locks l
  WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND l.relation >= 16384
  UNION
  SELECT 'pg_type'::regclass, e.enumtypid FROM pg_enum e WHERE ${ours('e')}
  ${NAMED.map(([catalog]) => `UNION SELECT '${catalog}'::regclass, x.oid FROM ${catalog} x WHERE ${ours('x')}`).join('\n  ')}
), names AS (
  -- What a name means can change when an object gets it (created, renamed, moved: its row is
  -- the transaction's) or loses it (dropped, renamed: one holder fewer than at the start).
  ${NAME_COLUMNS.map(([catalog, name]) => `SELECT '${catalog}'::regclass AS classid, x.${name}::text AS name FROM ${catalog} x WHERE x.oid >= 16384 AND ${ours('x')}`).join('\n  UNION ')}
  UNION
  SELECT s.catalog::regclass, s.name FROM unnest($3::text[], $4::text[], $5::int[]) AS s(catalog, name, count)
  WHERE s.count <> CASE s.catalog
    ${NAME_COLUMNS.map(([catalog, name]) => `WHEN '${catalog}' THEN (SELECT count(*) FROM ${catalog} x WHERE x.${name} = s.name AND x.oid >= 16384)`).join('\n    ')}
  END
), refs AS (
  SELECT classid, oid FROM changed
  ${NAME_COLUMNS.map(([catalog, name]) => `UNION SELECT '${catalog}'::regclass, x.oid FROM ${catalog} x WHERE x.${name} IN (SELECT name FROM names WHERE classid = '${catalog}'::regclass)`).join('\n  ')}
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
  (SELECT count(*) FROM pg_namespace n JOIN unnest($1::int8[], $2::text[]) AS s(oid, name)
    ON s.oid = n.oid WHERE n.nspname <> s.name)::int AS renamed`;

/**
 * The scope of the rehearsal's snapshots, read inside its transaction after its last statement,
 * or undefined when only a whole snapshot is exact: a schema of `start` renamed (every name in
 * it changed, and dependencies on pinned schemas are not recorded), or a built-in type, function
 * or the like changed (nothing records what depends on those). (A role's name is not written into
 * any of it: PostgreSQL refuses a regrole constant in a stored expression.)
 */
export async function rehearsalScope(
  client: pg.ClientBase,
  start: ScopeStart,
): Promise<SnapshotScope | undefined> {
  const { rows } = await client.query<{
    builtin: number;
    relations: string[];
    renamed: number;
  }>(SCOPE_SQL, [
    start.schemas.map((s) => s.oid),
    start.schemas.map((s) => s.name),
    start.shared.map((s) => s.catalog),
    start.shared.map((s) => s.name),
    start.shared.map((s) => s.count),
  ]);
  const row = rows[0];
  if (!row || row.builtin > 0 || row.renamed > 0) return undefined;
  return { relations: row.relations.map(Number).sort((a, b) => a - b) };
}
