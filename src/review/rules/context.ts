// What the rules share: the prediction context, node access, name resolution, lock modes and the Risk builder. Pure: no parser, no database.
import type { Node, RangeVar } from 'libpg-query';
import type { ExistingRelation, Level, RelationLookup, Risk, RuleId } from '../model.js';
import type { ParsedStatement } from './parse.js';

/** What the prediction needs to know about the target and the file. */
export interface PredictContext {
  file: string;
  /** The file is `-- migrate:no-transaction`. */
  noTransaction: boolean;
  /** server_version_num of the target (130000 … 189999). */
  serverVersionNum: number;
  relation: RelationLookup;
  /** Optional: the tables and materialized views a schema holds on the target (DROP SCHEMA … CASCADE). */
  tablesIn?: (schema: string) => ExistingRelation[];
  /** Default `['public']`; `$user` entries are skipped (the role is not known here). */
  searchPath?: string[];
  /** The session's `TimeZone` (decides whether timestamp <-> timestamptz rewrites). */
  timeZone?: string;
  /** The `lock-timeout` input bounds every lock wait. */
  lockTimeoutInput: boolean;
  /**
   * Qualified names (`schema.name`) of relations created by earlier pending statements, and bare
   * names of schemas they created. Mutated: pass the same set for every file of one review.
   */
  created: Set<string>;
  /**
   * Optional: the type of an existing column as `format_type` spells it (`character varying(10)`),
   * given the qualified table. Without it a type change is predicted to rewrite unless the new
   * type alone proves it cannot (the rehearsal then observes it).
   */
  columnType?: (table: string, column: string) => string | undefined;
  /** Optional: the column is NOT NULL already, or a valid `CHECK (column IS NOT NULL)` proves it, on the target. */
  provenNotNull?: (table: string, column: string) => boolean;
  /**
   * Optional: facts learned from earlier pending statements besides `created` (renames, NOT NULL
   * checks). Mutated: pass the same object for every file of one review ({@link newPendingFacts}).
   */
  pending?: PendingFacts;
}

/** Facts from earlier pending statements that later ones depend on. */
export interface PendingFacts {
  /** New qualified name → the existing relation renamed to it. */
  renamed: Map<string, ExistingRelation>;
  /** `schema.table.column` proven NOT NULL by a valid CHECK added or validated by a pending statement. */
  notNullProven: Set<string>;
  /** `schema.table.constraint` → column, for `CHECK (column IS NOT NULL) NOT VALID` not validated yet. */
  notValidChecks: Map<string, string>;
}

export function newPendingFacts(): PendingFacts {
  return { renamed: new Map(), notNullProven: new Set(), notValidChecks: new Map() };
}

/** The per-file state the rules read while walking its statements in order. */
export interface FileState {
  context: PredictContext;
  pending: PendingFacts;
  searchPath: string[];
  /** The session's `TimeZone` as earlier statements of the file left it. */
  timeZone?: string;
  /** A `SET lock_timeout` (non-zero) earlier in the file bounds lock waits now. */
  lockTimeoutSet: boolean;
}

// ---------------------------------------------------------------------------------------------
// Node access

type KeysOfUnion<T> = T extends T ? keyof T : never;
export type NodeKey = KeysOfUnion<Node>;
export type NodeValue<K extends NodeKey> = Extract<Node, Record<K, unknown>>[K];

/** The payload of `node` when it is of kind `key` (`{ AlterTableStmt: … }`), else undefined. */
export function nodeOf<K extends NodeKey>(
  node: Node | undefined,
  key: K,
): NodeValue<K> | undefined {
  if (node === undefined || !(key in node)) return undefined;
  return (node as unknown as Record<K, NodeValue<K>>)[key];
}

/** The strings of a name list (`[{String:{sval:'public'}},{String:{sval:'t'}}]`). */
export function names(list: readonly Node[] | undefined): string[] {
  return (list ?? []).map((n) => nodeOf(n, 'String')?.sval ?? '');
}

// ---------------------------------------------------------------------------------------------
// Relations

/** A relation a statement names, resolved. */
export interface Target {
  /** `schema.name` (the schema it resolved to; the first of the search path when not found). */
  qualified: string;
  /** The relation as it was before the pending migrations; undefined when new or unknown. */
  existing?: ExistingRelation;
}

const TABLE_KINDS = new Set(['r', 'p']);

