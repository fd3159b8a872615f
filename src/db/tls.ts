// TLS as libpq does it: sslmode's attempts, root certificates, and which failures are the handshake's.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import * as path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { ConfigurationError, messageOf } from '../errors.js';
import type { ConnectionTarget } from './url.js';

// node-pg's words when the server answers the SSLRequest with 'N'.
export const NO_SSL = 'The server does not support SSL connections';

/** libpq's root certificate when the URL names none. */
export const DEFAULT_ROOT_CERT = path.join(homedir(), '.postgresql', 'root.crt');

/** What the messages call the root certificates in use. */
export function rootsName(target: ConnectionTarget): string {
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
export function attemptsFor(target: ConnectionTarget): Array<ConnectionOptions | false> {
  if (target.host.startsWith('/') || target.sslMode === 'disable') return [false];
  const encrypted = tlsOptions(target);
  if (target.sslMode === 'allow') return [false, encrypted];
  if (target.sslMode === 'prefer') return [encrypted, false];
  return [encrypted];
}

/** Whether pg_hba.conf refused the connection for its (lack of) encryption, and which. */
export function refusedEncryption(error: unknown): 'encrypted' | 'unencrypted' | undefined {
  if ((error as { code?: string }).code !== '28000') return undefined;
  const message = messageOf(error);
  if (!/pg_hba\.conf/.test(message)) return undefined;
  if (/(SSL encryption|SSL on)$/.test(message)) return 'encrypted';
  if (/(no encryption|SSL off)$/.test(message)) return 'unencrypted';
  return undefined;
}

/** A failure of the TLS handshake or of the certificate check (not of the server). */
export function isTlsFailure(error: unknown): boolean {
  const { code, library } = error as { code?: string; library?: string };
  return (
    library === 'SSL routines' ||
    /^ERR_(SSL|TLS)_/.test(code ?? '') ||
    CERTIFICATE_UNTRUSTED.has(code ?? '') ||
    CERTIFICATE_DATES.has(code ?? '')
  );
}

export const CERTIFICATE_UNTRUSTED = new Set([
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
export const CERTIFICATE_DATES = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
