import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionRun, runAction } from './support/action.js';
import { createDatabase, withClient } from './support/database.js';
import { workspaceWith } from './support/files.js';

// The safety review end to end, through the bundled dist/index.js on a real PostgreSQL: what a
// pull request's dry run says about each pending statement, predicted and observed.
let url: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ url, drop } = await createDatabase('review'));
});
afterAll(async () => drop());

let counter = 0;
/** A schema of its own per test, holding `posts` (1,000 rows) as the target's existing table. */
async function target(): Promise<string> {
  const schema = `r${counter++}`;
  await withClient(url, (c) =>
    c.query(`CREATE SCHEMA ${schema};
      CREATE TABLE ${schema}.posts (id int PRIMARY KEY, title varchar(10), views int NOT NULL DEFAULT 0);
      INSERT INTO ${schema}.posts SELECT g, 't' || g, g FROM generate_series(1, 1000) g;
      ANALYZE ${schema}.posts;`),
  );
  return schema;
}

interface Risk {
  rule: string;
  level: string;
  file: string;
  line: number;
  table: string | null;
  acknowledged: boolean;
}

async function dryRun(
  schema: string,
  files: Record<string, string>,
  inputs: Record<string, string> = {},
): Promise<ActionRun & { risks: Risk[] }> {
  const { workspace } = await workspaceWith(files);
  const run = await runAction(
    { 'database-url': url, schema: `${schema}_m`, 'dry-run': 'true', ...inputs },
    { workspace, env: { PGOPTIONS: '' } },
  );
  return { ...run, risks: run.outputs.risks ? JSON.parse(run.outputs.risks) : [] };
}

describe('safety review of a dry run', () => {
  it('names a plain CREATE INDEX on an existing table as a danger, with its table, line and size, and annotates it', async () => {
    const schema = await target();
    const run = await dryRun(schema, {
      '001_index.sql': `-- index for the title search\nCREATE INDEX posts_title_idx ON ${schema}.posts (title);\n`,
    });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('pending');
    expect(run.risks).toEqual([
      {
        rule: 'index-not-concurrent',
        level: 'danger',
        file: '001_index.sql',
        line: 2,
        table: `${schema}.posts`,
        acknowledged: false,
      },
    ]);
    expect(run.summary).toContain('<h4>Safety review</h4>');
    expect(run.summary).toContain('1,000 rows');
    expect(run.summary).toContain('CREATE INDEX CONCURRENTLY');
    expect(run.stdout).toMatch(
      /::warning file=migrations\/001_index\.sql,line=2::index-not-concurrent/,
    );
  });

  it('says nothing about an index on a table created by an earlier pending migration', async () => {
    const schema = await target();
    const run = await dryRun(schema, {
      '001_table.sql': `CREATE TABLE ${schema}.tags (id int PRIMARY KEY, name text);\n`,
      '002_index.sql': `CREATE INDEX tags_name_idx ON ${schema}.tags (name);\n`,
    });
    expect(run.code, run.all).toBe(0);
    expect(run.risks).toEqual([]);
    expect(run.summary).toContain('no open finding');
  });

  it('lists an acknowledged danger with its reason, and safety: fail passes', async () => {
    const schema = await target();
    const run = await dryRun(
      schema,
      {
        '001_index.sql': `-- migrate:allow index-not-concurrent posts has 1,000 rows: the build takes milliseconds\nCREATE INDEX posts_title_idx ON ${schema}.posts (title);\n`,
      },
      { safety: 'fail' },
    );
    expect(run.code, run.all).toBe(0);
    expect(run.risks.map((r) => [r.rule, r.acknowledged])).toEqual([
      ['index-not-concurrent', true],
    ]);
    expect(run.summary).toContain(
      'acknowledged: posts has 1,000 rows: the build takes milliseconds',
    );
    expect(run.stdout).not.toMatch(
      /::(warning|error) file=migrations\/001_index\.sql,line=2::index/,
    );
  });

  it('fails the run under safety: fail on an unacknowledged danger, naming it, and writes nothing', async () => {
    const schema = await target();
    const run = await dryRun(
      schema,
      { '001_drop.sql': `ALTER TABLE ${schema}.posts DROP COLUMN views;\n` },
      { safety: 'fail' },
    );
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.risks.map((r) => r.rule)).toContain('breaking-change');
    expect(run.stdout).toMatch(
      /::error::Safety review: 1 danger not acknowledged \(breaking-change in 001_drop\.sql line 1\)/,
    );
    const columns = await withClient(url, (c) =>
      c.query(
        `SELECT column_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'posts' ORDER BY 1`,
        [schema],
      ),
    );
    expect(columns.rows.map((r) => r.column_name)).toEqual(['id', 'title', 'views']);
  });

  it('refuses an allow line without a reason before anything runs', async () => {
    const schema = await target();
    const run = await dryRun(schema, {
      '001_index.sql': `-- migrate:allow index-not-concurrent\nCREATE INDEX posts_title_idx ON ${schema}.posts (title);\n`,
    });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.stdout).toMatch(
      /001_index\.sql line 1: -- migrate:allow index-not-concurrent needs a reason/,
    );
  });

  it('says which statement the parser rejects, and still reviews the others', async () => {
    const schema = await target();
    const run = await dryRun(schema, {
      '001_broken.sql': `ALTER TABLE ${schema}.posts ADD COLUMN;\nCREATE INDEX posts_title_idx ON ${schema}.posts (title);\n`,
    });
    expect(run.code, run.all).toBe(0);
    expect(run.summary).toContain(
      '001_broken.sql line 1: PostgreSQL&#39;s parser rejects this statement, so the review could not judge it',
    );
    expect(run.risks.map((r) => [r.rule, r.line])).toEqual([['index-not-concurrent', 2]]);
  });

  it('runs no review with safety: off', async () => {
    const schema = await target();
    const run = await dryRun(
      schema,
      { '001_index.sql': `CREATE INDEX posts_title_idx ON ${schema}.posts (title);\n` },
      { safety: 'off' },
    );
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.risks).toBeUndefined();
    expect(run.summary).not.toContain('Safety review');
  });

  it('does not predict a rewrite for a binary-coercible type change (varchar(10) to varchar(20)), and does for int to bigint', async () => {
    const schema = await target();
    const run = await dryRun(schema, {
      '001_widen.sql': `ALTER TABLE ${schema}.posts ALTER COLUMN title TYPE varchar(20);\n`,
      '002_bigint.sql': `ALTER TABLE ${schema}.posts ALTER COLUMN views TYPE bigint;\n`,
    });
    expect(run.code, run.all).toBe(0);
    const rewrites = run.risks.filter((r) => r.rule === 'table-rewrite');
    expect(rewrites.map((r) => r.file)).toEqual(['002_bigint.sql']);
  });
});

