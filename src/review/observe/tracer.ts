// Per-statement facts inside the rehearsal's transaction: new locks, rewrites, rows. Catalog and own-backend reads only.
import type pg from 'pg';
import type { ExistingRelation, Observation } from '../model.js';
import { lockModeName, lockStrength } from './locks.js';

/** What one statement did to relations that existed before, as the catalog shows it afterwards. */
export interface StatementTrace {
  durationMs: number;
  /** Locks newly held on existing relations (ACCESS EXCLUSIVE spelling), strongest first per relation. */
  locks: Observation['locks'];
  /**
   * Tables and materialized views whose relfilenode changed: rewritten. A TRUNCATE also gives a
   * table a new relfilenode: the caller, which knows the statement, tells the two apart.
   * Partitioned parents have no storage: their partitions are named instead.
   */
  rewritten: string[];
  /** Indexes whose relfilenode changed (REINDEX, or rebuilt by a table rewrite). */
  rebuiltIndexes: string[];
  /** Existing relations the statement dropped. */
  dropped: string[];
  /** pg_stat_xact_user_tables deltas, per table with a non-zero delta. */
  tables: (Observation['tables'][number] & { seqRowsRead: number })[];
}

export interface Tracer {
  /** Call right before sending a statement (no round trip: it starts the clock). */
  before(): Promise<void>;
  /** Call right after it: one catalog query, which also becomes the next statement's baseline. */
  after(): Promise<StatementTrace>;
}

interface Counters {
  ins: number;
  upd: number;
  del: number;
  scans: number;
  read: number;
}

interface Row extends Counters {
  oid: string;
  filenode: string | null;
  modes: string[] | null;
  /** Whether this transaction wrote the relation's pg_class row (a new relfilenode is written there). */
  ours?: boolean | null;
}

// The backend's own relation locks; oids below 16384 are the catalogs our own queries read.
const OWN_LOCKS = `SELECT relation, array_agg(mode::text) AS modes FROM pg_locks
  WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted AND relation >= 16384
  GROUP BY relation`;

// A backend's counters can hold earlier transactions' counts not yet flushed: hence deltas.
const COUNTERS = (oid: string) => `
  pg_stat_get_xact_tuples_inserted(${oid})::float8 AS ins,
  pg_stat_get_xact_tuples_updated(${oid})::float8 AS upd,
  pg_stat_get_xact_tuples_deleted(${oid})::float8 AS del,
  pg_stat_get_xact_numscans(${oid})::float8 AS scans,
  pg_stat_get_xact_tuples_returned(${oid})::float8 AS read`;

// Once: the locks already held, and the relfilenode and counters of the relations asked for
// (those readRelations gave no relfilenode for) and of every table whose counters are not zero:
// the backend's counters of earlier transactions not yet flushed (an index's are never used).
// Every other table's counters are zero until the rehearsal touches it (the backend flushes its
// counters only outside a transaction, and touching a relation locks it), and a relation's
// relfilenode is the one readRelations read. A few rows, where 10,000 relations' cost 0.2 s.
const BASELINE_SQL = `WITH l AS MATERIALIZED (${OWN_LOCKS})
SELECT c.oid::int8 AS oid, c.relfilenode::int8 AS filenode, l.modes, ${COUNTERS('c.oid')}
FROM pg_class c LEFT JOIN l ON l.relation = c.oid
WHERE c.oid = ANY($1::oid[]) OR c.oid IN (SELECT relation FROM l)
  OR (c.relkind IN ('r', 'm') AND c.oid >= 16384
      AND (pg_stat_get_xact_tuples_inserted(c.oid) > 0 OR pg_stat_get_xact_tuples_updated(c.oid) > 0
        OR pg_stat_get_xact_tuples_deleted(c.oid) > 0 OR pg_stat_get_xact_numscans(c.oid) > 0
        OR pg_stat_get_xact_tuples_returned(c.oid) > 0))`;

// After each statement: only relations this transaction holds a lock on. Every statement that
// changes, scans or rewrites a relation locks it until the transaction ends (a rewrite takes
// ACCESS EXCLUSIVE), so the locked set covers every relation whose relfilenode or counters can
// have moved, also when the lock was taken by an earlier statement. It stays small where a scan
// of all relations' relfilenodes would not.
const STEP_SQL = `WITH l AS MATERIALIZED (${OWN_LOCKS})
SELECT l.relation::int8 AS oid, c.relfilenode::int8 AS filenode, l.modes, ${COUNTERS('l.relation')},
       age(c.xmin) <= 0 AS ours
FROM l LEFT JOIN pg_class c ON c.oid = l.relation`;

