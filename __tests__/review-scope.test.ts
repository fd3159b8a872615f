import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareRollback,
  describeRollback,
  diffSchemas,
  readScopeStart,
  rehearsalScope,
  renderChanges,
  type SchemaSnapshot,
  type SnapshotScope,
  snapshotSchema,
} from '../src/review/catalog/index.js';
import { reviewObserver } from '../src/review/observe/observer.js';
import { reversalProbe } from '../src/review/reversal.js';
import { createDatabase, withClient } from './support/database.js';

// The review's schema difference read for the relations the rehearsal can have changed only
// (rehearsalScope), its "before" side after the rollback, against the difference of two whole
// snapshots taken inside the transaction: each migration here changes something a limit that is
// too narrow would drop, and the two must say the same.
let url: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ url, drop } = await createDatabase('review_scope'));
  await withClient(url, async (client) => {
    await client.query(`
      CREATE TYPE mood AS ENUM ('happy', 'sad');
      CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
      CREATE FUNCTION next_code() RETURNS int LANGUAGE sql AS 'SELECT 1';
      CREATE TABLE a (id serial PRIMARY KEY, n int, m mood DEFAULT 'happy', code int DEFAULT next_code());
      CREATE TABLE b (id int PRIMARY KEY, n int);
      CREATE INDEX b_n_idx ON b (n);
      CREATE TABLE c (id int PRIMARY KEY, b_id int REFERENCES b (id), moods mood[]);
      CREATE TRIGGER c_touch BEFORE UPDATE ON c FOR EACH ROW EXECUTE FUNCTION touch();
      CREATE VIEW v AS SELECT id, n FROM a;
      CREATE VIEW vb AS SELECT b.id, b.n FROM b;
      CREATE TABLE events (at date NOT NULL, what text) PARTITION BY RANGE (at);
      CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
      CREATE TABLE by_mood (m mood NOT NULL) PARTITION BY LIST (m);
      CREATE TABLE by_mood_happy PARTITION OF by_mood FOR VALUES IN ('happy');
      CREATE SCHEMA blog;
      CREATE TABLE blog.posts (id int);
      CREATE TABLE unrelated (id int PRIMARY KEY);
      CREATE SCHEMA ext;
      CREATE TYPE ext.level AS ENUM ('x');
      CREATE TYPE public.level AS ENUM ('y');
      CREATE TYPE ext.grade AS ENUM ('z');
      CREATE TABLE uses_ext (l ext.level, g ext.grade);
    `);
  });
});
afterAll(async () => drop());

interface Compared {
  /** Whole snapshots before and after, inside the transaction (as the review read them before). */
  whole: string[];
  /** The observer's lines: scoped snapshots, after before the rollback and before after it. */
  scoped: string[];
  scope: SnapshotScope | undefined;
  oids: Map<string, number>;
}

/** Runs `sql` as a rehearsal would, observed, and reads both differences. */
async function compare(sql: string, session = ''): Promise<Compared> {
  return withClient(url, async (client: pg.Client) => {
    if (session) await client.query(session);
    const notes: string[] = [];
    const observer = reviewObserver(client, new Map(), 'public.schema_migrations', notes);
    const { rows } = await client.query<{ name: string; oid: string }>(
      "SELECT relname AS name, oid::int8 AS oid FROM pg_class WHERE relnamespace = 'public'::regnamespace",
    );
    const oids = new Map(rows.map((r) => [r.name, Number(r.oid)]));
    // The whole "before" is read before the transaction: inside it, pg_get_viewdef would lock
    // every view and the tables it reads, and the scope would hold them all.
    const before = await snapshotSchema(client);
    let whole: string[];
    let scope: SnapshotScope | undefined;
    await client.query('BEGIN');
    try {
      const names = await readScopeStart(client);
      await observer.start();
      await client.query(sql);
      scope = await rehearsalScope(client, names);
      await observer.finish();
      whole = renderChanges(diffSchemas(before, await snapshotSchema(client)));
    } finally {
      await client.query('ROLLBACK');
    }
    await observer.rolledBack?.();
    expect(notes).toEqual([]);
    return { whole, scoped: observer.schemaChanges ?? [], scope, oids };
  });
}

/** The scope holds `names` and none of `outside` (public relations): it is a real limit. */
function expectScope(result: Compared, names: string[], outside: string[]): void {
  expect(result.scope).toBeDefined();
  const relations = new Set(result.scope?.relations);
  for (const name of names) expect(relations.has(result.oids.get(name) ?? -1), name).toBe(true);
  for (const name of outside) expect(relations.has(result.oids.get(name) ?? -1), name).toBe(false);
}

