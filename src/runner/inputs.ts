// Reads every input of action.yml once, checks it, and types it: the only reader of INPUT_* variables.
import * as path from 'node:path';
import { type ConnectionTarget, parseDatabaseUrl, secretsOf } from '../db/url.js';
import { ConfigurationError } from '../errors.js';
import { LAYOUT_IDS } from '../files/layouts/model.js';
import {
  parseCanary,
  parseConcurrency,
  parseOnTargetFailure,
  parseShardInput,
  type TargetSource,
  targetSource,
} from '../fleet/inputs.js';
import type { Shard } from '../fleet/shard.js';
import { type FleetTarget, parseTargetList, secretsOfTargetList } from '../fleet/targets.js';
import type { FailurePolicy } from '../fleet/waves.js';
import * as core from './toolkit.js';

/** The `layout` input's values: `auto`, the plain layout, or another tool's. */
export const LAYOUTS = ['auto', ...LAYOUT_IDS] as const;
/** The `import-history` input's values: `auto`, `none`, or the tool whose table to read. */
export const HISTORY_TOOLS = ['auto', 'none', ...LAYOUT_IDS.filter((l) => l !== 'plain')] as const;

export type Command = 'migrate' | 'validate' | 'baseline' | 'repair' | 'rollback';
export type TransactionMode = 'per-migration' | 'all';

/** Every input of action.yml, read once, checked and typed. Nothing else calls `core.getInput`. */
export interface Settings {
  target: ConnectionTarget;
  /** Absolute path of the migrations folder. */
  migrationsDir: string;
  /** The folder as annotations need it: relative to the workspace. */
  migrationsDirForAnnotations: string;
  command: Command;
  dryRun: boolean;
  rehearse: boolean;
  onDrift: 'fail' | 'warn';
  allowOutOfOrder: boolean;
  schema: string;
  table: string;
  /**
   * As written: read in the folder's layout once it is known (files/keys.ts readVersionInput), so
   * Flyway's `1.7` is a version too.
   */
  baselineVersion?: string;
  /** migrate: apply up to and including it; rollback (required): roll back every migration above it. As written. */
  toVersion?: string;
  /** rollback: run down SQL that drops a table, column or schema or truncates. */
  allowDataLoss: boolean;
  transaction: TransactionMode;
  lockWaitTimeoutSeconds: number;
  lockTimeout?: string;
  lockRetries: number;
  statementTimeout?: string;
  connectTimeoutSeconds: number;
  prComment: boolean;
  /** The safety review of a dry run's pending migrations. */
  safety: 'warn' | 'fail' | 'off';
  githubToken: string;
  eventName: string;
  /** How the migrations folder is laid out (`auto`: recognised from its names). */
  layout: (typeof LAYOUTS)[number];
  /** Whose history to import into an empty tracking table (`auto`: look for each tool's table). */
  importHistory: (typeof HISTORY_TOOLS)[number];
  /** Leave Go migrations (goose) out as skipped instead of stopping the run. */
  skipGoMigrations: boolean;
  /** Many databases in one step: set when `database-urls`, `databases-query` or `schemas-query` is. */
  fleet?: FleetSettings;
}

/** The fleet's inputs. `Settings.target` is then the server the query runs on, or the first target. */
export interface FleetSettings {
  source: Exclude<TargetSource, { kind: 'single' }>;
  /** The targets of `database-urls`, parsed; the queries' targets are known only once they ran. */
  targets?: FleetTarget[];
  concurrency: number;
  canary: number;
  onTargetFailure: FailurePolicy;
  shard?: Shard;
}

// Defaults of action.yml, repeated here because `node dist/index.js` run by hand gets no defaults
// from a runner.
const DEFAULTS: Record<string, string> = {
  'migrations-dir': 'migrations',
  command: 'migrate',
  'dry-run': 'auto',
  rehearse: 'false',
  'on-drift': 'fail',
  'allow-out-of-order': 'false',
  schema: 'public',
  table: 'schema_migrations',
  transaction: 'per-migration',
  'lock-wait-timeout': '600',
  'lock-retries': '0',
  'connect-timeout': '30',
  'pr-comment': 'false',
  safety: 'warn',
  'allow-data-loss': 'false',
  layout: 'auto',
  'import-history': 'auto',
  'skip-go-migrations': 'false',
};

