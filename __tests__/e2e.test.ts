import { createServer } from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MISSING_URL } from '../src/runner/inputs.js';
import { runAction } from './support/action.js';
import { createDatabase, withClient } from './support/database.js';
import { workspaceWith } from './support/files.js';

// End to end: the bundled dist/index.js, run as the runner runs it, against a real PostgreSQL.
let url: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ url, drop } = await createDatabase('e2e'));
});
afterAll(async () => drop());

/**
 * A fresh schema name per test, so that tests share the file's database without sharing history:
 * the migrations create `<schema>`, the tracking table lives in `<schema>_m`.
 */
let schemaCounter = 0;
async function freshSchema(): Promise<string> {
  return `t${schemaCounter++}`;
}
const meta = (schema: string) => `${schema}_m`;

async function rows(schema: string) {
  return withClient(url, async (c) => {
    const r = await c.query(
      `SELECT version::text, name, checksum, status, execution_ms, applied_by FROM ${meta(schema)}.schema_migrations m ORDER BY m.version`,
    );
    return r.rows;
  });
}

async function tableExists(qualified: string): Promise<boolean> {
  return withClient(url, async (c) => {
    const r = await c.query('SELECT to_regclass($1) AS t', [qualified]);
    return r.rows[0].t !== null;
  });
}

