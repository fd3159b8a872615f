import { describe, expect, it } from 'vitest';
import { qualifiedName } from '../../../src/history/table.js';
import { insertRowSql } from '../../../src/history/write.js';
import { literal } from '../../../src/sql/literal.js';

describe('literal', () => {
  it('quotes plain text', () => {
    expect(literal('001_a.sql')).toBe("'001_a.sql'");
    expect(literal('')).toBe("''");
  });

  it('doubles single quotes', () => {
    expect(literal("it's")).toBe("'it''s'");
    expect(literal("''")).toBe("''''''");
  });

  it('uses the E form with doubled backslashes when the text has a backslash', () => {
    expect(literal('a\\b')).toBe("E'a\\\\b'");
    expect(literal("C:\\it's\\")).toBe("E'C:\\\\it''s\\\\'");
  });

  it('keeps other characters as they are', () => {
    expect(literal('héllo 😀 "x" ; --')).toBe(`'héllo 😀 "x" ; --'`);
  });
});

describe('qualifiedName', () => {
  it('quotes schema and table', () => {
    expect(qualifiedName({ schema: 'public', table: 'schema_migrations' })).toBe(
      '"public"."schema_migrations"',
    );
    expect(qualifiedName({ schema: 'App', table: 'Migrations' })).toBe('"App"."Migrations"');
  });
});

describe('insertRowSql', () => {
  const tracking = { schema: 'ops', table: 'history' };
  const values = {
    version: 9223372036854775807n,
    name: "9223372036854775807_o'neil.sql",
    checksum: 'ab'.repeat(32),
    status: 'applied' as const,
    appliedBy: 'owner/repo run 1 at abc\\def',
  };
  const sql = insertRowSql(tracking, values, '42');

  it('inserts into the qualified table, naming every column', () => {
    expect(sql).toMatch(
      /^INSERT INTO "ops"\."history" \(version, name, checksum, status, applied_at, execution_ms, applied_by\) VALUES \(/,
    );
  });

  it('writes the version exactly and every text value as a safe literal', () => {
    expect(sql).toContain(
      `VALUES (9223372036854775807, '9223372036854775807_o''neil.sql', '${'ab'.repeat(32)}', 'applied', now(), 42, E'owner/repo run 1 at abc\\\\def')`,
    );
  });

  it('uses the execution time expression as given', () => {
    expect(insertRowSql(tracking, values, 'floor(1.5)::integer')).toContain(
      'now(), floor(1.5)::integer, ',
    );
  });

  it('writes version_key only for a row that has a key, so a table without the column takes the others', () => {
    expect(sql).not.toContain('version_key');
    const keyed = insertRowSql(tracking, { ...values, version: -42n, key: "1.7'" }, '0');
    expect(keyed).toContain(', applied_by, version_key) VALUES (-42, ');
    expect(keyed).toMatch(/, '1\.7'''\)$/);
  });
});