const DRY_RUN_EVENTS = new Set(['pull_request', 'pull_request_target', 'merge_group']);

function input(name: string): string {
  return core.getInput(name) || DEFAULTS[name] || '';
}

function oneOf<T extends string>(name: string, allowed: readonly T[]): T {
  const value = input(name);
  if (!allowed.includes(value as T)) {
    throw new ConfigurationError(
      `Input ${name} is "${value}", but it must be one of: ${allowed.join(', ')}.`,
    );
  }
  return value as T;
}

/** `core.getBooleanInput`'s rule (YAML 1.2 core schema), with a sentence that names the input. */
function boolean(name: string, alternatives = ''): boolean {
  const value = input(name);
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new ConfigurationError(
    `Input ${name} is "${value}", but it must be ${alternatives}true or false.`,
  );
}

function wholeNumber(name: string, { min }: { min: number }): number {
  const value = input(name);
  const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(number >= min) || !Number.isSafeInteger(number)) {
    const kind = min > 0 ? 'a positive whole number' : 'a whole number (0 or more)';
    throw new ConfigurationError(`Input ${name} is "${value}", but it must be ${kind}.`);
  }
  return number;
}

/** A PostgreSQL duration such as `5s`, `500ms`, `1min` or a plain number of milliseconds. */
function duration(name: string): string | undefined {
  const value = input(name);
  if (!value) return undefined;
  if (!/^\d+(\.\d+)?\s*(us|ms|s|min|h|d)?$/.test(value)) {
    throw new ConfigurationError(
      `Input ${name} is "${value}", but it must be a PostgreSQL duration such as 5s, 500ms or 2min.`,
    );
  }
  return value;
}

/**
 * A name PostgreSQL accepts unquoted: letters, digits and `_`, at most 63 bytes, folded to lower
 * case as PostgreSQL folds an unquoted name. The action quotes the name in its SQL, so without the
 * fold `schema: Ops` would create a second tracking table `"Ops"` beside `ops`, and every
 * migration would be applied again.
 */
function identifier(name: string): string {
  const value = input(name);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value) || value.length > 63) {
    throw new ConfigurationError(
      `Input ${name} is "${value}", but it must be a plain identifier: letters, digits and _, not starting with a digit, at most 63 characters.`,
    );
  }
  return value.toLowerCase();
}

/**
 * The sentence for a run without a URL. The usual cause on a pull request is a fork: GitHub passes
 * no secrets to its workflows, so the step must be skipped there rather than fail.
 */
export const MISSING_URL =
  'No database URL was given: set the database-url input (or the DATABASE_URL or DSN environment variable), and on pull requests from forks, which get no secrets, skip this step with if: github.event.pull_request.head.repo.fork != true.';

/**
 * A migration version input such as `to-version`, as written: digits, with the `.`, `_` or `-`
 * of Flyway's and diesel's versions. The folder's layout reads it exactly once the folder is read.
 */
function versionInput(name: string): string | undefined {
  const value = input(name);
  if (!value) return undefined;
  if (!/^\d[\d._-]*$/.test(value)) {
    throw new ConfigurationError(
      `Input ${name} is "${value}", but it must be a migration version such as 3 (or 1.7 for Flyway).`,
    );
  }
  return value;
}

function databaseUrl(): string {
  const url = core.getInput('database-url') || process.env.DATABASE_URL || process.env.DSN || '';
  if (!url) {
    throw new ConfigurationError(MISSING_URL);
  }
  return url;
}

/**
 * Reads and checks every input. The database URL comes first so that its password is registered
 * as a secret before any other message can be written.
 */
