// The targets of a fleet, from `database-urls`, `databases-query` or `schemas-query` (pure: never connects, never logs).
import { type ConnectionTarget, parseDatabaseUrl, secretsOf } from '../db/url.js';
import { ConfigurationError } from '../errors.js';

/** One database (or one schema of a database) the fleet migrates. */
export interface FleetTarget {
  /** Unique in the fleet: the key of the `targets` output and of the shard hash. */
  name: string;
  /** The URL to connect with; holds the password, so it is never logged. */
  url: string;
  target: ConnectionTarget;
  /** Every form of this target's password, to be registered with `core.setSecret` before any log. */
  secrets: string[];
  /** For `schemas-query`: the schema that holds this target's tracking table and search_path. */
  schema?: string;
}

/** Letters, digits, `.`, `_` and `-`, at most 63 characters (PostgreSQL's limit for a name). */
const NAME = /^[A-Za-z0-9._-]{1,63}$/;
/** A line `name=URL`: something without `:` or `/` before the first `=` (a bare URL has `://` first). */
const NAMED = /^([^:/=]*)=(.*)$/;
/** PostgreSQL truncates names to 63 bytes (NAMEDATALEN - 1). */
const MAX_NAME_BYTES = 63;

/** Replaces every secret in `text` with `***`, the longest first so no piece of one is left. */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let masked = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret) masked = masked.replaceAll(secret, '***');
  }
  return masked;
}

/** A lower-case start, so a parser's sentence can follow `Input database-urls, line 3: `. */
function continueSentence(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1);
}

/** The lines that are targets: not blank, not a comment (`#` as the first character after spaces). */
function targetLines(text: string): { number: number; line: string }[] {
  const lines: { number: number; line: string }[] = [];
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line && !line.startsWith('#')) lines.push({ number: index + 1, line });
  }
  return lines;
}

/** The name (when given) and URL of a line. */
function splitLine(line: string): { name?: string; url: string } {
  const named = NAMED.exec(line);
  if (!named) return { url: line };
  return { name: (named[1] ?? '').trim(), url: (named[2] ?? '').trim() };
}

/**
 * Every form of every password in a `database-urls` text, found without parsing any URL: register
 * these as secrets first, so no message written afterwards (also a parse error) can show one.
 */
export function secretsOfTargetList(text: string): string[] {
  const secrets = new Set<string>();
  for (const { line } of targetLines(text)) {
    for (const secret of secretsOf(splitLine(line).url)) secrets.add(secret);
  }
  return [...secrets];
}

/** `host:port`, the host lower-cased: with the database, it tells whether two lines are one database. */
function serverKey(target: ConnectionTarget): string {
  return `${target.host.toLowerCase()}:${target.port}`;
}

/**
 * Parses `database-urls`: one target per line, `URL` or `name=URL`. Blank lines and lines whose
 * first character (after spaces) is `#` are ignored; line numbers in errors count every line.
 * A bare URL is named after its database. Names are unique, and one database is listed once.
 * An error names the line by its number and never shows a password.
 */
export function parseTargetList(text: string): FleetTarget[] {
  const targets: FleetTarget[] = [];
  // What each name and each database was first seen as, for errors that name both lines.
  const names = new Map<string, { number: number; bare: boolean; server: string }>();
  const databases = new Map<string, number>();
  for (const { number, line } of targetLines(text)) {
    const where = `Input database-urls, line ${number}`;
    const { name: givenName, url } = splitLine(line);
    const secrets = secretsOf(url);
    if (givenName !== undefined && !NAME.test(givenName)) {
      // The name is not repeated: a line that is not what it seems may hold anything.
      throw new ConfigurationError(
        `${where}: the name before = may only hold letters, digits, ., _ and - (1 to 63 characters).`,
      );
    }
    let target: ConnectionTarget;
    try {
      target = parseDatabaseUrl(url);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ConfigurationError(`${where}: ${continueSentence(maskSecrets(message, secrets))}`);
    }
    const bare = givenName === undefined;
    let name = givenName;
    if (name === undefined) {
      if (!target.database) {
        throw new ConfigurationError(
          `${where}: the URL names no database, so give the target a name, as name=URL.`,
        );
      }
      if (!NAME.test(target.database)) {
        throw new ConfigurationError(
          `${where}: the database name is not a target name (letters, digits, ., _ and -, at most 63), so give the target a name, as name=URL.`,
        );
      }
      name = target.database;
    }
    const server = serverKey(target);
    const seen = names.get(name);
    if (seen) {
      const advice =
        seen.bare && bare && seen.server !== server
          ? `both name database ${name} on different servers: give each a name, as name=URL`
          : `both name the target ${name}: target names must be unique`;
      throw new ConfigurationError(
        `Input database-urls, lines ${seen.number} and ${number} ${advice}.`,
      );
    }
    names.set(name, { number, bare, server });
    // libpq's default database is the user's name: without either, the key is the server's.
    const databaseKey = `${server}/${target.database ?? target.user ?? ''}`;
    const same = databases.get(databaseKey);
    if (same !== undefined) {
      throw new ConfigurationError(
        `Input database-urls, lines ${same} and ${number} are the same database (${target.label}): list it once.`,
      );
    }
    databases.set(databaseKey, number);
    targets.push({ name, url, target, secrets });
  }
  if (targets.length === 0) {
    throw new ConfigurationError(
      'Input database-urls has no targets: give one URL or name=URL per line (blank lines and # comments are ignored).',
    );
  }
  return targets;
}

