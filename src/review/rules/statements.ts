// Statements other than ALTER TABLE: indexes, drops, truncate, renames, VACUUM FULL, CLUSTER, REFRESH, LOCK; each gives its findings and the locks it takes. Pure.
import type {
  ClusterStmt,
  DropStmt,
  IndexStmt,
  LockStmt,
  RefreshMatViewStmt,
  ReindexStmt,
  RenameStmt,
  TruncateStmt,
  VacuumStmt,
} from 'libpg-query';
import type { ExistingRelation } from '../model.js';
import type { Finding, LockClaim, Prediction } from './alter.js';
import {
  type FileState,
  isTable,
  LOCK_MODES,
  nodeOf,
  resolve,
  resolveList,
  type Target,
  tableOfIndex,
} from './context.js';

const NONE: Prediction = { findings: [], locks: [] };
const INDEXED_KINDS = new Set(['r', 'p', 'm']);
const RELATION_KINDS = new Set(['r', 'p', 'v', 'm', 'f']);

const NO_TRANSACTION_FILE =
  'Move it to a migration file of its own that starts with -- migrate:no-transaction (one statement per file is safest: a failure leaves nothing half-done in between).';

function inTransaction(state: FileState, what: string, target?: Target): Finding[] {
  if (state.context.noTransaction) return [];
  return [{ rule: 'concurrently-in-transaction', target, what, saferWay: NO_TRANSACTION_FILE }];
}

export function predictCreateIndex(state: FileState, stmt: IndexStmt): Prediction {
  const target = resolve(state, stmt.relation);
  if (!target) return NONE;
  // The index lives in its table's schema; later statements may drop or rename it freely.
  if (stmt.idxname)
    state.context.created.add(
      `${target.qualified.slice(0, target.qualified.indexOf('.'))}.${stmt.idxname}`,
    );
  const t = target.qualified;
  if (stmt.concurrent) {
    return {
      findings: inTransaction(
        state,
        `CREATE INDEX CONCURRENTLY on ${t} cannot run inside a transaction block, so this migration fails.`,
        target,
      ),
      locks: [{ target, mode: 'SHARE UPDATE EXCLUSIVE' }],
    };
  }
  const locks: LockClaim[] = [{ target, mode: 'SHARE' }];
  const existing = target.existing;
  if (!existing || !INDEXED_KINDS.has(existing.kind)) return { findings: [], locks };
  // CREATE INDEX ON ONLY a partitioned table builds nothing: an invalid parent index to attach to.
  if (existing.kind === 'p' && stmt.relation?.inh !== true) return { findings: [], locks };
  const saferWay =
    existing.kind === 'p'
      ? `A partitioned table cannot be indexed concurrently: CREATE INDEX … ON ONLY ${t} (instant), then CREATE INDEX CONCURRENTLY on each partition in -- migrate:no-transaction files, then ALTER INDEX … ATTACH PARTITION for each.`
      : `CREATE INDEX CONCURRENTLY … ON ${t} in a migration file of its own that starts with -- migrate:no-transaction.`;
  return {
    findings: [
      {
        rule: 'index-not-concurrent',
        target,
        what: `CREATE INDEX on ${t} holds a SHARE lock for the whole build, blocking every insert, update and delete.`,
        saferWay,
      },
    ],
    locks,
  };
}

/** The tables a CASCADE drops, largest first: three named, the rest counted. */
function cascadeList(tables: readonly ExistingRelation[]): string {
  if (tables.length === 0) return 'every table, view and function in it';
  const named = [...tables]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 3)
    .map((t) => `${t.schema}.${t.name}`);
  const more = tables.length - named.length;
  const list = more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
  return `every table in it with its data, ${tables.length === 1 ? 'the table' : `${tables.length} tables`}: ${list}; and every view and function`;
}

/** The schema's tables together, as the report's size sentence ("… has 1.2 M rows, 340 MB"). */
function schemaSize(tables: readonly ExistingRelation[]): { existing?: ExistingRelation } {
  const first = tables[0];
  if (first === undefined) return {};
  const rows = tables.every((t) => t.rows >= 0) ? tables.reduce((n, t) => n + t.rows, 0) : -1;
  const bytes = tables.reduce((n, t) => n + t.bytes, 0);
  // kind `n` (pg_namespace): only its size is read, by the report.
  return { existing: { schema: first.schema, name: first.schema, kind: 'n', rows, bytes } };
}