export function getSettings(): Settings {
  const { fleet, url } = fleetSettings();
  // The runner masks github.token itself; a token passed any other way is masked here.
  const githubToken = core.getInput('github-token');
  if (githubToken) core.setSecret(githubToken);
  const target = fleet?.targets?.[0]?.target ?? parseDatabaseUrl(url);

  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const migrationsDirInput = input('migrations-dir');
  const migrationsDir = path.resolve(workspace, migrationsDirInput);
  const command = oneOf('command', [
    'migrate',
    'validate',
    'baseline',
    'repair',
    'rollback',
  ] as const);
  const eventName = process.env.GITHUB_EVENT_NAME ?? '';
  const dryRun =
    input('dry-run') === 'auto' ? DRY_RUN_EVENTS.has(eventName) : boolean('dry-run', 'auto, ');

  const baselineVersion = versionInput('baseline-version');
  const toVersion = versionInput('to-version');
  if (command === 'rollback' && toVersion === undefined) {
    throw new ConfigurationError(
      'command: rollback needs to-version, the version to roll back to (every applied migration above it is rolled back; 0 rolls back all): set to-version.',
    );
  }

  const rehearse = boolean('rehearse');
  // A rehearsal executes the pull request's SQL; on pull_request_target it would run with the
  // base repository's secrets and write token.
  if (rehearse && dryRun && eventName === 'pull_request_target') {
    throw new ConfigurationError(
      "rehearse: true is refused on pull_request_target events, where a pull request's SQL would run with the repository's secrets: rehearse on pull_request instead.",
    );
  }

  return {
    target,
    migrationsDir,
    migrationsDirForAnnotations: path.relative(workspace, migrationsDir) || '.',
    command,
    dryRun,
    rehearse,
    onDrift: oneOf('on-drift', ['fail', 'warn'] as const),
    allowOutOfOrder: boolean('allow-out-of-order'),
    schema: identifier('schema'),
    table: identifier('table'),
    baselineVersion,
    toVersion,
    allowDataLoss: boolean('allow-data-loss'),
    transaction: oneOf('transaction', ['per-migration', 'all'] as const),
    lockWaitTimeoutSeconds: wholeNumber('lock-wait-timeout', { min: 0 }),
    lockTimeout: duration('lock-timeout'),
    lockRetries: wholeNumber('lock-retries', { min: 0 }),
    statementTimeout: duration('statement-timeout'),
    connectTimeoutSeconds: wholeNumber('connect-timeout', { min: 1 }),
    prComment: boolean('pr-comment'),
    safety: oneOf('safety', ['warn', 'fail', 'off'] as const),
    githubToken,
    eventName,
    layout: oneOf('layout', LAYOUTS),
    importHistory: oneOf('import-history', HISTORY_TOOLS),
    skipGoMigrations: boolean('skip-go-migrations'),
    ...(fleet && { fleet }),
  };
}

/**
 * Which inputs name the targets, with every password registered as a secret before anything is
 * parsed, so no message (a parse error included) can show one. `url` is `database-url` (or its
 * fallback), empty for `database-urls`.
 */
function fleetSettings(): { fleet?: FleetSettings; url: string } {
  const databaseUrls = core.getInput('database-urls');
  for (const secret of secretsOfTargetList(databaseUrls)) core.setSecret(secret);
  const given = core.getInput('database-url');
  const fallbackUrl = process.env.DATABASE_URL || process.env.DSN || '';
  for (const secret of secretsOf(given || fallbackUrl)) core.setSecret(secret);
  const source = targetSource({
    databaseUrl: given,
    fallbackUrl,
    databaseUrls,
    databasesQuery: core.getInput('databases-query'),
    schemasQuery: core.getInput('schemas-query'),
  });
  if (source.kind === 'single') return { url: databaseUrl() };
  const fleet: FleetSettings = {
    source,
    concurrency: parseConcurrency(core.getInput('concurrency')),
    canary: parseCanary(core.getInput('canary')),
    onTargetFailure: parseOnTargetFailure(core.getInput('on-target-failure')),
    shard: parseShardInput(core.getInput('shard')),
  };
  if (source.kind === 'list') {
    return { fleet: { ...fleet, targets: parseTargetList(source.databaseUrls) }, url: '' };
  }
  return { fleet, url: source.databaseUrl };
}
