import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareRollback,
  describeRollback,
  diffSchemas,
  equalSchemas,
  renderChanges,
  type SchemaSnapshot,
  snapshotSchema,
} from '../src/review/catalog/index.js';
import { createDatabase, withClient } from './support/database.js';

// Schema snapshots and their differences against a real PostgreSQL, read inside a transaction
// that is rolled back, as the rehearsal reads them.
let url: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ url, drop } = await createDatabase('review_catalog'));
  await withClient(url, async (client) => {
    await client.query(`
      CREATE TYPE post_status AS ENUM ('draft', 'published');
      CREATE TABLE posts (
        id serial PRIMARY KEY,
        slug text NOT NULL,
        title varchar(100),
        status post_status NOT NULL DEFAULT 'draft',
        updated_at timestamptz
      );
      CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
      CREATE TABLE events (at date NOT NULL, what text) PARTITION BY RANGE (at);
      CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
      CREATE SCHEMA blog;
    `);
  });
});
afterAll(async () => drop());

/** Runs `sql` inside a rolled-back transaction and returns the snapshots around it. */
async function around(
  client: pg.ClientBase,
  sql: string,
): Promise<[SchemaSnapshot, SchemaSnapshot]> {
  await client.query('BEGIN');
  try {
    const before = await snapshotSchema(client);
    await client.query(sql);
    return [before, await snapshotSchema(client)];
  } finally {
    await client.query('ROLLBACK');
  }
}

async function changesOf(sql: string): Promise<string[]> {
  return withClient(url, async (client) =>
    renderChanges(diffSchemas(...(await around(client, sql)))),
  );
}

describe('the schema changes of a migration', () => {
  it('an added column, with its type, nullability and default', async () => {
    expect(
      await changesOf('ALTER TABLE posts ADD COLUMN reading_minutes integer NOT NULL DEFAULT 0'),
    ).toEqual(['+ column posts.reading_minutes integer not null default 0']);
  });

  it('an added index, and a removed one by its name', async () => {
    expect(await changesOf('CREATE UNIQUE INDEX posts_slug_idx ON posts (slug)')).toEqual([
      '+ unique index posts_slug_idx on posts using btree (slug)',
    ]);
    expect(await changesOf('ALTER TABLE posts DROP CONSTRAINT posts_pkey')).toEqual([
      '- index posts_pkey',
      '- constraint posts_pkey on posts',
    ]);
  });

  it('an added enum value', async () => {
    expect(await changesOf(`ALTER TYPE post_status ADD VALUE 'archived'`)).toEqual([
      '+ enum value post_status.archived',
    ]);
  });

  it('a type change and a nullability change of one column', async () => {
    expect(
      await changesOf(
        'ALTER TABLE posts ALTER COLUMN title TYPE text, ALTER COLUMN title SET NOT NULL',
      ),
    ).toEqual(['~ column posts.title varchar(100) → text, nullable → not null']);
  });

  it('an added function, trigger and view; a function body changed in place', async () => {
    expect(
      await changesOf(`
        CREATE FUNCTION slugify(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(t) $$;
        CREATE TRIGGER posts_touch BEFORE UPDATE ON posts FOR EACH ROW EXECUTE FUNCTION touch();
        CREATE VIEW published AS SELECT id, slug FROM posts WHERE status = 'published';
        CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$;
      `),
    ).toEqual([
      '+ view published',
      '+ function slugify(t text) returns text',
      '~ function touch(): definition changed',
      '+ trigger posts_touch on posts',
    ]);
  });

  it('a table in another schema is qualified, with its columns on its line', async () => {
    expect(
      await changesOf(
        'CREATE TABLE blog.authors (id bigint GENERATED ALWAYS AS IDENTITY, name text NOT NULL)',
      ),
    ).toEqual([
      '+ table blog.authors (id bigint not null generated always as identity, name text not null)',
    ]);
  });

  it('a dropped table is one line, not one per column, index and constraint', async () => {
    expect(await changesOf('DROP TABLE posts')).toEqual(['- table posts']);
  });

  it('a new partition names its parent; a column added to the parent is one line', async () => {
    expect(
      await changesOf(`
        CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
        ALTER TABLE events ADD COLUMN source text;
      `),
    ).toEqual([
      `+ table events_2026 (partition of events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01'))`,
      '+ column events.source text',
    ]);
  });

  it('a constraint added NOT VALID, then validated', async () => {
    await withClient(url, async (client) => {
      const [before, after] = await around(
        client,
        `ALTER TABLE posts ADD CONSTRAINT slug_short CHECK (length(slug) < 80) NOT VALID`,
      );
      expect(renderChanges(diffSchemas(before, after))).toEqual([
        '+ constraint slug_short on posts: CHECK ((length(slug) < 80)) NOT VALID',
      ]);
    });
    expect(
      await changesOf(`
        ALTER TABLE posts ADD CONSTRAINT slug_short CHECK (length(slug) < 80) NOT VALID;
        ALTER TABLE posts VALIDATE CONSTRAINT slug_short;
      `),
    ).toEqual(['+ constraint slug_short on posts: CHECK ((length(slug) < 80))']);
  });

  it('a data change changes no schema', async () => {
    expect(
      await changesOf(`INSERT INTO posts (slug) VALUES ('a'); UPDATE posts SET title = 'x'`),
    ).toEqual([]);
  });
});

describe('the rollback proof', () => {
  /** Snapshots before the up and after the down, in one rolled-back transaction. */
  async function roundTrip(up: string, down: string) {
    return withClient(url, async (client) => {
      await client.query('BEGIN');
      try {
        const beforeUp = await snapshotSchema(client);
        await client.query(up);
        await client.query(down);
        return compareRollback(beforeUp, await snapshotSchema(client));
      } finally {
        await client.query('ROLLBACK');
      }
    });
  }

  const up = `ALTER TABLE posts ADD COLUMN reading_minutes integer NOT NULL DEFAULT 0;
    CREATE INDEX posts_reading_idx ON posts (reading_minutes);
    CREATE TABLE tags (id int PRIMARY KEY, name text)`;

  it('a down that undoes everything is reversible', async () => {
    const comparison = await roundTrip(
      up,
      'DROP TABLE tags; ALTER TABLE posts DROP COLUMN reading_minutes',
    );
    expect(describeRollback(comparison)).toBe('reversible');
  });

  it('a down that forgets an index and drops too much names both', async () => {
    const comparison = await roundTrip(
      up,
      'DROP TABLE tags; ALTER TABLE posts DROP COLUMN updated_at; ALTER TABLE posts ALTER COLUMN title TYPE text',
    );
    expect(comparison.reversible).toBe(false);
    expect(describeRollback(comparison)).toBe(
      'not reversible: the down SQL leaves behind column posts.reading_minutes integer not null default 0; index posts_reading_idx on posts using btree (reading_minutes); it removes too much: column posts.updated_at; it does not restore column posts.title varchar(100) → text',
    );
  });

  it('equalSchemas holds for two snapshots of an unchanged schema', async () => {
    await withClient(url, async (client) => {
      expect(equalSchemas(await snapshotSchema(client), await snapshotSchema(client))).toBe(true);
    });
  });
});