describe('migrate', () => {
  it('applies pending files in numeric order (2 before 10) and records each with its checksum', async () => {
    const schema = await freshSchema();
    const { workspace } = await workspaceWith({
      '10_second.sql': `INSERT INTO ${schema}.log VALUES ('ten');`,
      '2_first.sql': `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.log (what text, at timestamptz DEFAULT clock_timestamp());\nINSERT INTO ${schema}.log VALUES ('two');`,
      'notes.txt': 'not a migration',
    });
    const run = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('applied');
    expect(run.outputs.applied).toBe('["2","10"]');
    expect(run.outputs['applied-count']).toBe('2');
    expect(run.outputs.pending).toBe('[]');
    expect(run.outputs['pending-count']).toBe('0');
    expect(run.outputs.drift).toBe('false');
    expect(run.outputs['dry-run']).toBe('false');
    const order = await withClient(url, (c) =>
      c.query(`SELECT what FROM ${schema}.log ORDER BY at`),
    );
    expect(order.rows.map((r) => r.what)).toEqual(['two', 'ten']);
    const recorded = await rows(schema);
    expect(recorded.map((r) => [r.version, r.name, r.status])).toEqual([
      ['2', '2_first.sql', 'applied'],
      ['10', '10_second.sql', 'applied'],
    ]);
    expect(recorded[0].checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(recorded[0].applied_by).toContain('outside GitHub Actions');
  });

  it('says up-to-date on a second run and applies nothing twice', async () => {
    const schema = await freshSchema();
    const { workspace } = await workspaceWith({
      '1_create.sql': `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.counter (n int); INSERT INTO ${schema}.counter VALUES (1);`,
    });
    const first = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    expect(first.outputs.result).toBe('applied');
    const second = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    expect(second.code).toBe(0);
    expect(second.outputs.result).toBe('up-to-date');
    expect(second.outputs.applied).toBe('[]');
    expect(second.summary).toContain('already applied');
    const count = await withClient(url, (c) =>
      c.query(`SELECT count(*)::int AS n FROM ${schema}.counter`),
    );
    expect(count.rows[0].n).toBe(1);
  });

  it('writes the summary with the target as database on host, the verdict and a row per file', async () => {
    const schema = await freshSchema();
    const { workspace } = await workspaceWith({
      '1_a.sql': `CREATE SCHEMA ${schema};`,
      '2_b.sql': `CREATE TABLE ${schema}.b (id int);`,
      '10_c.sql': `CREATE TABLE ${schema}.c (id int);`,
    });
    const run = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    expect(run.code, run.all).toBe(0);
    const lines = run.summary.split('\n');
    const target = new URL(url);
    const database = target.pathname.slice(1);
    expect(lines[0]).toContain(`PostgreSQL migrations: ${database} on 127.0.0.1`);
    expect(lines[1]).toMatch(/^<p><strong>Applied 3 migrations in \d+ ms\.<\/strong><\/p>$/);
    const rows = lines.filter((l) => l.startsWith('<tr><td>'));
    // Version, file and status of each row, without the markup inside the cells.
    const cells = (row: string) =>
      [...row.matchAll(/<td>(.*?)<\/td>/g)].map((m) => (m[1] ?? '').replace(/<[^>]+>/g, ''));
    expect(rows.map((r) => cells(r).slice(0, 3))).toEqual([
      ['1', '1_a.sql', expect.stringContaining('applied')],
      ['2', '2_b.sql', expect.stringContaining('applied')],
      ['10', '10_c.sql', expect.stringContaining('applied')],
    ]);
    // The target is named without who logs in or with what.
    expect(run.summary).not.toContain(`${target.username}@`);
    if (target.password) expect(run.summary).not.toContain(decodeURIComponent(target.password));
  });

  it('names a misnamed file in the summary escaped', async () => {
    const { workspace } = await workspaceWith({ '001_a<b>&c.sql': 'SELECT 1;' });
    // A name with < > & is not a migration name: it is reported, escaped, as a misnamed file.
    const run = await runAction(
      { 'database-url': url, schema: meta(await freshSchema()) },
      { workspace },
    );
    expect(run.code).toBe(1);
    expect(run.summary).toContain('001_a&lt;b&gt;&amp;c.sql');
    expect(run.summary).not.toContain('<b>');
  });

  it('stops a failed migration at its line, keeps earlier ones, and leaves the failed one untraced', async () => {
    const schema = await freshSchema();
    const { workspace } = await workspaceWith({
      '1_ok.sql': `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.a (id int);`,
      '2_bad.sql': `CREATE TABLE ${schema}.b (id int);\n\n-- the next line is wrong\nSELECT * FROM ${schema}.does_not_exist;\n`,
      '3_later.sql': `CREATE TABLE ${schema}.c (id int);`,
    });
    const run = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.outputs.applied).toBe('["1"]');
    expect(run.outputs.pending).toBe('["2","3"]');
    expect(run.stdout).toMatch(/::error file=migrations\/2_bad\.sql,line=4::.*does_not_exist/);
    expect(run.summary).toContain('not attempted');
    expect((await rows(schema)).map((r) => r.version)).toEqual(['1']);
    expect(await tableExists(`${schema}.b`)).toBe(false);
    expect(await tableExists(`${schema}.c`)).toBe(false);
  });

  it('maps the error line in a file with a BOM and CRLF line endings', async () => {
    const schema = await freshSchema();
    const { workspace } = await workspaceWith({
      '1_ok.sql': `CREATE SCHEMA ${schema};`,
      '2_crlf.sql': `\uFEFF-- first\r\nSELECT 1;\r\nSELEC 2;\r\n`,
    });
    const run = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error file=migrations\/2_crlf\.sql,line=3::.*syntax error/);
  });

  it('with transaction: all, a failure rolls back every migration of the run', async () => {
    const schema = await freshSchema();
    const { workspace } = await workspaceWith({
      '1_ok.sql': `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.a (id int);`,
      '2_bad.sql': 'SELECT 1/0;',
    });
    const run = await runAction(
      { 'database-url': url, schema: meta(schema), transaction: 'all' },
      { workspace },
    );
    expect(run.code).toBe(1);
    expect(run.outputs.applied).toBe('[]');
    expect(run.outputs.pending).toBe('["1","2"]');
    expect(await tableExists(`${schema}.a`)).toBe(false);
    expect(await tableExists(`${meta(schema)}.schema_migrations`)).toBe(false);
  });

  it('with transaction: all, applies every pending migration', async () => {
    const schema = await freshSchema();
    const { workspace } = await workspaceWith({
      '1_a.sql': `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.a (id int);`,
      '2_b.sql': `CREATE TABLE ${schema}.b (id int);`,
    });
    const run = await runAction(
      { 'database-url': url, schema: meta(schema), transaction: 'all' },
      { workspace },
    );
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.applied).toBe('["1","2"]');
    expect((await rows(schema)).map((r) => r.status)).toEqual(['applied', 'applied']);
  });
});

