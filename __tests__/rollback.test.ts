import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionRun, runAction } from './support/action.js';
import { createDatabase, withClient } from './support/database.js';
import { workspaceWith } from './support/files.js';

// command: rollback, to-version and down sections end to end, through the bundled dist/index.js
// against a real PostgreSQL. Each test has schemas of its own: `<s>` for its objects and `<s>_m`
// for the tracking table, so the tests run concurrently.
let url: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ url, drop } = await createDatabase('rollback'));
});
afterAll(async () => drop());

let counter = 0;
const fresh = () => `r${counter++}`;
const meta = (s: string) => `${s}_m`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function act(
  s: string,
  workspace: string,
  inputs: Record<string, string> = {},
): Promise<ActionRun> {
  return runAction({ 'database-url': url, schema: meta(s), ...inputs }, { workspace });
}

interface Row {
  version: string;
  status: string;
  checksum: string;
  applied_by: string;
}
async function rows(s: string): Promise<Row[]> {
  return withClient(url, async (c) => {
    const r = await c.query<Row>(
      `SELECT version::text, status, checksum, applied_by FROM ${meta(s)}.schema_migrations ORDER BY version`,
    );
    return r.rows;
  });
}
const statusOf = async (s: string) => (await rows(s)).map((r) => [r.version, r.status]);

async function exists(qualified: string): Promise<boolean> {
  return withClient(url, async (c) => {
    const r = await c.query('SELECT to_regclass($1) AS t', [qualified]);
    return r.rows[0].t !== null;
  });
}

/** Summary table rows as [version, status, duration]. */
function summaryRows(summary: string): string[][] {
  const pattern =
    /<tr><td>(\d+)<\/td><td><code>[^<]*<\/code><\/td><td>([^<]*)<\/td><td><code>[^<]*<\/code><\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g;
  return [...summary.matchAll(pattern)].map((m) => [
    m[1] ?? '',
    (m[2] ?? '').replace(/^\S+\s/, ''),
    m[3] ?? '',
  ]);
}

/** Three migrations after a first one, each with a down section. */
function files(s: string, down3 = `DROP TABLE ${s}.t3;`): Record<string, string> {
  return {
    '001_schema.sql': `CREATE SCHEMA ${s};\n`,
    '002_t2.sql': `CREATE TABLE ${s}.t2 (id int);\n-- migrate:down\nALTER TABLE ${s}.t2 RENAME TO gone2;\nDROP TABLE ${s}.gone2;\n`,
    '003_t3.sql': `CREATE TABLE ${s}.t3 (id int);\n-- migrate:down\n${down3}\n`,
    '004_t4.sql': `CREATE TABLE ${s}.t4 (id int);\n\n-- migrate:down\n\nDROP TABLE ${s}.t4;\n`,
  };
}

