import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { ConfigurationError } from '../../../src/errors.js';
import { getSettings } from '../../../src/runner/inputs.js';

const URL = 'postgres://alice:s3cret@db.example.com:5432/app';
const WORKSPACE = path.resolve('/tmp/unit-workspace');

let savedEnv: NodeJS.ProcessEnv;
let stdout: MockInstance<typeof process.stdout.write>;
let written: string[];

/** Sets inputs the way the runner does: `INPUT_` and the upper-cased name, dashes kept. */
function setInputs(inputs: Record<string, string>): void {
  for (const [name, value] of Object.entries(inputs)) {
    process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }
}

/** The error getSettings throws with these inputs. */
function errorWith(inputs: Record<string, string>): Error {
  setInputs(inputs);
  try {
    getSettings();
  } catch (error) {
    return error as Error;
  }
  throw new Error(`accepted ${JSON.stringify(inputs)}`);
}

beforeEach(() => {
  savedEnv = { ...process.env };
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('INPUT_') || key.startsWith('GITHUB_')) delete process.env[key];
  }
  delete process.env.DATABASE_URL;
  delete process.env.DSN;
  process.env.GITHUB_WORKSPACE = WORKSPACE;
  process.env['INPUT_DATABASE-URL'] = URL;
  written = [];
  // core.setSecret writes ::add-mask:: commands to stdout: record them instead of printing.
  stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  stdout.mockRestore();
  for (const key of Object.keys(process.env)) {
    if (!(key in savedEnv)) delete process.env[key];
  }
  Object.assign(process.env, savedEnv);
});

describe('getSettings: defaults', () => {
  it('gives the documented defaults when only the URL is set', () => {
    const settings = getSettings();
    expect(settings).toMatchObject({
      migrationsDir: path.join(WORKSPACE, 'migrations'),
      migrationsDirForAnnotations: 'migrations',
      command: 'migrate',
      dryRun: false,
      rehearse: false,
      onDrift: 'fail',
      allowOutOfOrder: false,
      schema: 'public',
      table: 'schema_migrations',
      transaction: 'per-migration',
      lockWaitTimeoutSeconds: 600,
      lockRetries: 0,
      connectTimeoutSeconds: 30,
      prComment: false,
    });
    expect(settings.baselineVersion).toBeUndefined();
    expect(settings.toVersion).toBeUndefined();
    expect(settings.allowDataLoss).toBe(false);
    expect(settings.lockTimeout).toBeUndefined();
    expect(settings.statementTimeout).toBeUndefined();
    expect(settings.target).toMatchObject({
      host: 'db.example.com',
      port: 5432,
      user: 'alice',
      database: 'app',
      label: 'app on db.example.com',
    });
  });

  it('gives the defaults for inputs set to empty strings', () => {
    setInputs({
      'migrations-dir': '',
      command: '',
      'dry-run': '',
      rehearse: '',
      'on-drift': '',
      'allow-out-of-order': '',
      schema: '',
      table: '',
      transaction: '',
      'lock-wait-timeout': '',
      'lock-retries': '',
      'connect-timeout': '',
      'pr-comment': '',
      'baseline-version': '',
      'lock-timeout': '',
      'statement-timeout': '',
    });
    const settings = getSettings();
    expect(settings).toMatchObject({
      command: 'migrate',
      dryRun: false,
      schema: 'public',
      table: 'schema_migrations',
      lockWaitTimeoutSeconds: 600,
      connectTimeoutSeconds: 30,
    });
    expect(settings.baselineVersion).toBeUndefined();
    expect(settings.lockTimeout).toBeUndefined();
  });

  it('resolves migrations-dir against GITHUB_WORKSPACE', () => {
    setInputs({ 'migrations-dir': 'db/migrations' });
    const settings = getSettings();
    expect(settings.migrationsDir).toBe(path.join(WORKSPACE, 'db', 'migrations'));
    expect(settings.migrationsDirForAnnotations).toBe(path.join('db', 'migrations'));
  });

  it('resolves migrations-dir against the working directory without GITHUB_WORKSPACE', () => {
    delete process.env.GITHUB_WORKSPACE;
    setInputs({ 'migrations-dir': 'sql' });
    expect(getSettings().migrationsDir).toBe(path.resolve(process.cwd(), 'sql'));
  });
});

