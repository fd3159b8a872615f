// Builds the one message that applies a migration: timeouts, the file, the session reset, the tracking row. Pure.
import type { Migration } from '../files/migration.js';
import { qualifiedName, type TrackingTable } from '../history/table.js';
import { insertRowSql, type RowValues } from '../history/write.js';
import { literal } from '../sql/literal.js';
import type { ApplyOptions, MessageFlags } from './model.js';

function rowOf(migration: Migration, options: ApplyOptions): RowValues {
  return {
    version: migration.version,
    key: migration.key,
    name: migration.name,
    checksum: migration.checksum,
    status: 'applied',
    appliedBy: options.appliedBy,
    replacesRolledBack: options.rolledBack?.has(migration.version),
  };
}

/**
 * Builds the one message that applies a migration: the timeouts, the file, then the bookkeeping
 * with the timeouts reset, so that they never touch the tracking row. The session is reset after
 * the file, so a `SET` or `SET ROLE` in one migration does not leak into the next or into the
 * INSERT. The prefix is a single line, so an error position maps back to the file's line.
 */
export function migrationMessage(
  migration: Migration,
  options: ApplyOptions,
  flags: MessageFlags,
): { text: string; prefixLength: number } {
  const prefix = `${openingSql(options, flags)}\n`;
  // statement_timestamp() is when the server received this message: the file's time is the
  // difference to the clock when the INSERT runs.
  const elapsed =
    'floor(extract(epoch FROM clock_timestamp() - statement_timestamp()) * 1000)::integer';
  const suffix = `\n;${closingSql(migration, options, flags, elapsed)}`;
  return { text: prefix + migration.sql + suffix, prefixLength: prefix.length };
}

/** What opens a migration: the transaction, the lock check, the setup and the timeouts. */
export function openingSql(
  options: ApplyOptions,
  { begin, setup, previous }: MessageFlags,
): string {
  return [
    begin ? 'BEGIN;' : '',
    // Once per transaction: a transaction stays on one backend even behind a pooler, and pg_locks
    // grows with the locks a long `transaction: all` holds (checking each file there measured
    // 2.7× slower for 1,000 migrations).
    begin ? (options.lockCheckSql ?? '') : '',
    previous === undefined ? '' : previousRowCheckSql(options.tracking, previous),
    setup,
    options.lockTimeout ? `SET LOCAL lock_timeout = ${literal(options.lockTimeout)};` : '',
    options.statementTimeout
      ? `SET LOCAL statement_timeout = ${literal(options.statementTimeout)};`
      : '',
  ].join('');
}

/** The message of the exception raised by previousRowCheckSql. */
export const PREVIOUS_NOT_COMMITTED =
  'agoat/migrate-action: the migration sent before this one did not commit';

/** SQL that fails the transaction unless `version`'s tracking row exists (see applyPipelined). */
function previousRowCheckSql(tracking: TrackingTable, version: bigint): string {
  return `DO $previous$BEGIN IF NOT EXISTS (SELECT 1 FROM ${qualifiedName(tracking)} WHERE version = ${version} AND status <> 'rolled back') THEN RAISE EXCEPTION '${PREVIOUS_NOT_COMMITTED}'; END IF; END$previous$;`;
}

/** What closes it: the session reset, the action's settings, the tracking row, the commit. */
export function closingSql(
  migration: Migration,
  options: ApplyOptions,
  { commit, record = true }: MessageFlags,
  executionMs: string,
): string {
  const row = record
    ? `${insertRowSql(options.tracking, rowOf(migration, options), executionMs)};`
    : '';
  return `SET SESSION AUTHORIZATION DEFAULT;RESET ALL;${options.sessionSql}${row}${commit ? 'COMMIT;' : ''}`;
}