const STORAGE_TABLES = new Set(['r', 'm']);
const INDEXES = new Set(['i']);

/**
 * Starts tracing on the rehearsal's connection, inside its open transaction: one query reads the
 * baseline of `relations` (readRelations' map, with oids and relfilenodes). Locks held before
 * this call (an earlier file in the same transaction) never show as new, though the statement may
 * need them again.
 */
export async function startTracing(
  client: pg.ClientBase,
  relations: Map<string, ExistingRelation>,
): Promise<Tracer> {
  const byOid = new Map<string, { key: string; kind: string }>();
  for (const [key, relation] of relations) {
    if (relation.oid !== undefined) byOid.set(String(relation.oid), { key, kind: relation.kind });
  }
  // Sequences, views and the like never rewrite nor count rows: no baseline to read for them.
  const traced = new Set(
    [...byOid].filter(([, r]) => STORAGE_TABLES.has(r.kind) || INDEXES.has(r.kind)).map(([o]) => o),
  );
  const filenodes = new Map<string, string>();
  const counters = new Map<string, Counters>();
  const held = new Set<string>();
  // Relations whose relfilenode was read inside the transaction (the baseline, or a step).
  const readInside = new Set<string>();
  const unread: string[] = [];
  for (const relation of relations.values()) {
    const oid = String(relation.oid);
    if (!traced.has(oid)) continue;
    if (relation.filenode === undefined) unread.push(oid);
    else filenodes.set(oid, String(relation.filenode));
  }
  const { rows } = await client.query<Row>(BASELINE_SQL, [unread]);
  for (const row of rows) {
    if (row.filenode !== null) filenodes.set(row.oid, row.filenode);
    readInside.add(row.oid);
    counters.set(row.oid, row);
    for (const mode of row.modes ?? []) held.add(`${row.oid} ${mode}`);
  }

  let started = performance.now();
  return {
    async before() {
      started = performance.now();
    },
    async after() {
      const durationMs = performance.now() - started;
      const step = await client.query<Row>(STEP_SQL);
      const trace: StatementTrace = {
        durationMs,
        locks: [],
        rewritten: [],
        rebuiltIndexes: [],
        dropped: [],
        tables: [],
      };
      for (const row of step.rows) {
        const relation = byOid.get(row.oid);
        if (!relation) continue; // created during the rehearsal, or a rewrite's transient heap
        const fresh = (row.modes ?? []).filter((mode) => !held.has(`${row.oid} ${mode}`));
        fresh.sort((a, b) => lockStrength(b) - lockStrength(a));
        for (const mode of fresh) {
          held.add(`${row.oid} ${mode}`);
          trace.locks.push({ mode: lockModeName(mode), relation: relation.key });
        }
        const before = filenodes.get(row.oid);
        // First seen here, with a relfilenode from before the transaction: one that this
        // transaction did not write was changed by another session before this statement locked
        // the relation (a VACUUM FULL meanwhile), not rewritten by the statement.
        const outside = !readInside.has(row.oid) && row.ours === false;
        readInside.add(row.oid);
        if (row.filenode === null) {
          if (filenodes.delete(row.oid)) trace.dropped.push(relation.key);
        } else if (outside) {
          filenodes.set(row.oid, row.filenode);
        } else if (before !== undefined && before !== row.filenode) {
          filenodes.set(row.oid, row.filenode);
          if (STORAGE_TABLES.has(relation.kind)) trace.rewritten.push(relation.key);
          else if (INDEXES.has(relation.kind)) trace.rebuiltIndexes.push(relation.key);
        }
        if (STORAGE_TABLES.has(relation.kind)) {
          const delta = deltaOf(counters.get(row.oid), row);
          counters.set(row.oid, row);
          if (delta.inserted || delta.updated || delta.deleted || delta.seqScans) {
            trace.tables.push({ relation: relation.key, ...delta });
          }
        }
      }
      for (const list of [trace.rewritten, trace.rebuiltIndexes, trace.dropped]) list.sort();
      trace.tables.sort((a, b) => a.relation.localeCompare(b.relation));
      trace.locks.sort((a, b) => a.relation.localeCompare(b.relation));
      return trace;
    },
  };
}

/**
 * Counter deltas, never negative: a TRUNCATE resets the transaction's insert, update and delete
 * counters of its table (pgstat_count_truncate), which would otherwise read as negative rows.
 */
function deltaOf(before: Counters | undefined, after: Counters) {
  const d = (key: keyof Counters) => Math.max(0, after[key] - (before?.[key] ?? 0));
  return {
    inserted: d('ins'),
    updated: d('upd'),
    deleted: d('del'),
    seqScans: d('scans'),
    seqRowsRead: d('read'),
  };
}
