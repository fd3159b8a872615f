import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from './support/action.js';
import { createDatabase, withClient } from './support/database.js';
import { workspaceWith } from './support/files.js';
import { freePort } from './support/global-setup.js';

// A real PgBouncer in transaction mode between the action and PostgreSQL. With one client,
// PgBouncer would hand back the same backend every time: round robin over a pool of at least two
// server connections makes consecutive transactions land on different backends, as in production.
const PGBOUNCER = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find(
  (p) => spawnSync('test', ['-x', p]).status === 0,
);

let url: string;
let pooledUrl: string;
let drop: () => Promise<void>;
let stop: () => Promise<void> = async () => {};

beforeAll(async () => {
  if (!PGBOUNCER)
    throw new Error('pgbouncer is not installed: apt-get install pgbouncer (.ci/run does)');
  ({ url, drop } = await createDatabase('pooler'));
  const target = new URL(url);
  const dir = await mkdtemp(path.join(tmpdir(), 'migrate-action-pgbouncer-'));
  await chmod(dir, 0o777);
  const port = await freePort();
  const config = path.join(dir, 'pgbouncer.ini');
  await writeFile(
    config,
    `[databases]
pooled = host=${target.hostname} port=${target.port} dbname=${target.pathname.slice(1)} user=${target.username}${target.password ? ` password=${decodeURIComponent(target.password)}` : ''}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
auth_type = any
pool_mode = transaction
server_round_robin = 1
min_pool_size = 2
default_pool_size = 4
unix_socket_dir =
logfile = ${dir}/pgbouncer.log
pidfile = ${dir}/pgbouncer.pid
`,
  );
  await chmod(config, 0o644);
  // PgBouncer refuses to run as root; -u switches to an unprivileged user.
  const asRoot = process.getuid?.() === 0;
  const child = spawn(PGBOUNCER, [...(asRoot ? ['-u', 'nobody'] : []), config], {
    stdio: 'ignore',
  });
  // Settles when PgBouncer exits, even if that happened before anyone asks (a failed start).
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', () => undefined);
  stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  };
  pooledUrl = `postgres://${target.username}:${target.password}@127.0.0.1:${port}/pooled`;
  // Wait until PgBouncer answers and has two server connections: two clients in overlapping
  // transactions make it open the second one at once, rather than when its janitor gets to it.
  for (let i = 0; ; i++) {
    try {
      await Promise.all(
        [1, 2].map(() => withClient(pooledUrl, (c) => c.query('SELECT pg_sleep(0.2)'))),
      );
      const pids = new Set<number>();
      await withClient(pooledUrl, async (c) => {
        for (let j = 0; j < 6; j++)
          pids.add((await c.query('SELECT pg_backend_pid() AS p')).rows[0].p);
      });
      if (pids.size > 1) break;
    } catch (error) {
      if (child.exitCode !== null || child.signalCode !== null) {
        const log = await readFile(path.join(dir, 'pgbouncer.log'), 'utf8').catch(() => '');
        throw new Error(
          `PgBouncer exited (${child.exitCode ?? child.signalCode}) at start:\n${log}`,
        );
      }
      if (i > 100) throw error;
    }
    if (i > 100) throw new Error('PgBouncer never handed out two different backends');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});

afterAll(async () => {
  await stop();
  await drop?.();
});

describe('a transaction-mode pooler', () => {
  it('is detected and refused with its sentence before anything is written', async () => {
    const { workspace } = await workspaceWith({ '1_a.sql': 'CREATE TABLE pooled_a (id int);' });
    const run = await runAction({ 'database-url': pooledUrl }, { workspace });
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.stdout).toMatch(
      /::error::The database URL does not give one server session .*PgBouncer/,
    );
    expect(run.stdout).toContain('use a direct connection URL');
    const exists = await withClient(url, async (c) => {
      const r = await c.query(
        `SELECT to_regclass('pooled_a') AS a, to_regclass('schema_migrations') AS m`,
      );
      return r.rows[0];
    });
    expect(exists).toEqual({ a: null, m: null });
    // No session lock was left behind on any backend.
    const locks = await withClient(url, (c) =>
      c.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory'`),
    );
    expect(locks.rowCount).toBe(0);
  });

  it('does not stop a dry run, which takes no lock', async () => {
    const { workspace } = await workspaceWith({ '1_a.sql': 'CREATE TABLE pooled_b (id int);' });
    const run = await runAction({ 'database-url': pooledUrl, 'dry-run': 'true' }, { workspace });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.result).toBe('pending');
  });
});
