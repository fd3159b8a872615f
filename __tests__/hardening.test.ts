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

  // Read with the setting off, the file's second line is a string, a COMMIT and another string;
  // with it on (as the splitter reads it), strings around a stray backslash, which fails.
  const file = (t: string) =>
    `create table ${t}1 (id int);\nselect 'a\\', '; commit; select '\\'';\ncreate table ${t}2 (id int);\nselect 1/0;`;

  it('cannot make the server commit half a migration: the file runs with the setting on and rolls back whole', async () => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({ '001_x.sql': file(schema) });
    const run = await runAction({ 'database-url': offUrl, schema }, { workspace });
    expect(run.code, run.all).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(await exists(offUrl, `public.${schema}1`)).toBe(false);
    expect(await exists(offUrl, `${schema}.schema_migrations`)).toBe(false);
  });

  it('is rehearsed with the setting on too: the rehearsal commits nothing', async () => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({ '001_x.sql': file(schema) });
    const run = await runAction(
      { 'database-url': offUrl, schema, 'dry-run': 'true', rehearse: 'true' },
      { workspace },
    );
    expect(run.code, run.all).toBe(1);
    expect(run.all).toContain('Rehearsal failed');
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
