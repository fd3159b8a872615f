import { createHash } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import * as path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockKey } from '../src/history/lock.js';
import { type ActionRun, runAction } from './support/action.js';
import { createDatabase, withClient } from './support/database.js';
import { workspaceWith } from './support/files.js';

// End to end, through the bundled dist/index.js against a real PostgreSQL: validate, baseline,
// repair, a tracking table written by another tool, and the rehearsal of a dry run.
// Every test works in schemas of its own, so the tests run concurrently; the rehearsal tests
// compare a fingerprint of the whole database catalog, so they run one after another in a
// database of their own.
let url: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ url, drop } = await createDatabase('commands'));
});
afterAll(async () => drop());

/**
 * A fresh schema name per test: the migrations use `<schema>` for their data, the tracking table
 * lives in `<schema>_m` (the action creates the tracking schema in the first migration's
 * transaction, so the two are kept apart).
 */
let schemaCounter = 0;
function freshSchema(): string {
  return `c${schemaCounter++}`;
}
const meta = (schema: string) => `${schema}_m`;

/** Runs the action on the test database with the tracking table in `<schema>_m`. */
function act(
  schema: string,
  workspace: string,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
): Promise<ActionRun> {
  return runAction({ 'database-url': url, schema: meta(schema), ...inputs }, { workspace, env });
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Row {
  version: string;
  name: string;
  checksum: string;
  status: string;
  applied_at: Date;
  execution_ms: number;
  applied_by: string;
}

async function trackingRows(schema: string, table = 'schema_migrations'): Promise<Row[]> {
  return withClient(url, async (c) => {
    const r = await c.query<Row>(
      `SELECT version::text, name, checksum, status, applied_at, execution_ms, applied_by FROM ${meta(schema)}.${table} ORDER BY version`,
    );
    return r.rows;
  });
}

async function schemaExists(name: string, db = url): Promise<boolean> {
  return withClient(db, async (c) => {
    const r = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name]);
    return r.rowCount === 1;
  });
}

async function relationExists(qualified: string, db = url): Promise<boolean> {
  return withClient(db, async (c) => {
    const r = await c.query('SELECT to_regclass($1) AS t', [qualified]);
    return r.rows[0].t !== null;
  });
}

/** Neither the tracking schema nor its table exists: nothing of the action was written. */
async function expectNoTrackingTable(schema: string, db = url): Promise<void> {
  expect(await relationExists(`${meta(schema)}.schema_migrations`, db)).toBe(false);
  expect(await schemaExists(meta(schema), db)).toBe(false);
}

/** The `::error` workflow commands of a run. */
function errorLines(run: ActionRun): string[] {
  return run.stdout.split('\n').filter((line) => line.startsWith('::error'));
}

/** A refusal: exit 1, result failed, exactly one error, one sentence (one line, no %0A). */
function expectOneSentence(run: ActionRun, pattern: RegExp): string {
  expect(run.code, run.all).toBe(1);
  expect(run.outputs.result).toBe('failed');
  const errors = errorLines(run);
  expect(errors, run.all).toHaveLength(1);
  const message = (errors[0] ?? '').replace(/^::error[^:]*::/, '');
  expect(message).toMatch(pattern);
  expect(message).not.toContain('%0A');
  expect(message.trim()).toMatch(/[.!]$/);
  return message;
}

interface SummaryRow {
  version: string;
  file: string;
  status: string;
  checksum: string;
  duration: string;
  note: string;
}

/** The rows of the summary's status table, the status without its icon. */
function summaryRows(summary: string): SummaryRow[] {
  const pattern =
    /<tr><td>(\d+)<\/td><td><code>([^<]*)<\/code><\/td><td>([^<]*)<\/td><td><code>([^<]*)<\/code><\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><\/tr>/g;
  return [...summary.matchAll(pattern)].map((m) => ({
    version: m[1] ?? '',
    file: m[2] ?? '',
    status: (m[3] ?? '').replace(/^\S+\s/, ''),
    checksum: m[4] ?? '',
    duration: m[5] ?? '',
    note: m[6] ?? '',
  }));
}

