import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST, runAction } from './support/action.js';
import { createDatabase, withClient } from './support/database.js';
import { workspaceWith } from './support/files.js';

// Issue 11's hardening, end to end: the bundled dist/index.js against a real PostgreSQL, for
// inputs that used to leave work half-done, blame the wrong thing or pass where they must fail.
let url: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ url, drop } = await createDatabase('hardening'));
});
afterAll(async () => drop());

let schemaCounter = 0;
/** A fresh tracking schema per test, so that tests share the database but not the history. */
function freshSchema(): string {
  return `h${schemaCounter++}`;
}

async function query<T = Record<string, unknown>>(on: string, sql: string, params: unknown[] = []) {
  return withClient(on, async (c) => (await c.query(sql, params)).rows as T[]);
}

async function exists(on: string, qualified: string): Promise<boolean> {
  const [row] = await query<{ t: string | null }>(on, 'SELECT to_regclass($1)::text AS t', [
    qualified,
  ]);
  return row?.t != null;
}

describe('standard_conforming_strings = off on the database', () => {
  let offUrl: string;
  let dropOff: () => Promise<void>;
  beforeAll(async () => {
    ({ url: offUrl, drop: dropOff } = await createDatabase('hardening_scs_off'));
    const name = new URL(offUrl).pathname.slice(1);
    await query(offUrl, `ALTER DATABASE "${name}" SET standard_conforming_strings = off`);
  });
  afterAll(async () => dropOff());

  // The issue's file. Read with the setting off, its second line is a string, a COMMIT and
  // another string; read with it on (as the splitter reads it), a stray backslash.
  const issueFile = (t: string) =>
    `create table ${t}1 (id int);\nselect 'a\\', '; commit; select '\\'';\ncreate table ${t}2 (id int);\nselect 1/0;`;
  // Valid SQL either way: with the setting on, three strings; with it off, a string, a COMMIT
  // and a SELECT whose `--` comment hides the rest of the line.
  const bothWays = (t: string) =>
    `create table ${t}1 (id int);\nselect 'a\\', '; commit; select 1 as x --', 'b';\n;\ncreate table ${t}2 (id int);\nselect 1/0;`;

  it("refuses the issue's file before anything runs: nothing is committed", async () => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({ '001_x.sql': issueFile(schema) });
    const run = await runAction({ 'database-url': offUrl, schema }, { workspace });
    expect(run.code, run.all).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(await exists(offUrl, `public.${schema}1`)).toBe(false);
    expect(await exists(offUrl, `${schema}.schema_migrations`)).toBe(false);
  });

  it('runs a file with the setting on, so the server cannot commit half of it: it rolls back whole', async () => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({ '001_x.sql': bothWays(schema) });
    const run = await runAction({ 'database-url': offUrl, schema }, { workspace });
    expect(run.code, run.all).toBe(1);
    expect(run.all).toContain('001_x.sql failed: division by zero');
    expect(await exists(offUrl, `public.${schema}1`)).toBe(false);
    expect(await exists(offUrl, `${schema}.schema_migrations`)).toBe(false);
  });

  it('rehearses with the setting on too: the rehearsal commits nothing', async () => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({ '001_x.sql': bothWays(schema) });
    const run = await runAction(
      { 'database-url': offUrl, schema, 'dry-run': 'true', rehearse: 'true' },
      { workspace },
    );
    expect(run.code, run.all).toBe(1);
    // The review rehearses statement by statement, so the failing statement's line is known.
    expect(run.all).toContain('Rehearsal failed: 001_x.sql line 5: division by zero');
    expect(await exists(offUrl, `public.${schema}1`)).toBe(false);
  });
});