describe('the review’s schema difference, limited to what the rehearsal can have changed', () => {
  it('a table altered, an enum value added and a function created: all three, and only a', async () => {
    const result = await compare(`
      ALTER TABLE a ADD COLUMN note text;
      ALTER TYPE mood ADD VALUE 'meh';
      CREATE FUNCTION shout(t text) RETURNS text LANGUAGE sql AS 'SELECT upper(t)';`);
    expect(result.whole).toEqual([
      '+ column a.note text',
      '+ enum value mood.meh',
      '+ function shout(t text) returns text',
    ]);
    expect(result.scoped).toEqual(result.whole);
    expectScope(result, ['a'], ['b', 'c', 'unrelated', 'events']);
  });

  it('an index created on one table and dropped on another', async () => {
    const result = await compare('CREATE INDEX a_n_idx ON a (n); DROP INDEX b_n_idx;');
    expect(result.whole).toEqual(['+ index a_n_idx on a using btree (n)', '- index b_n_idx']);
    expect(result.scoped).toEqual(result.whole);
    // c's foreign key names b: in scope, as is the view on b.
    expectScope(result, ['a', 'b', 'b_n_idx', 'c', 'vb'], ['unrelated', 'events']);
  });

  it('a view redefined', async () => {
    const result = await compare('CREATE OR REPLACE VIEW v AS SELECT id, n, m FROM a');
    expect(result.whole).toHaveLength(1);
    expect(result.whole[0]).toMatch(/^~ view v:/);
    expect(result.scoped).toEqual(result.whole);
    expectScope(result, ['v'], ['b', 'unrelated']);
  });

  it('a table renamed: its foreign keys and views elsewhere, never locked, change too', async () => {
    const result = await compare('ALTER TABLE b RENAME TO b2');
    expect(result.whole.some((l) => /constraint c_b_id_fkey on c/.test(l))).toBe(true);
    expect(result.whole.some((l) => /^~ view vb:/.test(l))).toBe(true);
    expect(result.whole.some((l) => /^\+ table b2/.test(l))).toBe(true);
    expect(result.scoped).toEqual(result.whole);
    expectScope(result, ['b', 'c', 'vb'], ['unrelated', 'events']);
  });

  it('a column renamed under a view', async () => {
    const result = await compare('ALTER TABLE a RENAME COLUMN n TO n2');
    expect(result.whole.some((l) => /^~ view v:/.test(l))).toBe(true);
    expect(result.scoped).toEqual(result.whole);
  });

  it('a column added to a partitioned table and so to its partitions', async () => {
    const result = await compare('ALTER TABLE events ADD COLUMN note text');
    expect(result.whole).toEqual(['+ column events.note text']);
    expect(result.scoped).toEqual(result.whole);
    expectScope(result, ['events', 'events_2025'], ['a', 'unrelated']);
  });

  it('a partitioned table renamed: its partitions name their parent anew', async () => {
    const result = await compare('ALTER TABLE events RENAME TO happenings');
    expect(result.whole.some((l) => /events_2025/.test(l))).toBe(true);
    expect(result.scoped).toEqual(result.whole);
  });

  it('an enum renamed: the columns, arrays and defaults of tables never locked', async () => {
    const result = await compare('ALTER TYPE mood RENAME TO feeling');
    expect(result.whole.some((l) => /column a\.m/.test(l))).toBe(true);
    expect(result.whole.some((l) => /column c\.moods/.test(l))).toBe(true);
    expect(result.scoped).toEqual(result.whole);
    expectScope(result, ['a', 'c', 'by_mood'], ['b', 'unrelated']);
  });

  it('an enum value renamed: the defaults and partition bounds that name it', async () => {
    const result = await compare("ALTER TYPE mood RENAME VALUE 'happy' TO 'glad'");
    expect(result.whole.some((l) => /column a\.m/.test(l))).toBe(true);
    expect(result.whole.some((l) => /by_mood_happy/.test(l))).toBe(true);
    expect(result.scoped).toEqual(result.whole);
  });

  it('functions renamed: the trigger and the default that call them', async () => {
    const result = await compare(
      'ALTER FUNCTION touch() RENAME TO touch2; ALTER FUNCTION next_code() RENAME TO code2',
    );
    expect(result.whole.some((l) => /trigger c_touch on c/.test(l))).toBe(true);
    expect(result.whole.some((l) => /column a\.code/.test(l))).toBe(true);
    expect(result.scoped).toEqual(result.whole);
  });

  it('a sequence renamed: the default that names it', async () => {
    const result = await compare('ALTER SEQUENCE a_id_seq RENAME TO a_key_seq');
    expect(result.whole.some((l) => /column a\.id/.test(l))).toBe(true);
    expect(result.scoped).toEqual(result.whole);
  });

  it('a table dropped with CASCADE: the foreign key on another table and the view go too', async () => {
    const result = await compare('DROP TABLE b CASCADE');
    expect(result.whole.some((l) => /^- table b\b/.test(l))).toBe(true);
    expect(result.whole.some((l) => /constraint c_b_id_fkey on c/.test(l))).toBe(true);
    expect(result.whole.some((l) => /view vb/.test(l))).toBe(true);
    expect(result.scoped).toEqual(result.whole);
  });

  it('a schema renamed: every name in it changes, so both snapshots are whole', async () => {
    const result = await compare('ALTER SCHEMA blog RENAME TO journal');
    expect(result.whole.some((l) => /journal\.posts/.test(l))).toBe(true);
    expect(result.scope).toBeUndefined();
    expect(result.scoped).toEqual(result.whole);
  });

  it('a type dropped that hid another of its name: columns of that other are written anew', async () => {
    const result = await compare('DROP TYPE public.level', 'SET search_path = public, ext');
    expect(result.whole).toContain('~ column uses_ext.l ext.level → level');
    expect(result.scoped).toEqual(result.whole);
    expectScope(result, ['uses_ext'], ['a', 'unrelated']);
  });

  it('a type created that hides another of its name: columns of that other are written anew', async () => {
    const result = await compare(
      "CREATE TYPE public.grade AS ENUM ('w')",
      'SET search_path = public, ext',
    );
    expect(result.whole).toContain('~ column uses_ext.g grade → ext.grade');
    expect(result.scoped).toEqual(result.whole);
  });

  it('tables created, one in a new schema, and a table type changed', async () => {
    const result = await compare(`
      CREATE SCHEMA app;
      CREATE TABLE app.items (id int PRIMARY KEY, a_id int REFERENCES a (id));
      CREATE TABLE extra (x int);
      ALTER TABLE c ALTER COLUMN id TYPE bigint;`);
    expect(result.whole).toContain('+ schema app');
    expect(result.whole.some((l) => /^\+ table app\.items/.test(l))).toBe(true);
    expect(result.whole.some((l) => /^\+ table extra/.test(l))).toBe(true);
    expect(result.whole.some((l) => /column c\.id/.test(l))).toBe(true);
    expect(result.scoped).toEqual(result.whole);
    expectScope(result, ['a', 'c'], ['b', 'unrelated']);
  });
});

