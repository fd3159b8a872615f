import { describe, expect, it } from 'vitest';
import { migrationError } from '../../../src/apply/errors.js';
import { migrationMessage, PREVIOUS_NOT_COMMITTED } from '../../../src/apply/message.js';
import type { ApplyOptions } from '../../../src/apply/model.js';
import { retryPause } from '../../../src/apply/retry.js';
import { checksumOf } from '../../../src/files/content.js';
import type { Migration } from '../../../src/files/migration.js';
import { LOCK_LOST, lockHeldCheckSql, lockKey, POOLER_MESSAGE } from '../../../src/history/lock.js';
import { indexOfPosition, lineAt } from '../../../src/sql/lines.js';

const SQL = 'CREATE TABLE t (id int);\n\nINSERT INTO t VALUES (1);\n-- done\n';

function migration(sql = SQL): Migration {
  return {
    version: 42n,
    name: '042_create_t.sql',
    path: '/ws/migrations/042_create_t.sql',
    checksum: checksumOf(sql),
    sql,
    noTransaction: false,
  };
}

function options(fields: Partial<ApplyOptions> = {}): ApplyOptions {
  return {
    tracking: { schema: 'public', table: 'schema_migrations' },
    transaction: 'per-migration',
    appliedBy: 'agoat/publisher run 7',
    sessionSql: "SET application_name = 'migrate-action';",
    setupSql: '',
    log: () => undefined,
    ...fields,
  };
}

const PER_MIGRATION = { begin: true, commit: true, setup: '' };
const IN_ALL = { begin: false, commit: false, setup: '' };

