import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { standInVersion } from '../src/files/keys.js';
import type { ActionRun } from './support/action.js';
import { withClient } from './support/database.js';
import { act, fixtureFolders, query } from './support/fixtures.js';

// End to end, through the bundled dist/index.js against a real PostgreSQL: folders whose versions
// do not fit bigint or do not order as numbers. Flyway's dotted versions and popx's 20 digits are
// recorded under a stand-in version with the exact one in version_key; diesel's mixed lengths run
// in diesel's text order.
const { setUp, drops } = fixtureFolders(
  path.resolve(import.meta.dirname, 'fixtures/layouts'),
  'keys',
);

interface Row {
  version: string;
  version_key: string | null;
  name: string;
  status: string;
}
const rowsOf = (url: string) =>
  query<Row>(
    url,
    `SELECT version::text, to_jsonb(t)->>'version_key' AS version_key, name, status
       FROM public.schema_migrations t ORDER BY applied_at, name`,
  );
const hasKeyColumn = async (url: string) =>
  (
    await query(
      url,
      "SELECT 1 FROM information_schema.columns WHERE table_name = 'schema_migrations' AND column_name = 'version_key'",
    )
  ).length === 1;

/** Nothing the step printed or wrote shows a stand-in (negative) version. */
function expectNoStandIn(run: ActionRun, keys: string[]): void {
  for (const key of keys) {
    const standIn = standInVersion(key).toString();
    expect(run.all, key).not.toContain(standIn);
    expect(run.summary, key).not.toContain(standIn);
  }
}

