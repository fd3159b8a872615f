// Runs a -- migrate:no-transaction file statement by statement, its row committed as running, then applied or failed.
import type pg from 'pg';
import { ConfigurationError } from '../errors.js';
import { LOCK_LOST, POOLER_MESSAGE } from '../history/lock.js';
import { qualifiedName } from '../history/table.js';
import { insertRowSql } from '../history/write.js';
import { indexOfPosition, lineAt } from '../sql/lines.js';
import { literal } from '../sql/literal.js';
import type { Statement } from '../sql/parser.js';
import { describeError } from './errors.js';
import type { ApplyOptions, Outcome } from './model.js';

const INVALID_INDEXES =
  'SELECT indexrelid::regclass::text AS name FROM pg_index WHERE NOT indisvalid ORDER BY 1';

async function invalidIndexes(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(INVALID_INDEXES);
  return rows.map((r) => r.name);
}

/**
 * Runs a `-- migrate:no-transaction` file outside any transaction, one statement at a time (what
 * `CREATE INDEX CONCURRENTLY` needs). Its row is committed as `running` before the first
 * statement, so a killed job leaves evidence; it becomes `applied` after the last, or `failed`
 * when a statement fails: the database may then be half-changed, and a person must look.
 */
export async function applyWithoutTransaction(
  client: pg.ClientBase,
  outcome: Outcome,
  statements: Iterable<Statement> | AsyncIterable<Statement>,
  options: ApplyOptions,
): Promise<void> {
  const { migration } = outcome;
  const table = qualifiedName(options.tracking);
  if (options.lockCheckSql) {
    await client.query(options.lockCheckSql).catch((error: Error) => {
      throw error.message === LOCK_LOST ? new ConfigurationError(POOLER_MESSAGE) : error;
    });
  }
  const before = new Set(await invalidIndexes(client));
  const row = {
    version: migration.version,
    key: migration.key,
    name: migration.name,
    checksum: migration.checksum,
    status: 'running' as const,
    appliedBy: options.appliedBy,
    replacesRolledBack: options.rolledBack?.has(migration.version),
  };
  await client.query(insertRowSql(options.tracking, row, '0'));
  const timeouts = [
    options.lockTimeout ? `SET lock_timeout = ${literal(options.lockTimeout)};` : '',
    options.statementTimeout ? `SET statement_timeout = ${literal(options.statementTimeout)};` : '',
  ].join('');
  if (timeouts) await client.query(timeouts);

  const started = performance.now();
  let failure: { error: unknown; statement: Statement } | undefined;
  for await (const statement of statements) {
    if (options.signal?.aborted) {
      failure = { error: new Error('the job was cancelled before this statement'), statement };
      break;
    }
    try {
      await client.query(statement.text);
    } catch (error) {
      failure = { error, statement };
      break;
    }
  }
  outcome.durationMs = Math.round(performance.now() - started);

  // The bookkeeping runs without the migration's timeouts and as the session's own user.
  const status = failure ? 'failed' : 'applied';
  await client.query(
    `SET SESSION AUTHORIZATION DEFAULT;RESET ALL;${options.sessionSql}UPDATE ${table} SET status = ${literal(status)}, execution_ms = ${outcome.durationMs}, applied_at = now() WHERE version = ${migration.version}`,
  );
  if (!failure) {
    outcome.status = 'applied';
    options.log(`Applied ${migration.name} (no transaction) in ${outcome.durationMs} ms.`);
    return;
  }
  const position = (failure.error as pg.DatabaseError).position;
  const within = position ? indexOfPosition(failure.statement.text, Number(position)) : 0;
  outcome.status = 'failed';
  // The statement's own line and the lines before the position within it: the file itself is
  // not read again (a large one is never held whole).
  outcome.error = describeError(
    failure.error,
    failure.statement.line + lineAt(failure.statement.text, within) - 1,
  );
  outcome.invalidIndexes = (await invalidIndexes(client)).filter((name) => !before.has(name));
}
