// The fleet's inputs checked and typed, from the raw strings (pure: never reads an input itself, never logs).
import { ConfigurationError } from '../errors.js';
import { parseShard, type Shard } from './shard.js';
import type { FailurePolicy } from './waves.js';

/** The defaults of action.yml, applied to an empty value as the runner would. */
export const FLEET_DEFAULTS = {
  concurrency: '4',
  canary: '1',
  'on-target-failure': 'stop',
} as const;

function wholeNumber(name: string, raw: string, min: number): number {
  const value = raw.trim();
  const number = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= min)) {
    throw new ConfigurationError(
      `Input ${name} is "${value}", but it must be a whole number of ${min} or more.`,
    );
  }
  return number;
}

/** `concurrency`: targets migrated at the same time, 1 or more (empty: 4). */
export function parseConcurrency(raw: string): number {
  return wholeNumber('concurrency', raw.trim() || FLEET_DEFAULTS.concurrency, 1);
}

/** `canary`: targets migrated first, one at a time and alone, 0 or more (empty: 1). */
export function parseCanary(raw: string): number {
  return wholeNumber('canary', raw.trim() || FLEET_DEFAULTS.canary, 0);
}

/** `on-target-failure`: `stop` or `continue` (empty: stop). */
export function parseOnTargetFailure(raw: string): FailurePolicy {
  const value = raw.trim() || FLEET_DEFAULTS['on-target-failure'];
  if (value !== 'stop' && value !== 'continue') {
    throw new ConfigurationError(
      `Input on-target-failure is "${value}", but it must be one of: stop, continue.`,
    );
  }
  return value;
}

/** `shard`: none when empty, else `i/n` counted from 1 (see `Shard`). */
export function parseShardInput(raw: string): Shard | undefined {
  const value = raw.trim();
  return value ? parseShard(value) : undefined;
}

/** Where the targets come from, decided from which inputs were given. */
export type TargetSource =
  | { kind: 'single'; databaseUrl: string }
  | { kind: 'list'; databaseUrls: string }
  | { kind: 'databases-query'; databaseUrl: string; query: string }
  | { kind: 'schemas-query'; databaseUrl: string; query: string };

export interface TargetInputs {
  /** The `database-url` input as given. */
  databaseUrl: string;
  /** The DATABASE_URL or DSN environment variable, used when `database-url` is empty. */
  fallbackUrl?: string;
  databaseUrls: string;
  databasesQuery: string;
  schemasQuery: string;
}

/**
 * Which of `database-url`, `database-urls`, `databases-query` and `schemas-query` say where the
 * targets are: `database-urls` replaces `database-url`, and giving both is an error; each query
 * runs on `database-url`, which it then needs; the two queries exclude each other. An empty
 * `database-url` falls back to `fallbackUrl` (DATABASE_URL or DSN), which does not count as
 * giving it: a job-wide DATABASE_URL does not conflict with `database-urls`. An empty result for a
 * single database is left to the caller's error. No message repeats a URL.
 */
export function targetSource(inputs: TargetInputs): TargetSource {
  const databaseUrl = inputs.databaseUrl.trim();
  const orFallback = databaseUrl || (inputs.fallbackUrl ?? '').trim();
  const databaseUrls = inputs.databaseUrls.trim();
  const databasesQuery = inputs.databasesQuery.trim();
  const schemasQuery = inputs.schemasQuery.trim();
  if (databaseUrls) {
    if (databaseUrl) {
      throw new ConfigurationError(
        'Inputs database-url and database-urls are both given, but only one may be: put every target in database-urls, one per line.',
      );
    }
    if (databasesQuery || schemasQuery) {
      const query = databasesQuery ? 'databases-query' : 'schemas-query';
      throw new ConfigurationError(
        `Inputs database-urls and ${query} are both given, but only one may be: ${query} runs on database-url and makes the targets itself.`,
      );
    }
    return { kind: 'list', databaseUrls };
  }
  if (databasesQuery && schemasQuery) {
    throw new ConfigurationError(
      'Inputs databases-query and schemas-query are both given, but only one may be: a fleet is either databases on one server or schemas in one database.',
    );
  }
  const query = databasesQuery || schemasQuery;
  if (query) {
    const kind = databasesQuery ? 'databases-query' : 'schemas-query';
    if (!orFallback) {
      throw new ConfigurationError(
        `Input ${kind} is given, but database-url is not: the query runs on database-url, so give it too.`,
      );
    }
    return { kind, databaseUrl: orFallback, query };
  }
  return { kind: 'single', databaseUrl: orFallback };
}
