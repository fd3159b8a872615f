// Parses and checks the database URL as libpq reads it; names its secrets. Pure.
import { ConfigurationError } from '../errors.js';

/** How the client should use TLS, with libpq's meanings of `sslmode`. */
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

/** Everything needed to open a connection, parsed from a PostgreSQL URI. */
export interface ConnectionTarget {
  host: string;
  port: number;
  user?: string;
  password?: string;
  database?: string;
  sslMode: SslMode;
  sslRootCert?: string;
  sslCert?: string;
  sslKey?: string;
  /** `database on host`: what the summary and log call the target; never user or password. */
  label: string;
  /** Query parameters the action does not understand, for a warning. */
  ignoredParameters: string[];
  /**
   * A schema for the session's search_path, sent in the startup packet (a `schemas-query`
   * target): a value from the startup packet is the session's default, so it survives the
   * RESET ALL after each migration.
   */
  searchPath?: string;
}

const SSL_MODES: readonly SslMode[] = [
  'disable',
  'allow',
  'prefer',
  'require',
  'verify-ca',
  'verify-full',
];

// libpq URI parameters the action honours; the others are reported and ignored.
const KNOWN_PARAMETERS = new Set([
  'host',
  'port',
  'user',
  'password',
  'dbname',
  'sslmode',
  'sslrootcert',
  'sslcert',
  'sslkey',
  'application_name',
  'connect_timeout',
]);

function decode(part: string, what: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ConfigurationError(
      `The database URL's ${what} is not valid percent-encoding: encode special characters (for example @ as %40) and try again.`,
    );
  }
}

/**
 * Returns every form of the password as it may appear in text, so that all are masked: the raw
 * text from the URL, the decoded password, and its re-encoded form.
 */
function secretForms(raw: string, decoded: string): string[] {
  const forms = new Set([raw, decoded, encodeURIComponent(decoded)]);
  return [...forms].filter((form) => form.length > 0);
}

/**
 * Every form of the URL's password that could reach a log, found without parsing the URL, so
 * that the forms can be masked before any error about the URL is written: the text between the
 * user's ':' and the '@' (also when an unencoded '/', '?' or '#' would end the authority early),
 * decoded and re-encoded, and a `password=` query parameter.
 */