export function isTable(relation: ExistingRelation | undefined): boolean {
  return relation !== undefined && TABLE_KINDS.has(relation.kind);
}

/**
 * Resolves `schema.name` or a bare name through the search path, as PostgreSQL does: the first
 * schema holding it wins. A relation created (or renamed to) by an earlier pending statement is
 * new, however the target's catalog spells it.
 */
export function resolveName(state: FileState, schema: string | undefined, name: string): Target {
  const schemas = schema ? [schema] : state.searchPath;
  for (const s of schemas) {
    const qualified = `${s}.${name}`;
    const renamed = state.pending.renamed.get(qualified);
    if (renamed) return { qualified, existing: renamed };
    if (state.context.created.has(qualified)) return { qualified };
    const existing = state.context.relation(s, name);
    if (existing) return { qualified, existing };
  }
  return { qualified: `${schemas[0] ?? 'public'}.${name}` };
}

export function resolve(state: FileState, rv: RangeVar | undefined): Target | undefined {
  if (!rv?.relname) return undefined;
  // Temporary relations live in the session only: never existing ones of the target.
  if (rv.relpersistence === 't') return { qualified: `pg_temp.${rv.relname}` };
  return resolveName(state, rv.schemaname, rv.relname);
}

/** Resolves a dotted name list (`DROP TABLE s.t`). */
export function resolveList(
  state: FileState,
  list: readonly Node[] | undefined,
): Target | undefined {
  const parts = names(list);
  const name = parts.at(-1);
  if (!name) return undefined;
  return resolveName(state, parts.length > 1 ? parts.at(-2) : undefined, name);
}

/** The table of an existing index (`ExistingRelation.table`), looked up again for its size. */
export function tableOfIndex(state: FileState, index: ExistingRelation): Target | undefined {
  if (!index.table) return undefined;
  const dot = index.table.indexOf('.');
  const schema = index.table.slice(0, dot);
  const name = index.table.slice(dot + 1);
  return { qualified: index.table, existing: state.context.relation(schema, name) };
}

export function splitQualified(qualified: string): [string, string] {
  const dot = qualified.indexOf('.');
  return [qualified.slice(0, dot), qualified.slice(dot + 1)];
}

// ---------------------------------------------------------------------------------------------
// Lock modes, weakest to strongest (PostgreSQL's own numbering: a larger mode conflicts with
// everything a smaller one conflicts with, which is why ALTER TABLE takes the largest of its
// subcommands' modes)

export const LOCK_MODES = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;
export type LockMode = (typeof LOCK_MODES)[number];

export function strongest(a: LockMode | undefined, b: LockMode): LockMode {
  return a === undefined || LOCK_MODES.indexOf(b) > LOCK_MODES.indexOf(a) ? b : a;
}

// ---------------------------------------------------------------------------------------------
// Risks

/** The statement's first line, cut to a readable length. */
export function firstLine(text: string, max = 100): string {
  const line = (text.split(/\r?\n/, 1)[0] ?? '').trimEnd();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export interface RiskFacts {
  rule: RuleId;
  target?: Target;
  lockMode?: LockMode;
  what: string;
  saferWay: string;
}

const LEVELS: Record<RuleId, Level> = {
  'index-not-concurrent': 'danger',
  'table-rewrite': 'danger',
  'validating-scan': 'danger',
  'breaking-change': 'danger',
  'concurrently-in-transaction': 'danger',
  'no-lock-timeout': 'warning',
  'refresh-not-concurrent': 'warning',
};

export function levelOf(rule: RuleId): Level {
  return LEVELS[rule];
}

export function makeRisk(state: FileState, statement: ParsedStatement, facts: RiskFacts): Risk {
  const risk: Risk = {
    rule: facts.rule,
    level: LEVELS[facts.rule],
    file: state.context.file,
    line: statement.line,
    statement: firstLine(statement.text),
    source: 'predicted',
    what: statement.inBlock
      ? `In the DO block${statement.inBlock.conditional ? ' (when it gets there)' : ''}: ${facts.what}`
      : facts.what,
    saferWay: facts.saferWay,
  };
  if (facts.target) risk.table = facts.target.qualified;
  if (facts.lockMode) risk.lockMode = facts.lockMode;
  const existing = facts.target?.existing;
  if (existing) risk.size = { rows: existing.rows, bytes: existing.bytes };
  return risk;
}
