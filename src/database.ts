import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { ConnectionTarget } from './connection.js';
import { ConfigurationError, messageOf } from './errors.js';

export const APPLICATION_NAME = 'agoat/migrate-action';

// Errors worth waiting out: the server is not up yet (a service container still starting) or the
// network dropped the attempt. Authentication and configuration errors are final.
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', '57P03', 'ETIMEDOUT']);
// node-pg's words when the server answers the SSLRequest with 'N'.
const NO_SSL = 'The server does not support SSL connections';

function isTransient(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  if (code && TRANSIENT_CODES.has(code)) return true;
  return /Connection terminated unexpectedly|timeout expired/i.test(messageOf(error));
}

/** libpq's root certificate when the URL names none. */
const DEFAULT_ROOT_CERT = path.join(homedir(), '.postgresql', 'root.crt');

/** What the messages call the root certificates in use. */
function rootsName(target: ConnectionTarget): string {
  if (target.sslRootCert === 'system') return "the system's trusted roots";
  if (target.sslRootCert) return `sslrootcert (${target.sslRootCert})`;
  return `${DEFAULT_ROOT_CERT} (libpq's default sslrootcert)`;
}

/** Reads a file named by a URL parameter; a missing or unreadable file is one sentence. */
function readParameterFile(file: string, parameter: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    const problem =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EACCES'
          ? 'is not readable'
          : code === 'EISDIR'
            ? 'is a folder'
            : `cannot be read (${messageOf(error)})`;
    throw new ConfigurationError(
      `The file ${file} named by ${parameter} in the database URL ${problem} on the runner: write it there in an earlier step, or fix ${parameter}.`,
    );
  }
}

/** node:tls, loaded only when a TLS option needs it: most runs never load it at all. */
function tlsModule(): typeof import('node:tls') {
  return process.getBuiltinModule('node:tls');
}

/**
 * The root certificates, as libpq finds them: `sslrootcert`, `system` for the system's trusted
 * roots, else ~/.postgresql/root.crt when it exists; undefined when there are none.
 */
function rootCertificates(target: ConnectionTarget): string | string[] | undefined {
  if (target.sslRootCert === 'system') {
    const system = tlsModule().getCACertificates('system');
    return system.length > 0 ? system : tlsModule().getCACertificates('default');
  }
  if (target.sslRootCert) return readParameterFile(target.sslRootCert, 'sslrootcert');
  if (existsSync(DEFAULT_ROOT_CERT)) return readParameterFile(DEFAULT_ROOT_CERT, 'sslrootcert');
  return undefined;
}

/**
 * node-pg's TLS options for an encrypted attempt, with libpq's meaning of `sslmode` (node-pg
 * alone treats `require` as verify-full): `allow`, `prefer` and `require` encrypt without
 * checking the certificate, unless there are root certificates, which are then checked (not the
 * host name) as libpq does; `verify-ca` checks that a trusted CA signed the certificate;
 * `verify-full` also that the certificate names the host of the URL.
 */
function tlsOptions(target: ConnectionTarget): ConnectionOptions {
  const ca = rootCertificates(target);
  const cert = target.sslCert ? readParameterFile(target.sslCert, 'sslcert') : undefined;
  const key = target.sslKey ? readParameterFile(target.sslKey, 'sslkey') : undefined;
  const verifying = target.sslMode === 'verify-ca' || target.sslMode === 'verify-full';
  if (verifying && !ca) {
    throw new ConfigurationError(
      `sslmode=${target.sslMode} verifies the server's certificate, but the database URL names no sslrootcert and ${DEFAULT_ROOT_CERT} does not exist: add sslrootcert=/path/to/ca.pem (the CA that signed the server's certificate${target.sslMode === 'verify-full' ? ', or sslrootcert=system for a publicly trusted one' : ''}), or use sslmode=require to encrypt without verifying it.`,
    );
  }
  if (!ca) return { cert, key, rejectUnauthorized: false };
  if (target.sslMode === 'verify-full') {
    // The host of the URL, also when it is an IP address (node-pg sends no SNI for those).
    return {
      ca,
      cert,
      key,
      rejectUnauthorized: true,
      checkServerIdentity: (_name, certificate) =>
        tlsModule().checkServerIdentity(target.host, certificate),
    };
  }
  return { ca, cert, key, rejectUnauthorized: true, checkServerIdentity: () => undefined };
}

