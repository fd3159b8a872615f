import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from './support/action.js';
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
