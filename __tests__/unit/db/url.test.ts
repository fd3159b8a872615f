import { describe, expect, it } from 'vitest';
import { parseDatabaseUrl, secretsOf } from '../../../src/db/url.js';
import { ConfigurationError } from '../../../src/errors.js';

/** The error parseDatabaseUrl throws for `url`. */
function errorOf(url: string): Error {
  try {
    parseDatabaseUrl(url);
  } catch (error) {
    return error as Error;
  }
  throw new Error(`${url} was accepted`);
}

describe('secretsOf', () => {
  it('gives the password of a plain URL and nothing else of it', () => {
    const secrets = secretsOf('postgres://alice:s3cret@db.example.com:5432/app');
    expect(secrets).toContain('s3cret');
    for (const other of ['alice', 'db.example.com', '5432', 'app']) {
      expect(secrets.some((s) => s.includes(other))).toBe(false);
    }
  });

  it('gives nothing for a URL without a password', () => {
    expect(secretsOf('postgres://alice@db.example.com:5432/app')).toEqual([]);
    expect(secretsOf('postgres://db.example.com:5432/app')).toEqual([]);
    expect(secretsOf('postgres://alice:@db.example.com/app')).toEqual([]);
    expect(secretsOf('postgres://[::1]:5433/app')).toEqual([]);
  });

  it('gives the raw, decoded and re-encoded forms of an encoded password', () => {
    const secrets = secretsOf('postgres://alice:p%40ss%2fw0rd@db.example.com/app');
    expect(secrets).toEqual(
      expect.arrayContaining(['p%40ss%2fw0rd', 'p@ss/w0rd', 'p%40ss%2Fw0rd']),
    );
  });

  it('gives the encoded form of a password written unencoded', () => {
    const secrets = secretsOf('postgres://alice:pa ss!@db.example.com/app');
    expect(secrets).toEqual(expect.arrayContaining(['pa ss!', 'pa%20ss!']));
  });

  it("finds a password with an unencoded '@'", () => {
    const secrets = secretsOf('postgres://alice:p@ss@db.example.com/app');
    expect(secrets).toEqual(expect.arrayContaining(['p@ss', 'p%40ss']));
  });

  it("finds a password with an unencoded '/', '?' or '#'", () => {
    expect(secretsOf('postgres://alice:pa/ss@db.example.com/app')).toEqual(
      expect.arrayContaining(['pa/ss', 'pa%2Fss']),
    );
    expect(secretsOf('postgres://alice:pa?ss@db.example.com/app')).toContain('pa?ss');
    expect(secretsOf('postgres://alice:pa#ss@db.example.com/app')).toContain('pa#ss');
  });

  it("keeps everything after the user's ':' when the password holds ':'", () => {
    expect(secretsOf('postgres://alice:pa:ss@db.example.com/app')).toContain('pa:ss');
  });

  it('gives the raw form of a password with broken percent-encoding', () => {
    expect(secretsOf('postgres://alice:p%zz@db.example.com/app')).toContain('p%zz');
  });

  it('gives the forms of a password= query parameter', () => {
    const secrets = secretsOf(
      'postgres://alice@db.example.com/app?sslmode=require&password=s%3Dc+r',
    );
    expect(secrets).toEqual(expect.arrayContaining(['s%3Dc+r', 's=c r', 's%3Dc%20r']));
    expect(secretsOf('postgresql://db.example.com/app?password=first')).toContain('first');
  });

  it('gives both passwords when the URL has one in the authority and one in the query', () => {
    const secrets = secretsOf('postgres://alice:one@db.example.com/app?password=two');
    expect(secrets).toEqual(expect.arrayContaining(['one', 'two']));
  });
});