/**
 * The TLS options of each connection attempt of one try, in order, as libpq makes them:
 * `disable` plain; `allow` plain, then encrypted; `prefer` encrypted, then plain; the others
 * encrypted only. libpq never uses TLS on a Unix-domain socket. Certificate files are read here,
 * so that a wrong path is reported even when the plain attempt would work.
 */
function attemptsFor(target: ConnectionTarget): Array<ConnectionOptions | false> {
  if (target.host.startsWith('/') || target.sslMode === 'disable') return [false];
  const encrypted = tlsOptions(target);
  if (target.sslMode === 'allow') return [false, encrypted];
  if (target.sslMode === 'prefer') return [encrypted, false];
  return [encrypted];
}

/** Whether pg_hba.conf refused the connection for its (lack of) encryption, and which. */
function refusedEncryption(error: unknown): 'encrypted' | 'unencrypted' | undefined {
  if ((error as { code?: string }).code !== '28000') return undefined;
  const message = messageOf(error);
  if (!/pg_hba\.conf/.test(message)) return undefined;
  if (/(SSL encryption|SSL on)$/.test(message)) return 'encrypted';
  if (/(no encryption|SSL off)$/.test(message)) return 'unencrypted';
  return undefined;
}

/** A failure of the TLS handshake or of the certificate check (not of the server). */
function isTlsFailure(error: unknown): boolean {
  const { code, library } = error as { code?: string; library?: string };
  return (
    library === 'SSL routines' ||
    /^ERR_(SSL|TLS)_/.test(code ?? '') ||
    CERTIFICATE_UNTRUSTED.has(code ?? '') ||
    CERTIFICATE_DATES.has(code ?? '')
  );
}

const CERTIFICATE_UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
]);
const CERTIFICATE_DATES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

/** Whether libpq would make the next attempt after `error`: see PQconnectPoll. */
function retries(target: ConnectionTarget, error: unknown): boolean {
  if (isTransient(error)) return false;
  // `prefer`: the server has no TLS, the handshake failed, or the server refused the encrypted
  // session; `allow`: the server refused the plain one.
  if (target.sslMode === 'prefer') {
    return (
      messageOf(error).includes(NO_SSL) || isTlsFailure(error) || error instanceof pg.DatabaseError
    );
  }
  return target.sslMode === 'allow' && error instanceof pg.DatabaseError;
}

function clientConfig(target: ConnectionTarget, ssl: ConnectionOptions | false, timeoutMs: number) {
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    ssl,
    application_name: APPLICATION_NAME,
    // Keepalives let the server notice a runner that vanished and free its lock.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    connectionTimeoutMillis: Math.max(1, timeoutMs),
  } satisfies pg.ClientConfig;
}

/** An open connection and the server's major version, from the startup ParameterStatus. */
export interface Database {
  client: pg.Client;
  serverMajor: number;
}

function open(config: pg.ClientConfig): { client: pg.Client; version: () => string } {
  const client = new pg.Client(config);
  let version = '';
  client.connection.on(
    'parameterStatus',
    (message: { parameterName: string; parameterValue: string }) => {
      if (message.parameterName === 'server_version') version = message.parameterValue;
    },
  );
  return { client, version: () => version };
}

async function attempt(target: ConnectionTarget, timeoutMs: number): Promise<Database> {
  const [first, second] = attemptsFor(target);
  try {
    return await openWith(target, first ?? false, timeoutMs);
  } catch (error) {
    if (second === undefined || !retries(target, error)) throw error;
    try {
      return await openWith(target, second, timeoutMs);
    } catch (again) {
      if (refusedEncryption(error) && refusedEncryption(again)) {
        throw new ConfigurationError(
          `PostgreSQL at ${target.host}:${target.port} refused both an encrypted and an unencrypted connection for user ${target.user ?? '(default)'} to database ${target.database ?? '(default)'} (${messageOf(error)}): check the user and database in the URL, or ask for a pg_hba.conf entry that lets the runner connect.`,
        );
      }
      // The retry's error, unless the retry was refused for its encryption or found no TLS:
      // then the first attempt's error is the one that says what is wrong.
      if (refusedEncryption(again) || messageOf(again).includes(NO_SSL)) throw error;
      throw again;
    }
  }
}