describe('migrationMessage', () => {
  it('embeds the file text right after a prefix of prefixLength characters', () => {
    const { text, prefixLength } = migrationMessage(migration(), options(), PER_MIGRATION);
    expect(text.slice(prefixLength, prefixLength + SQL.length)).toBe(SQL);
  });

  it('keeps the prefix to one line, so the file line N is the message line N + 1', () => {
    const { text, prefixLength } = migrationMessage(
      migration(),
      options({ lockTimeout: '5s', statementTimeout: '1min' }),
      {
        begin: true,
        commit: true,
        setup: 'CREATE TABLE IF NOT EXISTS x (a int);',
        previous: 41n,
      },
    );
    const prefix = text.slice(0, prefixLength);
    expect(prefix.endsWith('\n')).toBe(true);
    expect(prefix.indexOf('\n')).toBe(prefix.length - 1);
    const insert = SQL.indexOf('INSERT');
    expect(lineAt(text, prefixLength + insert)).toBe(lineAt(SQL, insert) + 1);
  });

  it('opens and commits its own transaction with per-migration', () => {
    const { text, prefixLength } = migrationMessage(migration(), options(), PER_MIGRATION);
    expect(text.startsWith('BEGIN;')).toBe(true);
    expect(text.endsWith('COMMIT;')).toBe(true);
    const suffix = text.slice(prefixLength + SQL.length);
    expect(suffix.match(/COMMIT/g)).toHaveLength(1);
  });

  it('has neither BEGIN nor COMMIT inside an enclosing transaction (transaction: all)', () => {
    const { text, prefixLength } = migrationMessage(migration(), options(), IN_ALL);
    expect(text.slice(0, prefixLength)).not.toContain('BEGIN');
    expect(text.slice(prefixLength + SQL.length)).not.toContain('COMMIT');
  });

  it('sets the timeouts locally before the file only when they are given', () => {
    const none = migrationMessage(migration(), options(), PER_MIGRATION);
    expect(none.text).not.toContain('SET LOCAL');
    expect(none.text).not.toContain('lock_timeout');
    expect(none.text).not.toContain('statement_timeout');

    const lock = migrationMessage(migration(), options({ lockTimeout: '5s' }), PER_MIGRATION);
    const lockPrefix = lock.text.slice(0, lock.prefixLength);
    expect(lockPrefix).toContain("SET LOCAL lock_timeout = '5s';");
    expect(lock.text).not.toContain('statement_timeout');

    const statement = migrationMessage(
      migration(),
      options({ statementTimeout: '2min' }),
      PER_MIGRATION,
    );
    const statementPrefix = statement.text.slice(0, statement.prefixLength);
    expect(statementPrefix).toContain("SET LOCAL statement_timeout = '2min';");
    expect(statement.text).not.toContain('lock_timeout');
  });

  it("sent behind another migration, first checks that version's tracking row, after BEGIN", () => {
    const behind = migrationMessage(migration(), options(), { ...PER_MIGRATION, previous: 41n });
    const prefix = behind.text.slice(0, behind.prefixLength);
    expect(prefix.indexOf('BEGIN;')).toBe(0);
    // A `rolled back` row of that version is not one: the migration sent before did not commit.
    expect(prefix).toContain(
      `FROM "public"."schema_migrations" WHERE version = 41 AND status <> 'rolled back')`,
    );
    expect(prefix).toContain(PREVIOUS_NOT_COMMITTED);
    const alone = migrationMessage(migration(), options(), PER_MIGRATION);
    expect(alone.text).not.toContain(PREVIOUS_NOT_COMMITTED);
  });

  it('puts the setup SQL in the prefix, after BEGIN and before the file', () => {
    const setup = 'CREATE TABLE IF NOT EXISTS "public"."schema_migrations" (version bigint);';
    const { text, prefixLength } = migrationMessage(migration(), options(), {
      begin: true,
      commit: true,
      setup,
    });
    const prefix = text.slice(0, prefixLength);
    expect(prefix.indexOf('BEGIN;')).toBe(0);
    expect(prefix.indexOf(setup)).toBeGreaterThan(0);
  });

  it('records the row after RESET ALL and the session settings, after the file', () => {
    const { text, prefixLength } = migrationMessage(
      migration(),
      options({ lockTimeout: '5s', statementTimeout: '1min' }),
      PER_MIGRATION,
    );
    const fileEnd = prefixLength + SQL.length;
    const reset = text.indexOf('RESET ALL', fileEnd);
    const session = text.indexOf("SET application_name = 'migrate-action';", fileEnd);
    const insert = text.indexOf('INSERT INTO "public"."schema_migrations"', fileEnd);
    expect(reset).toBeGreaterThan(fileEnd);
    expect(session).toBeGreaterThan(reset);
    expect(insert).toBeGreaterThan(session);
    expect(text.indexOf('COMMIT;')).toBeGreaterThan(insert);
  });

  it("records the migration's version, name, checksum, status and who applied it", () => {
    const m = migration();
    const { text } = migrationMessage(m, options(), PER_MIGRATION);
    const insert = text.slice(text.indexOf('INSERT INTO'));
    expect(insert).toContain(`VALUES (42, '042_create_t.sql', '${m.checksum}', 'applied', now(), `);
    expect(insert).toContain("'agoat/publisher run 7')");
  });

  it('ends the file on a new line, so a last line comment cannot swallow the bookkeeping', () => {
    const sql = 'SELECT 1 -- no semicolon and no newline';
    const { text, prefixLength } = migrationMessage(migration(sql), options(), PER_MIGRATION);
    const suffix = text.slice(prefixLength + sql.length);
    expect(suffix.startsWith('\n')).toBe(true);
    // The statement without a semicolon is ended before the bookkeeping starts.
    expect(suffix.indexOf(';')).toBeLessThan(suffix.indexOf('RESET ALL'));
  });
});

describe('migrationMessage: lock check and record', () => {
  const lockCheckSql = lockHeldCheckSql(lockKey({ schema: 'public', table: 'schema_migrations' }));

  it('checks the lock first in the transaction, keeping the prefix one line', () => {
    const { text, prefixLength } = migrationMessage(
      migration(),
      options({ lockCheckSql, lockTimeout: '5s' }),
      PER_MIGRATION,
    );
    const prefix = text.slice(0, prefixLength);
    expect(prefix.startsWith(`BEGIN;${lockCheckSql}`)).toBe(true);
    expect(prefix.indexOf('\n')).toBe(prefix.length - 1);
    expect(text.slice(prefixLength, prefixLength + SQL.length)).toBe(SQL);
  });

  it('leaves out the INSERT with record: false but still resets the session', () => {
    const { text, prefixLength } = migrationMessage(migration(), options(), {
      ...PER_MIGRATION,
      record: false,
    });
    const suffix = text.slice(prefixLength + SQL.length);
    expect(suffix).not.toContain('INSERT');
    expect(suffix).toContain('RESET ALL');
    expect(text.endsWith('COMMIT;')).toBe(true);
  });
});

