import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Migration } from '../../../src/files/migration.js';
import { importedRows } from '../../../src/history/import/index.js';
import { matchesPrismaChecksum } from '../../../src/history/import/prisma.js';
import { toolOfTable } from '../../../src/history/import/tables.js';

const migration = (version: bigint, name: string, sql = `SELECT ${version};\n`): Migration => ({
  version,
  name,
  path: `/nowhere/${name}`,
  checksum: `sum${version}`,
  sql,
  noTransaction: false,
});

describe('importedRows', () => {
  const files = [
    migration(1n, '1_a.up.sql'),
    migration(2n, '2_b.up.sql'),
    migration(3n, '3_c.up.sql'),
  ];

  it('golang-migrate: every file up to the recorded version becomes a baseline row with the file checksum', () => {
    const { rows, note } = importedRows(
      {
        tool: 'golang-migrate',
        table: 'public.schema_migrations',
        records: [{ key: '2' }],
        upTo: true,
      },
      files,
    );
    expect(rows).toEqual([
      { version: 1n, name: '1_a.up.sql', checksum: 'sum1', status: 'baseline' },
      { version: 2n, name: '2_b.up.sql', checksum: 'sum2', status: 'baseline' },
    ]);
    expect(note).toBe('imported from golang-migrate (public.schema_migrations)');
  });

  it('a version the tool applied without a file becomes a row without checksum, which the plan reports missing', () => {
    const { rows } = importedRows(
      { tool: 'goose', table: 'public.goose_db_version', records: [{ key: '7' }] },
      files,
    );
    expect(rows).toEqual([
      {
        version: 7n,
        name: 'version 7 (applied by goose, no file)',
        checksum: '',
        status: 'baseline',
      },
    ]);
  });

  it('Prisma: a stored checksum the file no longer matches is kept, so the plan reports the file modified', () => {
    const prismaFiles = [
      migration(20240101n, '20240101_init/migration.sql', 'CREATE TABLE a ();\n'),
    ];
    const good = createHash('sha256').update('CREATE TABLE a ();\n').digest('hex');
    const record = (checksum: string) => ({
      tool: 'prisma' as const,
      table: 'public._prisma_migrations',
      records: [{ key: '20240101', name: '20240101_init', prismaChecksum: checksum }],
    });
    expect(importedRows(record(good), prismaFiles).rows[0]?.checksum).toBe('sum20240101');
    expect(importedRows(record('ab'.repeat(32)), prismaFiles).rows[0]?.checksum).toBe(
      `prisma:${'ab'.repeat(32)}`,
    );
  });
});

describe('matchesPrismaChecksum', () => {
  const text = 'CREATE TABLE a ();\nCREATE TABLE b ();\n';
  const hex = (s: string) => createHash('sha256').update(s).digest('hex');

  it('matches the file as Prisma hashed it with LF or with CRLF line endings', () => {
    expect(matchesPrismaChecksum(text, hex(text))).toBe(true);
    expect(matchesPrismaChecksum(text, hex(text.replaceAll('\n', '\r\n')))).toBe(true);
    expect(matchesPrismaChecksum(text, hex(`${text} `))).toBe(false);
  });

  it("matches Prisma's old format, hex digits without leading zeros", () => {
    const digest = createHash('sha256').update(text).digest();
    const old = [...digest].map((b) => b.toString(16)).join('');
    expect(old.length).toBeLessThan(64);
    expect(matchesPrismaChecksum(text, old)).toBe(true);
  });
});

describe('toolOfTable', () => {
  it("tells golang-migrate's schema_migrations from dbmate's and from the action's", () => {
    const golang = new Map([
      ['version', 'bigint'],
      ['dirty', 'boolean'],
    ]);
    const dbmate = new Map([['version', 'character varying(128)']]);
    const ours = new Map([
      ['version', 'bigint'],
      ['name', 'text'],
      ['checksum', 'text'],
      ['status', 'text'],
    ]);
    expect(toolOfTable('schema_migrations', golang)).toBe('golang-migrate');
    expect(toolOfTable('schema_migrations', dbmate)).toBe('dbmate');
    expect(toolOfTable('schema_migrations', ours)).toBeUndefined();
  });
});
