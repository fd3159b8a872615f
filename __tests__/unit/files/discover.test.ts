import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/errors.js';
import { checksumOf, normalizeContent } from '../../../src/files/content.js';
import { readDirectives } from '../../../src/files/directives.js';
import { readMigrations } from '../../../src/files/discover.js';
import { MAX_VERSION, versionOf } from '../../../src/files/naming.js';
import { lineAt } from '../../../src/sql/lines.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const BOM = Uint8Array.of(0xef, 0xbb, 0xbf);
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

describe('versionOf', () => {
  it('reads the version of <version>_<description>.sql names', () => {
    expect(versionOf('001_initial_schema.sql')).toBe(1n);
    expect(versionOf('20240101120000_add-users.sql')).toBe(20240101120000n);
    expect(versionOf('7_a.sql')).toBe(7n);
    expect(versionOf('0_zero.sql')).toBe(0n);
    expect(versionOf('3_Mixed_Case-and-123.sql')).toBe(3n);
  });

  it('ignores leading zeros: 001 and 1 are the same number', () => {
    expect(versionOf('001_a.sql')).toBe(versionOf('1_b.sql'));
    expect(versionOf('0000000000000000000000042_a.sql')).toBe(42n);
  });

  it('keeps 18- and 19-digit versions exact where a JavaScript number would round', () => {
    // As doubles both are 123456789012345680: a Number comparison would call them equal.
    expect(Number('123456789012345678')).toBe(Number('123456789012345679'));
    expect(versionOf('123456789012345678_a.sql')).toBe(123456789012345678n);
    expect(versionOf('123456789012345679_a.sql')).not.toBe(versionOf('123456789012345678_a.sql'));
    expect(versionOf('9223372036854775807_max.sql')).toBe(MAX_VERSION);
    expect(versionOf('9223372036854775808_over.sql')).toBe(9223372036854775808n);
  });

  it('returns undefined for names that are not migrations', () => {
    for (const name of [
      'initial.sql',
      '001.sql',
      '001_.sql',
      '_a.sql',
      '001-initial.sql',
      '001_a b.sql',
      '001_a.b.sql',
      '001_ä.sql',
      'v1_a.sql',
      '001_a.sql.bak',
      '001_a.SQL',
      '001_a.sql ',
      '١٢_arabic_digits.sql',
    ]) {
      expect(versionOf(name), name).toBeUndefined();
    }
  });
});

describe('normalizeContent', () => {
  it('decodes UTF-8', () => {
    expect(normalizeContent(bytes("SELECT 'héllo 😀';\n"))).toBe("SELECT 'héllo 😀';\n");
  });

  it('removes a leading byte-order mark', () => {
    expect(normalizeContent(concat(BOM, bytes('SELECT 1;\n')))).toBe('SELECT 1;\n');
  });

  it('keeps a byte-order mark that is not at the start', () => {
    expect(normalizeContent(concat(bytes('a'), BOM))).toBe('a\uFEFF');
  });

  it('turns every CRLF into LF and leaves a lone CR alone', () => {
    expect(normalizeContent(bytes('a\r\nb\r\n\r\nc\rd'))).toBe('a\nb\n\nc\rd');
  });

  it('throws on invalid UTF-8', () => {
    expect(() => normalizeContent(Uint8Array.of(0x53, 0xff, 0x0a))).toThrow();
    expect(() => normalizeContent(Uint8Array.of(0xc3))).toThrow(); // truncated sequence
    expect(() => normalizeContent(Uint8Array.of(0xed, 0xa0, 0x80))).toThrow(); // surrogate
  });

  it('still decodes after an invalid input was rejected', () => {
    expect(() => normalizeContent(Uint8Array.of(0xe2, 0x82))).toThrow();
    expect(normalizeContent(bytes('€'))).toBe('€');
  });
});

