import { describe, expect, it } from 'vitest';
import {
  compareRollback,
  describeRollback,
  diffSchemas,
  equalSchemas,
  objectKey,
  renderChanges,
  type SchemaObject,
  type SchemaSnapshot,
  shortType,
} from '../../../src/review/catalog/index.js';

function snapshot(...objects: SchemaObject[]): SchemaSnapshot {
  return { objects: new Map(objects.map((o) => [objectKey(o), o])) };
}

const posts: SchemaObject = {
  kind: 'table',
  schema: 'public',
  name: 'posts',
  tableKind: 'table',
  unlogged: false,
  rowSecurity: false,
};
const column = (name: string, type: string, extra: Partial<SchemaObject> = {}): SchemaObject =>
  ({
    kind: 'column',
    schema: 'public',
    table: 'posts',
    name,
    type,
    notNull: false,
    ...extra,
  }) as SchemaObject;
const index: SchemaObject = {
  kind: 'index',
  schema: 'public',
  name: 'posts_slug_idx',
  table: 'posts',
  definition: 'CREATE INDEX posts_slug_idx ON public.posts USING btree (slug)',
  valid: true,
};
const status = (...labels: string[]): SchemaObject => ({
  kind: 'enum',
  schema: 'public',
  name: 'post_status',
  labels,
});

describe('diffSchemas and renderChanges', () => {
  it('renders added, removed and changed columns with short type names', () => {
    const before = snapshot(
      posts,
      column('email', 'character varying(100)'),
      column('old', 'text'),
    );
    const after = snapshot(
      posts,
      column('email', 'text', { notNull: true }),
      column('reading_minutes', 'integer', { notNull: true, default: '0' }),
    );
    expect(renderChanges(diffSchemas(before, after))).toEqual([
      '~ column posts.email varchar(100) → text, nullable → not null',
      '- column posts.old',
      '+ column posts.reading_minutes integer not null default 0',
    ]);
  });

  it('names a removed index by its name and an added one by its definition', () => {
    expect(renderChanges(diffSchemas(snapshot(posts, index), snapshot(posts)))).toEqual([
      '- index posts_slug_idx',
    ]);
    expect(renderChanges(diffSchemas(snapshot(posts), snapshot(posts, index)))).toEqual([
      '+ index posts_slug_idx on posts using btree (slug)',
    ]);
  });

  it('lists enum values added and removed one by one, and a new order as a change', () => {
    const changes = diffSchemas(
      snapshot(status('draft', 'published')),
      snapshot(status('published', 'draft', 'archived')),
    );
    expect(renderChanges(changes)).toEqual([
      '+ enum value post_status.archived',
      '~ enum post_status: order draft, published → published, draft, archived',
    ]);
    expect(renderChanges(diffSchemas(snapshot(status('a', 'b')), snapshot(status('a'))))).toEqual([
      '- enum value post_status.b',
    ]);
  });

  it('qualifies names only outside the public schema', () => {
    const blogPosts = { ...posts, schema: 'blog' } as SchemaObject;
    const blogColumn = { ...column('slug', 'text'), schema: 'blog' } as SchemaObject;
    expect(
      renderChanges(diffSchemas(snapshot(blogPosts), snapshot(blogPosts, blogColumn))),
    ).toEqual(['+ column blog.posts.slug text']);
  });

  it('a removed table is one line; an added table lists its columns on its line', () => {
    const full = snapshot(
      posts,
      column('id', 'bigint', { notNull: true }),
      column('slug', 'text'),
      index,
    );
    expect(renderChanges(diffSchemas(full, snapshot()))).toEqual(['- table posts']);
    expect(renderChanges(diffSchemas(snapshot(), full))).toEqual([
      '+ table posts (id bigint not null, slug text)',
      '+ index posts_slug_idx on posts using btree (slug)',
    ]);
  });

  it('sorts by kind, then table, then name, whatever the snapshot order', () => {
    const a = { ...posts, name: 'a' } as SchemaObject;
    const z = { ...posts, name: 'z' } as SchemaObject;
    const lines = renderChanges(diffSchemas(snapshot(), snapshot(index, z, status('x'), a)));
    expect(lines).toEqual([
      '+ table a',
      '+ table z',
      '+ index posts_slug_idx on posts using btree (slug)',
      '+ enum post_status (x)',
    ]);
  });

  it('stops after the limit and says how many more', () => {
    const tables = Array.from(
      { length: 5 },
      (_, i) => ({ ...posts, name: `t${i}` }) as SchemaObject,
    );
    expect(renderChanges(diffSchemas(snapshot(), snapshot(...tables)), 3)).toEqual([
      '+ table t0',
      '+ table t1',
      '+ table t2',
      '… and 2 more schema changes',
    ]);
  });

  it('cuts a long definition to a readable line', () => {
    const check: SchemaObject = {
      kind: 'constraint',
      schema: 'public',
      table: 'posts',
      name: 'long_check',
      type: 'c',
      definition: `CHECK (${'x'.repeat(500)})`,
    };
    const [line] = renderChanges(diffSchemas(snapshot(), snapshot(check)));
    expect(line).toHaveLength(200);
    expect(line?.endsWith('…')).toBe(true);
  });
});

describe('the rollback proof', () => {
  it('equal snapshots are reversible', () => {
    expect(equalSchemas(snapshot(posts, index), snapshot(index, posts))).toBe(true);
    expect(describeRollback(compareRollback(snapshot(posts), snapshot(posts)))).toBe('reversible');
  });

  it('names what the down leaves behind, removes too much and does not restore', () => {
    const comparison = compareRollback(
      snapshot(posts, column('title', 'character varying(100)'), column('body', 'text')),
      snapshot(posts, column('title', 'text'), index),
    );
    expect(comparison.leftBehind).toHaveLength(1);
    expect(comparison.removedTooMuch).toHaveLength(1);
    expect(comparison.notRestored).toHaveLength(1);
    expect(describeRollback(comparison)).toBe(
      'not reversible: the down SQL leaves behind index posts_slug_idx on posts using btree (slug); it removes too much: column posts.body; it does not restore column posts.title varchar(100) → text',
    );
  });
});

describe('shortType', () => {
  it('writes format_type’s long names as people write them', () => {
    expect(shortType('character varying(20)')).toBe('varchar(20)');
    expect(shortType('timestamp(3) with time zone')).toBe('timestamptz(3)');
    expect(shortType('timestamp without time zone[]')).toBe('timestamp[]');
    expect(shortType('character(2)')).toBe('char(2)');
    expect(shortType('double precision')).toBe('double precision');
  });
});