export function predictDrop(state: FileState, stmt: DropStmt): Prediction {
  const findings: Finding[] = [];
  const locks: LockClaim[] = [];
  for (const object of stmt.objects ?? []) {
    switch (stmt.removeType) {
      case 'OBJECT_INDEX': {
        const index = resolveList(state, nodeOf(object, 'List')?.items);
        const existing = index?.existing;
        if (!existing || (existing.kind !== 'i' && existing.kind !== 'I')) {
          if (stmt.concurrent)
            findings.push(
              ...inTransaction(
                state,
                `DROP INDEX CONCURRENTLY cannot run inside a transaction block, so this migration fails.`,
                index,
              ),
            );
          continue;
        }
        const table = tableOfIndex(state, existing);
        if (!table) continue;
        const name = index?.qualified ?? '';
        if (stmt.concurrent) {
          findings.push(
            ...inTransaction(
              state,
              `DROP INDEX CONCURRENTLY ${name} cannot run inside a transaction block, so this migration fails.`,
              table,
            ),
          );
          locks.push({ target: table, mode: 'SHARE UPDATE EXCLUSIVE' });
          continue;
        }
        locks.push({ target: table, mode: 'ACCESS EXCLUSIVE' });
        findings.push({
          rule: 'index-not-concurrent',
          target: table,
          what: `DROP INDEX ${name} takes ACCESS EXCLUSIVE on ${table.qualified}, blocking reads and writes while it waits and runs.`,
          saferWay:
            existing.kind === 'I'
              ? `A partitioned index cannot be dropped concurrently: drop it in a quiet moment with a short lock_timeout.`
              : `DROP INDEX CONCURRENTLY ${name} in a migration file of its own that starts with -- migrate:no-transaction.`,
        });
        break;
      }
      case 'OBJECT_TABLE': {
        const target = resolveList(state, nodeOf(object, 'List')?.items);
        if (!target || !isTable(target.existing)) continue;
        locks.push({ target, mode: 'ACCESS EXCLUSIVE' });
        findings.push({
          rule: 'breaking-change',
          target,
          what: `DROP TABLE ${target.qualified} deletes its data and breaks running code that still uses it.`,
          saferWay:
            'Deploy code that no longer uses the table first, keep it (or a backup) for a while, then drop it in a later migration.',
        });
        break;
      }
      case 'OBJECT_SCHEMA': {
        const schema = nodeOf(object, 'String')?.sval;
        if (!schema || state.context.created.has(schema)) continue;
        const cascade = stmt.behavior === 'DROP_CASCADE';
        const tables = cascade ? (state.context.tablesIn?.(schema) ?? []) : [];
        findings.push({
          rule: 'breaking-change',
          target: { qualified: schema, ...schemaSize(tables) },
          what: `DROP SCHEMA ${schema} deletes what it holds${cascade ? ` (CASCADE: ${cascadeList(tables)})` : ''} and breaks running code that uses it.`,
          saferWay:
            'Deploy code that no longer uses the schema first, then drop it in a later migration, without CASCADE so that a forgotten object stops it.',
        });
        break;
      }
      case 'OBJECT_TRIGGER': {
        // DROP TRIGGER name ON table: the list is the table's name followed by the trigger's.
        const items = nodeOf(object, 'List')?.items ?? [];
        const target = resolveList(state, items.slice(0, -1));
        if (target && isTable(target.existing)) locks.push({ target, mode: 'ACCESS EXCLUSIVE' });
        break;
      }
      default:
        break;
    }
  }
  return { findings, locks };
}

export function predictTruncate(state: FileState, stmt: TruncateStmt): Prediction {
  const findings: Finding[] = [];
  const locks: LockClaim[] = [];
  for (const node of stmt.relations ?? []) {
    const target = resolve(state, nodeOf(node, 'RangeVar'));
    if (!target || !isTable(target.existing)) continue;
    locks.push({ target, mode: 'ACCESS EXCLUSIVE' });
    findings.push({
      rule: 'breaking-change',
      target,
      what: `TRUNCATE ${target.qualified} deletes every row${stmt.behavior === 'DROP_CASCADE' ? ', and CASCADE empties the tables that reference it' : ''}.`,
      saferWay:
        'Delete the rows the migration means to remove with DELETE … WHERE in batches, or keep a copy first.',
    });
  }
  return { findings, locks };
}

