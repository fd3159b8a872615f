// `to-version` for migrate: the pending migrations up to and including it; the later ones wait. Pure.
import type { Migration } from '../files/migration.js';
import type { Plan } from './plan.js';

/**
 * The plan cut at `toVersion`: pending migrations above it stay `pending` with a note and are not
 * applied. A version that no file has is a finding that stops the run: a typo must not quietly
 * apply everything, or nothing.
 */
export function limitToVersion(plan: Plan, files: Migration[], toVersion: bigint): Plan {
  if (!files.some((file) => file.version === toVersion)) {
    const highest = files.reduce<bigint | undefined>(
      (max, f) => (max === undefined || f.version > max ? f.version : max),
      undefined,
    );
    const hint =
      highest === undefined ? 'there are no migration files' : `the highest is ${highest}`;
    return {
      ...plan,
      stops: true,
      findings: [
        ...plan.findings,
        {
          kind: 'to-version',
          version: toVersion,
          message: `to-version is ${toVersion}, but no migration file has that version (${hint}): set to-version to the version of a file.`,
          stops: true,
        },
      ],
    };
  }
  const later = new Set(plan.pending.filter((m) => m.version > toVersion));
  if (later.size === 0) return plan;
  return {
    ...plan,
    pending: plan.pending.filter((m) => !later.has(m)),
    entries: plan.entries.map((entry) =>
      entry.migration && later.has(entry.migration)
        ? { ...entry, status: 'pending', note: `above to-version ${toVersion}` }
        : entry,
    ),
  };
}