describe('getSettings: database URL', () => {
  const REQUIRED =
    'No database URL was given: set the database-url input (or the DATABASE_URL or DSN environment variable), and on pull requests from forks, which get no secrets, skip this step with if: github.event.pull_request.head.repo.fork != true.';

  it('requires a URL with the exact sentence', () => {
    delete process.env['INPUT_DATABASE-URL'];
    const error = errorWith({});
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe(REQUIRED);
  });

  it('treats an empty or blank database-url input as missing', () => {
    process.env['INPUT_DATABASE-URL'] = '';
    expect(() => getSettings()).toThrow(REQUIRED);
    process.env['INPUT_DATABASE-URL'] = '   ';
    expect(() => getSettings()).toThrow(REQUIRED);
  });

  it('falls back to DATABASE_URL', () => {
    process.env['INPUT_DATABASE-URL'] = '';
    process.env.DATABASE_URL = 'postgres://u@from-database-url/one';
    process.env.DSN = 'postgres://u@from-dsn/two';
    expect(getSettings().target.label).toBe('one on from-database-url');
  });

  it('falls back to DSN when DATABASE_URL is empty too', () => {
    process.env['INPUT_DATABASE-URL'] = '';
    process.env.DATABASE_URL = '';
    process.env.DSN = 'postgres://u@from-dsn/two';
    expect(getSettings().target.label).toBe('two on from-dsn');
  });

  it('prefers the input to the environment variables', () => {
    process.env.DATABASE_URL = 'postgres://u@from-database-url/one';
    process.env.DSN = 'postgres://u@from-dsn/two';
    expect(getSettings().target.label).toBe('app on db.example.com');
  });

  it('registers the password as a secret', () => {
    getSettings();
    expect(written.join('')).toContain('::add-mask::s3cret');
  });

  it('registers every form of an encoded password', () => {
    process.env['INPUT_DATABASE-URL'] = 'postgres://alice:p%2Fss@db.example.com/app';
    getSettings();
    const masks = written.filter((w) => w.startsWith('::add-mask::')).map((w) => w.trim());
    // '%' is escaped as %25 in workflow commands.
    expect(masks).toEqual(expect.arrayContaining(['::add-mask::p/ss', '::add-mask::p%252Fss']));
  });

  it('registers the password of a DATABASE_URL fallback', () => {
    process.env['INPUT_DATABASE-URL'] = '';
    process.env.DATABASE_URL = 'postgres://u:fallback-pw@h/db';
    getSettings();
    expect(written.join('')).toContain('::add-mask::fallback-pw');
  });

  it('masks the password before a malformed URL is refused', () => {
    process.env['INPUT_DATABASE-URL'] = 'postgres://alice:s3cret@db.example.com:notaport/app';
    expect(() => getSettings()).toThrow(ConfigurationError);
    expect(written.join('')).toContain('::add-mask::s3cret');
  });

  it('masks a password with an unencoded @ before refusing a bad sslmode', () => {
    process.env['INPUT_DATABASE-URL'] = 'postgres://alice:p@ss@db.example.com/app?sslmode=on';
    const error = errorWith({});
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('sslmode');
    expect(written.join('')).toContain('::add-mask::p@ss');
  });

  it('refuses a URL with another scheme', () => {
    process.env['INPUT_DATABASE-URL'] = 'mysql://alice:s3cret@db.example.com/app';
    const error = errorWith({});
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).not.toContain('s3cret');
  });
});

describe('getSettings: dry-run', () => {
  it.each([
    ['pull_request', true],
    ['pull_request_target', true],
    ['merge_group', true],
    ['push', false],
    ['workflow_dispatch', false],
    ['schedule', false],
  ])('auto on a %s event is %s', (event, expected) => {
    process.env.GITHUB_EVENT_NAME = event;
    const settings = getSettings();
    expect(settings.dryRun).toBe(expected);
    expect(settings.eventName).toBe(event);
  });

  it('auto outside GitHub Actions (no event) is false', () => {
    expect(getSettings().dryRun).toBe(false);
  });

  it('true and false override the event', () => {
    process.env.GITHUB_EVENT_NAME = 'push';
    setInputs({ 'dry-run': 'true' });
    expect(getSettings().dryRun).toBe(true);
    process.env.GITHUB_EVENT_NAME = 'pull_request';
    setInputs({ 'dry-run': 'false' });
    expect(getSettings().dryRun).toBe(false);
  });

  it('refuses another value, naming the input', () => {
    const error = errorWith({ 'dry-run': 'sometimes' });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('dry-run');
    expect(error.message).toContain('"sometimes"');
  });
});

describe('getSettings: rehearse', () => {
  it('refuses a rehearsal on pull_request_target events', () => {
    process.env.GITHUB_EVENT_NAME = 'pull_request_target';
    const error = errorWith({ rehearse: 'true' });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('pull_request_target');
  });

  it('accepts a rehearsal on pull_request events', () => {
    process.env.GITHUB_EVENT_NAME = 'pull_request';
    setInputs({ rehearse: 'true' });
    expect(getSettings()).toMatchObject({ dryRun: true, rehearse: true });
  });
});