export function secretsOf(url: string): string[] {
  const rest = url.replace(/^[a-z]+:\/\//i, '');
  const secrets: string[] = [];
  const authority = rest.split(/[/?#]/)[0] ?? '';
  for (const end of [authority.lastIndexOf('@'), rest.lastIndexOf('@')]) {
    const colon = rest.indexOf(':');
    if (end === -1 || colon === -1 || colon > end) continue;
    const raw = rest.slice(colon + 1, end);
    secrets.push(...secretForms(raw, safeDecode(raw)));
  }
  for (const match of url.matchAll(/[?&]password=([^&#]*)/g)) {
    const raw = match[1] ?? '';
    const decoded = safeDecode(raw.replaceAll('+', ' '));
    secrets.push(...secretForms(raw, decoded));
  }
  return [...new Set(secrets)];
}

/**
 * Parses a `postgres://` or `postgresql://` URI the way libpq does for the parts the action uses.
 * Call `secretsOf` first: this throws on a malformed URL.
 */
export function parseDatabaseUrl(url: string): ConnectionTarget {
  const scheme = /^(postgres|postgresql):\/\//i.exec(url);
  if (!scheme) {
    throw new ConfigurationError(
      'The database URL must start with postgres:// or postgresql://, for example postgres://user:password@host:5432/database.',
    );
  }
  const rest = url.slice(scheme[0].length);
  const authorityEnd = rest.search(/[/?#]/);
  // An '@' after the host part, before any query parameter, means a password (or user name) with
  // an unencoded '/', '?' or '#': refuse it rather than read a piece of the password as a host,
  // port or database name that could then be shown.
  const lastAt = rest.lastIndexOf('@');
  if (
    authorityEnd !== -1 &&
    lastAt > authorityEnd &&
    !rest.slice(authorityEnd, lastAt).includes('=')
  ) {
    throw new ConfigurationError(
      "The database URL's password or user name contains an unencoded /, ? or #: percent-encode it (/ as %2F, ? as %3F, # as %23, @ as %40).",
    );
  }
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const at = authority.lastIndexOf('@');
  const userInfo = at === -1 ? '' : authority.slice(0, at);
  const hostPart = at === -1 ? authority : authority.slice(at + 1);
  const colon = userInfo.indexOf(':');
  const rawUser = colon === -1 ? userInfo : userInfo.slice(0, colon);
  const rawPassword = colon === -1 ? '' : userInfo.slice(colon + 1);
  const afterAuthority = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
  const queryStart = afterAuthority.indexOf('?');
  const pathPart = queryStart === -1 ? afterAuthority : afterAuthority.slice(0, queryStart);
  const query = queryStart === -1 ? '' : afterAuthority.slice(queryStart + 1).split('#')[0];
  const params = new URLSearchParams(query);

  let { host, port } = splitHostPort(hostPart);
  const database = pathPart.startsWith('/') ? decode(pathPart.slice(1), 'database name') : '';
  let user = rawUser ? decode(rawUser, 'user name') : undefined;
  let password = rawPassword ? decode(rawPassword, 'password') : undefined;
  let dbname = database || undefined;

  const ignoredParameters: string[] = [];
  for (const [key, value] of params) {
    if (!KNOWN_PARAMETERS.has(key)) {
      // Only a plain name is repeated in the warning: anything else may be a piece of a secret.
      ignoredParameters.push(
        /^[a-z_]{1,40}$/i.test(key) ? key : '(a parameter that is not a name)',
      );
    } else if (key === 'host') host = value;
    else if (key === 'port') port = parsePort(value);
    else if (key === 'user') user = value;
    else if (key === 'password') password = value;
    else if (key === 'dbname') dbname = value;
  }

  // As in libpq 16+, sslrootcert=system (the system's trusted roots) makes verify-full the
  // default and refuses weaker modes: anyone can get a publicly trusted certificate for a name.
  const sslRootCert = params.get('sslrootcert') || undefined;
  const sslModeText =
    params.get('sslmode') ?? (sslRootCert === 'system' ? 'verify-full' : 'prefer');
  if (!SSL_MODES.includes(sslModeText as SslMode)) {
    throw new ConfigurationError(
      `The database URL's sslmode "${sslModeText}" is not one of ${SSL_MODES.join(', ')}.`,
    );
  }
  if (sslRootCert === 'system' && sslModeText !== 'verify-full') {
    throw new ConfigurationError(
      `The database URL's sslmode=${sslModeText} may not be used with sslrootcert=system, since any publicly trusted certificate would pass: use sslmode=verify-full, as libpq requires.`,
    );
  }
  if (host?.includes(',')) {
    throw new ConfigurationError(
      'The database URL names several hosts; give the one primary server to migrate.',
    );
  }
  const effectiveHost = host || 'localhost';
  return {
    host: effectiveHost,
    port: port ?? 5432,
    user,
    password,
    database: dbname,
    sslMode: sslModeText as SslMode,
    sslRootCert,
    sslCert: params.get('sslcert') ?? undefined,
    sslKey: params.get('sslkey') ?? undefined,
    // libpq's default database is named after the user; the label never shows the user.
    label: `${dbname ?? 'the default database'} on ${effectiveHost}`,
    ignoredParameters,
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function splitHostPort(hostPart: string): { host: string; port?: number } {
  if (hostPart.includes(',')) {
    throw new ConfigurationError(
      'The database URL names several hosts; give the one primary server to migrate.',
    );
  }
  // [::1]:5432
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(hostPart);
  if (bracketed) {
    const port = bracketed[2] ? parsePort(bracketed[2]) : undefined;
    return { host: bracketed[1] ?? '', port };
  }
  const colon = hostPart.lastIndexOf(':');
  if (colon === -1) return { host: decode(hostPart, 'host') };
  const port = hostPart.slice(colon + 1);
  return {
    host: decode(hostPart.slice(0, colon), 'host'),
    port: port ? parsePort(port) : undefined,
  };
}

function parsePort(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 1 && port <= 65535)) {
    throw new ConfigurationError(
      `The database URL's port "${text}" is not a number from 1 to 65535.`,
    );
  }
  return port;
}
