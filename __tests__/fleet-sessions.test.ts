import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDatabaseUrl } from '../src/db/url.js';
import { CheckSessions } from '../src/fleet/sessions.js';
import { runAction } from './support/action.js';
import { createDatabase, withClient } from './support/database.js';
import { workspaceWith } from './support/files.js';
import { RoundTripCounter } from './support/proxy.js';

// The check of schema targets reuses sessions from one schema to the next: on the real server,
// what a reused session carries over (nothing), when one is not reused, and how many connections
// a fleet of schemas opens (counted by a proxy, not timed).
let url: string;
let drop: () => Promise<void>;
let proxy: RoundTripCounter;
let proxiedUrl: string;

beforeAll(async () => {
  ({ url, drop } = await createDatabase('fleet_sessions'));
  await withClient(url, async (c) => {
    for (const schema of ['s_1', 's_2', 's_3', 's_4', 'w_1', 'w_2', 'w_3', 'w_4']) {
      await c.query(`CREATE SCHEMA ${schema}`);
    }
    await c.query('CREATE SCHEMA "S ""q"""');
  });
  const target = new URL(url);
  proxy = new RoundTripCounter({ host: target.hostname, port: Number(target.port) });
  const proxied = new URL(url);
  proxied.port = String(await proxy.start());
  // No TLS negotiation: the proxy reads the plain protocol.
  proxied.searchParams.set('sslmode', 'disable');
  proxiedUrl = proxied.toString();
});
afterAll(async () => {
  await proxy.stop();
  await drop();
});

