// `to-version` for migrate: the pending migrations up to and including it; the later ones wait. Pure.
import type { VersionInput, VersionOrder } from '../files/keys.js';
import type { Migration } from '../files/migration.js';
import { byVersion } from '../files/naming.js';
import type { Plan } from './plan.js';

/**
 * The plan cut at `to` (read in the folder's layout: `1.27`, `20240212120203`): pending migrations
 * above it in the layout's `order` stay `pending` with a note and are not applied. A version that
 * no file has is a finding that stops the run: a typo must not quietly apply everything, or
 * nothing.
 */
export function limitToVersion(
  plan: Plan,
  files: Migration[],
  to: VersionInput,
  order: VersionOrder = byVersion,
): Plan {
  if (!files.some((file) => order(file, to) === 0)) {
    const highest = files.reduce<Migration | undefined>(
      (max, f) => (max === undefined || order(f, max) > 0 ? f : max),
      undefined,
    );
    const hint =
      highest === undefined
        ? 'there are no migration files'
        : `the highest is ${highest.label ?? highest.key ?? highest.version}`;
    return {
      ...plan,
      stops: true,
      findings: [
        ...plan.findings,
        {
          kind: 'to-version',
          version: to.version,
          message: `to-version is ${to.label}, but no migration file has that version (${hint}): set to-version to the version of a file.`,
          stops: true,
        },
      ],
    };
  }
  const later = new Set(plan.pending.filter((m) => order(m, to) > 0));
  if (later.size === 0) return plan;
  return {
    ...plan,
    pending: plan.pending.filter((m) => !later.has(m)),
    entries: plan.entries.map((entry) =>
      entry.migration && later.has(entry.migration)
        ? { ...entry, status: 'pending', note: `above to-version ${to.label}` }
        : entry,
    ),
  };
}