const RENAMED_RELATIONS = new Set([
  'OBJECT_TABLE',
  'OBJECT_VIEW',
  'OBJECT_MATVIEW',
  'OBJECT_FOREIGN_TABLE',
  'OBJECT_INDEX',
  'OBJECT_SEQUENCE',
]);

export function predictRename(state: FileState, stmt: RenameStmt): Prediction {
  const target = resolve(state, stmt.relation);
  if (!target || !stmt.newname) return NONE;
  const existing = target.existing;
  if (stmt.renameType === 'OBJECT_COLUMN') {
    if (!existing || !RELATION_KINDS.has(existing.kind)) return NONE;
    return {
      findings: [
        {
          rule: 'breaking-change',
          target,
          what: `Renaming column ${target.qualified}.${stmt.subname ?? ''} to ${stmt.newname} breaks running code that still uses the old name.`,
          saferWay:
            'Expand/contract: add the new column, write both and backfill, switch the code, then drop the old column later (or keep the old name and change only the code).',
        },
      ],
      locks: [{ target, mode: 'ACCESS EXCLUSIVE' }],
    };
  }
  // Renaming a table's constraint or trigger takes ACCESS EXCLUSIVE on the table; nothing breaks.
  if (stmt.renameType === 'OBJECT_TABCONSTRAINT' || stmt.renameType === 'OBJECT_TRIGGER') {
    return isTable(existing)
      ? { findings: [], locks: [{ target, mode: 'ACCESS EXCLUSIVE' }] }
      : NONE;
  }
  if (!RENAMED_RELATIONS.has(stmt.renameType ?? '')) return NONE;
  // Later statements name it by its new name, in the same schema.
  const renamed = `${target.qualified.slice(0, target.qualified.indexOf('.'))}.${stmt.newname}`;
  if (existing) state.pending.renamed.set(renamed, existing);
  else state.context.created.add(renamed);
  if (!existing || stmt.renameType === 'OBJECT_INDEX' || stmt.renameType === 'OBJECT_SEQUENCE')
    return NONE;
  return {
    findings: [
      {
        rule: 'breaking-change',
        target,
        what: `Renaming ${target.qualified} to ${stmt.newname} breaks running code that still uses the old name.`,
        saferWay: `Expand/contract: rename it and create a view with the old name (CREATE VIEW ${target.qualified} AS SELECT * FROM …${stmt.newname}) until no code uses the old name, then drop the view.`,
      },
    ],
    locks: [{ target, mode: 'ACCESS EXCLUSIVE' }],
  };
}

export function predictVacuum(state: FileState, stmt: VacuumStmt): Prediction {
  const full = (stmt.options ?? []).some((o) => {
    const option = nodeOf(o, 'DefElem');
    if (option?.defname !== 'full') return false;
    const arg = option.arg;
    const value = nodeOf(arg, 'String')?.sval ?? nodeOf(arg, 'Boolean')?.boolval;
    return (
      arg === undefined ||
      value === true ||
      value === 'true' ||
      value === 'on' ||
      nodeOf(arg, 'Integer')?.ival === 1
    );
  });
  if (!stmt.is_vacuumcmd || !full) return NONE;
  const findings: Finding[] = [];
  const locks: LockClaim[] = [];
  for (const node of stmt.rels ?? []) {
    const target = resolve(state, nodeOf(node, 'VacuumRelation')?.relation);
    if (!target || !isTable(target.existing)) continue;
    locks.push({ target, mode: 'ACCESS EXCLUSIVE' });
    findings.push({
      rule: 'table-rewrite',
      target,
      what: `VACUUM FULL rewrites ${target.qualified} and its indexes under ACCESS EXCLUSIVE.`,
      saferWay:
        'Use pg_repack (online), or run VACUUM FULL by hand in a maintenance window rather than in a migration.',
    });
  }
  return { findings, locks };
}

export function predictCluster(state: FileState, stmt: ClusterStmt): Prediction {
  const target = resolve(state, stmt.relation);
  if (!target || !isTable(target.existing)) return NONE;
  return {
    findings: [
      {
        rule: 'table-rewrite',
        target,
        what: `CLUSTER rewrites ${target.qualified} and its indexes under ACCESS EXCLUSIVE.`,
        saferWay:
          'Use pg_repack --order-by (online), or CLUSTER by hand in a maintenance window rather than in a migration.',
      },
    ],
    locks: [{ target, mode: 'ACCESS EXCLUSIVE' }],
  };
}