describe('drift', () => {
  it('stops on a modified migration and does NOT apply the pending one', async () => {
    const schema = await freshSchema();
    const { workspace, write } = await workspaceWith({
      '1_a.sql': `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.a (id int);`,
    });
    expect(
      (await runAction({ 'database-url': url, schema: meta(schema) }, { workspace })).code,
    ).toBe(0);
    await write('1_a.sql', `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.a (id bigint);`);
    await write('2_b.sql', `CREATE TABLE ${schema}.b (id int);`);
    const run = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('drift');
    expect(run.outputs.drift).toBe('true');
    expect(run.outputs.pending).toBe('["2"]');
    expect(run.stdout).toMatch(/::error file=migrations\/1_a\.sql,line=1::1_a\.sql was changed/);
    expect(run.summary).toContain('modified');
    expect(await tableExists(`${schema}.b`)).toBe(false);
    expect((await rows(schema)).map((r) => r.version)).toEqual(['1']);
  });

  it('with on-drift: warn, warns on the modified file and applies the pending one', async () => {
    const schema = await freshSchema();
    const { workspace, write } = await workspaceWith({
      '1_a.sql': `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.a (id int);`,
    });
    await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    await write('1_a.sql', `CREATE SCHEMA ${schema};  CREATE TABLE ${schema}.a (id int);`);
    await write('2_b.sql', `CREATE TABLE ${schema}.b (id int);`);
    const run = await runAction(
      { 'database-url': url, schema: meta(schema), 'on-drift': 'warn' },
      { workspace },
    );
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('applied');
    expect(run.outputs.drift).toBe('true');
    expect(run.stdout).toMatch(/::warning file=migrations\/1_a\.sql,line=1::/);
    expect(await tableExists(`${schema}.b`)).toBe(true);
  });

  it('reports a missing migration as drift', async () => {
    const schema = await freshSchema();
    const { workspace, dir } = await workspaceWith({
      '1_a.sql': `CREATE SCHEMA ${schema};`,
      '2_b.sql': 'SELECT 1;',
    });
    await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    const { rm } = await import('node:fs/promises');
    await rm(path.join(dir, '2_b.sql'));
    const run = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('drift');
    expect(run.summary).toContain('missing');
  });

  it('does not count a checkout with CRLF line endings and a BOM as drift', async () => {
    const schema = await freshSchema();
    const content = `CREATE SCHEMA ${schema};\nCREATE TABLE ${schema}.a (id int);\n`;
    const { workspace, write } = await workspaceWith({ '1_a.sql': content });
    await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    await write('1_a.sql', `\uFEFF${content.replaceAll('\n', '\r\n')}`);
    const run = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('up-to-date');
    expect(run.outputs.drift).toBe('false');
  });

  it('refuses a pending version below the highest applied unless allow-out-of-order', async () => {
    const schema = await freshSchema();
    const { workspace, write } = await workspaceWith({
      '1_a.sql': `CREATE SCHEMA ${schema};`,
      '3_c.sql': `CREATE TABLE ${schema}.c (id int);`,
    });
    await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    await write('2_b.sql', `CREATE TABLE ${schema}.b (id int);`);
    const refused = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    expect(refused.code).toBe(1);
    expect(refused.outputs.result).toBe('failed');
    expect(refused.summary).toContain('out of order');
    expect(await tableExists(`${schema}.b`)).toBe(false);
    const allowed = await runAction(
      { 'database-url': url, schema: meta(schema), 'allow-out-of-order': 'true' },
      { workspace },
    );
    expect(allowed.code, allowed.all).toBe(0);
    expect(allowed.outputs.applied).toBe('["2"]');
  });

  it('stops on duplicate versions, misnamed .sql files and stray directives before writing anything', async () => {
    const schema = await freshSchema();
    const { workspace } = await workspaceWith({
      '001_a.sql': `CREATE SCHEMA ${schema};`,
      '1_b.sql': 'SELECT 1;',
      'create-users.sql': 'SELECT 1;',
      '2_stray.sql': 'SELECT 1;\n-- migrate:undo\nSELECT 2;',
    });
    const run = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.all).toContain('001_a.sql and 1_b.sql have the same version 1');
    expect(run.all).toContain('create-users.sql is not named <version>_<description>.sql');
    expect(run.all).toMatch(/2_stray\.sql line 2: "-- migrate:undo"/);
    expect(await tableExists(`${meta(schema)}.schema_migrations`)).toBe(false);
    const schemas = await withClient(url, (c) =>
      c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]),
    );
    expect(schemas.rowCount).toBe(0);
  });
});

