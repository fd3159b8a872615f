import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  catalogPermissionSentence,
  isCatalogPermissionError,
  lookupOf,
  measureSizes,
  readRelations,
  type StatementTrace,
  startTracing,
} from '../src/review/observe/index.js';
import { createDatabase, withClient } from './support/database.js';

// The rehearsal's observer against a real PostgreSQL: every statement runs inside a transaction
// that is rolled back, as the rehearsal runs them.
let url: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ url, drop } = await createDatabase('review_observe'));
  await withClient(url, async (client) => {
    await client.query(`
      CREATE TABLE t (id int PRIMARY KEY, c varchar(10), n int);
      CREATE INDEX t_n_idx ON t (n);
      INSERT INTO t SELECT g, 'x' || g, g FROM generate_series(1, 300) g;
      CREATE TABLE other (id int);
      CREATE TABLE pt (k int, v int) PARTITION BY RANGE (k);
      CREATE TABLE pt_a PARTITION OF pt FOR VALUES FROM (0) TO (100);
      CREATE TABLE pt_b PARTITION OF pt FOR VALUES FROM (100) TO (200);
      INSERT INTO pt SELECT g, g FROM generate_series(0, 199) g;
      CREATE SCHEMA blog;
      CREATE TABLE blog.posts (id int);
      CREATE VIEW blog.recent AS SELECT id FROM blog.posts;
      ANALYZE;
    `);
  });
});
afterAll(async () => drop());

/** Runs `statements` one by one in a rolled-back transaction, tracing each. */
async function traced(...statements: string[]): Promise<StatementTrace[]> {
  return withClient(url, async (client) => {
    const relations = await readRelations(client);
    await client.query('BEGIN');
    try {
      const tracer = await startTracing(client, relations);
      const traces: StatementTrace[] = [];
      for (const statement of statements) {
        await tracer.before();
        await client.query(statement);
        traces.push(await tracer.after());
      }
      return traces;
    } finally {
      await client.query('ROLLBACK');
    }
  });
}

describe('readRelations', () => {
  it('reads every relation of the user schemas with its kind, size and an index’s table', async () => {
    const relations = await withClient(url, (client) => readRelations(client));
    expect(relations.get('public.t')).toMatchObject({
      schema: 'public',
      name: 't',
      kind: 'r',
      rows: 300,
    });
    expect(relations.get('public.t')?.bytes).toBeGreaterThan(8192);
    expect(relations.get('public.t_n_idx')).toMatchObject({ kind: 'i', table: 'public.t' });
    expect(relations.get('public.pt')?.kind).toBe('p');
    expect(relations.get('blog.recent')).toMatchObject({ kind: 'v', bytes: 0 });
    expect([...relations.keys()].some((k) => /^(pg_|information_schema)/.test(k))).toBe(false);
  });

  it('sizes a partitioned table by its partitions, and measureSizes gives exact sizes', async () => {
    await withClient(url, async (client) => {
      const relations = await readRelations(client);
      const [pt, a, b] = ['public.pt', 'public.pt_a', 'public.pt_b'].map((k) => relations.get(k));
      expect(pt?.rows).toBe(200);
      expect(pt?.bytes).toBe((a?.bytes ?? 0) + (b?.bytes ?? 0));
      expect(pt?.bytes).toBeGreaterThan(0);
      const exact = await client.query<{ t: string; pt: string }>(
        `SELECT pg_total_relation_size('t') AS t,
                pg_total_relation_size('pt_a') + pg_total_relation_size('pt_b') AS pt`,
      );
      await measureSizes(client, relations, ['public.t', 'public.pt', 'public.nothing']);
      expect(relations.get('public.t')?.bytes).toBe(Number(exact.rows[0]?.t));
      expect(relations.get('public.pt')?.bytes).toBe(Number(exact.rows[0]?.pt));
    });
  });

  it('reads only the schemas it is given, and lookupOf finds by schema and name', async () => {
    const relations = await withClient(url, (client) => readRelations(client, ['blog']));
    expect([...relations.keys()].sort()).toEqual(['blog.posts', 'blog.recent']);
    const lookup = lookupOf(relations);
    expect(lookup('blog', 'posts')?.kind).toBe('r');
    expect(lookup('public', 't')).toBeUndefined();
  });
});

