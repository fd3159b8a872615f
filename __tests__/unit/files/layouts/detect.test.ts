import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderEntries } from '../../../../src/files/folder.js';
import { detectLayout } from '../../../../src/files/layouts/index.js';
import { listing } from './listing.js';

const layoutOf = (...paths: string[]) => {
  const detection = detectLayout(listing(...paths), 'auto');
  return detection.ok ? detection.layout : detection.error;
};

describe('detectLayout from names', () => {
  it('recognises each layout that names tell apart', () => {
    expect(layoutOf('000001_init.up.sql', '000001_init.down.sql')).toBe('golang-migrate');
    expect(layoutOf('20150100000001000000_networks.postgres.up.sql')).toBe('popx');
    expect(layoutOf('20150100000001000000_networks.up.sql')).toBe('popx');
    expect(layoutOf('1_a.up.sql', '2_b.postgres.autocommit.up.sql')).toBe('popx');
    expect(layoutOf('V1__init.sql', 'V1.1__users.sql')).toBe('flyway');
    expect(layoutOf('sql/V1__init.sql')).toBe('flyway');
    expect(layoutOf('20240101000000_init/migration.sql', 'migration_lock.toml')).toBe('prisma');
    expect(layoutOf('2024-02-12-120203_init/up.sql', '2024-02-12-120203_init/down.sql')).toBe(
      'diesel',
    );
    expect(layoutOf('001_init.sql', '002_users.sql')).toBe('plain');
    expect(layoutOf('00001_init.sql', '00002_backfill.go')).toBe('goose');
    expect(layoutOf('20240212120203.sql')).toBe('dbmate');
    expect(layoutOf('README.md')).toBe('plain');
    expect(layoutOf()).toBe('plain');
  });

  it('says which it chose and why', () => {
    expect(detectLayout(listing('V1__init.sql', 'V2__users.sql'), 'auto')).toEqual({
      ok: true,
      layout: 'flyway',
      reason: 'auto: 2 files such as V1__init.sql: flyway',
    });
  });

  it('takes a requested layout as it is', () => {
    expect(detectLayout(listing('V1__init.sql', '001_a.sql'), 'plain')).toEqual({
      ok: true,
      layout: 'plain',
      reason: 'set by the layout input',
    });
  });

  it('refuses a folder mixing layouts, naming a file of each', () => {
    expect(layoutOf('001_init.up.sql', 'V2__users.sql')).toBe(
      'The migrations folder mixes layouts: 001_init.up.sql is named as for golang-migrate and ' +
        'V2__users.sql as for Flyway; keep one layout in the folder, or set `layout:` to the one ' +
        'to read.',
    );
    expect(layoutOf('003_more.sql', '20240101000000_init/migration.sql')).toBe(
      'The migrations folder mixes layouts: 003_more.sql is named as for plain, dbmate or goose ' +
        'and 20240101000000_init/migration.sql as for Prisma; keep one layout in the folder, or ' +
        'set `layout:` to the one to read.',
    );
  });
});

describe('detectLayout from the first lines of single files', () => {
  const detect = (texts: Record<string, string>) => {
    const detection = detectLayout(listing(...Object.keys(texts)), 'auto', {
      textOf: (file) => texts[file],
    });
    return detection.ok ? detection.layout : detection.error;
  };

  it('tells goose, dbmate and plain apart', () => {
    expect(detect({ '00001_a.sql': '-- +goose Up\nSELECT 1;\n' })).toBe('goose');
    expect(
      detect({
        '1_a.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down\n',
        '2_b.sql': '-- migrate:up\nSELECT 2;\n-- migrate:down\nSELECT 3;\n',
      }),
    ).toBe('dbmate');
    expect(
      detect({
        '1_a.sql': '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (c);\n',
      }),
    ).toBe('dbmate');
    // One file without dbmate's markers: the plain layout reads them all.
    expect(
      detect({
        '1_a.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down\n',
        '2_b.sql': 'SELECT 2;\n',
      }),
    ).toBe('plain');
    expect(detect({ '1_a.sql': '-- migrate:no-transaction\nSELECT 1;\n' })).toBe('plain');
  });

  it('refuses goose and dbmate files in one folder', () => {
    expect(
      detect({
        '1_a.sql': '-- +goose Up\nSELECT 1;\n',
        '2_b.sql': '-- migrate:up transaction:false\nSELECT 2;\n-- migrate:down\n',
      }),
    ).toBe(
      'The migrations folder mixes layouts: 1_a.sql is written for goose and 2_b.sql for dbmate; ' +
        'keep one layout in the folder, or set `layout:` to the one to read.',
    );
  });
});

describe('folderEntries', () => {
  it('lists files and one level of sub-folders, sorted, without dot entries', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'layouts-'));
    try {
      await mkdir(path.join(dir, '20240101000000_init', 'deeper'), { recursive: true });
      await writeFile(path.join(dir, '20240101000000_init', 'migration.sql'), 'SELECT 1;');
      await writeFile(path.join(dir, '20240101000000_init', 'deeper', 'x.sql'), 'SELECT 1;');
      await writeFile(path.join(dir, 'migration_lock.toml'), '');
      await writeFile(path.join(dir, '.keep'), '');
      await mkdir(path.join(dir, 'real'));
      await symlink(path.join(dir, 'real'), path.join(dir, 'linked'));
      expect(folderEntries(dir)).toEqual([
        { path: '20240101000000_init', isDirectory: true },
        { path: '20240101000000_init/deeper', isDirectory: true },
        { path: '20240101000000_init/migration.sql', isDirectory: false },
        { path: 'linked', isDirectory: true },
        { path: 'migration_lock.toml', isDirectory: false },
        { path: 'real', isDirectory: true },
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