async function openWith(
  target: ConnectionTarget,
  ssl: ConnectionOptions | false,
  timeoutMs: number,
): Promise<Database> {
  const { client, version } = open(clientConfig(target, ssl, timeoutMs));
  await client.connect();
  return { client, serverMajor: Number.parseInt(version(), 10) };
}

/**
 * Opens the one connection of the run. While the server refuses, resets or says it is starting,
 * it tries again with a growing pause until `timeoutSeconds` have passed; any other error is
 * final and becomes one sentence.
 */
export function connect(
  target: ConnectionTarget,
  timeoutSeconds: number,
  log: (message: string) => void,
): Promise<Database> {
  const connecting = connectWithRetries(target, timeoutSeconds, log);
  // The caller may do other work (read the files) before it awaits the connection: an error that
  // comes first (an unreadable certificate file, a wrong password) must wait for it there, not
  // end the process as an unhandled rejection.
  connecting.catch(() => undefined);
  return connecting;
}

async function connectWithRetries(
  target: ConnectionTarget,
  timeoutSeconds: number,
  log: (message: string) => void,
): Promise<Database> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  let pause = 250;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt(target, deadline - Date.now());
    } catch (error) {
      if (error instanceof ConfigurationError) throw error;
      const remaining = deadline - Date.now();
      if (!isTransient(error) || remaining <= 0)
        throw connectionError(target, error, timeoutSeconds);
      if (tries === 1 || tries % 5 === 0) {
        log(
          `Waiting for ${target.host}:${target.port} to accept connections (${messageOf(error)}).`,
        );
      }
      await sleep(Math.min(pause, remaining));
      pause = Math.min(pause * 2, 2000);
    }
  }
}