describe('startTracing', () => {
  it('a varchar(10) → varchar(20) change takes ACCESS EXCLUSIVE and rewrites nothing', async () => {
    const [trace] = await traced('ALTER TABLE t ALTER COLUMN c TYPE varchar(20)');
    expect(trace?.locks).toContainEqual({ mode: 'ACCESS EXCLUSIVE', relation: 'public.t' });
    expect(trace?.rewritten).toEqual([]);
  });

  it('an int → bigint change rewrites the table and rebuilds its indexes', async () => {
    const [trace] = await traced('ALTER TABLE t ALTER COLUMN id TYPE bigint');
    expect(trace?.rewritten).toEqual(['public.t']);
    // The primary key's index is re-created under a new oid; the other index is rebuilt in place.
    expect(trace?.rebuiltIndexes).toEqual(['public.t_n_idx']);
  });

  it('CREATE INDEX takes a SHARE lock on its table', async () => {
    const [trace] = await traced('CREATE INDEX t_c_idx ON t (c)');
    expect(trace?.locks).toContainEqual({ mode: 'SHARE', relation: 'public.t' });
    expect(trace?.locks.some((l) => l.mode === 'ACCESS EXCLUSIVE')).toBe(false);
  });

  it('a lock held since an earlier statement is not reported again', async () => {
    const [first, second] = await traced(
      'ALTER TABLE t ADD COLUMN x int',
      'ALTER TABLE t ADD COLUMN y int',
    );
    expect(first?.locks).toContainEqual({ mode: 'ACCESS EXCLUSIVE', relation: 'public.t' });
    expect(second?.locks).toEqual([]);
  });

  it('a rewrite under a lock taken by an earlier statement is still seen', async () => {
    const [, second] = await traced(
      'ALTER TABLE t ADD COLUMN x int',
      'ALTER TABLE t ALTER COLUMN n TYPE bigint',
    );
    expect(second?.rewritten).toEqual(['public.t']);
  });

  it('an UPDATE reports the rows it updated and the scan it made', async () => {
    const [trace] = await traced('UPDATE t SET n = n + 1 WHERE c LIKE $$x1%$$');
    expect(trace?.locks).toContainEqual({ mode: 'ROW EXCLUSIVE', relation: 'public.t' });
    expect(trace?.tables).toEqual([
      {
        relation: 'public.t',
        inserted: 0,
        updated: 111,
        deleted: 0,
        seqScans: 1,
        seqRowsRead: 300,
      },
    ]);
  });

  it('a type change on a partitioned table names its rewritten partitions, not the parent', async () => {
    const [trace] = await traced('ALTER TABLE pt ALTER COLUMN v TYPE bigint');
    expect(trace?.rewritten).toEqual(['public.pt_a', 'public.pt_b']);
    expect(trace?.locks).toContainEqual({ mode: 'ACCESS EXCLUSIVE', relation: 'public.pt' });
  });

  it('a TRUNCATE shows as a new relfilenode, with no negative rows after earlier inserts', async () => {
    const [insert, truncate] = await traced('INSERT INTO other VALUES (1), (2)', 'TRUNCATE other');
    expect(insert?.tables).toEqual([
      {
        relation: 'public.other',
        inserted: 2,
        updated: 0,
        deleted: 0,
        seqScans: 0,
        seqRowsRead: 0,
      },
    ]);
    expect(truncate?.rewritten).toEqual(['public.other']);
    expect(truncate?.tables).toEqual([]);
  });

  it('a dropped table is named by its name from before, with its lock', async () => {
    const [trace] = await traced('DROP TABLE other');
    expect(trace?.dropped).toEqual(['public.other']);
    expect(trace?.locks).toContainEqual({ mode: 'ACCESS EXCLUSIVE', relation: 'public.other' });
  });

  it('locks taken before tracing started are not reported as new', async () => {
    const traces = await withClient(url, async (client) => {
      const relations = await readRelations(client);
      await client.query('BEGIN');
      try {
        await client.query('LOCK TABLE t, blog.recent IN ACCESS EXCLUSIVE MODE');
        const tracer = await startTracing(client, relations);
        await tracer.before();
        await client.query(
          'ALTER TABLE t ADD COLUMN x int; ALTER VIEW blog.recent RENAME TO newest',
        );
        return tracer.after();
      } finally {
        await client.query('ROLLBACK');
      }
    });
    expect(traces.locks).toEqual([]);
  });

  it('rows an earlier transaction of the same connection wrote are not counted', async () => {
    const [insert] = await withClient(url, async (client) => {
      const relations = await readRelations(client);
      // Two quick transactions: the second's counters are likely still pending in the backend
      // (it flushes them at most once a second); counted or flushed, they are not this statement's.
      await client.query('INSERT INTO other VALUES (7)');
      await client.query('INSERT INTO other VALUES (8), (9)');
      await client.query('BEGIN');
      try {
        const tracer = await startTracing(client, relations);
        await tracer.before();
        await client.query('INSERT INTO other VALUES (1), (2)');
        return [await tracer.after()];
      } finally {
        await client.query('ROLLBACK');
        await client.query('DELETE FROM other WHERE id IN (7, 8, 9)');
      }
    });
    expect(insert?.tables).toEqual([
      {
        relation: 'public.other',
        inserted: 2,
        updated: 0,
        deleted: 0,
        seqScans: 0,
        seqRowsRead: 0,
      },
    ]);
  });

  it('a table another session rewrote after readRelations is not said rewritten by a read, but is by a rewrite', async () => {
    const [read, rewrite] = await withClient(url, async (client) => {
      const relations = await readRelations(client);
      await withClient(url, (other) => other.query('VACUUM FULL other'));
      await client.query('BEGIN');
      try {
        const tracer = await startTracing(client, relations);
        const traces: StatementTrace[] = [];
        for (const sql of [
          'SELECT count(*) FROM other',
          'ALTER TABLE other ALTER COLUMN id TYPE bigint',
        ]) {
          await tracer.before();
          await client.query(sql);
          traces.push(await tracer.after());
        }
        return traces;
      } finally {
        await client.query('ROLLBACK');
      }
    });
    expect(read?.rewritten).toEqual([]);
    expect(rewrite?.rewritten).toEqual(['public.other']);
  });

  it('relations created during the rehearsal are not reported', async () => {
    const [create, alter] = await traced(
      'CREATE TABLE fresh (id int)',
      'ALTER TABLE fresh ALTER COLUMN id TYPE bigint',
    );
    expect(create?.locks).toEqual([]);
    expect(alter).toMatchObject({ locks: [], rewritten: [], tables: [] });
  });
});