const statuses = (summary: string) =>
  summaryRows(summary).map((r) => [r.version, r.file, r.status]);

function expectStatusTable(summary: string): void {
  expect(summary).toContain(
    '<tr><th>Version</th><th>File</th><th>Status</th><th>Checksum</th><th>Duration</th><th>Note</th></tr>',
  );
}

/**
 * Everything a migration could leave behind in this database's catalog: schemas, relations
 * (tables, indexes, sequences, views), columns and functions outside the system schemas.
 */
async function catalogFingerprint(db: string): Promise<Record<string, string>> {
  return withClient(db, async (c) => {
    const r = await c.query(`
      SELECT
        (SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace) AS namespaces,
        (SELECT string_agg(n.nspname || '.' || c.relname || ':' || c.relkind::text, ',' ORDER BY n.nspname, c.relname)
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace) AS relations,
        (SELECT string_agg(n.nspname || '.' || c.relname || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod), ','
                           ORDER BY n.nspname, c.relname, a.attnum)
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE a.attnum > 0 AND NOT a.attisdropped
            AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')) AS columns,
        (SELECT string_agg(n.nspname || '.' || p.proname, ',' ORDER BY n.nspname, p.proname)
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')) AS functions,
        (SELECT count(*)::text FROM pg_trigger) AS triggers`);
    return r.rows[0];
  });
}

const DURATION = /^\d+ ms$|^\d+\.\d s$/;

describe.concurrent('validate', () => {
  it('is read only: passes with pending migrations, takes no lock, never creates the tracking table', async () => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({
      '1_a.sql': `CREATE SCHEMA ${schema};`,
      '2_b.sql': 'SELECT 1;',
    });
    // Another session holds the migration lock: a validate that took it would wait, and with
    // lock-wait-timeout 0 fail at once.
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    let run: ActionRun;
    try {
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [
        String(lockKey({ schema: meta(schema), table: 'schema_migrations' })),
      ]);
      run = await act(schema, workspace, { command: 'validate', 'lock-wait-timeout': '0' });
    } finally {
      await holder.end();
    }
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('pending');
    expect(run.outputs.pending).toBe('["1","2"]');
    expect(run.outputs.applied).toBe('[]');
    expect(run.all).not.toContain('Waiting for the migration lock');
    expectStatusTable(run.summary);
    expect(statuses(run.summary)).toEqual([
      ['1', '1_a.sql', 'pending'],
      ['2', '2_b.sql', 'pending'],
    ]);
    await expectNoTrackingTable(schema);
    expect(await schemaExists(schema)).toBe(false);
  });

  it('passes with up-to-date on a migrated database, showing the status table', async () => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({ '1_a.sql': `CREATE SCHEMA ${schema};` });
    expect((await act(schema, workspace)).outputs.result).toBe('applied');
    const before = await trackingRows(schema);
    const run = await act(schema, workspace, { command: 'validate' });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('up-to-date');
    expect(run.outputs.drift).toBe('false');
    expectStatusTable(run.summary);
    expect(statuses(run.summary)).toEqual([['1', '1_a.sql', 'already applied']]);
    expect(await trackingRows(schema)).toEqual(before);
  });

  it('fails with drift on a modified migration, the status table naming it', async () => {
    const schema = freshSchema();
    const { workspace, write } = await workspaceWith({ '1_a.sql': `CREATE SCHEMA ${schema};` });
    expect((await act(schema, workspace)).outputs.result).toBe('applied');
    const before = await trackingRows(schema);
    await write('1_a.sql', `CREATE SCHEMA ${schema}; -- edited after it was applied`);
    const run = await act(schema, workspace, { command: 'validate' });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('drift');
    expect(run.outputs.drift).toBe('true');
    expectStatusTable(run.summary);
    expect(statuses(run.summary)).toEqual([['1', '1_a.sql', 'modified']]);
    expect(run.stdout).toMatch(/::error file=migrations\/1_a\.sql,line=1::1_a\.sql was changed/);
    expect(await trackingRows(schema)).toEqual(before);
  });

  it('fails on a duplicate version without creating the tracking table', async () => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({
      '001_a.sql': `CREATE SCHEMA ${schema};`,
      '1_b.sql': 'SELECT 1;',
    });
    const run = await act(schema, workspace, { command: 'validate' });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.all).toContain('001_a.sql and 1_b.sql have the same version 1');
    expectStatusTable(run.summary);
    await expectNoTrackingTable(schema);
    expect(await schemaExists(schema)).toBe(false);
  });
});

