// The safety review's data: rules, predicted and observed risks, the catalog facts they rest on. Types only.

/** The rules of SPEC's "Safety review" table. */
export type RuleId =
  | 'index-not-concurrent'
  | 'table-rewrite'
  | 'validating-scan'
  | 'breaking-change'
  | 'concurrently-in-transaction'
  | 'no-lock-timeout'
  | 'refresh-not-concurrent';

export type Level = 'danger' | 'warning';

/** A relation that existed on the target before the pending migrations, as the catalog says. */
export interface ExistingRelation {
  schema: string;
  name: string;
  /** pg_class.relkind: r table, p partitioned table, i index, I partitioned index, m matview, v view, S sequence, f foreign, t toast. */
  kind: string;
  /** pg_class.relpersistence: p permanent, u unlogged (SET LOGGED/UNLOGGED to the same does nothing). */
  persistence?: string;
  /** For an index: the qualified name (`schema.table`) of its table. */
  table?: string;
  /** pg_class.reltuples (an estimate; -1 or 0 when never analysed). */
  rows: number;
  /** pg_total_relation_size. */
  bytes: number;
  /** pg_class.oid, so that the rehearsal's tracer can name locks and rewrites of relations dropped or renamed since. */
  oid?: number;
  /** pg_class.relfilenode as read before the rehearsal: the tracer's baseline for rewrites. */
  filenode?: number;
}

/** Looks up a relation by schema and name (both as stored in the catalog, i.e. case-folded). */
export type RelationLookup = (schema: string, name: string) => ExistingRelation | undefined;

/** What the rehearsal measured for one statement, inside the rolled-back transaction. */
export interface Observation {
  file: string;
  /** Line of the statement's first keyword in its file. */
  line: number;
  /** The statement's text (its first line names observed risks that no rule predicted). */
  statement?: string;
  durationMs: number;
  /** Locks newly taken by this statement on relations that existed before (own backend's pg_locks). */
  locks: { mode: string; relation: string }[];
  /** Relations (`schema.name`) whose relfilenode changed: rewritten. Partitions are named, not their parent. */
  rewritten: string[];
  /** pg_stat_xact_user_tables deltas, per relation with a non-zero delta. */
  tables: {
    relation: string;
    inserted: number;
    updated: number;
    deleted: number;
    seqScans: number;
  }[];
}

/** One finding of the review. */
export interface Risk {
  rule: RuleId;
  level: Level;
  file: string;
  /** Line of the statement's first keyword in its file. */
  line: number;
  /** The statement's first line, cut to a readable length. */
  statement: string;
  /** The relation it is about, qualified (`public.posts`), when there is one. */
  table?: string;
  /** The lock mode the statement takes on `table` (e.g. `ACCESS EXCLUSIVE`). */
  lockMode?: string;
  /** Where the fact comes from: the parse tree and server version, or the rehearsal. */
  source: 'predicted' | 'observed';
  /** What happens, in one sentence (without the size, which the report adds from `size`). */
  what: string;
  /** The safer way to write it, concrete. */
  saferWay: string;
  /** The relation's size on the target, when known (`rows` is -1 when never analysed). */
  size?: { rows: number; bytes: number };
  /** How long the statement took in the rehearsal, when observed. */
  durationMs?: number;
  /** The reason given by a `-- migrate:allow <rule> <reason>` line, when acknowledged. */
  acknowledged?: string;
}

/** The safety review of one run's pending migrations, as the report shows it. */
export interface Review {
  /** Findings, dangers first, then warnings, each in file and line order. */
  risks: Risk[];
  /** The schema difference the pending migrations make (`+ column posts.x integer`), when rehearsed. */
  schemaChanges?: string[];
  /** What the review could not do, one sentence each (a catalog it could not read, SQL the parser rejected). */
  notes: string[];
  /** Whether the rehearsal's observations are in it (else predictions only). */
  observed: boolean;
  /** The target's server version, e.g. `18.4`: predictions depend on it. */
  serverVersion: string;
  /** The `safety` input: with `fail`, an open danger fails the run and is an error annotation. */
  mode: 'warn' | 'fail';
}
