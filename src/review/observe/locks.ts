// Lock modes as pg_locks spells them and as the report writes them. Pure.

/** pg_locks' modes, weakest first (the order of PostgreSQL's lock mode numbers). */
export const LOCK_MODES = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
] as const;

/** `AccessExclusiveLock` → `ACCESS EXCLUSIVE`, as the documentation and the report name it. */
export function lockModeName(mode: string): string {
  return mode
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}

/** The rank of a mode (either spelling) from 1 (ACCESS SHARE) to 8 (ACCESS EXCLUSIVE); 0 if unknown. */
export function lockStrength(mode: string): number {
  const name = mode.endsWith('Lock') ? lockModeName(mode) : mode.toUpperCase();
  return LOCK_MODES.findIndex((m) => lockModeName(m) === name) + 1;
}