describe('dry run', () => {
  it('on a pull_request event reports what would apply and leaves the database untouched', async () => {
    const schema = await freshSchema();
    const { workspace } = await workspaceWith({
      '1_a.sql': `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.a (id int);`,
    });
    const run = await runAction(
      { 'database-url': url, schema: meta(schema) },
      { workspace, env: { GITHUB_EVENT_NAME: 'pull_request' } },
    );
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('pending');
    expect(run.outputs['dry-run']).toBe('true');
    expect(run.outputs.pending).toBe('["1"]');
    expect(run.outputs.applied).toBe('[]');
    expect(run.summary).toContain('would apply');
    const schemas = await withClient(url, (c) =>
      c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]),
    );
    expect(schemas.rowCount).toBe(0);
  });

  it('dry-run: false on a pull_request event applies', async () => {
    const schema = await freshSchema();
    const { workspace } = await workspaceWith({ '1_a.sql': `CREATE SCHEMA ${schema};` });
    const run = await runAction(
      { 'database-url': url, schema: meta(schema), 'dry-run': 'false' },
      { workspace, env: { GITHUB_EVENT_NAME: 'pull_request' } },
    );
    expect(run.outputs.result).toBe('applied');
    expect(run.outputs['dry-run']).toBe('false');
  });

  it('dry-run: true on a push still fails on drift', async () => {
    const schema = await freshSchema();
    const { workspace, write } = await workspaceWith({ '1_a.sql': `CREATE SCHEMA ${schema};` });
    await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    await write('1_a.sql', `CREATE SCHEMA ${schema}; -- edited`);
    const run = await runAction(
      { 'database-url': url, schema: meta(schema), 'dry-run': 'true' },
      { workspace },
    );
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('drift');
    expect(run.outputs['dry-run']).toBe('true');
  });
});