describe('checksumOf', () => {
  it('is the lowercase hex SHA-256 of the normalized text', () => {
    expect(checksumOf('SELECT 1;\n')).toBe(sha256('SELECT 1;\n'));
    expect(checksumOf('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(checksumOf('x')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes the UTF-8 bytes of non-ASCII text', () => {
    expect(checksumOf('é😀')).toBe(sha256(bytes('é😀')));
  });

  it('gives a CRLF file with a BOM the checksum of the LF file', () => {
    const lf = bytes('CREATE TABLE t (id int);\nINSERT INTO t VALUES (1);\n');
    const crlfBom = concat(BOM, bytes('CREATE TABLE t (id int);\r\nINSERT INTO t VALUES (1);\r\n'));
    expect(checksumOf(normalizeContent(crlfBom))).toBe(checksumOf(normalizeContent(lf)));
    expect(checksumOf(normalizeContent(lf))).toBe(sha256(lf));
  });

  it('differs when the content differs', () => {
    expect(checksumOf('SELECT 1;\n')).not.toBe(checksumOf('SELECT 2;\n'));
    expect(checksumOf('SELECT 1;\n')).not.toBe(checksumOf('SELECT 1;'));
  });
});

describe('lineAt', () => {
  const text = 'one\ntwo\n\nfour';
  it('gives the 1-based line of an index', () => {
    expect(lineAt(text, 0)).toBe(1);
    expect(lineAt(text, 2)).toBe(1);
    expect(lineAt(text, 3)).toBe(1); // the newline ends line 1
    expect(lineAt(text, 4)).toBe(2);
    expect(lineAt(text, 8)).toBe(3);
    expect(lineAt(text, 9)).toBe(4);
    expect(lineAt(text, text.length)).toBe(4);
  });

  it('is 1 for text without newlines', () => {
    expect(lineAt('', 0)).toBe(1);
    expect(lineAt('abc', 2)).toBe(1);
  });
});

describe('readDirectives', () => {
  it('finds nothing in a file without directives', () => {
    expect(readDirectives('CREATE TABLE t (id int);\n-- a comment\n', 'f.sql')).toEqual({
      noTransaction: false,
      findings: [],
    });
  });

  it('reads -- migrate:no-transaction on the first line', () => {
    const sql = '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n';
    expect(readDirectives(sql, '005_i.sql')).toEqual({ noTransaction: true, findings: [] });
  });

  it('reads it among blank and comment lines before the first statement', () => {
    const sql =
      '-- Adds an index without blocking writes.\n\n   \n-- migrate:no-transaction\n-- more\nCREATE INDEX CONCURRENTLY i ON t (a);\n';
    expect(readDirectives(sql, '005_i.sql')).toEqual({ noTransaction: true, findings: [] });
  });

  it('accepts trailing spaces after the directive', () => {
    const sql = '-- migrate:no-transaction   \nSELECT 1;\n';
    expect(readDirectives(sql, 'f.sql')).toEqual({ noTransaction: true, findings: [] });
  });

  // A block comment is not a statement: the directive below it is still before the first one.
  it('reads the directive after a leading block comment', () => {
    const sql =
      '/* Adds an index without blocking writes. */\n-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n';
    expect(readDirectives(sql, '005_i.sql')).toEqual({ noTransaction: true, findings: [] });
  });

  it('reports -- migrate:no-transaction after the first statement, with its line', () => {
    const sql = 'CREATE TABLE t (id int);\n\n-- migrate:no-transaction\nSELECT 1;\n';
    const { noTransaction, findings } = readDirectives(sql, '003_late.sql');
    expect(noTransaction).toBe(false);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      kind: 'directive',
      file: '003_late.sql',
      line: 3,
      stops: true,
    });
    expect(findings[0]?.message).toContain('003_late.sql');
    expect(findings[0]?.message).toContain('line 3');
  });

  it('accepts -- migrate:up in the header and reports it after the first statement', () => {
    const sql = '-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:up\n';
    const { noTransaction, findings } = readDirectives(sql, '004_dbmate.sql');
    expect(noTransaction).toBe(false);
    expect(findings.map((f) => [f.kind, f.file, f.line, f.stops])).toEqual([
      ['directive', '004_dbmate.sql', 3, true],
    ]);
    expect(findings[0]?.message).toContain('-- migrate:up');
  });

  it('reports a -- migrate:down line in the text it reads (the up part never holds one)', () => {
    const sql = '-- migrate:up\nCREATE TABLE t (id int);\n\n-- migrate:down\nDROP TABLE t;\n';
    const { findings } = readDirectives(sql, '004_dbmate.sql');
    expect(findings.map((f) => f.line)).toEqual([4]);
    expect(findings[0]?.message).toContain('-- migrate:down');
    expect(findings[0]?.message).toContain('line 4');
  });

  it('reports an unknown directive even in the header, next to a valid one', () => {
    const sql = '-- migrate:no-transaction\n-- migrate:down\nSELECT 1;\n';
    const { noTransaction, findings } = readDirectives(sql, 'f.sql');
    expect(noTransaction).toBe(true);
    expect(findings.map((f) => f.line)).toEqual([2]);
  });

  it('reports spelling variants of a migrate line (no space, indented)', () => {
    const sql = 'SELECT 1;\n--migrate:down\n  -- migrate:down\n';
    const { findings } = readDirectives(sql, 'f.sql');
    expect(findings.map((f) => f.line)).toEqual([2, 3]);
  });

  it('counts lines of the normalized text after a CRLF file was normalized', () => {
    const sql = normalizeContent(bytes('SELECT 1;\r\n\r\n-- migrate:down\r\nSELECT 2;\r\n'));
    expect(readDirectives(sql, 'f.sql').findings.map((f) => f.line)).toEqual([3]);
  });
});

describe('readMigrations', () => {
  const folders: string[] = [];
  afterAll(async () => {
    await Promise.all(folders.map((f) => rm(f, { recursive: true, force: true })));
  });

  async function folderWith(files: Record<string, string | Uint8Array>): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'migrate-action-unit-'));
    folders.push(dir);
    for (const [name, content] of Object.entries(files)) {
      await writeFile(path.join(dir, name), content);
    }
    return dir;
  }

  it('reads migrations in numeric version order with checksum, sql and path', async () => {
    const dir = await folderWith({
      '10_ten.sql': 'SELECT 10;\n',
      '2_two.sql': 'SELECT 2;\n',
      '001_one.sql': concat(BOM, bytes('SELECT 1;\r\n')),
    });
    const { migrations, findings } = await readMigrations(dir);
    expect(findings).toEqual([]);
    expect(migrations.map((m) => [m.version, m.name])).toEqual([
      [1n, '001_one.sql'],
      [2n, '2_two.sql'],
      [10n, '10_ten.sql'],
    ]);
    const first = migrations[0];
    expect(first?.sql).toBe('SELECT 1;\n');
    expect(first?.checksum).toBe(sha256('SELECT 1;\n'));
    expect(first?.path).toBe(path.join(dir, '001_one.sql'));
    expect(first?.noTransaction).toBe(false);
  });

  it('marks a file with -- migrate:no-transaction', async () => {
    const dir = await folderWith({
      '1_idx.sql': '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n',
    });
    const { migrations, findings } = await readMigrations(dir);
    expect(findings).toEqual([]);
    expect(migrations[0]?.noTransaction).toBe(true);
  });

  it('reports a misnamed .sql file by name and still reads the others', async () => {
    const dir = await folderWith({
      '1_ok.sql': 'SELECT 1;\n',
      'initial.sql': 'SELECT 2;\n',
      '002-typo.sql': 'SELECT 3;\n',
    });
    const { migrations, findings } = await readMigrations(dir);
    expect(migrations.map((m) => m.name)).toEqual(['1_ok.sql']);
    expect(findings.map((f) => [f.kind, f.file, f.stops]).sort()).toEqual([
      ['misnamed', '002-typo.sql', true],
      ['misnamed', 'initial.sql', true],
    ]);
    for (const f of findings) expect(f.message).toContain(f.file);
  });

  it('ignores files not ending in .sql and sub-folders', async () => {
    const dir = await folderWith({
      '1_ok.sql': 'SELECT 1;\n',
      'README.md': '# notes',
      '2_draft.sql.bak': 'SELECT 2;\n',
      '.gitkeep': '',
    });
    await mkdir(path.join(dir, 'old'));
    await writeFile(path.join(dir, 'old', '3_old.sql'), 'SELECT 3;\n');
    await writeFile(path.join(dir, 'old', 'misnamed.sql'), 'SELECT 3;\n');
    await mkdir(path.join(dir, '4_folder.sql'));
    await mkdir(path.join(dir, 'archive.sql'));
    const { migrations, findings } = await readMigrations(dir);
    expect(findings).toEqual([]);
    expect(migrations.map((m) => m.name)).toEqual(['1_ok.sql']);
  });

  it('reports 001_a.sql and 1_b.sql as a duplicate version naming both files', async () => {
    const dir = await folderWith({ '001_a.sql': 'SELECT 1;\n', '1_b.sql': 'SELECT 2;\n' });
    const { findings } = await readMigrations(dir);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ kind: 'duplicate', version: 1n, stops: true });
    expect(findings[0]?.message).toContain('001_a.sql');
    expect(findings[0]?.message).toContain('1_b.sql');
  });

  it('does not take 18-digit versions that differ in the last digit for duplicates', async () => {
    const dir = await folderWith({
      '123456789012345678_a.sql': 'SELECT 1;\n',
      '123456789012345679_b.sql': 'SELECT 2;\n',
    });
    const { migrations, findings } = await readMigrations(dir);
    expect(findings).toEqual([]);
    expect(migrations.map((m) => m.version)).toEqual([123456789012345678n, 123456789012345679n]);
  });

  it('reports a version above 9223372036854775807 and accepts that maximum', async () => {
    const dir = await folderWith({
      '9223372036854775807_max.sql': 'SELECT 1;\n',
      '9223372036854775808_over.sql': 'SELECT 2;\n',
    });
    const { migrations, findings } = await readMigrations(dir);
    expect(migrations.map((m) => m.version)).toEqual([MAX_VERSION]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      kind: 'version-too-large',
      file: '9223372036854775808_over.sql',
      stops: true,
    });
    expect(findings[0]?.message).toContain('9223372036854775808_over.sql');
  });

  it('reports a file that is not valid UTF-8 as unreadable, naming it', async () => {
    const dir = await folderWith({
      '1_ok.sql': 'SELECT 1;\n',
      '2_latin1.sql': Uint8Array.of(...bytes("SELECT 'caf"), 0xe9, ...bytes("';\n")),
    });
    const { migrations, findings } = await readMigrations(dir);
    expect(migrations.map((m) => m.name)).toEqual(['1_ok.sql']);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      kind: 'unreadable',
      file: '2_latin1.sql',
      version: 2n,
      stops: true,
    });
    expect(findings[0]?.message).toContain('2_latin1.sql');
    expect(findings[0]?.message).toContain('UTF-8');
  });

  it('reports stray directives of a file with its name and line', async () => {
    const dir = await folderWith({ '1_stray.sql': 'SELECT 1;\n-- migrate:dwon\nSELECT 2;\n' });
    const { findings } = await readMigrations(dir);
    expect(findings.map((f) => [f.kind, f.file, f.line])).toEqual([
      ['directive', '1_stray.sql', 2],
    ]);
  });

  it('reads an empty folder as no migrations and no findings', async () => {
    const dir = await folderWith({});
    expect(await readMigrations(dir)).toEqual({ migrations: [], findings: [] });
  });

  it('throws a ConfigurationError naming a missing folder', async () => {
    const dir = path.join(await folderWith({}), 'does-not-exist');
    const error = await readMigrations(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toContain(dir);
    expect((error as Error).message).toContain('migrations-dir');
  });

  it('throws a ConfigurationError when the folder is a file', async () => {
    const dir = await folderWith({ 'file.txt': 'x' });
    await expect(readMigrations(path.join(dir, 'file.txt'))).rejects.toBeInstanceOf(
      ConfigurationError,
    );
  });
});