describe('getSettings: booleans', () => {
  const booleans = [
    ['rehearse', 'rehearse'],
    ['allow-out-of-order', 'allowOutOfOrder'],
    ['pr-comment', 'prComment'],
  ] as const;

  it.each(booleans)('%s accepts true, True and TRUE', (input, field) => {
    for (const value of ['true', 'True', 'TRUE']) {
      setInputs({ [input]: value });
      expect(getSettings()[field], value).toBe(true);
    }
  });

  it.each(booleans)('%s accepts false, False and FALSE', (input, field) => {
    for (const value of ['false', 'False', 'FALSE']) {
      setInputs({ [input]: value });
      expect(getSettings()[field], value).toBe(false);
    }
  });

  it.each(booleans)('%s refuses anything else with an error naming it', (input) => {
    for (const value of ['yes', 'no', '1', '0', 'on', 'tRUE', 'fals']) {
      const error = errorWith({ [input]: value });
      expect(error, value).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain(input);
      expect(error.message).toContain(`"${value}"`);
    }
  });
});

describe('getSettings: choices', () => {
  it('accepts each command', () => {
    for (const command of ['migrate', 'validate', 'baseline', 'repair']) {
      setInputs({ command });
      expect(getSettings().command).toBe(command);
    }
  });

  it('reads to-version as written (the layout reads it once the folder is read), and requires it for rollback', () => {
    setInputs({
      command: 'rollback',
      'to-version': '9223372036854775807',
      'allow-data-loss': 'true',
    });
    expect(getSettings()).toMatchObject({ toVersion: '9223372036854775807', allowDataLoss: true });
    setInputs({ command: 'migrate', 'to-version': '2.0.3' });
    expect(getSettings().toVersion).toBe('2.0.3');
    const missing = errorWith({ command: 'rollback', 'to-version': '' });
    expect(missing).toBeInstanceOf(ConfigurationError);
    expect(missing.message).toContain('command: rollback needs to-version');
    const bad = errorWith({ 'to-version': 'v3' });
    expect(bad.message).toBe(
      'Input to-version is "v3", but it must be a migration version such as 3 (or 1.7 for Flyway).',
    );
  });

  it('refuses an unknown command, listing the known ones', () => {
    const error = errorWith({ command: 'undo' });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('"undo"');
    for (const command of ['migrate', 'validate', 'baseline', 'repair', 'rollback']) {
      expect(error.message).toContain(command);
    }
  });

  it('accepts on-drift fail and warn', () => {
    setInputs({ 'on-drift': 'warn' });
    expect(getSettings().onDrift).toBe('warn');
    setInputs({ 'on-drift': 'fail' });
    expect(getSettings().onDrift).toBe('fail');
  });

  it('refuses another on-drift with the documented sentence', () => {
    const error = errorWith({ 'on-drift': 'x' });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe('Input on-drift is "x", but it must be one of: fail, warn.');
  });

  it('accepts transaction per-migration and all, and refuses another', () => {
    setInputs({ transaction: 'all' });
    expect(getSettings().transaction).toBe('all');
    const error = errorWith({ transaction: 'none' });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('transaction');
  });
});

describe('getSettings: numbers and durations', () => {
  it('reads whole numbers', () => {
    setInputs({ 'lock-wait-timeout': '0', 'lock-retries': '3', 'connect-timeout': ' 45 ' });
    expect(getSettings()).toMatchObject({
      lockWaitTimeoutSeconds: 0,
      lockRetries: 3,
      connectTimeoutSeconds: 45,
    });
  });

  it.each(['lock-wait-timeout', 'lock-retries', 'connect-timeout'])(
    '%s refuses what is not a whole number, naming the input',
    (input) => {
      for (const value of ['-1', '1.5', 'abc', '10s', '1e3', '0x10', '99999999999999999999']) {
        const error = errorWith({ [input]: value });
        expect(error, value).toBeInstanceOf(ConfigurationError);
        expect(error.message).toContain(input);
      }
    },
  );

  it('refuses connect-timeout 0', () => {
    const error = errorWith({ 'connect-timeout': '0' });
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('connect-timeout');
  });

  it.each([
    ['lock-timeout', 'lockTimeout'],
    ['statement-timeout', 'statementTimeout'],
  ] as const)('%s accepts PostgreSQL durations', (input, field) => {
    for (const value of ['5s', '500ms', '2min', '1h', '1d', '250us', '1.5s', '100', '0']) {
      setInputs({ [input]: value });
      expect(getSettings()[field], value).toBe(value);
    }
  });

  it.each(['lock-timeout', 'statement-timeout'])(
    '%s refuses what is not a duration, naming the input',
    (input) => {
      for (const value of [
        'five',
        '5 seconds',
        '-5s',
        '5m',
        's',
        '5s;',
        "5s' ; DROP TABLE x; --",
      ]) {
        const error = errorWith({ [input]: value });
        expect(error, value).toBeInstanceOf(ConfigurationError);
        expect(error.message).toContain(input);
      }
    },
  );
});

