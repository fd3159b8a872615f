// Merges the rehearsal's observations into the predicted risks: what was measured wins over what the parse tree suggested. Pure.
import type { Observation, RelationLookup, Risk } from './model.js';
import { lockModeName } from './observe/locks.js';
import {
  firstLine,
  LOCK_MODES,
  type LockMode,
  splitQualified,
  strongest,
} from './rules/context.js';

export interface MergeOptions {
  /**
   * Whether the statement's lock waits are bounded (the `lock-timeout` input, or a `SET
   * lock_timeout` earlier in its file): `predictFile(…).lockWaitBounded`. Without it every
   * statement counts as unbounded.
   */
  lockWaitBounded?: (file: string, line: number) => boolean;
}

/**
 * Per statement (file and line), when the rehearsal observed it:
 * - a predicted `table-rewrite` whose table was not rewritten is dropped (`varchar(10)` to
 *   `varchar(20)`, a default that turned out not volatile); one that was becomes `observed`;
 * - a predicted `validating-scan` under ACCESS EXCLUSIVE with no sequential scan of its table is
 *   dropped (SET NOT NULL proven by a valid CHECK that exists on the target); a foreign key is
 *   kept, because its validation query may use index scans;
 * - an observed lock mode on the risk's table replaces the predicted one, and a `no-lock-timeout`
 *   whose table was observed locked below ACCESS EXCLUSIVE is dropped; a lock not observed (an
 *   earlier statement of the rehearsal already held it) keeps the prediction;
 * - a rewrite of a table (relfilenode changed) that no risk of the statement names becomes an
 *   observed `table-rewrite`, and an ACCESS EXCLUSIVE lock on a table without a predicted
 *   `no-lock-timeout` becomes an observed one when the wait was unbounded.
 * Statements without an observation keep their predictions as they are.
 */
export function mergeObservations(
  predicted: readonly Risk[],
  observations: readonly Observation[],
  relation: RelationLookup,
  options: MergeOptions = {},
): Risk[] {
  const byStatement = new Map<string, Observation>();
  for (const observation of observations) byStatement.set(keyOf(observation), observation);
  const kindOf = (qualified: string) => relation(...splitQualified(qualified))?.kind;

  const kept: Risk[] = [];
  for (const risk of predicted) {
    const observation = byStatement.get(keyOf(risk));
    const merged = observation ? mergeOne(risk, observation, kindOf) : { ...risk };
    if (merged) kept.push(merged);
  }

  // Observed risks no rule predicted, placed after their statement's predicted ones.
  const result: Risk[] = [];
  const done = new Set<string>();
  const addExtras = (key: string) => {
    const observation = byStatement.get(key);
    if (observation && !done.has(key))
      result.push(...unpredicted(observation, predicted, relation, options));
    done.add(key);
  };
  kept.forEach((risk, i) => {
    result.push(risk);
    const next = kept[i + 1];
    if (!next || keyOf(next) !== keyOf(risk)) addExtras(keyOf(risk));
  });
  for (const observation of observations) addExtras(keyOf(observation));
  return result;
}

function keyOf(statement: { file: string; line: number }): string {
  return `${statement.file}\n${statement.line}`;
}

function observedLock(observation: Observation, table: string): LockMode | undefined {
  let mode: LockMode | undefined;
  for (const lock of observation.locks) {
    const name = lockModeName(lock.mode);
    if (lock.relation === table && (LOCK_MODES as readonly string[]).includes(name)) {
      mode = strongest(mode, name as LockMode);
    }
  }
  return mode;
}