describe('a role that may not read pg_locks', () => {
  it('fails tracing with a permission error that maps to one sentence', async () => {
    const role = `review_observer_${process.pid}`;
    await withClient(url, async (client) => {
      await client.query(`CREATE ROLE ${role} LOGIN PASSWORD 'observer'`);
      await client.query(`GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role}`);
      await client.query('REVOKE SELECT ON pg_catalog.pg_locks FROM PUBLIC');
    });
    try {
      const roleUrl = new URL(url);
      roleUrl.username = role;
      roleUrl.password = 'observer';
      const client = new pg.Client({ connectionString: roleUrl.toString() });
      await client.connect();
      const error = await (async () => {
        try {
          const relations = await readRelations(client);
          await client.query('BEGIN');
          await startTracing(client, relations);
        } catch (e) {
          return e;
        } finally {
          await client.end();
        }
      })();
      expect(isCatalogPermissionError(error)).toBe(true);
      expect(catalogPermissionSentence(error)).toBe(
        'The safety review cannot read the catalog it needs (permission denied for view pg_locks): grant the role read access to it, or turn the review off with `safety: off`.',
      );
    } finally {
      await withClient(url, async (client) => {
        await client.query('GRANT SELECT ON pg_catalog.pg_locks TO PUBLIC');
        await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`);
        await client.query(`DROP ROLE ${role}`);
      });
    }
  });
});
