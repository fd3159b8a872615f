// The predicted half of the safety review: walks a file's statements in order and returns the risks its parse trees and the target's version make certain. Pure: no parser, no database.
import type { Node } from 'libpg-query';
import type { Risk } from '../model.js';
import { type Prediction, predictAlterTable } from './alter.js';
import {
  type FileState,
  isTable,
  type LockMode,
  makeRisk,
  newPendingFacts,
  nodeOf,
  type PredictContext,
  strongest,
} from './context.js';
import type { ParsedStatement } from './parse.js';
import {
  predictCluster,
  predictCreateIndex,
  predictDrop,
  predictLock,
  predictRefresh,
  predictReindex,
  predictRename,
  predictTruncate,
  predictVacuum,
  rememberCreated,
} from './statements.js';

export type { PredictContext } from './context.js';
export { newPendingFacts } from './context.js';
export type { ParsedStatement } from './parse.js';

/** What the prediction found in a file, and per statement whether its lock waits are bounded. */
export interface FilePrediction {
  risks: Risk[];
  /** Per statement (same order): a lock wait is bounded by the input or a SET lock_timeout before it. */
  lockWaitBounded: boolean[];
}

/** Risks of one file's statements (in file order), as the parse trees and the target predict them. */
export function predictRisks(
  statements: readonly ParsedStatement[],
  context: PredictContext,
): Risk[] {
  return predictFile(statements, context).risks;
}

export function predictFile(
  statements: readonly ParsedStatement[],
  context: PredictContext,
): FilePrediction {
  const base = (context.searchPath ?? ['public']).filter((s) => s !== '$user');
  const state: FileState = {
    context,
    pending: context.pending ?? newPendingFacts(),
    searchPath: base,
    timeZone: context.timeZone,
    lockTimeoutSet: false,
  };
  const risks: Risk[] = [];
  const lockWaitBounded: boolean[] = [];
  for (const statement of statements) {
    applySettings(state, statement.tree, base);
    const bounded = context.lockTimeoutInput || state.lockTimeoutSet;
    lockWaitBounded.push(bounded);
    const prediction = predictStatement(state, statement.tree);

    // The statement's lock on each relation: the strongest it claims there.
    const locks = new Map<string, LockMode>();
    for (const claim of prediction.locks) {
      locks.set(claim.target.qualified, strongest(locks.get(claim.target.qualified), claim.mode));
    }
    for (const finding of prediction.findings) {
      const lockMode =
        finding.rule === 'concurrently-in-transaction'
          ? undefined
          : locks.get(finding.target?.qualified ?? '');
      risks.push(makeRisk(state, statement, { ...finding, lockMode }));
    }
    if (bounded) continue;
    const seen = new Set<string>();
    for (const claim of prediction.locks) {
      const existing = claim.target.existing;
      const key = claim.target.qualified;
      if (locks.get(key) !== 'ACCESS EXCLUSIVE' || seen.has(key)) continue;
      if (!isTable(existing) && existing?.kind !== 'm') continue;
      seen.add(key);
      risks.push(
        makeRisk(state, statement, {
          rule: 'no-lock-timeout',
          target: claim.target,
          lockMode: 'ACCESS EXCLUSIVE',
          what: `The statement waits for ACCESS EXCLUSIVE on ${key} with no lock_timeout: queued behind a long query, it blocks every read and write of ${key} meanwhile.`,
          saferWay: `Set the action's lock-timeout input (e.g. 5s), or put SET lock_timeout = '5s'; before it in this file, so it gives up quickly instead of queueing everyone behind it.`,
        }),
      );
    }
  }
  return { risks, lockWaitBounded };
}

function predictStatement(state: FileState, tree: Node): Prediction {
  const alter = nodeOf(tree, 'AlterTableStmt');
  if (alter) return predictAlterTable(state, alter);
  const index = nodeOf(tree, 'IndexStmt');
  if (index) return predictCreateIndex(state, index);
  const drop = nodeOf(tree, 'DropStmt');
  if (drop) return predictDrop(state, drop);
  const truncate = nodeOf(tree, 'TruncateStmt');
  if (truncate) return predictTruncate(state, truncate);
  const rename = nodeOf(tree, 'RenameStmt');
  if (rename) return predictRename(state, rename);
  const vacuum = nodeOf(tree, 'VacuumStmt');
  if (vacuum) return predictVacuum(state, vacuum);
  const cluster = nodeOf(tree, 'ClusterStmt');
  if (cluster) return predictCluster(state, cluster);
  const refresh = nodeOf(tree, 'RefreshMatViewStmt');
  if (refresh) return predictRefresh(state, refresh);
  const reindex = nodeOf(tree, 'ReindexStmt');
  if (reindex) return predictReindex(state, reindex);
  const lock = nodeOf(tree, 'LockStmt');
  if (lock) return predictLock(state, lock);
  return rememberCreated(state, tree);
}

// ---------------------------------------------------------------------------------------------
// Session settings the file changes: lock_timeout, search_path and TimeZone (the action resets the session
// between migrations, so only earlier statements of the same file count)

function applySettings(state: FileState, tree: Node, baseSearchPath: string[]): void {
  const set = nodeOf(tree, 'VariableSetStmt');
  if (set) {
    // SET LOCAL outside a transaction block only warns: in a no-transaction file it does nothing.
    if (set.is_local && state.context.noTransaction) return;
    const values = (set.args ?? []).map(constantText);
    if (set.kind === 'VAR_RESET_ALL') {
      state.lockTimeoutSet = false;
      state.searchPath = baseSearchPath;
      state.timeZone = state.context.timeZone;
    } else if (set.name === 'lock_timeout') {
      state.lockTimeoutSet = set.kind === 'VAR_SET_VALUE' && !isZero(values[0]);
    } else if (set.name === 'timezone') {
      // SET TIME ZONE 'UTC' / SET timezone = 'UTC'; LOCAL, DEFAULT and intervals: not known.
      state.timeZone =
        set.kind === 'VAR_SET_VALUE'
          ? values[0]
          : set.kind === 'VAR_RESET'
            ? state.context.timeZone
            : undefined;
    } else if (set.name === 'search_path') {
      state.searchPath =
        set.kind === 'VAR_SET_VALUE'
          ? values.filter((v): v is string => v !== undefined && v !== '$user')
          : baseSearchPath;
    }
    return;
  }
  // SELECT set_config('lock_timeout', '5s', is_local)
  for (const target of nodeOf(tree, 'SelectStmt')?.targetList ?? []) {
    const call = nodeOf(nodeOf(target, 'ResTarget')?.val, 'FuncCall');
    const name = (call?.funcname ?? []).map((n) => nodeOf(n, 'String')?.sval).at(-1);
    if (name !== 'set_config') continue;
    const [setting, value, local] = (call?.args ?? []).map(constantText);
    if (setting !== 'lock_timeout') continue;
    if (local === 'true' && state.context.noTransaction) continue;
    state.lockTimeoutSet = !isZero(value);
  }
}

function constantText(node: Node): string | undefined {
  const c = nodeOf(node, 'A_Const');
  if (!c) return undefined;
  if (c.sval) return c.sval.sval ?? '';
  if (c.ival) return String(c.ival.ival ?? 0);
  if (c.fval) return c.fval.fval;
  if (c.boolval) return String(c.boolval.boolval ?? false);
  return undefined;
}

/** `0`, `'0'`, `'0ms'`, `'0s'`: no timeout at all. */
function isZero(value: string | undefined): boolean {
  return value === undefined || /^\s*0*(\.0*)?\s*[a-z]*\s*$/i.test(value);
}