/**
 * Proves each migration's down as the rehearsal does (snapshot, up, savepoint, down, snapshot,
 * up again), once with reversalProbe and once with whole snapshots in another transaction.
 */
async function proofs(migrations: { up: string; down: string }[]): Promise<{
  probe: string[];
  whole: string[];
}> {
  const run =
    (client: pg.Client, snap: () => Promise<SchemaSnapshot | undefined>) =>
    async (compare: (a: SchemaSnapshot | undefined, b: SchemaSnapshot | undefined) => string) => {
      const verdicts: string[] = [];
      await client.query('BEGIN');
      try {
        for (const { up, down } of migrations) {
          const beforeUp = await snap();
          await client.query(up);
          await client.query('SAVEPOINT proof');
          await client.query(down);
          verdicts.push(compare(beforeUp, await snap()));
          // As the rehearsal does: an up that fails again goes back to the state after the first.
          await client.query(up).catch(() => client.query('ROLLBACK TO SAVEPOINT proof'));
          await client.query('RELEASE SAVEPOINT proof');
        }
      } finally {
        await client.query('ROLLBACK');
      }
      return verdicts;
    };
  return withClient(url, async (client) => {
    const notes: string[] = [];
    const probe = reversalProbe(client, notes);
    const viaProbe = await run(client, () => probe.snapshot())((a, b) => probe.compare(a, b));
    expect(notes).toEqual([]);
    const whole = await run(client, () => snapshotSchema(client))((a, b) =>
      a && b ? describeRollback(compareRollback(a, b)) : 'unread',
    );
    return { probe: viaProbe, whole };
  });
}

describe('the rollback proof, reading the whole schema once', () => {
  it('names an index the down leaves behind on a table the up never locked', async () => {
    const { probe, whole } = await proofs([
      { up: 'CREATE TABLE x (id int)', down: 'DROP TABLE x; CREATE INDEX stray ON a (n)' },
    ]);
    expect(whole).toEqual([
      'not reversible: the down SQL leaves behind index stray on a using btree (n)',
    ]);
    expect(probe).toEqual(whole);
  });

  it('names an index the down removes too much, on another table', async () => {
    const { probe, whole } = await proofs([
      {
        up: 'ALTER TABLE c ADD COLUMN z int',
        down: 'ALTER TABLE c DROP COLUMN z; DROP INDEX b_n_idx',
      },
    ]);
    expect(whole[0]).toMatch(/removes too much: index b_n_idx/);
    expect(probe).toEqual(whole);
  });

  it('proves migration after migration in one transaction, each against its own before', async () => {
    const { probe, whole } = await proofs([
      { up: 'ALTER TABLE a ADD COLUMN q int', down: 'ALTER TABLE a DROP COLUMN q' },
      { up: 'ALTER TYPE mood RENAME TO feeling', down: 'SELECT 1' },
      { up: 'CREATE INDEX b_id_n ON b (id, n)', down: 'DROP INDEX b_id_n' },
      {
        up: 'ALTER TABLE vb RENAME TO vb2',
        down: 'ALTER TABLE vb2 RENAME TO vb; DROP TRIGGER c_touch ON c',
      },
    ]);
    expect(whole[0]).toBe('reversible');
    expect(whole[1]).toMatch(/^not reversible: .*feeling/);
    expect(whole[2]).toBe('reversible');
    expect(whole[3]).toMatch(/removes too much: trigger c_touch on c/);
    expect(probe).toEqual(whole);
  });
});
