import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withClient } from './support/database.js';
import { act, fixtureFolders, query } from './support/fixtures.js';

// End to end, through the bundled dist/index.js against a real PostgreSQL: a folder of another
// tool (golang-migrate, dbmate, goose, Prisma) as it is, and that tool's history table, created
// and filled as the tool does, imported before the next run applies only what it had not applied.
const { setUp } = fixtureFolders(path.resolve(import.meta.dirname, 'fixtures/adopt'), 'adopt');

/** The part of a single-file migration its tool runs on up: up to the down marker. */
function upPart(text: string, marker: RegExp): string {
  const at = text.search(marker);
  return at < 0 ? text : text.slice(0, at);
}

async function ourRows(url: string, table = 'schema_migrations') {
  return query<{ version: string; name: string; status: string; applied_by: string }>(
    url,
    `SELECT version::text, name, status, applied_by FROM public.${table} ORDER BY version`,
  );
}

describe('golang-migrate', () => {
  it('imports the one-row history into a renamed table and applies only version 3, whose BEGIN/COMMIT wrapper becomes the action transaction', async () => {
    const { url, workspace, dir } = await setUp('golang-migrate');
    // What `migrate up 2` leaves: the files run, one row, not dirty.
    await withClient(url, async (c) => {
      for (const file of ['000001_create_users.up.sql', '000002_add_name.up.sql']) {
        await c.query(await readFile(path.join(dir, file), 'utf8'));
      }
      await c.query(
        'CREATE TABLE IF NOT EXISTS "schema_migrations" (version bigint not null primary key, dirty boolean not null)',
      );
      await c.query('INSERT INTO "schema_migrations" (version, dirty) VALUES (2, false)');
    });

    const clash = await act(url, workspace);
    expect(clash.code).toBe(1);
    expect(clash.all).toContain(
      "The table public.schema_migrations is golang-migrate's history table, not this action's: set table: to a new name",
    );

    const run = await act(url, workspace, { table: 'schema_migrations_action' });
    expect(run.code, run.all).toBe(0);
    expect(run.all).toContain('Layout: golang-migrate');
    expect(run.outputs.applied).toBe('["3"]');
    const rows = await ourRows(url, 'schema_migrations_action');
    expect(rows.map((r) => [r.version, r.name, r.status])).toEqual([
      ['1', '000001_create_users.up.sql', 'baseline'],
      ['2', '000002_add_name.up.sql', 'baseline'],
      ['3', '000003_create_posts.up.sql', 'applied'],
    ]);
    expect(rows[0]?.applied_by).toContain(
      'imported from golang-migrate (public.schema_migrations)',
    );
    // The other tool's table is only read.
    expect(await query(url, 'SELECT version::text, dirty FROM public.schema_migrations')).toEqual([
      { version: '2', dirty: false },
    ]);
    const again = await act(url, workspace, { table: 'schema_migrations_action' });
    expect(again.outputs.result).toBe('up-to-date');
  });

  it('refuses a dirty history with one sentence naming the version, writing nothing', async () => {
    const { url, workspace } = await setUp('golang-migrate');
    await withClient(url, async (c) => {
      await c.query(
        'CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null)',
      );
      await c.query('INSERT INTO schema_migrations VALUES (2, true)');
    });
    const run = await act(url, workspace, { table: 'schema_migrations_action' });
    expect(run.code).toBe(1);
    expect(run.all).toContain(
      "golang-migrate's table public.schema_migrations says version 2 is dirty",
    );
    expect(await query(url, "SELECT to_regclass('public.schema_migrations_action') AS t")).toEqual([
      { t: null },
    ]);
  });
});

describe('dbmate', () => {
  it('imports dbmate rows and applies only the third file, whose down section is never run', async () => {
    const { url, workspace, dir } = await setUp('dbmate');
    await withClient(url, async (c) => {
      for (const file of ['20240101120000_create_users.sql', '20240102120000_index_email.sql']) {
        await c.query(upPart(await readFile(path.join(dir, file), 'utf8'), /^-- migrate:down/m));
      }
      await c.query(
        'create table if not exists public.schema_migrations (version varchar(128) primary key)',
      );
      await c.query(
        "insert into public.schema_migrations (version) values ('20240101120000'), ('20240102120000')",
      );
    });
    const dry = await act(url, workspace, { table: 'schema_migrations_action', 'dry-run': 'true' });
    expect(dry.code, dry.all).toBe(0);
    expect(dry.summary).toContain(
      'would record 20240101120000_create_users.sql (version 20240101120000) as baseline, imported from dbmate',
    );
    expect(await query(url, "SELECT to_regclass('public.schema_migrations_action') AS t")).toEqual([
      { t: null },
    ]);

    const run = await act(url, workspace, { table: 'schema_migrations_action' });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.applied).toBe('["20240103120000"]');
    expect((await ourRows(url, 'schema_migrations_action')).map((r) => r.status)).toEqual([
      'baseline',
      'baseline',
      'applied',
    ]);
    // The down section (DROP TABLE posts) did not run.
    expect(await query(url, "SELECT to_regclass('public.posts')::text AS t")).toEqual([
      { t: 'posts' },
    ]);
  });
});