describe('command: rollback', () => {
  it('rolls back newest first to to-version; migrate applies them again', async () => {
    const s = fresh();
    const { workspace } = await workspaceWith(files(s));
    expect((await act(s, workspace)).outputs.result).toBe('applied');

    const run = await act(s, workspace, {
      command: 'rollback',
      'to-version': '1',
      'allow-data-loss': 'true',
    });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('applied');
    expect(run.outputs.pending).toBe('["2","3","4"]');
    expect(run.summary).toMatch(/Rolled back 3 migrations to version 1 in/);
    const rolled = summaryRows(run.summary).filter((r) => r[1] === 'rolled back');
    expect(rolled.map((r) => r[0])).toEqual(['2', '3', '4']);
    for (const r of rolled) expect(r[2]).toMatch(/\d+ ms|\d\.\d s/);
    // Newest first, as the log says.
    const order = [...run.stdout.matchAll(/Rolled back (\d+)_\w+\.sql/g)].map((m) => m[1]);
    expect(order).toEqual(['004', '003', '002']);
    expect(await statusOf(s)).toEqual([
      ['1', 'applied'],
      ['2', 'rolled back'],
      ['3', 'rolled back'],
      ['4', 'rolled back'],
    ]);
    expect((await rows(s))[3]?.applied_by).toContain('outside GitHub Actions');
    expect(await exists(`${s}.t2`)).toBe(false);
    expect(await exists(`${s}.t4`)).toBe(false);

    const again = await act(s, workspace);
    expect(again.code, again.all).toBe(0);
    expect(again.outputs.applied).toBe('["2","3","4"]');
    expect(await statusOf(s)).toEqual([
      ['1', 'applied'],
      ['2', 'applied'],
      ['3', 'applied'],
      ['4', 'applied'],
    ]);
    expect(await exists(`${s}.t4`)).toBe(true);
  });

  it('stops at a failing down in the middle of three: the newer stays rolled back, the failed and older stay applied', async () => {
    const s = fresh();
    const { workspace } = await workspaceWith(
      files(s, `SELECT 1;\nINSERT INTO ${s}.no_such_table VALUES (1);`),
    );
    expect((await act(s, workspace)).outputs.result).toBe('applied');
    const run = await act(s, workspace, {
      command: 'rollback',
      'to-version': '1',
      'allow-data-loss': 'true',
    });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.summary).toContain('The down SQL of 003_t3.sql failed at line 4');
    expect(run.summary).toContain('1 migration rolled back before it, 1 not attempted');
    // The error annotation is on the file, at the down SQL's line.
    expect(run.stdout).toMatch(/::error file=migrations\/003_t3\.sql,line=4/);
    expect(await statusOf(s)).toEqual([
      ['1', 'applied'],
      ['2', 'applied'],
      ['3', 'applied'],
      ['4', 'rolled back'],
    ]);
    expect(await exists(`${s}.t3`)).toBe(true);
    expect(await exists(`${s}.t2`)).toBe(true);
    expect(await exists(`${s}.t4`)).toBe(false);
    expect(
      summaryRows(run.summary)
        .filter((r) => r[0] !== '1')
        .map((r) => r.slice(0, 2)),
    ).toEqual([
      ['2', 'not attempted'],
      ['3', 'failed'],
      ['4', 'rolled back'],
    ]);
  });

  it('runs a no-transaction down statement by statement (DROP INDEX CONCURRENTLY)', async () => {
    const s = fresh();
    const { workspace } = await workspaceWith({
      '001_schema.sql': `CREATE SCHEMA ${s};\nCREATE TABLE ${s}.t (a int);\n`,
      '002_index.sql': `-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY t_a ON ${s}.t (a);\n-- migrate:down\nDROP INDEX CONCURRENTLY ${s}.t_a;\n`,
    });
    expect((await act(s, workspace)).outputs.result).toBe('applied');
    expect(await exists(`${s}.t_a`)).toBe(true);
    const run = await act(s, workspace, { command: 'rollback', 'to-version': '1' });
    expect(run.code, run.all).toBe(0);
    expect(await exists(`${s}.t_a`)).toBe(false);
    expect(await statusOf(s)).toEqual([
      ['1', 'applied'],
      ['2', 'rolled back'],
    ]);
  });

  it('refuses a down that loses data unless allow-data-loss, before anything runs', async () => {
    const s = fresh();
    const { workspace } = await workspaceWith(files(s));
    await act(s, workspace);
    const run = await act(s, workspace, { command: 'rollback', 'to-version': '1' });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.summary).toContain(
      '004_t4.sql line 5: the down SQL of 004_t4.sql loses data (DROP TABLE',
    );
    expect(run.all).toContain('allow-data-loss: true');
    expect(await statusOf(s)).toEqual([
      ['1', 'applied'],
      ['2', 'applied'],
      ['3', 'applied'],
      ['4', 'applied'],
    ]);
    expect(await exists(`${s}.t4`)).toBe(true);
  });

  it('refuses a migration without down SQL or with a changed file, naming each', async () => {
    const s = fresh();
    const { workspace, write } = await workspaceWith({
      ...files(s),
      '002_t2.sql': `CREATE TABLE ${s}.t2 (id int);\n`,
    });
    await act(s, workspace);
    await write(
      '003_t3.sql',
      `CREATE TABLE ${s}.t3 (id bigint);\n-- migrate:down\nDROP TABLE ${s}.t3;\n`,
    );
    const run = await act(s, workspace, {
      command: 'rollback',
      'to-version': '1',
      'allow-data-loss': 'true',
    });
    expect(run.code).toBe(1);
    expect(run.all).toContain('002_t2.sql has no down SQL');
    expect(run.all).toContain(
      '003_t3.sql cannot be rolled back: it was changed after it was applied',
    );
    expect((await rows(s)).every((r) => r.status === 'applied')).toBe(true);
  });

  it('requires to-version', async () => {
    const s = fresh();
    const { workspace } = await workspaceWith(files(s));
    const run = await act(s, workspace, { command: 'rollback' });
    expect(run.code).toBe(1);
    expect(run.all).toContain('command: rollback needs to-version');
  });

  it('reports the plan in a dry run and writes nothing', async () => {
    const s = fresh();
    const { workspace } = await workspaceWith(files(s));
    await act(s, workspace);
    const run = await act(s, workspace, {
      command: 'rollback',
      'to-version': '2',
      'allow-data-loss': 'true',
      'dry-run': 'true',
    });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('pending');
    expect(run.summary).toContain(
      'Dry run: 2 migrations would be rolled back to version 2, newest first (004_t4.sql, 003_t3.sql)',
    );
    expect(
      summaryRows(run.summary)
        .filter((r) => r[1] === 'would roll back')
        .map((r) => r[0]),
    ).toEqual(['3', '4']);
    expect((await rows(s)).every((r) => r.status === 'applied')).toBe(true);
  });

  it('works on a tracking table written by the build before rolled back existed', async () => {
    const s = fresh();
    const { workspace } = await workspaceWith({
      '001_schema.sql': `CREATE SCHEMA ${s};\n`,
      '002_t2.sql': `CREATE TABLE ${s}.t2 (id int);\n`,
    });
    // The table and rows exactly as the build of commit 40e52e7 writes them.
    await withClient(url, async (c) => {
      await c.query(
        `CREATE SCHEMA ${meta(s)}; CREATE TABLE ${meta(s)}.schema_migrations (version bigint PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, status text NOT NULL CHECK (status IN ('applied', 'baseline', 'running', 'failed')), applied_at timestamptz NOT NULL DEFAULT now(), execution_ms integer NOT NULL DEFAULT 0, applied_by text NOT NULL DEFAULT '');
         CREATE SCHEMA ${s}; CREATE TABLE ${s}.t2 (id int);
         INSERT INTO ${meta(s)}.schema_migrations (version, name, checksum, status) VALUES
           (1, '001_schema.sql', '${sha256(`CREATE SCHEMA ${s};\n`)}', 'applied'),
           (2, '002_t2.sql', '${sha256(`CREATE TABLE ${s}.t2 (id int);\n`)}', 'applied');`,
      );
    });
    // Adding a down section to an applied file keeps its checksum: no drift.
    const { write } = { write: (await import('node:fs/promises')).writeFile };
    await write(
      `${workspace}/migrations/002_t2.sql`,
      `CREATE TABLE ${s}.t2 (id int);\n-- migrate:down\nDROP TABLE ${s}.t2;\n`,
    );
    const validate = await act(s, workspace, { command: 'validate' });
    expect(validate.outputs.result, validate.all).toBe('up-to-date');

    const run = await act(s, workspace, {
      command: 'rollback',
      'to-version': '1',
      'allow-data-loss': 'true',
    });
    expect(run.code, run.all).toBe(0);
    expect(await statusOf(s)).toEqual([
      ['1', 'applied'],
      ['2', 'rolled back'],
    ]);
  });
});

