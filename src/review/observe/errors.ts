// One sentence for the two ways observing a rehearsal fails on its own: a catalog the role may not read, a full lock table. Pure.

interface PgError {
  code?: string;
  message?: string;
  hint?: string;
}

function asPgError(error: unknown): PgError {
  return typeof error === 'object' && error !== null ? (error as PgError) : {};
}

/**
 * SQLSTATE 53200 with PostgreSQL's hint about max_locks_per_transaction: the shared lock table is
 * full. A rehearsal holds every lock of every pending file until its rollback, so this is a limit
 * of rehearsing many migrations in one transaction, not an error of the migrations.
 */
export function isLockLimitError(error: unknown): boolean {
  const e = asPgError(error);
  return (
    e.code === '53200' && /\bmax_locks_per_transaction\b/.test(`${e.hint ?? ''} ${e.message ?? ''}`)
  );
}

/** The sentence for isLockLimitError; `maxLocks` is the server's setting when known. */
export function lockLimitSentence(maxLocks?: number | string): string {
  const setting = maxLocks === undefined ? '' : ` (${maxLocks} on this server)`;
  return `The rehearsal ran out of lock slots: the pending migrations, rehearsed together in one transaction, hold more locks than max_locks_per_transaction${setting} allows, so raise that setting on the server or rehearse fewer migrations at once; this is a limit of the rehearsal, not an error in the migrations.`;
}

/** SQLSTATE 42501 on a catalog view or function the review reads (pg_locks, pg_class, pg_stat_*, pg_get_*). */
export function isCatalogPermissionError(error: unknown): boolean {
  const e = asPgError(error);
  return e.code === '42501' && /\b(pg_|information_schema)/.test(e.message ?? '');
}

/** The sentence for isCatalogPermissionError, naming what PostgreSQL refused. */
export function catalogPermissionSentence(error: unknown): string {
  const denied = asPgError(error).message ?? 'permission denied';
  return `The safety review cannot read the catalog it needs (${denied}): grant the role read access to it, or turn the review off with \`safety: off\`.`;
}

/** The sentence for an error of observing, or undefined when it is neither of the two. */
export function observeErrorSentence(
  error: unknown,
  maxLocks?: number | string,
): string | undefined {
  if (isLockLimitError(error)) return lockLimitSentence(maxLocks);
  if (isCatalogPermissionError(error)) return catalogPermissionSentence(error);
  return undefined;
}