/** A name PostgreSQL can hold: not empty, no NUL, at most 63 bytes. Shown quoted and cut short. */
function checkReturnedName(input: string, kind: string, name: string | null): string {
  if (name === null || name === '') {
    throw new ConfigurationError(
      `Input ${input} returned an empty or NULL ${kind} name: each row must be the name of a ${kind}.`,
    );
  }
  const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
  if (name.includes('\0') || Buffer.byteLength(name) > MAX_NAME_BYTES) {
    throw new ConfigurationError(
      `Input ${input} returned ${shown}, which is not a ${kind} name PostgreSQL can hold (at most 63 bytes, no NUL).`,
    );
  }
  return shown;
}

function checkUnique(input: string, kind: string, names: readonly (string | null)[]): string[] {
  const seen = new Set<string>();
  for (const name of names) {
    const shown = checkReturnedName(input, kind, name);
    if (seen.has(name as string)) {
      throw new ConfigurationError(
        `Input ${input} returned the ${kind} name ${shown} twice: each ${kind} may be a target once.`,
      );
    }
    seen.add(name as string);
  }
  return [...seen];
}

/**
 * `baseUrl` with its database replaced by `database` (percent-encoded where it must be) and any
 * `dbname` query parameter dropped, so the path names the database. Everything else is kept as
 * written: user, password, host, port and the other parameters.
 */
function withDatabase(baseUrl: string, database: string): string {
  const scheme = /^(postgres|postgresql):\/\//i.exec(baseUrl);
  if (!scheme) {
    throw new ConfigurationError(
      'The database URL must start with postgres:// or postgresql://, for example postgres://user:password@host:5432/database.',
    );
  }
  const rest = baseUrl.slice(scheme[0].length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const after = authorityEnd === -1 ? '' : rest.slice(authorityEnd);
  const queryStart = after.indexOf('?');
  const query = queryStart === -1 ? '' : (after.slice(queryStart + 1).split('#')[0] ?? '');
  const kept = query.split('&').filter((part) => part !== '' && !part.startsWith('dbname='));
  const path = `/${encodeURIComponent(database)}`;
  return `${scheme[0]}${authority}${path}${kept.length > 0 ? `?${kept.join('&')}` : ''}`;
}

/**
 * For `databases-query`: one target per database name, on the server of `baseUrl` with the same
 * credentials, each named after its database. No names gives no targets: the caller decides
 * whether an empty fleet is an error.
 */
export function targetsOnServer(
  baseUrl: string,
  databaseNames: readonly (string | null)[],
): FleetTarget[] {
  const secrets = secretsOf(baseUrl);
  // Checks the base URL first, so its own errors are about it and not about a database name.
  parseDatabaseUrl(baseUrl);
  return checkUnique('databases-query', 'database', databaseNames).map((database) => {
    const url = withDatabase(baseUrl, database);
    const target = parseDatabaseUrl(url);
    if (target.database !== database) {
      // Cannot happen with encodeURIComponent; refusing beats migrating the wrong database.
      throw new ConfigurationError(
        `Input databases-query returned a database name that could not be put in the URL: ${JSON.stringify(database)}.`,
      );
    }
    return { name: database, url, target, secrets };
  });
}

/**
 * For `schemas-query`: one target per schema, all in the database of `baseUrl`, each named after
 * its schema and carrying it.
 */
export function schemaTargets(
  baseUrl: string,
  schemaNames: readonly (string | null)[],
): FleetTarget[] {
  const secrets = secretsOf(baseUrl);
  const base = parseDatabaseUrl(baseUrl);
  return checkUnique('schemas-query', 'schema', schemaNames).map((schema) => ({
    name: schema,
    url: baseUrl,
    target: { ...base, label: `${schema} in ${base.label}`, searchPath: schema },
    secrets,
    schema,
  }));
}