describe('goose', () => {
  it('refuses a Go migration naming it, unless skip-go-migrations says to skip it', async () => {
    const { url, workspace, dir } = await setUp('goose');
    const refused = await act(url, workspace);
    expect(refused.code).toBe(1);
    expect(refused.all).toContain('00004_seed.go is a goose migration written in Go');

    await withClient(url, async (c) => {
      for (const file of ['00001_create_users.sql', '00002_touch_function.sql']) {
        await c.query(upPart(await readFile(path.join(dir, file), 'utf8'), /^-- \+goose Down/m));
      }
      await c.query(`CREATE TABLE goose_db_version (
        id integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY,
        version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NOT NULL DEFAULT now())`);
      await c.query(
        'INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, true), (1, true), (2, true)',
      );
    });
    const run = await act(url, workspace, { 'skip-go-migrations': 'true' });
    expect(run.code, run.all).toBe(0);
    expect(run.all).toContain('Skipped 00004_seed.go');
    expect(run.outputs.applied).toBe('["3"]');
    const rows = await ourRows(url);
    expect(rows.map((r) => [r.version, r.status])).toEqual([
      ['1', 'baseline'],
      ['2', 'baseline'],
      ['3', 'applied'],
    ]);
    expect(rows[1]?.applied_by).toContain('imported from goose (public.goose_db_version)');
    // The summary and the log show goose's own label of the version.
    expect(run.summary).toContain('<td>00003</td><td><code>00003_create_posts.sql</code>');
    expect(run.all).toMatch(/^00003 +00003_create_posts\.sql +applied/m);
  });
});

describe('prisma', () => {
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');

  async function prismaApplied(url: string, dir: string, names: string[], edit = (t: string) => t) {
    await withClient(url, async (c) => {
      await c.query(`CREATE TABLE "_prisma_migrations" (
        "id" VARCHAR(36) PRIMARY KEY NOT NULL, "checksum" VARCHAR(64) NOT NULL, "finished_at" TIMESTAMPTZ,
        "migration_name" VARCHAR(255) NOT NULL, "logs" TEXT, "rolled_back_at" TIMESTAMPTZ,
        "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(), "applied_steps_count" INTEGER NOT NULL DEFAULT 0)`);
      for (const [i, name] of names.entries()) {
        const text = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
        await c.query(text);
        await c.query(
          'INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)',
          [`0000000${i}-0000-0000-0000-000000000000`, sha(edit(text)), name],
        );
      }
    });
  }

  it('imports Prisma rows whose checksums match and applies only the third folder', async () => {
    const { url, workspace, dir } = await setUp('prisma');
    await prismaApplied(url, dir, ['20240101000000_init', '20240201000000_posts']);
    const run = await act(url, workspace);
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.applied).toBe('["20240301000000"]');
    expect((await ourRows(url)).map((r) => [r.name, r.status])).toEqual([
      ['20240101000000_init/migration.sql', 'baseline'],
      ['20240201000000_posts/migration.sql', 'baseline'],
      ['20240301000000_slug/migration.sql', 'applied'],
    ]);
  });

  it('reports a file that no longer matches the checksum Prisma stored as modified, writing nothing', async () => {
    const { url, workspace, dir } = await setUp('prisma');
    await prismaApplied(url, dir, ['20240101000000_init'], (text) => `${text}-- edited\n`);
    const run = await act(url, workspace);
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('drift');
    expect(run.all).toContain('20240101000000_init/migration.sql was changed after it was applied');
    expect(await query(url, "SELECT to_regclass('public.schema_migrations') AS t")).toEqual([
      { t: null },
    ]);
  });

  it('refuses a migration Prisma started and never finished, naming it', async () => {
    const { url, workspace, dir } = await setUp('prisma');
    await prismaApplied(url, dir, ['20240101000000_init']);
    await withClient(url, (c) =>
      c.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ('x', 'y', '20240201000000_posts')`,
      ),
    );
    const run = await act(url, workspace);
    expect(run.code).toBe(1);
    expect(run.all).toContain(
      "Prisma's table public._prisma_migrations says 20240201000000_posts started but never finished",
    );
  });
});
