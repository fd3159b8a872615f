import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/errors.js';
import {
  maskSecrets,
  parseTargetList,
  schemaTargets,
  secretsOfTargetList,
  targetsOnServer,
} from '../../../src/fleet/targets.js';

/** The error `run` throws; fails the test when it throws nothing. */
function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return error as Error;
  }
  throw new Error('no error was thrown');
}

describe('parseTargetList', () => {
  it('reads bare URLs, named URLs, and skips blank lines and # comments', () => {
    const targets = parseTargetList(
      [
        '# tenants in Europe',
        'postgres://app:pw1@eu.example.com/tenant_a',
        '',
        '   ',
        '  us-1.main = postgres://app:pw2@us.example.com:6543/app?sslmode=require  ',
        '\t# indented comment',
      ].join('\r\n'),
    );
    expect(targets.map((t) => t.name)).toEqual(['tenant_a', 'us-1.main']);
    expect(targets[1]?.url).toBe('postgres://app:pw2@us.example.com:6543/app?sslmode=require');
    expect(targets[1]?.target).toMatchObject({
      host: 'us.example.com',
      port: 6543,
      database: 'app',
      sslMode: 'require',
    });
    expect(targets[0]?.secrets).toContain('pw1');
    expect(targets[1]?.secrets).toContain('pw2');
  });

  it('names a bare URL after its dbname parameter when that sets the database', () => {
    const [target] = parseTargetList('postgres://h.example.com/ignored?dbname=billing');
    expect(target?.name).toBe('billing');
  });

  it('refuses two bare URLs with the same database on different servers and says to name them', () => {
    const error = errorOf(() =>
      parseTargetList('postgres://a.example.com/app\n\npostgres://b.example.com/app'),
    );
    expect(error.message).toBe(
      'Input database-urls, lines 1 and 3 both name database app on different servers: give each a name, as name=URL.',
    );
  });

  it('refuses the same name twice, also a given name equal to a bare URL database', () => {
    expect(errorOf(() => parseTargetList('x=postgres://a/one\nx=postgres://b/two')).message).toBe(
      'Input database-urls, lines 1 and 2 both name the target x: target names must be unique.',
    );
    expect(errorOf(() => parseTargetList('app=postgres://a/one\npostgres://b/app')).message).toBe(
      'Input database-urls, lines 1 and 2 both name the target app: target names must be unique.',
    );
  });

  it('refuses the same database listed twice under different names', () => {
    const error = errorOf(() =>
      parseTargetList('one=postgres://u:p@DB.example.com/app\ntwo=postgres://v@db.example.com/app'),
    );
    expect(error.message).toBe(
      'Input database-urls, lines 1 and 2 are the same database (app on db.example.com): list it once.',
    );
  });

  it('accepts the same database name on two ports of one host when each is named', () => {
    const targets = parseTargetList('a=postgres://h:5432/app\nb=postgres://h:5433/app');
    expect(targets.map((t) => t.target.port)).toEqual([5432, 5433]);
  });

  it('names the line of a bad URL by its number and masks the password', () => {
    const error = errorOf(() =>
      parseTargetList('postgres://h/one\n# note\nbad=postgres://u:hunter2@h:hunter2/app'),
    );
    expect(error.message).toBe(
      'Input database-urls, line 3: the database URL\'s port "***" is not a number from 1 to 65535.',
    );
    expect(error.message).not.toContain('hunter2');
  });

  it('masks a password a bad sslmode would otherwise show', () => {
    const error = errorOf(() => parseTargetList('postgres://u:s3cr3tpw@h/app?sslmode=s3cr3tpw'));
    expect(error.message).toBe(
      'Input database-urls, line 1: the database URL\'s sslmode "***" is not one of disable, allow, prefer, require, verify-ca, verify-full.',
    );
  });

  it('refuses a URL without a scheme without repeating it', () => {
    const error = errorOf(() => parseTargetList('eu=user:topsecret@host/app'));
    expect(error.message).toMatch(
      /^Input database-urls, line 1: the database URL must start with postgres:\/\//,
    );
    expect(error.message).not.toContain('topsecret');
  });

  it('refuses a bad name without repeating it', () => {
    const error = errorOf(() => parseTargetList('eu west=postgres://h/app'));
    expect(error.message).toBe(
      'Input database-urls, line 1: the name before = may only hold letters, digits, ., _ and - (1 to 63 characters).',
    );
    expect(errorOf(() => parseTargetList(`${'n'.repeat(64)}=postgres://h/app`)).message).toMatch(
      /line 1: the name before =/,
    );
  });

  it('asks for a name when a bare URL has no database or one that is not a target name', () => {
    expect(errorOf(() => parseTargetList('postgres://h:5432')).message).toBe(
      'Input database-urls, line 1: the URL names no database, so give the target a name, as name=URL.',
    );
    expect(errorOf(() => parseTargetList('postgres://h/my%20db')).message).toMatch(
      /^Input database-urls, line 1: the database name is not a target name .* as name=URL\.$/,
    );
    expect(parseTargetList('mine=postgres://h/my%20db')[0]?.target.database).toBe('my db');
  });

  it('refuses a list with no target', () => {
    expect(errorOf(() => parseTargetList('# only a comment\n\n')).message).toBe(
      'Input database-urls has no targets: give one URL or name=URL per line (blank lines and # comments are ignored).',
    );
  });
});