function mergeOne(
  risk: Risk,
  observation: Observation,
  kindOf: (q: string) => string | undefined,
): Risk | undefined {
  const merged: Risk = { ...risk };
  const table = risk.table;
  if (table === undefined) return merged;
  const partitioned = kindOf(table) === 'p';
  if (risk.rule === 'table-rewrite') {
    // A partitioned table has no storage: its partitions are the ones rewritten.
    const rewritten = partitioned
      ? observation.rewritten.length > 0
      : observation.rewritten.includes(table);
    if (!rewritten) return undefined;
    merged.source = 'observed';
  }
  if (risk.rule === 'validating-scan' && risk.lockMode === 'ACCESS EXCLUSIVE' && !partitioned) {
    const scanned = observation.tables.some((t) => t.relation === table && t.seqScans > 0);
    if (!scanned) return undefined;
  }
  const lock = observedLock(observation, table);
  if (lock) {
    if (risk.rule === 'no-lock-timeout' && lock !== 'ACCESS EXCLUSIVE') return undefined;
    // The rehearsal saw the lock the rule is about: the finding is a fact of the target now,
    // with how long the statement held it there.
    merged.lockMode = lock;
    merged.source = 'observed';
  }
  if (merged.source === 'observed') merged.durationMs = observation.durationMs;
  return merged;
}

const TABLE_KINDS = new Set(['r', 'p', 'm']);

function unpredicted(
  observation: Observation,
  predicted: readonly Risk[],
  relation: RelationLookup,
  options: MergeOptions,
): Risk[] {
  const key = keyOf(observation);
  const ofStatement = predicted.filter((r) => keyOf(r) === key);
  const statement =
    observation.statement !== undefined
      ? firstLine(observation.statement)
      : (ofStatement[0]?.statement ?? '');
  const risks: Risk[] = [];
  const base = (table: string) => {
    const existing = relation(...splitQualified(table));
    return {
      file: observation.file,
      line: observation.line,
      statement,
      table,
      source: 'observed' as const,
      ...(existing ? { size: { rows: existing.rows, bytes: existing.bytes } } : {}),
      kind: existing?.kind,
    };
  };
  const rewriteOfPartitioned = ofStatement.some(
    (r) =>
      r.rule === 'table-rewrite' &&
      r.table !== undefined &&
      relation(...splitQualified(r.table))?.kind === 'p',
  );
  for (const table of new Set(observation.rewritten)) {
    const { kind, ...common } = base(table);
    if (!kind || !TABLE_KINDS.has(kind)) continue;
    if (rewriteOfPartitioned || ofStatement.some((r) => r.table === table)) continue;
    risks.push({
      ...common,
      rule: 'table-rewrite',
      level: 'danger',
      lockMode: observedLock(observation, table) ?? 'ACCESS EXCLUSIVE',
      what: `The rehearsal saw ${table} rewritten (its files were replaced) under ${observedLock(observation, table) ?? 'ACCESS EXCLUSIVE'}.`,
      saferWay:
        'Find which part of the statement rewrites the table (a type change, a volatile default, a stored generated column) and split it into a metadata-only change plus a backfill in batches.',
    });
  }
  if (options.lockWaitBounded?.(observation.file, observation.line)) return risks;
  const locked = new Set(
    observation.locks
      .filter((l) => lockModeName(l.mode) === 'ACCESS EXCLUSIVE')
      .map((l) => l.relation),
  );
  for (const table of locked) {
    const { kind, ...common } = base(table);
    if (!kind || !TABLE_KINDS.has(kind)) continue;
    if (ofStatement.some((r) => r.rule === 'no-lock-timeout' && r.table === table)) continue;
    risks.push({
      ...common,
      rule: 'no-lock-timeout',
      level: 'warning',
      lockMode: 'ACCESS EXCLUSIVE',
      what: `The rehearsal saw the statement take ACCESS EXCLUSIVE on ${table} with no lock_timeout: queued behind a long query, it blocks every read and write of ${table} meanwhile.`,
      saferWay: `Set the action's lock-timeout input (e.g. 5s), or put SET lock_timeout = '5s'; before it in this file, so it gives up quickly instead of queueing everyone behind it.`,
    });
  }
  return risks;
}
