import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checksumOf } from '../src/files/content.js';
import { runAction } from './support/action.js';
import { createDatabase, withClient } from './support/database.js';
import { workspaceWith } from './support/files.js';

// Files above 4 MiB are streamed: checked, hashed and sent in statement-aligned pieces inside one
// transaction, never held whole. These tests use 6 MB files, with CRLF endings and a BOM, and
// multi-line statements and dollar quotes that a naive split would cut.
let url: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ url, drop } = await createDatabase('large'));
});
afterAll(async () => drop());

function bigFile(schema: string, rows: number, tail = ''): string {
  const lines = [
    `CREATE TABLE ${schema}.big (id bigint PRIMARY KEY, payload text NOT NULL);`,
    `CREATE FUNCTION ${schema}.twice(x int) RETURNS int LANGUAGE plpgsql AS $fn$\r\nBEGIN\r\n  RETURN x * 2; -- a ';' inside a body\r\nEND;\r\n$fn$;`,
  ];
  for (let id = 1; id <= rows; id += 50) {
    const values: string[] = [];
    for (let r = id; r < id + 50 && r <= rows; r++)
      values.push(`(${r}, 'row ${r}; ${'x'.repeat(40)} é')`);
    lines.push(`INSERT INTO ${schema}.big (id, payload)\r\nVALUES ${values.join(',\r\n')};`);
  }
  return `\uFEFF${lines.join('\r\n')}\r\n${tail}`;
}

describe('a large migration file', () => {
  it('is applied whole in one transaction and recorded with the checksum of its normalised text', async () => {
    const schema = 'large_ok';
    const content = bigFile(schema, 90_000);
    expect(Buffer.byteLength(content)).toBeGreaterThan(5 * 1024 * 1024);
    const { workspace } = await workspaceWith({
      '1_schema.sql': `CREATE SCHEMA ${schema};`,
      '2_big.sql': content,
    });
    const run = await runAction({ 'database-url': url, schema: `${schema}_m` }, { workspace });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.applied).toBe('["1","2"]');
    const state = await withClient(url, async (c) => {
      const count = await c.query(
        `SELECT count(*)::int AS n, ${schema}.twice(21) AS t FROM ${schema}.big`,
      );
      const row = await c.query(
        `SELECT checksum FROM ${schema}_m.schema_migrations WHERE version = 2`,
      );
      return { ...count.rows[0], checksum: row.rows[0].checksum };
    });
    expect(state.n).toBe(90_000);
    expect(state.t).toBe(42);
    expect(state.checksum).toBe(checksumOf(content.slice(1).replaceAll('\r\n', '\n')));
  });

  it('that fails deep inside is rolled back whole, with the error at its line', async () => {
    const schema = 'large_bad';
    const content = bigFile(schema, 90_000, 'SELECT no_such_column FROM large_bad.big;\r\n');
    const line = content.split('\r\n').length - 1;
    const { workspace } = await workspaceWith({
      '1_schema.sql': `CREATE SCHEMA ${schema};`,
      '2_big.sql': content,
    });
    const run = await runAction({ 'database-url': url, schema: `${schema}_m` }, { workspace });
    expect(run.code).toBe(1);
    expect(run.outputs.applied).toBe('["1"]');
    expect(run.stdout).toMatch(
      new RegExp(`::error file=migrations/2_big\\.sql,line=${line}::.*no_such_column`),
    );
    const table = await withClient(url, (c) => c.query(`SELECT to_regclass('${schema}.big') AS t`));
    expect(table.rows[0].t).toBeNull();
  });

  it('with a COMMIT near its end is refused before anything runs', async () => {
    const schema = 'large_commit';
    const content = bigFile(schema, 90_000, 'COMMIT;\r\n');
    const line = content.split('\r\n').length - 1;
    const { workspace } = await workspaceWith({
      '1_schema.sql': `CREATE SCHEMA ${schema};`,
      '2_big.sql': content,
    });
    const run = await runAction({ 'database-url': url, schema: `${schema}_m` }, { workspace });
    expect(run.code).toBe(1);
    expect(run.all).toContain(`2_big.sql line ${line}: COMMIT is not allowed`);
    const schemas = await withClient(url, (c) =>
      c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]),
    );
    expect(schemas.rowCount).toBe(0);
  });
});