describe('messages', () => {
  it('"Up to date" counts applied migrations only, not versions a baseline covers or rows whose file is gone', async () => {
    const schema = freshSchema();
    const { workspace, dir } = await workspaceWith({
      '1_old.sql': 'SELECT 1;',
      '2_old.sql': 'SELECT 2;',
      '3_new.sql': 'SELECT 3;',
      '4_gone.sql': 'SELECT 4;',
    });
    const baseline = await runAction(
      { 'database-url': url, schema, command: 'baseline', 'baseline-version': '2' },
      { workspace },
    );
    expect(baseline.code, baseline.all).toBe(0);
    expect((await runAction({ 'database-url': url, schema }, { workspace })).code).toBe(0);
    const { rm } = await import('node:fs/promises');
    await rm(`${dir}/4_gone.sql`);
    const run = await runAction({ 'database-url': url, schema, 'on-drift': 'warn' }, { workspace });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('up-to-date');
    expect(run.all).toContain(
      'Up to date: 1 migration applied (and 2 versions covered by the baseline), nothing to do.',
    );
  });

  it("says what to do when PostgreSQL's parser cannot be loaded", async () => {
    const { cp, mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const copy = await mkdtemp(path.join(tmpdir(), 'migrate-action-dist-'));
    await cp(path.dirname(DIST), copy, { recursive: true });
    await rm(path.join(copy, 'libpg-query.wasm'));
    const schema = freshSchema();
    const { workspace } = await workspaceWith({
      '1_a.sql': '-- migrate:no-transaction\nSELECT 1;',
    });
    const run = await runAction(
      { 'database-url': url, schema },
      { workspace, dist: path.join(copy, 'index.js') },
    );
    await rm(copy, { recursive: true, force: true });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /::error::PostgreSQL's SQL parser \(libpg-query WebAssembly\), which splits -- migrate:no-transaction files, could not be loaded \(.*\): run the action from its released dist\/ folder, where libpg-query\.wasm sits next to index\.js\./,
    );
  });
});

describe('tracking table names', () => {
  it('folds an upper-case schema or table input to lower case: Ops and ops name one tracking table', async () => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({ '1_a.sql': 'SELECT 1;' });
    const first = await runAction(
      { 'database-url': url, schema: schema.toUpperCase(), table: 'Schema_Migrations' },
      { workspace },
    );
    expect(first.code, first.all).toBe(0);
    const second = await runAction(
      { 'database-url': url, schema, table: 'schema_migrations' },
      { workspace },
    );
    expect(second.outputs.result, second.all).toBe('up-to-date');
    const tables = await query(
      url,
      "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE lower(n.nspname) = $1 AND c.relkind = 'r'",
      [schema],
    );
    expect(tables).toEqual([{ nspname: schema, relname: 'schema_migrations' }]);
  });
});

describe('checked before anything runs', () => {
  async function refused(files: Record<string, string>, expected: string, inputs = {}) {
    const schema = freshSchema();
    const { workspace } = await workspaceWith(files);
    const run = await runAction({ 'database-url': url, schema, ...inputs }, { workspace });
    expect(run.code, run.all).toBe(1);
    expect(run.stdout).toContain(expected);
    // Nothing ran: not even the tracking table was created.
    expect(await exists(url, `${schema}.schema_migrations`)).toBe(false);
    return run;
  }

  it("a file that ends inside an open comment: its line, and none of the action's SQL", async () => {
    const run = await refused(
      { '001_x.sql': 'select 1;\n/* never closed\n;' },
      '::error file=migrations/001_x.sql,line=2::001_x.sql line 2: a /* comment is not closed; close it, or the server reads the rest of the file into it.',
    );
    expect(run.all).not.toContain('SESSION AUTHORIZATION');
  });

  it("psql's COPY … FROM stdin with inline data, and its data line commit;", async () => {
    const run = await refused(
      {
        '001_x.sql':
          'create table h_copy (a int, b text);\nCOPY h_copy FROM stdin;\n1\tcommit;\n\\.\n',
      },
      '001_x.sql line 2: `COPY … FROM stdin` needs psql to send the data lines that follow it; use INSERT, or COPY … FROM a file on the database server.',
    );
    expect(run.all).not.toContain('COMMIT is not allowed');
  });

  it('a psql meta-command', async () => {
    await refused(
      { '001_x.sql': 'select 1;\n\\i other.sql\n' },
      '001_x.sql line 2: \\i is a psql meta-command, not SQL',
    );
  });

  // Under layout: auto such a file is read as goose's (adopt.test.ts); as a plain file it is refused.
  it("goose's down section in a plain folder, also in a rehearsal", async () => {
    const files = {
      '001_t.sql':
        '-- +goose Up\nCREATE TABLE h_goose (id int);\n-- +goose Down\nDROP TABLE h_goose;\n',
    };
    const down =
      '001_t.sql line 3: "-- +goose Down" starts goose\'s down section, which this action would run as part of the migration';
    await refused(files, down, { layout: 'plain' });
    await refused(files, down, { layout: 'plain', 'dry-run': 'true', rehearse: 'true' });
  });

  it("sql-migrate's down section", async () => {
    await refused(
      {
        '001_t.sql':
          '-- +migrate Up\nCREATE TABLE h_sqlm (id int);\n-- +migrate Down\nDROP TABLE h_sqlm;\n',
      },
      '001_t.sql line 3: "-- +migrate Down" starts sql-migrate\'s down section',
    );
  });

  it('a migration that names the tracking table (DROP or ALTER of schema_migrations)', async () => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({
      '1_a.sql': 'SELECT 1;',
      '2_b.sql': `ALTER TABLE ${schema}.schema_migrations ADD COLUMN note text;`,
    });
    const run = await runAction({ 'database-url': url, schema }, { workspace });
    expect(run.code, run.all).toBe(1);
    expect(run.stdout).toContain(
      `2_b.sql line 1: the migration names ${schema}.schema_migrations, which is this action's tracking table; set table: to another name`,
    );
    expect(await exists(url, `${schema}.schema_migrations`)).toBe(false);
    // In the default schema, an unqualified name is the tracking table too.
    const other = await workspaceWith({ '1_a.sql': 'DROP TABLE IF EXISTS schema_migrations;' });
    const unqualified = await runAction({ 'database-url': url }, { workspace: other.workspace });
    expect(unqualified.code, unqualified.all).toBe(1);
    expect(unqualified.stdout).toContain(
      "1_a.sql line 1: the migration names public.schema_migrations, which is this action's tracking table",
    );
  });
});