describe('to-version for migrate', () => {
  it('applies up to and including it; later ones stay pending', async () => {
    const s = fresh();
    const { workspace } = await workspaceWith(files(s));
    const run = await act(s, workspace, { 'to-version': '3' });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.applied).toBe('["1","2","3"]');
    expect(run.outputs.pending).toBe('["4"]');
    expect(await exists(`${s}.t4`)).toBe(false);
  });

  it('refuses a version no file has, writing nothing', async () => {
    const s = fresh();
    const { workspace } = await workspaceWith(files(s));
    const run = await act(s, workspace, { 'to-version': '7' });
    expect(run.code).toBe(1);
    expect(run.all).toContain(
      'to-version is 7, but no migration file has that version (the highest is 4)',
    );
    expect(await exists(`${meta(s)}.schema_migrations`)).toBe(false);
  });
});

describe('the rehearsal proves down SQL', () => {
  it('says reversible for a correct down, and names the index a faulty down leaves behind', async () => {
    const s = fresh();
    const { workspace } = await workspaceWith({
      '001_schema.sql': `CREATE SCHEMA ${s};\nCREATE TABLE ${s}.posts (id int);\n`,
    });
    expect((await act(s, workspace)).outputs.result).toBe('applied');
    const { write } = { write: (await import('node:fs/promises')).writeFile };
    const dir = `${workspace}/migrations`;
    await write(
      `${dir}/002_good.sql`,
      `ALTER TABLE ${s}.posts ADD COLUMN slug text;\nCREATE INDEX posts_slug ON ${s}.posts (slug);\n-- migrate:down\nDROP INDEX ${s}.posts_slug;\nALTER TABLE ${s}.posts DROP COLUMN slug;\n`,
    );
    await write(
      `${dir}/003_faulty.sql`,
      `CREATE TABLE ${s}.tags (id int, name text);\nCREATE INDEX tags_name ON ${s}.posts (id);\n-- migrate:down\nDROP TABLE ${s}.tags;\n`,
    );
    await write(
      `${dir}/004_broken.sql`,
      `CREATE TABLE ${s}.labels (id int);\n-- migrate:down\nDROP TABLE ${s}.label;\n`,
    );
    const run = await act(s, workspace, { 'dry-run': 'true', rehearse: 'true' });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('pending');
    const notes = Object.fromEntries(
      [
        ...run.summary.matchAll(
          /<tr><td>(\d+)<\/td>(?:<td>[^<]*(?:<code>[^<]*<\/code>)?[^<]*<\/td>){4}<td>([^<]*)<\/td><\/tr>/g,
        ),
      ].map((m) => [m[1], m[2]]),
    );
    expect(notes['2']).toBe('reversible');
    expect(notes['3']).toBe(
      `not reversible: the down SQL leaves behind index ${s}.tags_name on ${s}.posts using btree (id), so the up SQL fails when run again (relation &quot;tags_name&quot; already exists)`,
    );
    // DROP TABLE gives no error position: the sentence names the file, not a line.
    expect(notes['4']).toBe(
      'not reversible: the down SQL failed: table &quot;label&quot; does not exist',
    );
    // A warning per faulty down; the rehearsal rolled back everything.
    expect(run.stdout).toMatch(/::warning::003_faulty\.sql: not reversible/);
    expect(await exists(`${s}.tags`)).toBe(false);
    expect(await statusOf(s)).toEqual([['1', 'applied']]);
  });
});