const targetIn = (schema: string) => ({ ...parseDatabaseUrl(url), searchPath: schema });
const pidOf = async (client: { query: (sql: string) => Promise<{ rows: { pid: number }[] }> }) =>
  (await client.query('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
const ignore = () => undefined;

describe('CheckSessions', () => {
  it('gives a cleanly finished session to the next schema with its search_path set and every setting reset', async () => {
    const sessions = new CheckSessions(10);
    const first = await sessions.take(targetIn('s_1'), ignore);
    const pid = await pidOf(first.client);
    // A setting left behind (the check sets none): the next schema must not see it.
    await first.client.query("SET work_mem = '1234kB'");
    // A last query that failed, as a history read of a missing table does: its error comes
    // before the server's ReadyForQuery, and the session is still reused.
    await first.client.query('SELECT * FROM no_such_table').catch(() => undefined);
    await sessions.release(first, true);
    const next = await sessions.take(targetIn('S "q"'), ignore);
    expect(await pidOf(next.client)).toBe(pid);
    const { rows } = await next.client.query(
      'SELECT current_schemas(false)::text[] AS path, current_setting($1) AS work_mem',
      ['work_mem'],
    );
    expect(rows[0]).toEqual({ path: ['S "q"'], work_mem: '4MB' });
    await sessions.release(next, true);
    await sessions.close();
    await expect(next.client.query('SELECT 1')).rejects.toThrow();
  });

  it('closes a session whose check failed or that is inside a transaction, and opens a new one for the next schema', async () => {
    const sessions = new CheckSessions(10);
    const failed = await sessions.take(targetIn('s_1'), ignore);
    const failedPid = await pidOf(failed.client);
    await sessions.release(failed, false);
    await expect(failed.client.query('SELECT 1')).rejects.toThrow();

    const inTransaction = await sessions.take(targetIn('s_2'), ignore);
    const transactionPid = await pidOf(inTransaction.client);
    expect(transactionPid).not.toBe(failedPid);
    await inTransaction.client.query('BEGIN');
    await sessions.release(inTransaction, true);
    await expect(inTransaction.client.query('SELECT 1')).rejects.toThrow();

    const fresh = await sessions.take(targetIn('s_3'), ignore);
    expect([failedPid, transactionPid]).not.toContain(await pidOf(fresh.client));
    await sessions.release(fresh, true);
    await sessions.close();
  });

  it('opens a new session when the one waiting in the pool was ended by the server', async () => {
    const sessions = new CheckSessions(10);
    const first = await sessions.take(targetIn('s_1'), ignore);
    const pid = await pidOf(first.client);
    await sessions.release(first, true);
    await withClient(url, async (c) => {
      await c.query('SELECT pg_terminate_backend($1)', [pid]);
      // Until the backend is gone (pg_terminate_backend's timeout argument needs PostgreSQL 14).
      while ((await c.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });
    const next = await sessions.take(targetIn('s_2'), ignore);
    expect(await pidOf(next.client)).not.toBe(pid);
    await sessions.release(next, true);
    await sessions.close();
  });

  it('opens no more sessions than are taken at once', async () => {
    const sessions = new CheckSessions(10);
    const round = async () => {
      const taken = await Promise.all(
        ['s_1', 's_2', 's_3'].map((s) => sessions.take(targetIn(s), ignore)),
      );
      const pids = await Promise.all(taken.map((db) => pidOf(db.client)));
      for (const db of taken) await sessions.release(db, true);
      return new Set(pids);
    };
    const first = await round();
    expect(first.size).toBe(3);
    expect(await round()).toEqual(first);
    await sessions.close();
  });
});

const INDEX = { '1_index.sql': 'CREATE INDEX items_name ON items (name);' };

/** The lines of one target's log group. */
function groupOf(log: string, name: string): string {
  const start = log.indexOf(`::group::${name}: `);
  if (start === -1) return '';
  const end = log.indexOf('::group::s_', start + 1);
  return log.slice(start, end === -1 ? undefined : end);
}

describe('schemas-query through a proxy that counts connections', () => {
  it('a dry run checks four schemas on one reused session, each with its own search_path, and opens a new one after a check that failed', async () => {
    const { workspace } = await workspaceWith(INDEX);
    await withClient(url, async (c) => {
      await c.query('CREATE TABLE s_1.items (id int, name text)');
      await c.query('CREATE TABLE public.items (id int, name text)');
      await c.query('CREATE TABLE s_4.items (id int, name text)');
    });
    // s_4 is migrated, then its history no longer matches the file: drift.
    const setup = await runAction(
      { 'database-url': url, 'schemas-query': "SELECT 's_4'" },
      { workspace },
    );
    expect(setup.code, setup.all).toBe(0);
    await withClient(url, async (c) => {
      await c.query("UPDATE s_4.schema_migrations SET checksum = 'changed'");
      // s_3's tracking table does not fit: its check throws.
      await c.query('CREATE TABLE s_3.schema_migrations (id int)');
    });

    proxy.connections = 0;
    const run = await runAction(
      {
        'database-url': proxiedUrl,
        'schemas-query':
          "SELECT nspname FROM pg_namespace WHERE nspname LIKE 's\\_%' ORDER BY nspname",
        concurrency: '1',
        'dry-run': 'true',
      },
      { workspace },
    );
    const targets = JSON.parse(run.outputs.targets ?? '{}');
    expect(
      Object.fromEntries(
        Object.entries(targets).map(([k, v]) => [k, (v as { result: string }).result]),
      ),
    ).toEqual({
      s_1: 'pending',
      s_2: 'pending',
      s_3: 'failed',
      s_4: 'drift',
    });
    // The names query, the session of s_1 and s_2, and a new one after s_3's check threw.
    expect(proxy.connections).toBe(3);
    // Each schema's review resolves `items` in its own schema: s_2 (reusing s_1's session) has
    // none, and public.items is not on its search_path.
    expect(groupOf(run.stdout, 's_1')).toContain('CREATE INDEX on s_1.items');
    expect(groupOf(run.stdout, 's_2')).toContain('Safety review: no open finding');
    expect(groupOf(run.stdout, 's_2')).not.toContain('items holds');
  });

  it('a run that writes migrates each schema on a connection of its own, opened with its schema', async () => {
    const { workspace } = await workspaceWith({
      '1_items.sql': 'CREATE TABLE items (id int);',
      // RESET ALL brings back a session's starting search_path: it must be the target's own.
      '2_reset.sql': 'RESET ALL;\nCREATE TABLE more (id int);',
    });
    proxy.connections = 0;
    const run = await runAction(
      {
        'database-url': proxiedUrl,
        'schemas-query': "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'w\\_%'",
        concurrency: '2',
      },
      { workspace },
    );
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('applied');
    // The names query, two check sessions, and one connection per schema that writes.
    expect(proxy.connections).toBe(1 + 2 + 4);
    const tables = await withClient(url, (c) =>
      c.query(
        "SELECT nspname || '.' || relname AS t FROM pg_class JOIN pg_namespace n ON n.oid = relnamespace WHERE relname IN ('items', 'more') AND nspname LIKE 'w\\_%' ORDER BY 1",
      ),
    );
    expect(tables.rows.map((r) => r.t)).toEqual(
      ['w_1', 'w_2', 'w_3', 'w_4'].flatMap((s) => [`${s}.items`, `${s}.more`]),
    );
  });
});

describe('a server without TLS, under sslmode prefer (the default)', () => {
  it('is asked for TLS once per step: the other targets connect without the refused attempt', async () => {
    const created = await Promise.all(
      ['fleet_notls_1', 'fleet_notls_2', 'fleet_notls_3'].map((name) => createDatabase(name)),
    );
    try {
      const { workspace } = await workspaceWith({ '1_items.sql': 'CREATE TABLE items (id int);' });
      // Through the proxy, without sslmode: each connection first asks for TLS, as libpq's prefer.
      const urls = created.map(({ url: u }) => {
        const proxied = new URL(u);
        proxied.port = String(proxy.port);
        return proxied.toString();
      });
      const first = await runAction({ 'database-urls': urls.join('\n') }, { workspace });
      expect(first.code, first.all).toBe(0);
      proxy.connections = 0;
      const again = await runAction(
        { 'database-urls': urls.join('\n'), concurrency: '1' },
        { workspace },
      );
      expect(again.outputs.result).toBe('up-to-date');
      // One check per database, and one refused TLS attempt before the first of them only
      // (a connection per attempt: pg closes the socket when the server answers "no TLS").
      expect(proxy.connections).toBe(3 + 1);
    } finally {
      await Promise.all(created.map(({ drop: d }) => d()));
    }
  });
});