describe('layouts of other tools', () => {
  // With layout: auto these folders are read in their tool's layout (adopt.test.ts); told the
  // folder is plain, the action must not report it up to date.
  it("refuses Prisma's folder of <version>_<name>/migration.sql under layout: plain instead of reporting up to date", async () => {
    const { workspace } = await workspaceWith({});
    const { mkdir, writeFile } = await import('node:fs/promises');
    const folder = `${workspace}/migrations/20240101000000_init`;
    await mkdir(folder, { recursive: true });
    await writeFile(`${folder}/migration.sql`, 'CREATE TABLE h_prisma (id int);');
    const run = await runAction(
      { 'database-url': url, schema: freshSchema(), layout: 'plain' },
      { workspace },
    );
    expect(run.code, run.all).toBe(1);
    expect(run.stdout).toContain(
      'holds no .sql file, but its sub-folders do (20240101000000_init/migration.sql), which looks like Prisma',
    );
  });

  it("refuses diesel's folder of <version>_<name>/up.sql under layout: plain", async () => {
    const { workspace } = await workspaceWith({});
    const { mkdir, writeFile } = await import('node:fs/promises');
    const folder = `${workspace}/migrations/2024-01-01-000000_init`;
    await mkdir(folder, { recursive: true });
    await writeFile(`${folder}/up.sql`, 'CREATE TABLE h_diesel (id int);');
    await writeFile(`${folder}/down.sql`, 'DROP TABLE h_diesel;');
    const run = await runAction(
      { 'database-url': url, schema: freshSchema(), layout: 'plain' },
      { workspace },
    );
    expect(run.code, run.all).toBe(1);
    expect(run.stdout).toContain("which looks like diesel's layout");
  });
});

describe('a rehearsal sees what the real run will see', () => {
  it('creates the tracking table first, as the real run does, inside its rolled-back transaction', async () => {
    const schema = freshSchema();
    // The real run creates the schema `schema` for its tracking table before this file runs.
    const { workspace } = await workspaceWith({ '1_a.sql': `CREATE SCHEMA ${schema};` });
    const rehearsal = await runAction(
      { 'database-url': url, schema, 'dry-run': 'true', rehearse: 'true' },
      { workspace },
    );
    expect(rehearsal.code, rehearsal.all).toBe(1);
    expect(rehearsal.all).toContain(`schema "${schema}" already exists`);
    expect(await exists(url, `${schema}.schema_migrations`)).toBe(false);
    const real = await runAction({ 'database-url': url, schema }, { workspace });
    expect(real.code).toBe(1);
    expect(real.all).toContain(`schema "${schema}" already exists`);
  });
});