describe('getSettings: identifiers', () => {
  it.each(['schema', 'table'])('%s accepts plain identifiers up to 63 characters', (input) => {
    for (const value of ['app', '_private', 'migrations_v2', 'a'.repeat(63)]) {
      setInputs({ [input]: value });
      expect(getSettings()[input as 'schema' | 'table'], value).toBe(value);
    }
  });

  it.each(['schema', 'table'])(
    '%s is folded to lower case, as PostgreSQL folds an unquoted name: Ops names the table ops names',
    (input) => {
      for (const [value, folded] of [
        ['Ops', 'ops'],
        ['SCHEMA_Migrations', 'schema_migrations'],
      ]) {
        setInputs({ [input]: value as string });
        expect(getSettings()[input as 'schema' | 'table'], value).toBe(folded);
      }
    },
  );

  it.each(['schema', 'table'])('%s refuses what is not a plain identifier', (input) => {
    for (const value of [
      '1abc',
      'a'.repeat(64),
      'a"b',
      '"quoted"',
      "a'b",
      'a-b',
      'a.b',
      'a b',
      'tablé',
    ]) {
      const error = errorWith({ [input]: value });
      expect(error, value).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain(input);
    }
  });
});

describe('getSettings: baseline-version', () => {
  it('reads a version as written: the layout reads it exactly once the folder is read', () => {
    setInputs({ 'baseline-version': '0003' });
    expect(getSettings().baselineVersion).toBe('0003');
    setInputs({ 'baseline-version': '1.7' });
    expect(getSettings().baselineVersion).toBe('1.7');
  });

  it('refuses what is no version of any layout, naming the input', () => {
    for (const value of ['v3', '-3', '3a', '1e3', '003_a.sql', '.3']) {
      const error = errorWith({ 'baseline-version': value });
      expect(error, value).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain('baseline-version');
    }
  });
});

describe('getSettings: fleet', () => {
  const LIST = 'a=postgres://u:first%40pw@h1/app\n# a comment\npostgres://u:second@h2/b';

  it('has no fleet for one database-url', () => {
    expect(getSettings().fleet).toBeUndefined();
  });

  it('parses database-urls with the fleet defaults, the first target as the target', () => {
    delete process.env['INPUT_DATABASE-URL'];
    setInputs({ 'database-urls': LIST });
    const settings = getSettings();
    expect(settings.fleet).toMatchObject({
      source: { kind: 'list' },
      concurrency: 4,
      canary: 1,
      onTargetFailure: 'stop',
    });
    expect(settings.fleet?.shard).toBeUndefined();
    expect(settings.fleet?.targets?.map((t) => t.name)).toEqual(['a', 'b']);
    expect(settings.target.host).toBe('h1');
  });

  it('registers every password of every line before a bad line is refused, and names the line', () => {
    delete process.env['INPUT_DATABASE-URL'];
    const error = errorWith({ 'database-urls': `${LIST}\nc=postgres://u:third@h3:notaport/c` });
    expect(error.message).toMatch(/^Input database-urls, line 4: /);
    expect(error.message).not.toContain('third');
    const masks = written.filter((line) => line.startsWith('::add-mask::')).join('');
    for (const secret of ['first@pw', 'second', 'third']) expect(masks).toContain(secret);
  });

  it('refuses database-url and database-urls together', () => {
    expect(errorWith({ 'database-urls': LIST }).message).toMatch(
      /^Inputs database-url and database-urls are both given/,
    );
  });

  it('reads schemas-query with concurrency, canary, on-target-failure and shard', () => {
    setInputs({
      'schemas-query': 'SELECT 1',
      concurrency: '8',
      canary: '0',
      'on-target-failure': 'continue',
      shard: '2/3',
    });
    expect(getSettings().fleet).toMatchObject({
      source: { kind: 'schemas-query', databaseUrl: URL, query: 'SELECT 1' },
      concurrency: 8,
      canary: 0,
      onTargetFailure: 'continue',
      shard: { index: 2, count: 3 },
    });
  });
});
