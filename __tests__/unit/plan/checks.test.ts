import { describe, expect, it } from 'vitest';
import { checksumOf } from '../../../src/files/content.js';
import type { Migration } from '../../../src/files/migration.js';
import { checkFile } from '../../../src/plan/checks.js';
import { factsOf } from '../../../src/plan/preflight.js';

// The pre-flight check of a pending file: what must be refused before anything runs.
function migration(sql: string, noTransaction = false, name = '001_x.sql'): Migration {
  return {
    version: 1n,
    name,
    path: `/ws/migrations/${name}`,
    checksum: checksumOf(sql),
    sql,
    noTransaction,
  };
}

const TRACKING = { schema: 'public', table: 'schema_migrations' };

async function messages(sql: string, noTransaction = false, tracking = TRACKING) {
  const check = await checkFile(migration(sql, noTransaction), tracking);
  return check.findings.map((f) => f.message);
}

describe('a file that ends inside something left open', () => {
  it.each([
    ["select 1;\nselect 'never closed;\n", 'line 2: a quoted string is not closed'],
    ['select 1;\n/* never closed\n;', 'line 2: a /* comment is not closed'],
    ['select 1;\nselect "x;\n', 'line 2: a quoted identifier is not closed'],
    ['select 1;\n\ndo $body$ begin null; end;\n', 'line 3: a dollar-quoted string is not closed'],
    ["select 1;\nselect E'it\\'s;\n", 'line 2: a quoted string is not closed'],
  ])('is a finding with the line where it opens: %j', async (sql, expected) => {
    for (const noTransaction of [false, true]) {
      const found = await messages(sql, noTransaction);
      expect(found).toEqual([
        `001_x.sql ${expected}; close it, or the server reads the rest of the file into it.`,
      ]);
    }
  });
});

describe("psql's scripts", () => {
  it('refuses COPY … FROM stdin and judges none of its data lines as SQL', async () => {
    const sql =
      'create table t (a int, b text);\nCOPY t (a, b) FROM stdin;\n1\tcommit;\n2\t\\N\n\\.\nselect 1;\n';
    for (const noTransaction of [false, true]) {
      expect(await messages(sql, noTransaction)).toEqual([
        '001_x.sql line 2: `COPY … FROM stdin` needs psql to send the data lines that follow it; use INSERT, or COPY … FROM a file on the database server.',
      ]);
    }
  });

  it('accepts COPY from a server file and COPY of a query that reads a table named stdin', async () => {
    expect(
      await messages("COPY t FROM '/tmp/t.csv';\nCOPY (SELECT a FROM stdin) TO '/tmp/x';\n"),
    ).toEqual([]);
  });

  it.each([
    ['select 1;\n\\i other.sql\n', 'line 2: \\i is a psql meta-command'],
    ['\\set ON_ERROR_STOP on\nselect 1;\n', 'line 1: \\set is a psql meta-command'],
    ['select 1;\n\\connect other\n', 'line 2: \\connect is a psql meta-command'],
  ])('refuses a meta-command: %j', async (sql, expected) => {
    const [message] = await messages(sql);
    expect(message).toBe(
      `001_x.sql ${expected}, not SQL, and the action sends the file to the server as SQL; write the SQL it stands for instead.`,
    );
  });

  it('refuses a stray backslash, which psql would read as a meta-command', async () => {
    expect(await messages("select 'a\\', '; commit; select '\\'';\n")).toEqual([
      "001_x.sql line 1: a backslash outside a string is not SQL (psql meta-commands such as \\i are not SQL either); remove it, or write the string as E'...' if it holds an escape.",
    ]);
  });

  it('leaves backslashes inside strings, dollar quotes and comments alone', async () => {
    expect(
      await messages("select E'a\\\\b', 'c\\d', $$\\i$$;\n-- \\i x\n/* \\set */ select 1;\n"),
    ).toEqual([]);
  });
});

describe("other tools' markers", () => {
  it('refuses goose and sql-migrate down sections, naming the tool and the line', async () => {
    const goose = '-- +goose Up\nCREATE TABLE t (id int);\n-- +goose Down\nDROP TABLE t;\n';
    expect(await messages(goose)).toEqual([
      '001_x.sql line 1: "-- +goose Up" is goose\'s marker, which this action does not read; remove the line.',
      '001_x.sql line 3: "-- +goose Down" starts goose\'s down section, which this action would run as part of the migration; move the down SQL out of the file and remove the line.',
    ]);
    const sqlMigrate =
      '-- +migrate Up\nCREATE TABLE t (id int);\n\n-- +migrate Down\nDROP TABLE t;\n';
    expect(await messages(sqlMigrate, true)).toContain(
      '001_x.sql line 4: "-- +migrate Down" starts sql-migrate\'s down section, which this action would run as part of the migration; move the down SQL out of the file and remove the line.',
    );
  });

  it('finds a marker whose line is cut between two chunks of a streamed file', async () => {
    const facts = await factsOf(
      ['select 1;\n-- +go', 'ose Down\nselect 2;\n'],
      'schema_migrations',
    );
    expect(facts.markers).toEqual([{ text: '-- +goose Down', tool: 'goose', down: true, line: 2 }]);
  });
});

describe('a statement that names the tracking table', () => {
  const SET_TABLE =
    "the migration names public.schema_migrations, which is this action's tracking table; set table: to another name (for example schema_migrations_action) in every step, or rename the migration's table.";

  it.each([
    ['DROP TABLE IF EXISTS schema_migrations;', 1],
    ['select 1;\nALTER TABLE\n  schema_migrations ADD COLUMN x int;', 3],
    ['ALTER TABLE public.SCHEMA_MIGRATIONS ADD COLUMN x int;', 1],
    ['insert into "public"."schema_migrations" values (1);', 1],
  ])('is refused: %j', async (sql, line) => {
    for (const noTransaction of [false, true]) {
      expect(await messages(sql, noTransaction)).toEqual([`001_x.sql line ${line}: ${SET_TABLE}`]);
    }
  });

  it.each([
    'ALTER TABLE t ADD COLUMN schema_migrations_count int;',
    "select 'schema_migrations';",
    '-- schema_migrations\nselect 1;',
    'create function f() returns int language sql as $$ select 1 from other.schema_migrations $$;',
    'DROP TABLE IF EXISTS legacy.schema_migrations;',
    'select "Schema_Migrations" from t;',
  ])('is not confused with: %j', async (sql) => {
    expect(await messages(sql)).toEqual([]);
  });

  it('names a tracking table in another schema only with that schema', async () => {
    const ops = { schema: 'ops', table: 'schema_migrations' };
    expect(await messages('DROP TABLE schema_migrations;', false, ops)).toEqual([]);
    expect(await messages('DROP TABLE ops.schema_migrations;', false, ops)).toHaveLength(1);
  });

  it('finds the name cut between two chunks of a streamed file', async () => {
    const facts = await factsOf(
      ['select 1;\ndrop table schema_mig', 'rations;\nselect 2;\n'],
      'schema_migrations',
    );
    expect(facts.candidates).toEqual([{ line: 2, text: 'drop table schema_migrations;' }]);
  });
});