describe('Flyway', () => {
  const KEYS = ['1.1', '1.7', '1.27', '2.0.3'];

  it('applies in Flyway order with version_key, reruns as a noop and reports an edited file as modified', async () => {
    const { url, workspace, dir } = await setUp('flyway-dotted');
    const run = await act(url, workspace);
    expect(run.code, run.all).toBe(0);
    expect(run.all).toContain('Layout: flyway');
    expect(run.outputs.applied).toBe('["1","1.1","1.7","1.27","2.0.3"]');
    const rows = await rowsOf(url);
    expect(rows.map((r) => [r.version_key, r.name, r.status])).toEqual([
      [null, 'V1__init.sql', 'applied'],
      ['1.1', 'V1.1__users.sql', 'applied'],
      ['1.7', 'V1.7__posts.sql', 'applied'],
      ['1.27', 'V1.27__post_titles.sql', 'applied'],
      ['2.0.3', 'V2.0.3__posts_title_index.sql', 'applied'],
    ]);
    expect(rows[0]?.version).toBe('1');
    for (const row of rows.slice(1)) {
      expect(row.version).toBe(standInVersion(row.version_key ?? '').toString());
    }
    // executeInTransaction=false in the .sql.conf: the index was built concurrently, and is valid.
    const [index] = await query<{ valid: boolean }>(
      url,
      "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'posts_title'::regclass",
    );
    expect(index?.valid).toBe(true);
    // The summary and the log show Flyway's own version, never the stand-in.
    expect(run.summary).toContain('<td>1.27</td><td><code>V1.27__post_titles.sql</code>');
    expect(run.all).toMatch(/^2\.0\.3 +V2\.0\.3__posts_title_index\.sql +applied/m);
    expectNoStandIn(run, KEYS);

    const again = await act(url, workspace);
    expect(again.code, again.all).toBe(0);
    expect(again.outputs.result).toBe('up-to-date');
    expect(again.all).toContain('Up to date: 5 migrations applied, nothing to do.');

    await writeFile(
      path.join(dir, 'V1.7__posts.sql'),
      `${await readFile(path.join(dir, 'V1.7__posts.sql'), 'utf8')}-- edited\n`,
    );
    const drift = await act(url, workspace);
    expect(drift.code).toBe(1);
    expect(drift.outputs.result).toBe('drift');
    expect(drift.all).toContain('V1.7__posts.sql was changed after it was applied');
    expect(drift.summary).toMatch(
      /<td>1\.7<\/td><td><code>V1\.7__posts\.sql<\/code><\/td><td>❌ modified/,
    );
    expectNoStandIn(drift, KEYS);
  });

  it('keeps a table of the build before as it is until a keyed row is written, stops at to-version 1.27 and rolls back with the U files', async () => {
    const { url, workspace, dir } = await setUp('flyway-dotted');
    // The table as the build before created it, with V1__init.sql applied by it.
    const init = await readFile(path.join(dir, 'V1__init.sql'), 'utf8');
    await withClient(url, async (c) => {
      await c.query(init);
      await c.query(`CREATE TABLE public.schema_migrations (version bigint PRIMARY KEY, name text NOT NULL,
        checksum text NOT NULL, status text NOT NULL CHECK (status IN ('applied', 'baseline', 'running', 'failed')),
        applied_at timestamptz NOT NULL DEFAULT now(), execution_ms integer NOT NULL DEFAULT 0,
        applied_by text NOT NULL DEFAULT '')`);
      await c.query(
        "INSERT INTO public.schema_migrations (version, name, checksum, status) VALUES (1, 'V1__init.sql', $1, 'applied')",
        [createHash('sha256').update(init).digest('hex')],
      );
    });
    // Nothing keyed to write: the table is left as it is.
    const first = await act(url, workspace, { 'to-version': '1' });
    expect(first.code, first.all).toBe(0);
    expect(first.outputs.result).toBe('up-to-date');
    expect(await hasKeyColumn(url)).toBe(false);

    const upTo = await act(url, workspace, { 'to-version': '1.27' });
    expect(upTo.code, upTo.all).toBe(0);
    expect(upTo.outputs.applied).toBe('["1.1","1.7","1.27"]');
    expect(upTo.outputs.pending).toBe('["2.0.3"]');
    expect(upTo.all).toContain('above to-version 1.27');
    expect(await hasKeyColumn(url)).toBe(true);
    expect((await rowsOf(url)).map((r) => r.version_key)).toEqual([null, '1.1', '1.7', '1.27']);

    const back = await act(url, workspace, { command: 'rollback', 'to-version': '1.7' });
    expect(back.code, back.all).toBe(0);
    expect(back.all).toContain('rolled back V1.27__post_titles.sql (version 1.27)');
    expect(back.all).toContain('Rolled back 1 migration to version 1.7');
    expect(await query(url, "SELECT to_regclass('post_titles') AS view")).toEqual([{ view: null }]);
    expectNoStandIn(back, KEYS);

    const rest = await act(url, workspace);
    expect(rest.code, rest.all).toBe(0);
    expect(rest.outputs.applied).toBe('["1.27","2.0.3"]');
    const rows = await rowsOf(url);
    expect(rows.filter((r) => r.status !== 'applied')).toEqual([]);
    expect(rows).toHaveLength(5);
  });

  it('records a baseline up to baseline-version 1.7 with version_key, then applies what comes after', async () => {
    const { url, workspace } = await setUp('flyway-dotted');
    const base = await act(url, workspace, { command: 'baseline', 'baseline-version': '1.7' });
    expect(base.code, base.all).toBe(0);
    expect(base.all).toContain('Recorded 3 migrations up to version 1.7 as baseline');
    expect(base.all).toContain('recorded V1.7__posts.sql (version 1.7) as baseline');
    // One transaction, one applied_at: compared by name.
    const rows = (await rowsOf(url)).map((r) => `${r.name} ${r.version_key} ${r.status}`).sort();
    expect(rows).toEqual([
      'V1.1__users.sql 1.1 baseline',
      'V1.7__posts.sql 1.7 baseline',
      'V1__init.sql null baseline',
    ]);
    expectNoStandIn(base, KEYS);
    // The schema the baseline stands for, as Flyway left it.
    await withClient(url, (c) =>
      c.query(
        'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL); CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id), title text NOT NULL)',
      ),
    );
    const run = await act(url, workspace);
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.applied).toBe('["1.27","2.0.3"]');
  });

  it('rehearses a Flyway folder on the build before’s table in a dry run, which leaves the table without version_key', async () => {
    const { url, workspace } = await setUp('flyway-dotted');
    await withClient(url, (c) =>
      c.query(`CREATE TABLE public.schema_migrations (version bigint PRIMARY KEY, name text NOT NULL,
        checksum text NOT NULL, status text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
        execution_ms integer NOT NULL DEFAULT 0, applied_by text NOT NULL DEFAULT '')`),
    );
    const run = await act(url, workspace, { 'dry-run': 'true', rehearse: 'true' });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.pending).toBe('["1","1.1","1.7","1.27","2.0.3"]');
    expect(run.all).toMatch(/^1\.27 +V1\.27__post_titles\.sql +rehearsed/m);
    expect(await hasKeyColumn(url)).toBe(false);
    expect(await rowsOf(url)).toEqual([]);
    expectNoStandIn(run, KEYS);
  });

  it('names the ALTER TABLE its owner runs when the role may write the table but not add version_key, writing nothing', async () => {
    const { url, workspace } = await setUp('flyway-dotted');
    const role = `keys_writer_${process.pid}`;
    await withClient(url, async (c) => {
      await c.query(`CREATE ROLE ${role} LOGIN PASSWORD 'pw-${role}'`);
      await c.query(`CREATE TABLE public.schema_migrations (version bigint PRIMARY KEY, name text NOT NULL,
        checksum text NOT NULL, status text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
        execution_ms integer NOT NULL DEFAULT 0, applied_by text NOT NULL DEFAULT '')`);
      await c.query(`GRANT CREATE ON SCHEMA public TO ${role}`);
      await c.query(`GRANT SELECT, INSERT, UPDATE ON public.schema_migrations TO ${role}`);
    });
    // Before the database is dropped: DROP OWNED BY runs in it.
    drops.unshift(() =>
      withClient(url, (c) => c.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`)).then(
        () => undefined,
      ),
    );
    const roleUrl = new URL(url);
    roleUrl.username = role;
    roleUrl.password = `pw-${role}`;
    const run = await act(roleUrl.toString(), workspace);
    expect(run.code).toBe(1);
    expect(run.all).toContain(
      'The tracking table public.schema_migrations needs a version_key column to record versions that are not whole numbers of bigint size (such as 1.7), and this role does not own it: as its owner, run ALTER TABLE "public"."schema_migrations" ADD COLUMN IF NOT EXISTS version_key text UNIQUE;',
    );
    expect(await rowsOf(url)).toEqual([]);
    expect(await query(url, "SELECT to_regclass('users') AS t")).toEqual([{ t: null }]);
  });

  it('refuses a to-version no Flyway file has, naming the highest', async () => {
    const { url, workspace } = await setUp('flyway-dotted');
    const run = await act(url, workspace, { 'to-version': '1.8' });
    expect(run.code).toBe(1);
    expect(run.all).toContain(
      'to-version is 1.8, but no migration file has that version (the highest is 2.0.3)',
    );
  });
});

describe('popx', () => {
  const KEYS = ['20150100000001000000', '20210410175418000000', '20220824112233000001'];

  it('applies the PostgreSQL files in exact numeric order, counts the MySQL ones left out in one line (no warning), and rolls back with the down files', async () => {
    const { url, workspace } = await setUp('popx-ory');
    const run = await act(url, workspace);
    expect(run.code, run.all).toBe(0);
    expect(run.all).toContain('Layout: popx');
    expect(run.all).toContain(
      'Left out 4 files for other databases (mysql: 4), as popx does on PostgreSQL.',
    );
    expect(run.all).not.toContain('::warning::');
    expect(run.outputs.applied).toBe(
      '["20141231000000","20150100000001000000","20210410175418000000","20220824112233000001","20230101000000000000"]',
    );
    const rows = await rowsOf(url);
    expect(rows.map((r) => [r.version_key, r.name])).toEqual([
      [null, '20141231000000_courier_seq.up.sql'],
      ['20150100000001000000', '20150100000001000000_networks.postgres.up.sql'],
      ['20210410175418000000', '20210410175418000000_identities.postgres.up.sql'],
      [
        '20220824112233000001',
        '20220824112233000001_identities_nid_idx.postgres.autocommit.up.sql',
      ],
      ['20230101000000000000', '20230101000000000000_identity_traits.up.sql'],
    ]);
    expect(rows[0]?.version).toBe('20141231000000');
    expect(run.summary).toContain(
      '<td>20210410175418000000</td><td><code>20210410175418000000_identities.postgres.up.sql</code>',
    );
    expectNoStandIn(run, KEYS);

    const again = await act(url, workspace);
    expect(again.outputs.result, again.all).toBe('up-to-date');

    // The .autocommit down file runs outside a transaction (DROP INDEX CONCURRENTLY).
    const back = await act(url, workspace, {
      command: 'rollback',
      'to-version': '20210410175418000000',
    });
    expect(back.code, back.all).toBe(0);
    expect(back.all).toContain('Rolled back 2 migrations to version 20210410175418000000');
    expect(await query(url, "SELECT to_regclass('identities_nid_idx') AS i")).toEqual([
      { i: null },
    ]);
    // Newest first: the view (2023…) was rolled back before the index (2022…).
    expect(
      (await rowsOf(url)).filter((r) => r.status === 'rolled back').map((r) => r.version_key),
    ).toEqual(['20230101000000000000', '20220824112233000001']);
    expectNoStandIn(back, KEYS);
  });
});

describe('diesel', () => {
  it('applies a folder mixing 14- and 18-digit versions in diesel’s text order', async () => {
    const { url, workspace } = await setUp('diesel-mixed');
    const run = await act(url, workspace);
    expect(run.code, run.all).toBe(0);
    expect(run.all).toContain('Layout: diesel');
    expect(run.outputs.applied).toBe('["0","202402121202030000","20240301000000"]');
    const rows = await rowsOf(url);
    expect(rows.map((r) => [r.version, r.version_key])).toEqual([
      ['0', null],
      ['202402121202030000', null],
      ['20240301000000', null],
    ]);
    expect(await hasKeyColumn(url)).toBe(false);
    const again = await act(url, workspace);
    expect(again.outputs.result, again.all).toBe('up-to-date');
  });
});
