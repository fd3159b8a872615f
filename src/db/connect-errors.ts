// The one sentence for each way a connection can fail, and which failures are worth waiting out. Pure.
import { ConfigurationError, messageOf } from '../errors.js';
import {
  CERTIFICATE_DATES,
  CERTIFICATE_UNTRUSTED,
  isTlsFailure,
  NO_SSL,
  refusedEncryption,
  rootsName,
} from './tls.js';
import type { ConnectionTarget } from './url.js';

// Errors worth waiting out: the server is not up yet (a service container still starting) or the
// network dropped the attempt. Authentication and configuration errors are final.
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', '57P03', 'ETIMEDOUT']);

export function isTransient(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  if (code && TRANSIENT_CODES.has(code)) return true;
  return /Connection terminated unexpectedly|timeout expired/i.test(messageOf(error));
}

export function connectionError(target: ConnectionTarget, error: unknown, timeoutSeconds: number) {
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