describe('migrationError', () => {
  const sql = "CREATE TABLE t (id int);\nINSERT INTO t VALUES ('😀');\nSELEC 1;\n";
  const m = migration(sql);
  const { text, prefixLength } = migrationMessage(m, options({ lockTimeout: '5s' }), PER_MIGRATION);
  const positionOf = (index: number) => String([...text.slice(0, index)].length + 1);

  it("maps PostgreSQL's character position to the line of the file", () => {
    const error = Object.assign(new Error('syntax error at or near "SELEC"'), {
      code: '42601',
      position: positionOf(text.indexOf('SELEC')),
      detail: 'row data',
    });
    expect(migrationError(error, m, text, prefixLength)).toMatchObject({
      message: 'syntax error at or near "SELEC"',
      code: '42601',
      detail: 'row data',
      line: 3,
    });
  });

  it('gives no line for a position outside the file, or without a position', () => {
    const inPrefix = Object.assign(new Error('invalid value for parameter'), {
      code: '22023',
      position: '3',
    });
    expect(migrationError(inPrefix, m, text, prefixLength).line).toBeUndefined();
    const noPosition = Object.assign(new Error('boom'), { code: 'XX000' });
    expect(migrationError(noPosition, m, text, prefixLength).line).toBeUndefined();
  });

  it('suggests -- migrate:no-transaction for statements refused inside a transaction', () => {
    const error = Object.assign(
      new Error('CREATE INDEX CONCURRENTLY cannot run inside a transaction block'),
      { code: '25001' },
    );
    expect(migrationError(error, m, text, prefixLength).hint).toContain(
      '-- migrate:no-transaction',
    );
  });

  it('explains a lost lock as a pooler problem', () => {
    const error = Object.assign(new Error(LOCK_LOST), { code: 'P0001' });
    expect(migrationError(error, m, text, prefixLength).message).toBe(POOLER_MESSAGE);
  });
});

describe('retryPause', () => {
  it('grows with the attempt, jittered between half and all of its base', () => {
    expect(retryPause(1, () => 0)).toBe(500);
    expect(retryPause(1, () => 1)).toBe(1000);
    expect(retryPause(2, () => 0)).toBe(1000);
    expect(retryPause(3, () => 1)).toBe(4000);
    expect(retryPause(3, () => 0.5)).toBe(3000);
  });

  it('is capped at 30 seconds', () => {
    expect(retryPause(10, () => 1)).toBe(30_000);
    expect(retryPause(50, () => 0)).toBe(15_000);
  });
});

describe('indexOfPosition', () => {
  it('maps a 1-based character position to a 0-based index in ASCII text', () => {
    const text = 'SELECT broken;';
    expect(indexOfPosition(text, 1)).toBe(0);
    expect(indexOfPosition(text, 8)).toBe(7);
    expect(text[indexOfPosition(text, 8)]).toBe('b');
  });

  it('counts a character outside the BMP once, as PostgreSQL does', () => {
    const text = "SELECT '😀😀', oops";
    // PostgreSQL counts characters: "oops" starts at character 14.
    const position = [...text.slice(0, text.indexOf('oops'))].length + 1;
    expect(position).toBe(14);
    expect(indexOfPosition(text, position)).toBe(text.indexOf('oops'));
    expect(text.indexOf('oops')).toBe(15);
  });

  it('treats BMP characters such as é as one unit', () => {
    const text = "SELECT 'é', x";
    expect(indexOfPosition(text, 13)).toBe(text.indexOf('x'));
  });

  it('stops at the end of the text', () => {
    expect(indexOfPosition('abc', 100)).toBe(3);
    expect(indexOfPosition('😀', 5)).toBe(2);
  });

  it('gives the right file line for an error after emoji on an earlier line', () => {
    const sql = "INSERT INTO t VALUES ('😀😀😀');\nSELEC 1;\n";
    const { text, prefixLength } = migrationMessage(migration(sql), options(), PER_MIGRATION);
    const errorAt = text.indexOf('SELEC 1');
    const position = [...text.slice(0, errorAt)].length + 1;
    const index = indexOfPosition(text, position);
    expect(index).toBe(errorAt);
    expect(lineAt(sql, index - prefixLength)).toBe(2);
  });
});