export function predictRefresh(state: FileState, stmt: RefreshMatViewStmt): Prediction {
  const target = resolve(state, stmt.relation);
  if (target === undefined || target.existing?.kind !== 'm') return NONE;
  if (stmt.concurrent) return { findings: [], locks: [{ target, mode: 'EXCLUSIVE' }] };
  return {
    findings: [
      {
        rule: 'refresh-not-concurrent',
        target,
        what: `REFRESH MATERIALIZED VIEW ${target.qualified} holds ACCESS EXCLUSIVE while it recomputes, blocking every read of the view.`,
        saferWay: `REFRESH MATERIALIZED VIEW CONCURRENTLY ${target.qualified} (it needs a unique index on the view; reads go on meanwhile).`,
      },
    ],
    locks: [{ target, mode: 'ACCESS EXCLUSIVE' }],
  };
}

export function predictReindex(state: FileState, stmt: ReindexStmt): Prediction {
  const concurrently = (stmt.params ?? []).some((p) => {
    const option = nodeOf(p, 'DefElem');
    return option?.defname === 'concurrently' && nodeOf(option.arg, 'Boolean')?.boolval !== false;
  });
  const target = resolve(state, stmt.relation);
  if (!concurrently) {
    // REINDEX TABLE takes SHARE on the table (ACCESS EXCLUSIVE on each index it rebuilds).
    const table = stmt.kind === 'REINDEX_OBJECT_TABLE' ? target : undefined;
    return { findings: [], locks: table ? [{ target: table, mode: 'SHARE' }] : [] };
  }
  return {
    findings: inTransaction(
      state,
      'REINDEX … CONCURRENTLY cannot run inside a transaction block, so this migration fails.',
      target,
    ),
    locks: [],
  };
}

export function predictLock(state: FileState, stmt: LockStmt): Prediction {
  const mode = LOCK_MODES[(stmt.mode ?? 8) - 1] ?? 'ACCESS EXCLUSIVE';
  const locks: LockClaim[] = [];
  for (const node of stmt.relations ?? []) {
    const target = resolve(state, nodeOf(node, 'RangeVar'));
    if (target && isTable(target.existing)) locks.push({ target, mode });
  }
  return { findings: [], locks };
}

/** Records the relations and schemas a statement creates, so that later rules leave them alone. */
export function rememberCreated(state: FileState, tree: import('libpg-query').Node): Prediction {
  const created = state.context.created;
  const add = (target: Target | undefined) => {
    if (target) created.add(target.qualified);
  };
  const create = nodeOf(tree, 'CreateStmt') ?? nodeOf(tree, 'CreateForeignTableStmt')?.base;
  if (create) {
    // CREATE TABLE … PARTITION OF an existing table takes ACCESS EXCLUSIVE on the parent.
    const parent = create.partbound
      ? resolve(state, nodeOf(create.inhRelations?.[0], 'RangeVar'))
      : undefined;
    add(resolveFresh(state, create.relation));
    return {
      findings: [],
      locks:
        parent && isTable(parent.existing) ? [{ target: parent, mode: 'ACCESS EXCLUSIVE' }] : [],
    };
  }
  add(resolveFresh(state, nodeOf(tree, 'CreateTableAsStmt')?.into?.rel));
  add(resolveFresh(state, nodeOf(tree, 'ViewStmt')?.view));
  add(resolveFresh(state, nodeOf(tree, 'CreateSeqStmt')?.sequence));
  add(resolveFresh(state, nodeOf(tree, 'SelectStmt')?.intoClause?.rel));
  const schema = nodeOf(tree, 'CreateSchemaStmt')?.schemaname;
  if (schema) created.add(schema);
  return NONE;
}

/** Where a CREATE puts a relation: its schema, or the first schema of the search path. */
function resolveFresh(
  state: FileState,
  rv: import('libpg-query').RangeVar | undefined,
): Target | undefined {
  if (!rv?.relname || rv.relpersistence === 't') return undefined;
  return { qualified: `${rv.schemaname ?? state.searchPath[0] ?? 'public'}.${rv.relname}` };
}
