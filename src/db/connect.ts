// Opens the run's one connection: libpq's sslmode attempts, retries while the server is starting.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { ConfigurationError, messageOf } from '../errors.js';
import { connectionError, isTransient } from './connect-errors.js';
import { APPLICATION_NAME } from './session.js';
import { attemptsFor, isTlsFailure, NO_SSL, refusedEncryption } from './tls.js';
import type { ConnectionTarget } from './url.js';

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

/**
 * `-c search_path=<schema>` for the startup packet's options: the schema quoted as an identifier,
 * then spaces and backslashes escaped with a backslash, as the server splits the options string.
 */
export function searchPathOption(schema: string): string {
  const quoted = `"${schema.replaceAll('"', '""')}"`;
  return `-c search_path=${quoted.replace(/[\\ ]/g, (c) => `\\${c}`)}`;
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
    ...(target.searchPath !== undefined && { options: searchPathOption(target.searchPath) }),
  } satisfies pg.ClientConfig;
}

/** An open connection and the server's major version, from the startup ParameterStatus. */
export interface Database {
  client: pg.Client;
  serverMajor: number;
  /** server_version as the server reports it at startup, e.g. `18.4` or `16.2 (Debian 16.2-1)`. */
  serverVersion: string;
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

/**
 * Servers (`host:port`) that answered a TLS request with "no TLS here": under `prefer`, later
 * connections to them go straight to the plain attempt. libpq continues on the same socket after
 * that answer; pg closes it, so without this every connection of a fleet to such a server would
 * start a server process only to be told no (measured: 16-19 % of a fleet step over 300 databases).
 */
const withoutTls = new Set<string>();

async function attempt(target: ConnectionTarget, timeoutMs: number): Promise<Database> {
  const server = `${target.host}:${target.port}`;
  const planned = attemptsFor(target);
  const [first, second] =
    target.sslMode === 'prefer' && withoutTls.has(server) ? [false as const] : planned;
  try {
    return await openWith(target, first ?? false, timeoutMs);
  } catch (error) {
    if (target.sslMode === 'prefer' && messageOf(error).includes(NO_SSL)) withoutTls.add(server);
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
  return { client, serverMajor: Number.parseInt(version(), 10), serverVersion: version() };
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
