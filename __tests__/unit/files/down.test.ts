import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readMigrations } from '../../../src/files/discover.js';
import { findDownSection } from '../../../src/files/down.js';
import { isLarge, LARGE_FILE } from '../../../src/files/stream.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const folders: string[] = [];
afterAll(async () => {
  await Promise.all(folders.map((f) => rm(f, { recursive: true, force: true })));
});
async function folderWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'down-'));
  folders.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

describe('findDownSection', () => {
  it('cuts at the first -- migrate:down line, the up part keeping its last newline', () => {
    const text = 'CREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n';
    const cut = findDownSection(text);
    expect(cut).toEqual({ upEnd: 25, downStart: 41, line: 3 });
    expect(text.slice(0, cut?.upEnd)).toBe('CREATE TABLE t (id int);\n');
    expect(text.slice(cut?.downStart)).toBe('DROP TABLE t;\n');
  });

  it('forgives trailing blanks but not other spellings of the marker', () => {
    expect(findDownSection('SELECT 1;\n-- migrate:down  \nSELECT 2;')?.line).toBe(3);
    expect(findDownSection('SELECT 1;\n--migrate:down\nSELECT 2;')).toBeUndefined();
    expect(findDownSection('SELECT 1;\n  -- migrate:down\nSELECT 2;')).toBeUndefined();
    expect(findDownSection('SELECT 1; -- migrate:down\nSELECT 2;')).toBeUndefined();
  });

  it('finds nothing in a file without a down section', () => {
    expect(
      findDownSection('-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n'),
    ).toBe(undefined);
  });
});

describe('readMigrations with down sections', () => {
  it('keeps the checksum of a file without a down section: the SHA-256 of the whole file', async () => {
    // What the build before down sections (commit 40e52e7) recorded for this content.
    const content = '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n';
    const dir = await folderWith({ '1_index.sql': content, '2_plain.sql': 'SELECT 1;\n' });
    const { migrations, findings } = await readMigrations(dir);
    expect(findings).toEqual([]);
    expect(migrations.map((m) => m.checksum)).toEqual([
      '19870ad6ca213b9c2ce00c181163ca024dc9e639c70fa601ee29c1632f2d3cc3',
      sha256('SELECT 1;\n'),
    ]);
    expect(migrations[0]?.checksum).toBe(sha256(content));
    expect(migrations.map((m) => m.down)).toEqual([undefined, undefined]);
  });

  it('runs and checksums only the up part; the down SQL keeps its file line', async () => {
    const up = '-- migrate:up\nCREATE TABLE t (id int);\n\n';
    const dir = await folderWith({ '1_t.sql': `${up}-- migrate:down\nDROP TABLE t;\n` });
    const { migrations, findings } = await readMigrations(dir);
    expect(findings).toEqual([]);
    const [migration] = migrations;
    expect(migration?.sql).toBe(up);
    expect(migration?.checksum).toBe(sha256(up));
    expect(migration?.down).toMatchObject({ file: '1_t.sql', line: 5, noTransaction: false });
    expect(migration?.down?.sql).toBe('DROP TABLE t;\n');
  });

  it('gives a CRLF file with a down section the checksum of its LF up part', async () => {
    const dir = await folderWith({ '1_t.sql': 'SELECT 1;\r\n-- migrate:down\r\nSELECT 2;\r\n' });
    const { migrations } = await readMigrations(dir);
    expect(migrations[0]?.checksum).toBe(sha256('SELECT 1;\n'));
    expect(migrations[0]?.down?.sql).toBe('SELECT 2;\n');
  });

  it('editing only the down SQL leaves the checksum as it was', async () => {
    const a = await folderWith({ '1_t.sql': 'SELECT 1;\n-- migrate:down\nSELECT 2;\n' });
    const b = await folderWith({ '1_t.sql': 'SELECT 1;\n-- migrate:down\nSELECT 3;\n' });
    const [ma, mb] = [
      (await readMigrations(a)).migrations[0],
      (await readMigrations(b)).migrations[0],
    ];
    expect(ma?.checksum).toBe(mb?.checksum);
  });

  it('makes the down no-transaction with the file, or with its own header line', async () => {
    const dir = await folderWith({
      '1_file.sql':
        '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n-- migrate:down\nDROP INDEX CONCURRENTLY i;\n',
      '2_down_only.sql':
        'CREATE TABLE u (id int);\n-- migrate:down\n-- migrate:no-transaction\nDROP TABLE u;\n',
    });
    const { migrations, findings } = await readMigrations(dir);
    expect(findings).toEqual([]);
    expect(migrations.map((m) => [m.noTransaction, m.down?.noTransaction])).toEqual([
      [true, true],
      [false, true],
    ]);
  });

  it('reports a second -- migrate:down line or a late directive at the line of the file', async () => {
    const dir = await folderWith({
      '1_t.sql': 'SELECT 1;\n-- migrate:down\nSELECT 2;\n-- migrate:down\nSELECT 3;\n',
      '2_u.sql': 'SELECT 1;\n-- migrate:down\nSELECT 2;\n-- migrate:no-transaction\n',
    });
    const { findings } = await readMigrations(dir);
    expect(findings.map((f) => [f.file, f.line])).toEqual([
      ['1_t.sql', 4],
      ['2_u.sql', 4],
    ]);
    expect(findings[0]?.message).toContain('1_t.sql line 4');
  });

  it('holds a large file with a down section rather than streaming the whole file', async () => {
    const filler = `-- ${'x'.repeat(1000)}\n`.repeat(Math.ceil(LARGE_FILE / 1000) + 10);
    const dir = await folderWith({
      '1_big.sql': `SELECT 1;\n${filler}-- migrate:down\nSELECT 2;\n`,
    });
    const { migrations } = await readMigrations(dir);
    const [migration] = migrations;
    expect(migration?.size).toBeGreaterThan(LARGE_FILE);
    expect(migration && isLarge(migration)).toBe(false);
    expect(migration?.sql.endsWith('-- migrate:down\n')).toBe(false);
  });
});