function connectionError(target: ConnectionTarget, error: unknown, timeoutSeconds: number) {
  const code = (error as { code?: string }).code;
  const where = `${target.host}:${target.port}`;
  const message = messageOf(error);
  const tlsProblem = tlsError(target, error);
  if (tlsProblem) return tlsProblem;
  switch (code) {
    case '28P01':
      return new ConfigurationError(
        `PostgreSQL at ${where} rejected the password for user ${target.user ?? '(default)'}: check the user and password in the database URL.`,
      );
    case '3D000':
      return new ConfigurationError(
        `Database ${target.database ?? ''} does not exist on ${where}: create it, or fix the database name in the URL.`,
      );
    case '28000':
      return new ConfigurationError(
        `PostgreSQL at ${where} refused the connection (${message}): check the user, the database and sslmode in the URL.`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ConfigurationError(
        `The database host ${target.host} cannot be resolved: check the host name in the database URL.`,
      );
  }
  if (isTransient(error)) {
    return new ConfigurationError(
      `Could not connect to PostgreSQL at ${where} within ${timeoutSeconds} s (${message}): check the host and port, and that the server is running and reachable from the runner.`,
    );
  }
  return new ConfigurationError(
    `Could not connect to PostgreSQL at ${where} (${message}): check the database URL.`,
  );
}

/** The sentence for an error about encryption or the server's certificate, if it is one. */
function tlsError(target: ConnectionTarget, error: unknown): ConfigurationError | undefined {
  const { code, cert } = error as { code?: string; cert?: { subjectaltname?: string } };
  const where = `${target.host}:${target.port}`;
  const mode = `sslmode=${target.sslMode}`;
  const who = `user ${target.user ?? '(default)'} to database ${target.database ?? '(default)'}`;
  const message = messageOf(error);
  if (message.includes(NO_SSL)) {
    return new ConfigurationError(
      `PostgreSQL at ${where} does not accept encrypted (TLS) connections, but ${mode} asks for one: turn on ssl in the server's configuration, or set sslmode=prefer or sslmode=disable in the database URL if an unencrypted connection is acceptable.`,
    );
  }
  const refused = refusedEncryption(error);
  if (refused === 'unencrypted') {
    // With `allow` and `prefer`, an encrypted attempt was made too and found no TLS.
    const fix =
      target.sslMode === 'disable'
        ? 'set sslmode=require (or verify-ca or verify-full) in the database URL'
        : "turn on ssl in the server's configuration, or let the runner connect without encryption in pg_hba.conf";
    return new ConfigurationError(
      `PostgreSQL at ${where} refused an unencrypted connection for ${who}, because its pg_hba.conf requires TLS for it (${message}): ${fix}.`,
    );
  }
  if (refused === 'encrypted') {
    return new ConfigurationError(
      `PostgreSQL at ${where} refused an encrypted connection for ${who}, because its pg_hba.conf allows it only unencrypted connections (${message}): set sslmode=prefer or sslmode=disable in the database URL, or allow hostssl connections for it in pg_hba.conf.`,
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = cert?.subjectaltname ? ` (it names ${cert.subjectaltname})` : '';
    return new ConfigurationError(
      `The server certificate of PostgreSQL at ${where} does not name the host ${target.host}${names}: put a host name the certificate names in the database URL, or use sslmode=verify-ca to check only that a trusted CA signed it.`,
    );
  }
  if (code && CERTIFICATE_UNTRUSTED.has(code)) {
    const fix =
      target.sslRootCert === 'system'
        ? "set sslrootcert to the file of the CA that signed it instead (a hosted database's provider publishes it), or remove sslrootcert and use sslmode=require to encrypt without verifying the certificate"
        : target.sslMode === 'verify-ca' || target.sslMode === 'verify-full'
          ? "set sslrootcert to the file of the CA that signed it (a hosted database's provider publishes it), or use sslmode=require to encrypt without verifying the certificate"
          : "set sslrootcert to the file of the CA that signed it (a hosted database's provider publishes it), or remove sslrootcert to encrypt without verifying the certificate";
    return new ConfigurationError(
      `The server certificate of PostgreSQL at ${where} is not signed by a CA in ${rootsName(target)} (${code}): ${fix}.`,
    );
  }
  if (code && CERTIFICATE_DATES.has(code)) {
    return new ConfigurationError(
      `The server certificate of PostgreSQL at ${where} is not valid at this time (${code}): the server needs a current certificate, or use sslmode=require to encrypt without verifying it.`,
    );
  }
  if (isTlsFailure(error)) {
    return new ConfigurationError(
      `The TLS handshake with PostgreSQL at ${where} failed (${message}): check sslmode, sslcert and sslkey in the database URL, and the server's TLS settings.`,
    );
  }
  return undefined;
}

/**
 * Settings the action gives its own session, restored after each migration's RESET ALL. On 14+
 * the server checks during long statements that the runner is still there, so a vanished runner
 * does not keep its statement running and its lock held.
 */
export function sessionSettingsSql(serverMajor: number): string {
  return serverMajor >= 14 ? "SET client_connection_check_interval = '2s';" : '';
}

/**
 * Asks the server to cancel whatever the connection is running (the job was cancelled), with
 * the protocol's CancelRequest on a connection of its own, as psql does on Ctrl-C.
 */
export async function cancelRunning(target: ConnectionTarget, client: pg.Client): Promise<void> {
  const { processID, secretKey } = client as unknown as {
    processID: number | null;
    secretKey: number | null;
  };
  if (processID == null || secretKey == null) return;
  const { connect: open } = await import('node:net');
  const message = Buffer.alloc(16);
  message.writeInt32BE(16, 0);
  message.writeInt32BE(80877102, 4);
  message.writeInt32BE(processID, 8);
  message.writeInt32BE(secretKey, 12);
  await new Promise<void>((resolve) => {
    // A host that is a folder means a Unix-domain socket, as in libpq.
    const where = target.host.startsWith('/')
      ? { path: `${target.host}/.s.PGSQL.${target.port}` }
      : { host: target.host, port: target.port };
    const socket = open(where, () => socket.end(message));
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}