describe('safety review with a rehearsal', () => {
  it('observes the rewrite and the ACCESS EXCLUSIVE lock, and lists the schema changes', async () => {
    const schema = await target();
    const run = await dryRun(
      schema,
      {
        '001_bigint.sql': `ALTER TABLE ${schema}.posts ALTER COLUMN views TYPE bigint;\n`,
        '002_column.sql': `ALTER TABLE ${schema}.posts ADD COLUMN reading_minutes integer NOT NULL DEFAULT 0;\n`,
      },
      { rehearse: 'true' },
    );
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('pending');
    const rewrite = run.risks.find((r) => r.rule === 'table-rewrite');
    expect(rewrite).toMatchObject({ file: '001_bigint.sql', table: `${schema}.posts` });
    expect(run.summary).toMatch(/observed: [^<]*rewr/);
    expect(run.summary).toContain('ACCESS EXCLUSIVE');
    expect(run.summary).toContain(
      `+ column ${schema}.posts.reading_minutes integer not null default 0`,
    );
    expect(run.summary).toContain(`~ column ${schema}.posts.views`);
    // The rehearsal was rolled back.
    const type = await withClient(url, (c) =>
      c.query(
        `SELECT data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'posts' AND column_name = 'views'`,
        [schema],
      ),
    );
    expect(type.rows[0]?.data_type).toBe('integer');
  });

  it('drops a predicted rewrite the rehearsal did not see (a default that is not volatile)', async () => {
    const schema = await target();
    const run = await dryRun(
      schema,
      {
        '001_default.sql': `ALTER TABLE ${schema}.posts ADD COLUMN slug text DEFAULT lower('X');\n`,
      },
      { rehearse: 'true' },
    );
    expect(run.code, run.all).toBe(0);
    expect(run.risks.filter((r) => r.rule === 'table-rewrite')).toEqual([]);
  });
});
