import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import type { ConnectionTarget } from './connection.js';
import { ConfigurationError, messageOf } from './errors.js';

export const APPLICATION_NAME = 'agoat/migrate-action';

// Errors worth waiting out: the server is not up yet (a service container still starting) or the
// network dropped the attempt. Authentication and configuration errors are final.
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', '57P03', 'ETIMEDOUT']);
const NO_SSL = 'The server does not support SSL connections';

function isTransient(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  if (code && TRANSIENT_CODES.has(code)) return true;
  return /Connection terminated unexpectedly|timeout expired/i.test(messageOf(error));
}

/** node-pg's TLS options for libpq's `sslmode` (node-pg alone treats `require` as verify-full). */
function tlsOptions(target: ConnectionTarget): ConnectionOptions | false {
  const ca = target.sslRootCert ? readFileSync(target.sslRootCert, 'utf8') : undefined;
  const cert = target.sslCert ? readFileSync(target.sslCert, 'utf8') : undefined;
  const key = target.sslKey ? readFileSync(target.sslKey, 'utf8') : undefined;
  switch (target.sslMode) {
    case 'disable':
    case 'allow':
      return false;
    case 'prefer':
      return { rejectUnauthorized: false, cert, key };
    case 'require':
      // As in libpq, a root certificate given with `require` asks for verify-ca.
      return ca
        ? { ca, cert, key, rejectUnauthorized: true, checkServerIdentity: () => undefined }
        : { rejectUnauthorized: false, cert, key };
    case 'verify-ca':
      return { ca, cert, key, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ca, cert, key, rejectUnauthorized: true, servername: target.host };
  }
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
  let ssl: ConnectionOptions | false;
  try {
    ssl = tlsOptions(target);
  } catch (error) {
    throw new ConfigurationError(
      `A certificate file named in the database URL cannot be read (${messageOf(error)}): check sslrootcert, sslcert and sslkey.`,
    );
  }
  const first = open(clientConfig(target, ssl, timeoutMs));
  try {
    await first.client.connect();
    return { client: first.client, serverMajor: Number.parseInt(first.version(), 10) };
  } catch (error) {
    // `prefer` (the default) falls back to a plain connection when the server has no TLS, and
    // `allow` to TLS when the server insists on it, as libpq does.
    const retryPlain = target.sslMode === 'prefer' && messageOf(error).includes(NO_SSL);
    const retryTls =
      target.sslMode === 'allow' &&
      /no encryption|SSL/i.test(messageOf(error)) &&
      !isTransient(error);
    if (!retryPlain && !retryTls) throw error;
    const second = open(
      clientConfig(target, retryPlain ? false : { rejectUnauthorized: false }, timeoutMs),
    );
    await second.client.connect();
    return { client: second.client, serverMajor: Number.parseInt(second.version(), 10) };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Opens the one connection of the run. While the server refuses, resets or says it is starting,
 * it tries again with a growing pause until `timeoutSeconds` have passed; any other error is
 * final and becomes one sentence.
 */
export async function connect(
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