describe('parseDatabaseUrl', () => {
  it('parses a postgres:// URL', () => {
    expect(parseDatabaseUrl('postgres://alice:s3cret@db.example.com:6543/app')).toEqual({
      host: 'db.example.com',
      port: 6543,
      user: 'alice',
      password: 's3cret',
      database: 'app',
      sslMode: 'prefer',
      label: 'app on db.example.com',
      ignoredParameters: [],
    });
  });

  it('parses a postgresql:// URL the same way', () => {
    const a = parseDatabaseUrl('postgres://alice:s3cret@db.example.com:6543/app');
    const b = parseDatabaseUrl('postgresql://alice:s3cret@db.example.com:6543/app');
    expect(b).toEqual(a);
  });

  it('uses port 5432 when none is given', () => {
    expect(parseDatabaseUrl('postgres://alice@db.example.com/app').port).toBe(5432);
    expect(parseDatabaseUrl('postgres://db.example.com').port).toBe(5432);
  });

  it('parses a bracketed IPv6 host with and without a port', () => {
    const target = parseDatabaseUrl('postgres://alice:pw@[::1]:5433/app');
    expect(target).toMatchObject({ host: '::1', port: 5433, database: 'app', user: 'alice' });
    expect(target.label).toBe('app on ::1');
    expect(parseDatabaseUrl('postgres://[2001:db8::1]/app')).toMatchObject({
      host: '2001:db8::1',
      port: 5432,
    });
  });

  it('percent-decodes user, password and database name', () => {
    const target = parseDatabaseUrl('postgres://al%40ice:p%40ss%2Fw%3Ard@db.example.com/my%20app');
    expect(target).toMatchObject({ user: 'al@ice', password: 'p@ss/w:rd', database: 'my app' });
  });

  it('keeps a raw password with an unencoded @ up to the last @ of the authority', () => {
    const target = parseDatabaseUrl('postgres://alice:p@ss@db.example.com/app');
    expect(target).toMatchObject({ user: 'alice', password: 'p@ss', host: 'db.example.com' });
  });

  it('accepts every libpq sslmode and defaults to prefer', () => {
    for (const mode of ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']) {
      expect(parseDatabaseUrl(`postgres://h/app?sslmode=${mode}`).sslMode).toBe(mode);
    }
    expect(parseDatabaseUrl('postgres://h/app').sslMode).toBe('prefer');
  });

  it('reads sslrootcert, sslcert and sslkey', () => {
    const target = parseDatabaseUrl(
      'postgres://h/app?sslmode=verify-full&sslrootcert=/etc/ca.pem&sslcert=c.pem&sslkey=k.pem',
    );
    expect(target).toMatchObject({
      sslMode: 'verify-full',
      sslRootCert: '/etc/ca.pem',
      sslCert: 'c.pem',
      sslKey: 'k.pem',
      ignoredParameters: [],
    });
  });

  it('refuses an unknown sslmode with a ConfigurationError naming it and the allowed values', () => {
    const error = errorOf('postgres://alice:s3cret@h/app?sslmode=required');
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('"required"');
    for (const mode of ['disable', 'prefer', 'require', 'verify-ca', 'verify-full']) {
      expect(error.message).toContain(mode);
    }
    expect(error.message).not.toContain('s3cret');
  });

  it('lets query host=, port= and dbname= override the URL', () => {
    const target = parseDatabaseUrl(
      'postgres://alice@old-host:1111/old?host=new-host&port=2222&dbname=new',
    );
    expect(target).toMatchObject({ host: 'new-host', port: 2222, database: 'new' });
    expect(target.label).toBe('new on new-host');
  });

  it('reads host= of a URL without a host, such as a socket directory', () => {
    const target = parseDatabaseUrl('postgresql:///app?host=/var/run/postgresql');
    expect(target).toMatchObject({ host: '/var/run/postgresql', database: 'app', port: 5432 });
  });

  it('reads user= and password= query parameters', () => {
    const target = parseDatabaseUrl('postgres://h/app?user=bob&password=p%40ss');
    expect(target).toMatchObject({ user: 'bob', password: 'p@ss' });
  });

  it('lists unknown query parameters in ignoredParameters and keeps known ones out', () => {
    const target = parseDatabaseUrl(
      'postgres://h/app?sslmode=require&target_session_attrs=read-write&application_name=x&options=-c%20a%3Db&connect_timeout=5',
    );
    expect(target.ignoredParameters).toEqual(['target_session_attrs', 'options']);
  });

  it('labels the target as database on host, without user or password', () => {
    const target = parseDatabaseUrl('postgres://alice:s3cret@db.example.com:5432/app');
    expect(target.label).toBe('app on db.example.com');
    expect(target.label).not.toContain('alice');
    expect(target.label).not.toContain('s3cret');
  });

  it('refuses a URL with another scheme with a ConfigurationError', () => {
    for (const url of [
      'mysql://alice:s3cret@h/app',
      'http://h/app',
      'postgres:/h/app',
      'host=h dbname=app',
      '',
    ]) {
      const error = errorOf(url);
      expect(error, url).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain('postgres://');
      expect(error.message).not.toContain('s3cret');
    }
  });

  it('refuses a port that is not a number from 1 to 65535', () => {
    for (const url of [
      'postgres://alice:s3cret@h:abc/app',
      'postgres://h:0/app',
      'postgres://h:65536/app',
      'postgres://h:-1/app',
      'postgres://h:54.3/app',
      'postgres://[::1]:x/app',
      'postgres://h/app?port=abc',
    ]) {
      const error = errorOf(url);
      expect(error, url).toBeInstanceOf(ConfigurationError);
      expect(error.message, url).toContain('port');
      expect(error.message).not.toContain('s3cret');
    }
    expect(parseDatabaseUrl('postgres://h:65535/app').port).toBe(65535);
    expect(parseDatabaseUrl('postgres://h:1/app').port).toBe(1);
  });

  it('refuses several hosts with a ConfigurationError', () => {
    for (const url of [
      'postgres://alice:pw@h1,h2/app',
      'postgres://h1:5432,h2:5432/app',
      'postgresql://[::1]:5432,[::2]:5432/app',
    ]) {
      const error = errorOf(url);
      expect(error, url).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain('several hosts');
    }
  });

  it('refuses broken percent-encoding in the password without showing it', () => {
    const error = errorOf('postgres://alice:s3cret%zz@h/app');
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain('password');
    expect(error.message).not.toContain('s3cret');
  });

  it("refuses a password with an unencoded '/' or '?' without showing any piece of it", () => {
    for (const url of [
      'postgres://u:hunter2/xyz@host/db',
      'postgres://u:12345/abc@host/db',
      'postgres://u:qwe?rty@host/db',
    ]) {
      const error = errorOf(url);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error.message).toContain('percent-encode');
      for (const piece of ['hunter2', 'xyz', '12345', 'abc', 'qwe', 'rty']) {
        expect(error.message).not.toContain(piece);
      }
    }
  });

  it("still accepts an '@' inside a query parameter's value", () => {
    const target = parseDatabaseUrl('postgres://u:p@host/db?sslrootcert=/home/a@b/ca.pem');
    expect(target.sslRootCert).toBe('/home/a@b/ca.pem');
    expect(target.host).toBe('host');
  });

  it('refuses several hosts given in host=', () => {
    expect(errorOf('postgres:///db?host=h1,h2').message).toContain('several hosts');
  });

  it('names an unknown parameter in the warning only when it is a plain name', () => {
    const target = parseDatabaseUrl('postgres://u:p@host/db?pgbouncer=true&p%40ss%3Dword=1');
    expect(target.ignoredParameters).toEqual(['pgbouncer', '(a parameter that is not a name)']);
  });

  it('labels a URL without a database name without showing the user', () => {
    const target = parseDatabaseUrl('postgres://alice:pw@db.example.com');
    expect(target.label).toBe('the default database on db.example.com');
  });
});