describe("the action's own SQL failing", () => {
  async function roleUrl(role: string): Promise<string> {
    await query(url, `DROP ROLE IF EXISTS ${role}`);
    await query(url, `CREATE ROLE ${role} LOGIN PASSWORD 'pw-${role}'`);
    const u = new URL(url);
    u.username = role;
    u.password = `pw-${role}`;
    return u.toString();
  }

  it('a role without CREATE on the tracking schema: names the table and the grant, not the migration', async () => {
    const role = `h_nocreate_${process.pid}`;
    const as = await roleUrl(role);
    await query(url, `REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    const { workspace } = await workspaceWith({ '001_a.sql': 'SELECT 1;' });
    const run = await runAction({ 'database-url': as }, { workspace });
    expect(run.code, run.all).toBe(1);
    expect(run.stdout).toContain(
      `::error::The tracking table public.schema_migrations cannot be created: role ${role} has no CREATE privilege on schema public; run GRANT CREATE ON SCHEMA public TO ${role}`,
    );
    expect(run.stdout).not.toContain('file=migrations/001_a.sql');
  });

  it('a role without USAGE on the schema of an existing history: names the table and the grant', async () => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({ '001_a.sql': 'SELECT 1;' });
    expect((await runAction({ 'database-url': url, schema }, { workspace })).code).toBe(0);
    const role = `h_nousage_${process.pid}`;
    const as = await roleUrl(role);
    const run = await runAction({ 'database-url': as, schema }, { workspace });
    expect(run.code, run.all).toBe(1);
    expect(run.stdout).toContain(
      `::error::The tracking table ${schema}.schema_migrations cannot be read: role ${role} has no USAGE privilege on schema ${schema}; run GRANT USAGE ON SCHEMA ${schema} TO ${role}`,
    );
  });
});

describe('a large no-transaction file', () => {
  /** `rows` rows in INSERTs of 500, each row about 1 KB, after the directive and a CREATE TABLE. */
  function bigFile(table: string, rows: number, tail = ''): string {
    const parts = [
      `-- migrate:no-transaction\nCREATE TABLE ${table} (id int PRIMARY KEY, payload text);\n`,
    ];
    const payload = 'x'.repeat(1000);
    for (let id = 1; id <= rows; id += 500) {
      const values: string[] = [];
      for (let r = id; r < id + 500 && r <= rows; r++) values.push(`(${r}, '${payload} ${r};')`);
      parts.push(`INSERT INTO ${table} (id, payload) VALUES\n${values.join(',\n')};\n`);
    }
    return parts.join('') + tail;
  }

  it('of 50 MB runs statement by statement within the memory of a transactional one (150 MB)', async () => {
    const { mkdtemp, readFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const schema = freshSchema();
    const table = `public.${schema}_big`;
    const content = bigFile(table, 50_000);
    expect(content.length).toBeGreaterThan(50_000_000);
    const { workspace } = await workspaceWith({ '1_big.sql': content });
    const dir = await mkdtemp(path.join(tmpdir(), 'migrate-action-rss-'));
    const rssFile = path.join(dir, 'rss');
    const run = await runAction(
      { 'database-url': url, schema },
      {
        workspace,
        env: { RECORD_RSS_TO: rssFile },
        nodeArgs: ['--import', path.resolve(import.meta.dirname, 'support/record-rss.mjs')],
      },
    );
    const rss = Number(await readFile(rssFile, 'utf8'));
    await rm(dir, { recursive: true, force: true });
    expect(run.code, run.all.slice(0, 2000)).toBe(0);
    expect(run.all).not.toContain('[object Object]');
    const [count] = await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM ${table}`);
    expect(count?.n).toBe(50_000);
    expect(rss).toBeLessThanOrEqual(150 * 1024 * 1024);
  });

  it('that fails in its last statement reports the line of the failure', async () => {
    const schema = freshSchema();
    const table = `public.${schema}_big`;
    const content = bigFile(table, 2_000, 'SELECT 1;\nSELECT\n  no_such_column FROM pg_class;\n');
    expect(content.length).toBeGreaterThan(1024 * 1024);
    const line = content.split('\n').length - 1;
    const { workspace } = await workspaceWith({ '1_big.sql': content });
    const run = await runAction({ 'database-url': url, schema }, { workspace });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      new RegExp(`::error file=migrations/1_big\\.sql,line=${line}::.*no_such_column`),
    );
    const [count] = await query<{ n: number }>(url, `SELECT count(*)::int AS n FROM ${table}`);
    expect(count?.n).toBe(2_000);
  });
});