describe('inputs and secrets', () => {
  it('fails with the one sentence when no database URL is given', async () => {
    const { workspace } = await workspaceWith({ '1_a.sql': 'SELECT 1;' });
    const run = await runAction({}, { workspace });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`::error::${MISSING_URL}`);
    expect(run.outputs.result).toBe('failed');
  });

  it('falls back to DATABASE_URL, then DSN', async () => {
    const schema = await freshSchema();
    const { workspace } = await workspaceWith({ '1_a.sql': `CREATE SCHEMA ${schema};` });
    const run = await runAction({ schema: meta(schema) }, { workspace, env: { DSN: url } });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('applied');
    const again = await runAction(
      { schema: meta(schema) },
      { workspace, env: { DATABASE_URL: url, DSN: 'x' } },
    );
    expect(again.outputs.result).toBe('up-to-date');
  });

  it('masks the password, raw and URL-decoded, before anything is logged', async () => {
    const password = 'p@ss:w/rd%$';
    const encoded = encodeURIComponent(password);
    const user = `masked_${process.pid}`;
    await withClient(url, (c) =>
      c.query(`CREATE ROLE ${user} LOGIN SUPERUSER PASSWORD '${password}'`),
    );
    const target = new URL(url);
    const bad = `postgres://${user}:${encoded}@${target.host}${target.pathname}?sslmode=bogus`;
    const run = await runAction({ 'database-url': bad }, {});
    expect(run.code).toBe(1);
    // Workflow commands escape '%' as '%25'; the runner reads the value back unescaped.
    const command = (value: string) => `::add-mask::${value.replaceAll('%', '%25')}\n`;
    expect(run.stdout).toContain(command(encoded));
    expect(run.stdout).toContain(command(password));
    const good = `postgres://${user}:${encoded}@${target.host}${target.pathname}`;
    const { workspace } = await workspaceWith({ '1_a.sql': 'SELECT 1;' });
    const ok = await runAction(
      { 'database-url': good, schema: await freshSchema() },
      { workspace },
    );
    expect(ok.code, ok.all).toBe(0);
    const visible = (ok.all + ok.summary + JSON.stringify(ok.outputs)).replaceAll(
      /::add-mask::.*\n/g,
      '',
    );
    expect(visible).not.toContain(password);
    expect(visible).not.toContain(encoded);
  });

  it('rejects a bad input value with one sentence before touching the database', async () => {
    // The database URL points at a listener of the test's own: any connection would show there.
    let connections = 0;
    const listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    try {
      const address = listener.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const run = await runAction(
        { 'database-url': `postgres://u:p@127.0.0.1:${port}/db`, 'on-drift': 'ignore' },
        {},
      );
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(
        '::error::Input on-drift is "ignore", but it must be one of: fail, warn.',
      );
      expect(connections).toBe(0);
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
  });

  it('fails clearly when the migrations folder is missing', async () => {
    const { workspace } = await workspaceWith({});
    const run = await runAction({ 'database-url': url, 'migrations-dir': 'nope' }, { workspace });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::The migrations folder .*nope does not exist/);
  });
});

describe('sample migrations', () => {
  it('applies the repository migrations/ folder, 001 then 002', async () => {
    const { url: sampleUrl, drop: dropSample } = await createDatabase('sample');
    try {
      const run = await runAction({ 'database-url': sampleUrl }, { workspace: process.cwd() });
      expect(run.code, run.all).toBe(0);
      expect(run.outputs.applied).toBe('["1","2"]');
    } finally {
      await dropSample();
    }
  });
});

describe('annotations', () => {
  it('stay within the ten GitHub shows per step, the last counting the rest, the verdict kept', async () => {
    const schema = await freshSchema();
    const files: Record<string, string> = {};
    for (let i = 0; i < 14; i++) files[`typo-${i}.sql`] = 'SELECT 1;';
    const { workspace } = await workspaceWith(files);
    const run = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    expect(run.code).toBe(1);
    const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error'));
    expect(errors).toHaveLength(10);
    expect(errors.filter((line) => line.startsWith('::error file=migrations/typo-'))).toHaveLength(
      8,
    );
    expect(errors[8]).toBe('::error::6 more errors: see the job summary.');
    expect(errors[9]).toMatch(/^::error::Stopped before writing anything/);
  });
});

describe('privileges', () => {
  it('works for a role without CREATE on the database when the tracking schema exists', async () => {
    const role = `nocreate_${process.pid}`;
    const schema = `${role}_app`;
    await withClient(url, async (c) => {
      await c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw-${role}'`);
      await c.query(`CREATE SCHEMA ${schema} AUTHORIZATION ${role}`);
      const database = new URL(url).pathname.slice(1);
      await c.query(`REVOKE CREATE ON DATABASE "${database}" FROM PUBLIC`);
    });
    const roleUrl = new URL(url);
    roleUrl.username = role;
    roleUrl.password = `pw-${role}`;
    const { workspace } = await workspaceWith({
      '1_a.sql': `CREATE TABLE ${schema}.things (id int PRIMARY KEY);`,
    });
    const run = await runAction({ 'database-url': roleUrl.toString(), schema }, { workspace });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.applied).toBe('["1"]');
    const owner = await withClient(url, (c) =>
      c.query(
        `SELECT tableowner FROM pg_tables WHERE schemaname = $1 AND tablename = 'schema_migrations'`,
        [schema],
      ),
    );
    expect(owner.rows[0]?.tableowner).toBe(role);
  });
});
