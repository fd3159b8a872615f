// What a fleet run says as a whole: the per-target result type, the outputs and the verdict (pure: no database, no @actions).

/** A target's result; `not started` is one the waves never reached (a failure, a cancel). */
export type TargetStatus =
  | 'up-to-date'
  | 'applied'
  | 'pending'
  | 'drift'
  | 'failed'
  | 'not started';

/** The fleet's `result` output: the same words as a single database's. */
export type FleetResult = Exclude<TargetStatus, 'not started'>;

/** Everything the fleet report says about one target; the wiring fills one per target. */
export interface TargetResult {
  /** The target's name, unique in the fleet. */
  name: string;
  result: TargetStatus;
  /** Version labels applied by this run, in the order they ran. */
  applied: string[];
  /** Version labels still to apply after this run (for a dry run: those it would apply). */
  pending: string[];
  /** One sentence for `failed`, `drift` and `not started`: what went wrong or why it did not start. */
  error?: string;
  /** The highest applied version's label after the run; none when nothing was ever applied. */
  version?: string;
  /** More lines for the summary and the log: findings, the failing file and line. No row data. */
  detail?: string[];
}

export type TargetKind = 'database' | 'schema';

export interface FleetOutputs {
  result: FleetResult;
  /** Migrations applied, summed over the targets. */
  appliedCount: number;
  /** Migrations pending, summed over the targets. */
  pendingCount: number;
  /** The union of the versions applied anywhere, sorted as versions. */
  applied: string[];
  /** The union of the versions pending anywhere, sorted as versions. */
  pending: string[];
  /** JSON: `{"<name>": {"result", "applied", "pending", "error"}}`, in the targets' order. */
  targets: string;
}

/** The order of the fleet result: the first of these that any target has wins. */
const PRECEDENCE: readonly FleetResult[] = ['failed', 'drift', 'applied', 'pending', 'up-to-date'];

/**
 * A `not started` target counts as `pending` when it still has migrations to apply, else as
 * `up-to-date`: its state is what the check before any write found.
 */
function effectiveResult(target: TargetResult): FleetResult {
  if (target.result !== 'not started') return target.result;
  return target.pending.length > 0 ? 'pending' : 'up-to-date';
}

/** `failed` if any target failed, else `drift`, else `applied`, else `pending`, else `up-to-date`. */
export function fleetResult(targets: readonly TargetResult[]): FleetResult {
  const seen = new Set(targets.map(effectiveResult));
  return PRECEDENCE.find((result) => seen.has(result)) ?? 'up-to-date';
}

/**
 * Compares version labels as versions: runs of digits as numbers (of any length), the rest as
 * text, part by part, so `9` < `10`, `1.7` < `1.27` and `20240101` < `20240102`. Labels equal as
 * numbers but written differently (`01`, `1`) are ordered by their text, so the order is total.
 */
export function compareVersions(a: string, b: string): number {
  const left = a.match(/\d+|\D+/g) ?? [];
  const right = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i] as string;
    const y = right[i] as string;
    if (x === y) continue;
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    if (numeric) {
      const difference = BigInt(x) - BigInt(y);
      if (difference !== 0n) return difference < 0n ? -1 : 1;
    } else return x < y ? -1 : 1;
  }
  if (left.length !== right.length) return left.length - right.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function union(lists: Iterable<readonly string[]>): string[] {
  const all = new Set<string>();
  for (const list of lists) for (const version of list) all.add(version);
  return [...all].sort(compareVersions);
}

/** The step's outputs for a fleet. */
export function fleetOutputs(targets: readonly TargetResult[]): FleetOutputs {
  let appliedCount = 0;
  let pendingCount = 0;
  for (const target of targets) {
    appliedCount += target.applied.length;
    pendingCount += target.pending.length;
  }
  // fromEntries defines each name as an own property: a target named __proto__ stays a key.
  const perTarget = Object.fromEntries(
    targets.map((t) => [
      t.name,
      { result: t.result, applied: t.applied, pending: t.pending, error: t.error ?? null },
    ]),
  );
  return {
    result: fleetResult(targets),
    appliedCount,
    pendingCount,
    applied: union(targets.map((t) => t.applied)),
    pending: union(targets.map((t) => t.pending)),
    targets: JSON.stringify(perTarget),
  };
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? one : many}`;
}

/**
 * One line for the fleet, such as `120 databases: 117 up to date, 2 applied 3 migrations,
 * 1 failed`. Parts with no target are left out.
 */
export function fleetVerdict(targets: readonly TargetResult[], kind: TargetKind): string {
  const count = (status: TargetStatus) => targets.filter((t) => t.result === status);
  const sum = (list: TargetResult[], key: 'applied' | 'pending') =>
    list.reduce((total, t) => total + t[key].length, 0);
  const applied = count('applied');
  const pending = count('pending');
  const parts = [
    [count('up-to-date').length, 'up to date'],
    [applied.length, `applied ${plural(sum(applied, 'applied'), 'migration')}`],
    [pending.length, `with ${plural(sum(pending, 'pending'), 'pending migration')}`],
    [count('drift').length, 'with drift'],
    [count('failed').length, 'failed'],
    [count('not started').length, 'not started'],
  ] as const;
  const said = parts
    .filter(([n]) => n > 0)
    .map(([n, words]) => `${n.toLocaleString('en-US')} ${words}`);
  const fleet = plural(targets.length, kind);
  return said.length > 0 ? `${fleet}: ${said.join(', ')}` : `${fleet}: nothing to migrate`;
}
