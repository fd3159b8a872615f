import { execFileSync } from 'node:child_process';
import { chmod, chown, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Postgres, startPostgres } from '../scripts/postgres.mjs';
import { type ActionRun, runAction } from './support/action.js';
import { createDatabase } from './support/database.js';
import { workspaceWith } from './support/files.js';

// sslmode with libpq's meanings, end to end: the bundled action against a PostgreSQL server of
// this file's own that has TLS on, with a certificate signed by a throwaway CA, and pg_hba.conf
// rules that require TLS for one user and refuse it for another. The shared test server has no
// TLS, which covers the other side.
//
// The server certificate names only `localhost` (no IP address), so that verify-full to
// 127.0.0.1 is a host name mismatch while verify-ca to 127.0.0.1 is fine.

let dir: string;
let certs: string;
let server: Postgres | undefined;
let port: number;
let plainUrl: string;
let dropPlain: () => Promise<void>;
/** HOME for the action, without ~/.postgresql, so that no default root certificate is found. */
let home: string;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: certs, stdio: 'pipe' });
}

/** A self-signed CA: `<name>.crt` and `<name>.key` in the certificate folder. */
function makeCa(name: string): void {
  openssl(
    'req',
    '-x509',
    '-new',
    '-nodes',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-subj',
    `/CN=migrate-action test ${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  );
}

const admin = () =>
  new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password: 'postgres',
    database: 'app',
    ssl: false,
  });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'migrate-action-tls-'));
  // As root, the server runs as another user, which must be able to enter the folder.
  await chmod(dir, 0o755);
  certs = path.join(dir, 'certs');
  home = path.join(dir, 'home');
  await mkdir(certs);
  await mkdir(home);

  makeCa('ca');
  makeCa('other-ca');
  await writeFile(
    path.join(certs, 'server.ext'),
    'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    'req',
    '-new',
    '-nodes',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    '/CN=localhost',
  );
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  );

  server = await startPostgres({
    label: 'tls',
    password: 'postgres',
    settings: { ssl: 'on', ssl_cert_file: 'server.crt', ssl_key_file: 'server.key' },
    beforeStart: async ({ data, owner }) => {
      // The key must belong to the user the server runs as, mode 0600.
      for (const file of ['server.crt', 'server.key']) {
        await copyFile(path.join(certs, file), path.join(data, file));
        if (owner) await chown(path.join(data, file), owner.uid, owner.gid);
        await chmod(path.join(data, file), 0o600);
      }
      // First match wins: tls_only may only come encrypted, plain_only only unencrypted.
      const rules = ['127.0.0.1/32', '::1/128'].flatMap((address) => [
        `hostssl all tls_only ${address} scram-sha-256`,
        `hostnossl all plain_only ${address} scram-sha-256`,
        `host all postgres ${address} scram-sha-256`,
      ]);
      await writeFile(path.join(data, 'pg_hba.conf'), `local all all trust\n${rules.join('\n')}\n`);
    },
  });
  port = server.port;

  const setup = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password: 'postgres',
    database: 'postgres',
  });
  await setup.connect();
  await setup.query(`CREATE ROLE tls_only LOGIN PASSWORD 'tls'`);
  await setup.query(`CREATE ROLE plain_only LOGIN PASSWORD 'plain'`);
  await setup.query('CREATE DATABASE app');
  await setup.query('GRANT ALL ON DATABASE app TO tls_only, plain_only');
  await setup.end();

  ({ url: plainUrl, drop: dropPlain } = await createDatabase('tls'));
}, 60_000);

afterAll(async () => {
  await dropPlain?.();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const ca = () => path.join(certs, 'ca.crt');
const otherCa = () => path.join(certs, 'other-ca.crt');

/** A URL to this file's TLS server, database `app`. */
function tlsUrl(
  query: Record<string, string> = {},
  { user = 'postgres', password = 'postgres', host = '127.0.0.1' } = {},
): string {
  const search = new URLSearchParams(query).toString();
  return `postgres://${user}:${password}@${host}:${port}/app${search ? `?${search}` : ''}`;
}

/** The shared server (no TLS), with `sslmode` and the other parameters of `query`. */
function noTlsUrl(query: Record<string, string> = {}): string {
  const url = new URL(plainUrl);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  return url.toString();
}

let counter = 0;

/**
 * Runs the action with one migration that records whether its own session is encrypted
 * (`pg_stat_ssl.ssl` of `pg_backend_pid()`), and returns the run and that record.
 */
async function migrate(
  url: string,
  reader: () => pg.Client = admin,
): Promise<{ run: ActionRun; ssl: () => Promise<boolean> }> {
  const schema = `s${counter++}`;
  // The query sits in a DO block: a plain SELECT in a migration makes the action's process
  // linger for seconds at exit (V8 optimising the SQL parser's WebAssembly in the background).
  const { workspace } = await workspaceWith({
    '1_seen.sql': `CREATE SCHEMA ${schema};\nDO $$BEGIN CREATE TABLE ${schema}.seen AS SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid(); END$$;\n`,
  });
  const run = await runAction(
    { 'database-url': url, schema: `${schema}_m`, 'connect-timeout': '5' },
    { workspace, env: { HOME: home } },
  );
  const ssl = async () => {
    const client = reader();
    await client.connect();
    try {
      const result = await client.query(`SELECT ssl FROM ${schema}.seen`);
      expect(result.rows).toHaveLength(1);
      return result.rows[0].ssl as boolean;
    } finally {
      await client.end();
    }
  };
  return { run, ssl };
}

const plainReader = () => new pg.Client({ connectionString: plainUrl });

/** Expects a run that connected and applied its migration. */
function succeeded(run: ActionRun): void {
  expect(run.code, run.all).toBe(0);
  expect(run.outputs.result).toBe('applied');
}

/** Expects a failed run with one error: one sentence, no stack trace. Returns the sentence. */
function failure(run: ActionRun): string {
  expect(run.code, run.all).toBe(1);
  expect(run.outputs.result).toBe('failed');
  const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error'));
  expect(errors, run.all).toHaveLength(1);
  const message = (errors[0] ?? '').replace(/^::error::/, '');
  // Workflow commands escape a line break as %0A.
  expect(message).not.toMatch(/%0A|%0D/);
  expect(message).toMatch(/\.$/);
  expect(message, 'one sentence').not.toMatch(/[.!?]\s+[A-Z]/);
  expect(run.all).not.toMatch(/^\s+at \S/m);
  expect(run.all).not.toContain('postgres:postgres');
  return message;
}

// Every test runs the action once, on a schema of its own: they can run side by side.
describe.concurrent('sslmode=prefer (the default)', () => {
  it('uses TLS when the server has it, without a sslmode', async () => {
    const { run, ssl } = await migrate(tlsUrl());
    succeeded(run);
    expect(await ssl()).toBe(true);
  });

  it('uses TLS when the server has it, with sslmode=prefer', async () => {
    const { run, ssl } = await migrate(tlsUrl({ sslmode: 'prefer' }));
    succeeded(run);
    expect(await ssl()).toBe(true);
  });

  it('connects in plain text to a server without TLS', async () => {
    const { run, ssl } = await migrate(noTlsUrl({ sslmode: 'prefer' }), plainReader);
    succeeded(run);
    expect(await ssl()).toBe(false);
  });

  it('falls back to plain text when pg_hba.conf refuses the encrypted connection (hostnossl)', async () => {
    const url = tlsUrl({ sslmode: 'prefer' }, { user: 'plain_only', password: 'plain' });
    const { run, ssl } = await migrate(url);
    succeeded(run);
    expect(await ssl()).toBe(false);
  });
});

describe.concurrent('sslmode=disable', () => {
  it('connects in plain text', async () => {
    const url = tlsUrl({ sslmode: 'disable' }, { user: 'plain_only', password: 'plain' });
    const { run, ssl } = await migrate(url);
    succeeded(run);
    expect(await ssl()).toBe(false);
  });

  it('fails with one sentence when pg_hba.conf requires TLS (hostssl)', async () => {
    const url = tlsUrl({ sslmode: 'disable' }, { user: 'tls_only', password: 'tls' });
    const { run } = await migrate(url);
    const message = failure(run);
    expect(message).toContain(`127.0.0.1:${port}`);
    expect(message).toMatch(/refused an unencrypted connection/);
    expect(message).toContain('tls_only');
    expect(message).toContain('sslmode=require');
  });
});

describe.concurrent('sslmode=allow', () => {
  it('connects in plain text when the server accepts it', async () => {
    const { run, ssl } = await migrate(tlsUrl({ sslmode: 'allow' }));
    succeeded(run);
    expect(await ssl()).toBe(false);
  });

  it('retries with TLS when pg_hba.conf requires it (hostssl)', async () => {
    const url = tlsUrl({ sslmode: 'allow' }, { user: 'tls_only', password: 'tls' });
    const { run, ssl } = await migrate(url);
    succeeded(run);
    expect(await ssl()).toBe(true);
  });
});

describe.concurrent('sslmode=require', () => {
  it('connects encrypted to a server with a self-signed certificate, without verifying it', async () => {
    const url = tlsUrl({ sslmode: 'require' }, { user: 'tls_only', password: 'tls' });
    const { run, ssl } = await migrate(url);
    succeeded(run);
    expect(await ssl()).toBe(true);
  });

  it('fails with one sentence against a server without TLS', async () => {
    const { run } = await migrate(noTlsUrl({ sslmode: 'require' }), plainReader);
    const message = failure(run);
    expect(message).toMatch(/does not accept encrypted \(TLS\) connections/);
    expect(message).toContain('sslmode=require');
  });

  it('fails with one sentence when pg_hba.conf refuses encrypted connections (hostnossl)', async () => {
    const url = tlsUrl({ sslmode: 'require' }, { user: 'plain_only', password: 'plain' });
    const { run } = await migrate(url);
    const message = failure(run);
    expect(message).toMatch(/refused an encrypted connection/);
    expect(message).toContain('plain_only');
    expect(message).toContain('sslmode');
  });

  it('verifies the CA as verify-ca does when sslrootcert is given, as libpq does', async () => {
    const { run } = await migrate(tlsUrl({ sslmode: 'require', sslrootcert: otherCa() }));
    const message = failure(run);
    expect(message).toMatch(/certificate/);
    expect(message).toContain('sslrootcert');
  });
});

describe.concurrent('sslmode=verify-ca', () => {
  it('connects when sslrootcert is the CA that signed the server certificate (any host name)', async () => {
    const { run, ssl } = await migrate(tlsUrl({ sslmode: 'verify-ca', sslrootcert: ca() }));
    succeeded(run);
    expect(await ssl()).toBe(true);
  });

  it('fails with one sentence about the certificate when sslrootcert is another CA', async () => {
    const { run } = await migrate(tlsUrl({ sslmode: 'verify-ca', sslrootcert: otherCa() }));
    const message = failure(run);
    expect(message).toMatch(/certificate .*is not signed by a CA in sslrootcert/);
    expect(message).toContain(`127.0.0.1:${port}`);
  });

  it('fails with one sentence naming sslrootcert when it is not given', async () => {
    const { run } = await migrate(tlsUrl({ sslmode: 'verify-ca' }));
    const message = failure(run);
    expect(message).toContain('sslmode=verify-ca');
    expect(message).toContain('sslrootcert');
  });
});

describe.concurrent('sslmode=verify-full', () => {
  it('connects when the certificate names the host', async () => {
    const url = tlsUrl({ sslmode: 'verify-full', sslrootcert: ca() }, { host: 'localhost' });
    const { run, ssl } = await migrate(url);
    succeeded(run);
    expect(await ssl()).toBe(true);
  });

  it('fails with one sentence about the host name when the certificate does not name it', async () => {
    const { run } = await migrate(tlsUrl({ sslmode: 'verify-full', sslrootcert: ca() }));
    const message = failure(run);
    expect(message).toMatch(/certificate .*does not name the host 127\.0\.0\.1/);
    expect(message).toContain('host name');
  });

  it('fails with one sentence about the certificate when sslrootcert is another CA', async () => {
    const url = tlsUrl({ sslmode: 'verify-full', sslrootcert: otherCa() }, { host: 'localhost' });
    const { run } = await migrate(url);
    expect(failure(run)).toMatch(/certificate .*is not signed by a CA in sslrootcert/);
  });

  it('fails with one sentence when sslrootcert=system does not trust the private CA', async () => {
    const { run } = await migrate(tlsUrl({ sslrootcert: 'system' }, { host: 'localhost' }));
    expect(failure(run)).toMatch(
      /certificate .*is not signed by a CA in the system's trusted roots/,
    );
  });
});

describe.concurrent('certificate files', () => {
  it('fails with one sentence naming sslrootcert when its file does not exist', async () => {
    const missing = path.join(certs, 'nope.crt');
    const { run } = await migrate(tlsUrl({ sslmode: 'verify-full', sslrootcert: missing }));
    const message = failure(run);
    expect(message).toContain('sslrootcert');
    expect(message).toContain(missing);
    expect(message).toContain('does not exist');
  });

  it('refuses sslrootcert=system with a weaker sslmode, as libpq does', async () => {
    const { run } = await migrate(tlsUrl({ sslmode: 'require', sslrootcert: 'system' }));
    const message = failure(run);
    expect(message).toContain('sslrootcert=system');
    expect(message).toContain('verify-full');
  });
});