describe.concurrent('baseline', () => {
  /** A database whose schema was built by hand, and migrations that each log that they ran. */
  async function handBuilt() {
    const schema = freshSchema();
    await withClient(url, (c) =>
      c.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.log (what text);`),
    );
    const files = {
      '001_a.sql': `INSERT INTO ${schema}.log VALUES ('1');\n`,
      '002_b.sql': `INSERT INTO ${schema}.log VALUES ('2');\n`,
      '003_c.sql': `INSERT INTO ${schema}.log VALUES ('3');\n`,
    };
    const { workspace } = await workspaceWith(files);
    const logged = async () =>
      withClient(url, async (c) =>
        (await c.query(`SELECT what FROM ${schema}.log ORDER BY what`)).rows.map((r) => r.what),
      );
    return { schema, files, workspace, logged };
  }

  it('refuses without baseline-version, with one sentence, writing nothing', async () => {
    const { schema, workspace, logged } = await handBuilt();
    const run = await act(schema, workspace, { command: 'baseline' });
    expectOneSentence(run, /baseline-version/);
    await expectNoTrackingTable(schema);
    expect(await logged()).toEqual([]);
  });

  it('refuses a baseline-version that is not a number (abc), with one sentence, writing nothing', async () => {
    const { schema, workspace, logged } = await handBuilt();
    const run = await act(schema, workspace, { command: 'baseline', 'baseline-version': 'abc' });
    expectOneSentence(run, /baseline-version is "abc"/);
    await expectNoTrackingTable(schema);
    expect(await logged()).toEqual([]);
  });

  it('refuses a baseline-version that no file has, with one sentence, writing nothing', async () => {
    const { schema, workspace, logged } = await handBuilt();
    const run = await act(schema, workspace, { command: 'baseline', 'baseline-version': '5' });
    expectOneSentence(run, /version 5/);
    await expectNoTrackingTable(schema);
    expect(await logged()).toEqual([]);
  });

  it('refuses when the tracking table already has rows, with one sentence, writing nothing', async () => {
    const schema = freshSchema();
    const { workspace, write } = await workspaceWith({ '1_a.sql': `CREATE SCHEMA ${schema};` });
    expect((await act(schema, workspace)).outputs.result).toBe('applied');
    const before = await trackingRows(schema);
    await write('2_b.sql', `CREATE TABLE ${schema}.b (id int);`);
    const run = await act(schema, workspace, { command: 'baseline', 'baseline-version': '2' });
    expectOneSentence(run, /already has 1 row/);
    expect(await trackingRows(schema)).toEqual(before);
    expect(await relationExists(`${schema}.b`)).toBe(false);
  });

  it('on an empty database records every file up to and including the version as baseline, running none', async () => {
    const { schema, files, workspace, logged } = await handBuilt();
    const run = await act(schema, workspace, { command: 'baseline', 'baseline-version': '2' });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('applied');
    expect(run.outputs.pending).toBe('["3"]');
    const rows = await trackingRows(schema);
    expect(rows.map((r) => [r.version, r.name, r.status, r.checksum])).toEqual([
      ['1', '001_a.sql', 'baseline', sha256(files['001_a.sql'])],
      ['2', '002_b.sql', 'baseline', sha256(files['002_b.sql'])],
    ]);
    expect(await logged()).toEqual([]);
    expect(statuses(run.summary)).toEqual([
      ['1', '001_a.sql', 'baseline'],
      ['2', '002_b.sql', 'baseline'],
      ['3', '003_c.sql', 'pending'],
    ]);
  });

  it('is followed by a migrate that applies only what comes after the baseline', async () => {
    const { schema, workspace, logged } = await handBuilt();
    const baselined = await act(schema, workspace, {
      command: 'baseline',
      'baseline-version': '2',
    });
    expect(baselined.code, baselined.all).toBe(0);
    const run = await act(schema, workspace);
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('applied');
    expect(run.outputs.applied).toBe('["3"]');
    expect(await logged()).toEqual(['3']);
    expect((await trackingRows(schema)).map((r) => [r.version, r.status])).toEqual([
      ['1', 'baseline'],
      ['2', 'baseline'],
      ['3', 'applied'],
    ]);
  });

  it('in a dry run writes nothing and says pending', async () => {
    const { schema, workspace, logged } = await handBuilt();
    const run = await act(schema, workspace, {
      command: 'baseline',
      'baseline-version': '2',
      'dry-run': 'true',
    });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('pending');
    expect(run.outputs['dry-run']).toBe('true');
    expect(run.outputs.pending).toBe('["1","2","3"]');
    await expectNoTrackingTable(schema);
    expect(await logged()).toEqual([]);
  });
});

describe.concurrent('repair', () => {
  /**
   * A `no-transaction` migration whose second statement fails: its row is left `failed`, the
   * first statement (an index built concurrently) stays.
   */
  async function failedNoTransaction() {
    const schema = freshSchema();
    const broken = `-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_id ON ${schema}.t (id);\nINSERT INTO ${schema}.does_not_exist VALUES (1);\n`;
    const { workspace, write } = await workspaceWith({
      '1_a.sql': `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (id int);`,
      '2_nt.sql': broken,
    });
    const failed = await act(schema, workspace);
    expect(failed.code, failed.all).toBe(1);
    expect(failed.outputs.result).toBe('failed');
    expect((await trackingRows(schema)).map((r) => [r.version, r.status])).toEqual([
      ['1', 'applied'],
      ['2', 'failed'],
    ]);
    return { schema, workspace, write };
  }

  it('deletes the failed row of a no-transaction migration, lists the change, and a following migrate applies the fixed file', async () => {
    const { schema, workspace, write } = await failedNoTransaction();
    const blocked = await act(schema, workspace);
    expect(blocked.code).toBe(1);
    expect(blocked.outputs.result).toBe('failed');

    const run = await act(schema, workspace, { command: 'repair' });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('applied');
    expect(run.stdout).toMatch(/Changed: deleted the failed row of 2_nt\.sql/);
    expect(run.summary).toContain('deleted the failed row of 2_nt.sql');
    expect((await trackingRows(schema)).map((r) => [r.version, r.status])).toEqual([
      ['1', 'applied'],
    ]);

    const fixed = `-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_id ON ${schema}.t (id);\nCREATE TABLE ${schema}.nt (id int);\n`;
    await write('2_nt.sql', fixed);
    const migrated = await act(schema, workspace);
    expect(migrated.code, migrated.all).toBe(0);
    expect(migrated.outputs.result).toBe('applied');
    expect(migrated.outputs.applied).toBe('["2"]');
    expect(await relationExists(`${schema}.nt`)).toBe(true);
    const rows = await trackingRows(schema);
    expect(rows.map((r) => [r.version, r.status, r.checksum])).toEqual([
      ['1', 'applied', expect.stringMatching(/^[0-9a-f]{64}$/)],
      ['2', 'applied', sha256(fixed)],
    ]);
  });

  it('re-records the checksum and name of a modified applied migration, after which migrate is up-to-date', async () => {
    const schema = freshSchema();
    const { workspace, write, dir } = await workspaceWith({
      '1_a.sql': `CREATE SCHEMA ${schema};`,
      '2_b.sql': 'SELECT 1;',
    });
    expect((await act(schema, workspace)).outputs.result).toBe('applied');
    const before = await trackingRows(schema);
    const edited = '-- a harmless comment\nSELECT 1;';
    await rename(path.join(dir, '2_b.sql'), path.join(dir, '2_b_renamed.sql'));
    await write('2_b_renamed.sql', edited);
    expect((await act(schema, workspace)).outputs.result).toBe('drift');

    const run = await act(schema, workspace, { command: 'repair' });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('applied');
    expect(run.stdout).toContain('Changed: re-recorded the checksum of 2_b_renamed.sql');
    expect(run.summary).toContain('re-recorded the checksum of 2_b_renamed.sql');
    const after = await trackingRows(schema);
    expect(after[0]).toEqual(before[0]);
    expect(after[1]).toEqual({ ...before[1], name: '2_b_renamed.sql', checksum: sha256(edited) });

    const migrated = await act(schema, workspace);
    expect(migrated.code, migrated.all).toBe(0);
    expect(migrated.outputs.result).toBe('up-to-date');
    expect(migrated.outputs.drift).toBe('false');
  });

  it("leaves a missing migration's row untouched", async () => {
    const schema = freshSchema();
    const { workspace, dir } = await workspaceWith({
      '1_a.sql': `CREATE SCHEMA ${schema};`,
      '2_b.sql': 'SELECT 1;',
    });
    expect((await act(schema, workspace)).outputs.result).toBe('applied');
    const before = await trackingRows(schema);
    await rm(path.join(dir, '2_b.sql'));
    const run = await act(schema, workspace, { command: 'repair' });
    expect(run.outputs.result, run.all).toBe('up-to-date');
    expect(run.all).not.toContain('Changed:');
    expect(statuses(run.summary)).toContainEqual(['2', '2_b.sql', 'missing']);
    expect(await trackingRows(schema)).toEqual(before);
  });

  it('with nothing to do says up-to-date', async () => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({ '1_a.sql': `CREATE SCHEMA ${schema};` });
    expect((await act(schema, workspace)).outputs.result).toBe('applied');
    const before = await trackingRows(schema);
    const run = await act(schema, workspace, { command: 'repair' });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('up-to-date');
    expect(run.all).not.toContain('Changed:');
    expect(await trackingRows(schema)).toEqual(before);
  });

  it('in a dry run lists what it would do and writes nothing', async () => {
    const { schema, workspace, write } = await failedNoTransaction();
    await write('1_a.sql', `CREATE SCHEMA ${schema};  CREATE TABLE ${schema}.t (id int);`);
    const before = await trackingRows(schema);
    const run = await act(schema, workspace, { command: 'repair', 'dry-run': 'true' });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('pending');
    expect(run.outputs['dry-run']).toBe('true');
    expect(run.all).toMatch(/would have deleted the failed row of 2_nt\.sql/);
    expect(run.all).toMatch(/would have re-recorded the checksum of 1_a\.sql/);
    expect(run.summary).toContain('would have deleted the failed row of 2_nt.sql');
    expect(await trackingRows(schema)).toEqual(before);
  });
});

describe.concurrent('a tracking table written by another tool', () => {
  it('is refused with what does not fit and what to do, left untouched, and a new table can be baselined', async () => {
    const schema = freshSchema();
    const foreign = `${meta(schema)}.schema_migrations`;
    await withClient(url, (c) =>
      c.query(
        `CREATE SCHEMA ${meta(schema)}; CREATE TABLE ${foreign} (version varchar(255) PRIMARY KEY, name text, applied_at timestamp); INSERT INTO ${foreign} VALUES ('1', 'one', '2020-01-01'), ('2', 'two', '2020-01-02'), ('7', 'seven', '2020-01-07');`,
      ),
    );
    const snapshot = () =>
      withClient(url, async (c) => ({
        rows: (await c.query(`SELECT * FROM ${foreign} ORDER BY version`)).rows,
        columns: (
          await c.query(
            'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position',
            [meta(schema), 'schema_migrations'],
          )
        ).rows,
      }));
    const before = await snapshot();
    const { workspace } = await workspaceWith({
      '1_a.sql': `CREATE SCHEMA ${schema};`,
      '2_b.sql': `CREATE TABLE ${schema}.b (id int);`,
      '7_c.sql': `CREATE TABLE ${schema}.c (id int);`,
      '8_d.sql': `CREATE SCHEMA ${schema};`,
    });

    const refused = await act(schema, workspace);
    const message = expectOneSentence(refused, /schema_migrations/);
    expect(message).toMatch(/version is character varying, not bigint/);
    expect(message).toMatch(/no column checksum/);
    expect(message).toMatch(/set table: to a new name/);
    expect(message).toMatch(/baseline-version: 7/);
    expect(await snapshot()).toEqual(before);
    expect(await schemaExists(schema)).toBe(false);

    const baselined = await act(schema, workspace, {
      table: 'schema_migrations_v2',
      command: 'baseline',
      'baseline-version': '7',
    });
    expect(baselined.code, baselined.all).toBe(0);
    expect(baselined.outputs.result).toBe('applied');
    expect(
      (await trackingRows(schema, 'schema_migrations_v2')).map((r) => [r.version, r.status]),
    ).toEqual([
      ['1', 'baseline'],
      ['2', 'baseline'],
      ['7', 'baseline'],
    ]);
    expect(await snapshot()).toEqual(before);
    expect(await schemaExists(schema)).toBe(false);

    const migrated = await act(schema, workspace, { table: 'schema_migrations_v2' });
    expect(migrated.code, migrated.all).toBe(0);
    expect(migrated.outputs.applied).toBe('["8"]');
    expect(await schemaExists(schema)).toBe(true);
    expect(await snapshot()).toEqual(before);
  });
});

describe.concurrent('rehearsal (dry-run: true, rehearse: true)', () => {
  // A database of their own, and one test at a time: the catalog fingerprint covers the whole
  // database, while the tests of the other groups run meanwhile in theirs.
  let db: string;
  let dropDb: () => Promise<void>;
  let rehearsal: Record<string, string>;
  beforeAll(async () => {
    ({ url: db, drop: dropDb } = await createDatabase('rehearsal'));
    rehearsal = { 'database-url': db, 'dry-run': 'true', rehearse: 'true' };
  });
  afterAll(async () => dropDb());

  /** A schema that already exists with a row, which the migrations change. */
  async function existing(): Promise<string> {
    const schema = freshSchema();
    await withClient(db, (c) =>
      c.query(
        `CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.items (id int PRIMARY KEY, label text); INSERT INTO ${schema}.items VALUES (1, 'before');`,
      ),
    );
    return schema;
  }
  const labels = (schema: string) =>
    withClient(db, async (c) =>
      (await c.query(`SELECT label FROM ${schema}.items ORDER BY id`)).rows.map((r) => r.label),
    );

  it('reports each pending migration rehearsed with a duration and leaves nothing behind', {
    concurrent: false,
  }, async () => {
    const schema = await existing();
    const { workspace } = await workspaceWith({
      '1_a.sql': `CREATE SCHEMA ${schema}_new; CREATE TABLE ${schema}_new.t (id serial PRIMARY KEY);\nUPDATE ${schema}.items SET label = 'after';\n`,
      '2_b.sql': `ALTER TABLE ${schema}.items ADD COLUMN extra int;\nCREATE INDEX items_label ON ${schema}.items (label);\nCREATE FUNCTION ${schema}.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\n`,
    });
    const before = await catalogFingerprint(db);
    const run = await act(schema, workspace, rehearsal);
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('pending');
    expect(run.outputs['dry-run']).toBe('true');
    expect(run.outputs.pending).toBe('["1","2"]');
    expect(run.outputs.applied).toBe('[]');
    const rows = summaryRows(run.summary);
    expect(rows.map((r) => [r.version, r.status])).toEqual([
      ['1', 'rehearsed'],
      ['2', 'rehearsed'],
    ]);
    for (const row of rows) expect(row.duration).toMatch(DURATION);
    expect(await catalogFingerprint(db)).toEqual(before);
    expect(await labels(schema)).toEqual(['before']);
    await expectNoTrackingTable(schema, db);
  });

  it('reports a failing second migration failed at its line, exits 1, and leaves nothing behind', {
    concurrent: false,
  }, async () => {
    const schema = await existing();
    const { workspace } = await workspaceWith({
      '1_ok.sql': `CREATE TABLE ${schema}.r1 (id int);\nUPDATE ${schema}.items SET label = 'after';\n`,
      '2_bad.sql': `CREATE TABLE ${schema}.r2 (id int);\n\n-- the next line is wrong\nSELECT * FROM ${schema}.does_not_exist;\n`,
      '3_later.sql': `CREATE TABLE ${schema}.r3 (id int);`,
    });
    const before = await catalogFingerprint(db);
    const run = await act(schema, workspace, rehearsal);
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.stdout).toMatch(/::error file=migrations\/2_bad\.sql,line=4::.*does_not_exist/);
    const rows = summaryRows(run.summary);
    expect(rows.map((r) => [r.version, r.status])).toEqual([
      ['1', 'rehearsed'],
      ['2', 'failed'],
      ['3', 'not attempted'],
    ]);
    expect(rows[1]?.note).toMatch(/does_not_exist/);
    expect(await catalogFingerprint(db)).toEqual(before);
    expect(await labels(schema)).toEqual(['before']);
    await expectNoTrackingTable(schema, db);
  });

  it('stops before a no-transaction file: it and later files are not rehearsed, earlier ones are', {
    concurrent: false,
  }, async () => {
    const schema = await existing();
    const { workspace } = await workspaceWith({
      '1_a.sql': `CREATE TABLE ${schema}.a (id int);`,
      '2_nt.sql': `-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY items_label ON ${schema}.items (label);\n`,
      '3_c.sql': `CREATE TABLE ${schema}.c (id int);`,
    });
    const before = await catalogFingerprint(db);
    const run = await act(schema, workspace, rehearsal);
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('pending');
    const rows = summaryRows(run.summary);
    expect(rows.map((r) => [r.version, r.status])).toEqual([
      ['1', 'rehearsed'],
      ['2', 'not rehearsed'],
      ['3', 'not rehearsed'],
    ]);
    expect(rows[0]?.duration).toMatch(DURATION);
    expect(await catalogFingerprint(db)).toEqual(before);
    await expectNoTrackingTable(schema, db);
  });

  it('is refused on a pull_request_target event with one sentence', {
    concurrent: false,
  }, async () => {
    const schema = await existing();
    const { workspace } = await workspaceWith({ '1_a.sql': `CREATE TABLE ${schema}.a (id int);` });
    const before = await catalogFingerprint(db);
    const run = await act(
      schema,
      workspace,
      { 'database-url': db, rehearse: 'true' },
      { GITHUB_EVENT_NAME: 'pull_request_target' },
    );
    expectOneSentence(run, /pull_request_target/);
    expect(await catalogFingerprint(db)).toEqual(before);
  });

  it('is skipped with a warning naming the holder while another session holds the migration lock', {
    concurrent: false,
  }, async () => {
    const schema = await existing();
    const { workspace } = await workspaceWith({
      '1_a.sql': `CREATE TABLE ${schema}.a (id int);\nUPDATE ${schema}.items SET label = 'after';\n`,
    });
    const before = await catalogFingerprint(db);
    const holder = new pg.Client({ connectionString: db, application_name: 'lock-holder-test' });
    await holder.connect();
    let run: ActionRun;
    let pid: number;
    try {
      pid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      await holder.query('SELECT pg_advisory_lock($1::bigint)', [
        String(lockKey({ schema: meta(schema), table: 'schema_migrations' })),
      ]);
      run = await act(schema, workspace, rehearsal);
    } finally {
      await holder.end();
    }
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('pending');
    const warnings = run.stdout.split('\n').filter((l) => l.startsWith('::warning'));
    expect(warnings, run.all).toHaveLength(1);
    expect(warnings[0]).toMatch(/^::warning::.*lock-holder-test/);
    expect(warnings[0]).toContain(`pid ${pid}`);
    expect(summaryRows(run.summary).map((r) => r.status)).not.toContain('rehearsed');
    expect(await catalogFingerprint(db)).toEqual(before);
    expect(await labels(schema)).toEqual(['before']);
  });
});