describe('secretsOfTargetList', () => {
  it('finds the passwords of every line, also of lines that do not parse', () => {
    const secrets = secretsOfTargetList(
      'eu=postgres://u:first@h/a\npostgres://u:second@h:bad/b\n# postgres://u:comment@h/c',
    );
    expect(secrets).toEqual(expect.arrayContaining(['first', 'second']));
    expect(secrets).not.toContain('comment');
  });
});

describe('maskSecrets', () => {
  it('masks the longest secret first, so no piece of it is left', () => {
    expect(maskSecrets('pass and password', ['pass', 'password'])).toBe('*** and ***');
  });
});

describe('targetsOnServer', () => {
  const base = 'postgres://admin:pw%2Fx@db.example.com:6543/postgres?sslmode=require';

  it('makes one target per database with the same credentials and parameters', () => {
    const targets = targetsOnServer(base, ['tenant_1', 'tenant_2']);
    expect(targets.map((t) => t.name)).toEqual(['tenant_1', 'tenant_2']);
    expect(targets[0]?.url).toBe(
      'postgres://admin:pw%2Fx@db.example.com:6543/tenant_1?sslmode=require',
    );
    expect(targets[1]?.target).toMatchObject({
      user: 'admin',
      password: 'pw/x',
      host: 'db.example.com',
      port: 6543,
      database: 'tenant_2',
      sslMode: 'require',
      label: 'tenant_2 on db.example.com',
    });
    expect(targets[0]?.secrets).toEqual(expect.arrayContaining(['pw%2Fx', 'pw/x']));
  });

  it('percent-encodes a database name that needs it', () => {
    const [target] = targetsOnServer('postgres://h/postgres', ['a b/c?d#e%f@g']);
    expect(target?.url).toBe('postgres://h/a%20b%2Fc%3Fd%23e%25f%40g');
    expect(target?.target.database).toBe('a b/c?d#e%f@g');
    expect(target?.name).toBe('a b/c?d#e%f@g');
  });

  it('drops a dbname parameter, which would otherwise win over the path', () => {
    const [target] = targetsOnServer('postgres://h/x?dbname=postgres&sslmode=disable', ['t1']);
    expect(target?.url).toBe('postgres://h/t1?sslmode=disable');
    expect(target?.target.database).toBe('t1');
  });

  it('works on a base URL without a path', () => {
    expect(targetsOnServer('postgresql://u@h:5433', ['t1'])[0]?.url).toBe(
      'postgresql://u@h:5433/t1',
    );
  });

  it('gives no targets for no names', () => {
    expect(targetsOnServer(base, [])).toEqual([]);
  });

  it('refuses an empty, NULL, too long or repeated name', () => {
    expect(errorOf(() => targetsOnServer(base, ['a', null])).message).toBe(
      'Input databases-query returned an empty or NULL database name: each row must be the name of a database.',
    );
    expect(errorOf(() => targetsOnServer(base, [''])).message).toMatch(/empty or NULL/);
    expect(errorOf(() => targetsOnServer(base, ['é'.repeat(32)])).message).toMatch(
      /^Input databases-query returned "é+", which is not a database name PostgreSQL can hold \(at most 63 bytes, no NUL\)\.$/,
    );
    expect(errorOf(() => targetsOnServer(base, ['a', 'b', 'a'])).message).toBe(
      'Input databases-query returned the database name "a" twice: each database may be a target once.',
    );
  });
});

describe('schemaTargets', () => {
  it('makes one target per schema in the base database, carrying the schema', () => {
    const targets = schemaTargets('postgres://u:pw@h/app', ['tenant_a', 'Tenant B']);
    expect(targets.map((t) => [t.name, t.schema, t.url])).toEqual([
      ['tenant_a', 'tenant_a', 'postgres://u:pw@h/app'],
      ['Tenant B', 'Tenant B', 'postgres://u:pw@h/app'],
    ]);
    expect(targets[1]?.target).toMatchObject({
      database: 'app',
      label: 'Tenant B in app on h',
      searchPath: 'Tenant B',
    });
    expect(targets[0]?.secrets).toContain('pw');
  });

  it('refuses a repeated schema', () => {
    expect(errorOf(() => schemaTargets('postgres://h/app', ['s', 's'])).message).toBe(
      'Input schemas-query returned the schema name "s" twice: each schema may be a target once.',
    );
  });
});
