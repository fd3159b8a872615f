import { describe, expect, it } from 'vitest';
import { migrationsOf } from '../../../../src/files/layouts/index.js';
import { listing } from './listing.js';

const summary = (reading: ReturnType<typeof migrationsOf>) =>
  reading.migrations.map((m) => [m.label, m.key, m.upFile, m.downFile, m.noTransaction]);

describe('golang-migrate', () => {
  it('pairs up and down files by version, in numeric order', () => {
    const reading = migrationsOf(
      'golang-migrate',
      listing(
        '000010_add_index.up.sql',
        '000002_add_posts.down.sql',
        '000002_add_posts.up.sql',
        '000001_create_users.down.sql',
        '000001_create_users.up.sql',
        'README.md',
      ),
    );
    expect(reading.errors).toEqual([]);
    expect(summary(reading)).toEqual([
      ['000001', '1', '000001_create_users.up.sql', '000001_create_users.down.sql', false],
      ['000002', '2', '000002_add_posts.up.sql', '000002_add_posts.down.sql', false],
      ['000010', '10', '000010_add_index.up.sql', undefined, false],
    ]);
  });

  it('refuses two up files of one version, a lone down file, other .sql names and 65-bit versions', () => {
    const reading = migrationsOf(
      'golang-migrate',
      listing(
        '1_a.up.sql',
        '001_b.up.sql',
        '3_c.down.sql',
        'schema.sql',
        '18446744073709551616_big.up.sql',
      ),
    );
    expect(reading.migrations.map((m) => m.key)).toEqual(['1']);
    expect(reading.errors).toEqual([
      '18446744073709551616_big.up.sql has a version above 18446744073709551615, which golang-migrate cannot read either.',
      '001_b.up.sql and 1_a.up.sql are both the up file of version 1; keep one of them.',
      'schema.sql is not a golang-migrate migration name: <version>_<title>.up.sql or .down.sql.',
      '3_c.down.sql is a down file without an up file of version 3.',
    ]);
  });
});

describe('dbmate', () => {
  it('reads <digits>…sql files, with or without an underscore, and cuts them by sections', () => {
    const reading = migrationsOf(
      'dbmate',
      listing('20240212120203_create_users.sql', '20240301090000.sql', 'README.md'),
    );
    expect(reading.errors).toEqual([]);
    expect(summary(reading)).toEqual([
      ['20240212120203', '20240212120203', '20240212120203_create_users.sql', undefined, false],
      ['20240301090000', '20240301090000', '20240301090000.sql', undefined, false],
    ]);
    expect(reading.migrations[0]?.sections).toBeTypeOf('function');
  });

  it("warns where dbmate's name order differs from the numeric order", () => {
    const reading = migrationsOf('dbmate', listing('1_a.sql', '2_b.sql', '10_c.sql'));
    expect(reading.migrations.map((m) => m.name)).toEqual(['1_a.sql', '2_b.sql', '10_c.sql']);
    expect(reading.warnings).toEqual([
      'dbmate applies migrations in the text order of their names, which puts 10_c.sql before ' +
        '2_b.sql; the action applies them in numeric order of their versions.',
    ]);
  });

  it('refuses two files that are one version as a number', () => {
    const reading = migrationsOf('dbmate', listing('001_a.sql', '1_b.sql'));
    expect(reading.errors).toEqual([
      '001_a.sql and 1_b.sql have the same version 1 for dbmate; keep one of them.',
    ]);
  });
});

describe('goose', () => {
  const folder = listing(
    '00001_create_users.sql',
    '00002_backfill.go',
    '00003_add_index.sql',
    'helpers.go',
    'main_test.go',
  );

  it('refuses Go migrations by name, and leaves other .go files alone', () => {
    const reading = migrationsOf('goose', folder);
    expect(reading.errors).toEqual([
      '00002_backfill.go is a goose migration written in Go, which the action cannot run; ' +
        'rewrite it in SQL, or set skip-go-migrations: true to leave Go migrations out.',
    ]);
    expect(reading.migrations.map((m) => m.label)).toEqual(['00001', '00003']);
  });

  it('lists Go migrations as skipped with skipGo', () => {
    const reading = migrationsOf('goose', folder, { skipGo: true });
    expect(reading.errors).toEqual([]);
    expect(reading.skipped).toEqual([
      {
        path: '00002_backfill.go',
        reason: 'a goose migration written in Go, left out because skip-go-migrations is true',
      },
    ]);
  });

  it('refuses version 0 and names without an underscore', () => {
    const reading = migrationsOf('goose', listing('0_init.sql', '5init.sql'));
    expect(reading.migrations).toEqual([]);
    expect(reading.errors).toEqual([
      '0_init.sql has version 0; goose versions go from 1 to 9223372036854775807.',
      '5init.sql is not a goose migration name: <version>_<name>.sql.',
    ]);
  });
});

describe('Flyway', () => {
  it('reads V files, their U undo files and .sql.conf settings, ordered as Flyway orders', () => {
    const reading = migrationsOf(
      'flyway',
      listing(
        'V2.0.3__rename.sql',
        'V1.27__more.sql',
        'V1_7__add_email.sql',
        'U1_7__add_email.sql',
        'V1__init.sql',
        'V1.27__more.sql.conf',
        '2024/V3__in_a_folder.sql',
        '2024/notes.sql',
      ),
    );
    expect(reading.errors).toEqual([]);
    expect(
      reading.migrations.map((m) => [m.label, m.key, m.upFile, m.downFile, m.settingsFile]),
    ).toEqual([
      ['1', '1', 'V1__init.sql', undefined, undefined],
      ['1.7', '1.7', 'V1_7__add_email.sql', 'U1_7__add_email.sql', undefined],
      ['1.27', '1.27', 'V1.27__more.sql', undefined, 'V1.27__more.sql.conf'],
      ['2.0.3', '2.0.3', 'V2.0.3__rename.sql', undefined, undefined],
      ['3', '3', '2024/V3__in_a_folder.sql', undefined, undefined],
    ]);
  });

  it('refuses repeatable migrations with a clear sentence', () => {
    const reading = migrationsOf('flyway', listing('V1__init.sql', 'R__views.sql'));
    expect(reading.errors).toEqual([
      'R__views.sql is a Flyway repeatable migration (R__), which the action does not run yet; ' +
        'make it a versioned V file or move it out of the folder.',
    ]);
    expect(reading.migrations.map((m) => m.name)).toEqual(['V1__init.sql']);
  });

  it('refuses versions equal for Flyway, baseline files, bad names and undo files without a V file', () => {
    const reading = migrationsOf(
      'flyway',
      listing('V1.7__a.sql', 'V1.07__b.sql', 'B5__baseline.sql', 'V1_x.sql', 'U9__gone.sql'),
    );
    expect(reading.errors).toEqual([
      'B5__baseline.sql is a Flyway baseline migration (B prefix), which the action does not ' +
        'read; keep the versioned files it replaces, or move it out of the folder.',
      'V1_x.sql is not a Flyway migration name: V<version>__<description>.sql, the version ' +
        'digits separated by . or _.',
      'U9__gone.sql undoes version 9, which has no V file.',
      'V1.07__b.sql and V1.7__a.sql have the same version 1.7 for Flyway; keep one of them.',
    ]);
  });
});

describe('Prisma', () => {
  it('reads one folder per migration, with migration_lock.toml beside them', () => {
    const reading = migrationsOf(
      'prisma',
      listing(
        '0_init/migration.sql',
        '20240212120203_add_posts/migration.sql',
        '20240212120203_add_posts/down.sql',
        '20240101000000_users/migration.sql',
        'migration_lock.toml',
      ),
    );
    expect(reading.errors).toEqual([]);
    expect(summary(reading)).toEqual([
      ['0', '0', '0_init/migration.sql', undefined, false],
      ['20240101000000', '20240101000000', '20240101000000_users/migration.sql', undefined, false],
      [
        '20240212120203',
        '20240212120203',
        '20240212120203_add_posts/migration.sql',
        '20240212120203_add_posts/down.sql',
        false,
      ],
    ]);
    expect(reading.migrations.map((m) => m.name)).toEqual([
      '0_init',
      '20240101000000_users',
      '20240212120203_add_posts',
    ]);
  });

  it('refuses a folder without migration.sql or without a leading timestamp', () => {
    const reading = migrationsOf(
      'prisma',
      listing('20240101000000_users/notes.md', 'init/migration.sql'),
    );
    expect(reading.errors).toEqual([
      '20240101000000_users has no migration.sql, which Prisma needs in every folder.',
      'init is not a Prisma migration folder name: <timestamp>_<name>, e.g. 20240212120203_init.',
    ]);
  });
});

describe('diesel', () => {
  it('reads versions with dashes, ordered as text without them, with metadata.toml as settings', () => {
    const reading = migrationsOf(
      'diesel',
      listing(
        '00000000000000_diesel_initial_setup/up.sql',
        '00000000000000_diesel_initial_setup/down.sql',
        '2024-03-01-000000_old_format/up.sql',
        '2024-02-12-120203-0000_create_users/up.sql',
        '2024-02-12-120203-0000_create_users/down.sql',
        '2024-02-12-120203-0000_create_users/metadata.toml',
        'seed.sql',
      ),
    );
    expect(reading.errors).toEqual([]);
    expect(reading.migrations.map((m) => [m.label, m.key, m.downFile, m.settingsFile])).toEqual([
      [
        '00000000000000',
        '00000000000000',
        '00000000000000_diesel_initial_setup/down.sql',
        undefined,
      ],
      [
        '2024-02-12-120203-0000',
        '202402121202030000',
        '2024-02-12-120203-0000_create_users/down.sql',
        '2024-02-12-120203-0000_create_users/metadata.toml',
      ],
      ['2024-03-01-000000', '20240301000000', undefined, undefined],
    ]);
    expect(reading.skipped).toEqual([
      { path: 'seed.sql', reason: 'a file outside any migration folder' },
    ]);
  });

  it('refuses a folder without up.sql', () => {
    const reading = migrationsOf('diesel', listing('2024-02-12-120203_x/down.sql'));
    expect(reading.errors).toEqual([
      '2024-02-12-120203_x has no up.sql, which diesel needs in every folder.',
    ]);
  });
});

describe('popx', () => {
  it('prefers the PostgreSQL file over the all-dialects one, skips other dialects, reads .autocommit', () => {
    const reading = migrationsOf(
      'popx',
      listing(
        '20150100000001000000_networks.up.sql',
        '20150100000001000000_networks.postgres.up.sql',
        '20150100000001000000_networks.mysql.up.sql',
        '20150100000001000000_networks.down.sql',
        '20200100000001000000_index.postgres.autocommit.up.sql',
        '20200100000001000000_index.postgres.autocommit.down.sql',
        '20200100000002000000_only_mysql.mysql.up.sql',
      ),
    );
    expect(reading.errors).toEqual([]);
    expect(summary(reading)).toEqual([
      [
        '20150100000001000000',
        '20150100000001000000',
        '20150100000001000000_networks.postgres.up.sql',
        '20150100000001000000_networks.down.sql',
        false,
      ],
      [
        '20200100000001000000',
        '20200100000001000000',
        '20200100000001000000_index.postgres.autocommit.up.sql',
        '20200100000001000000_index.postgres.autocommit.down.sql',
        true,
      ],
    ]);
    expect(reading.migrations[1]?.downNoTransaction).toBe(true);
    expect(reading.skipped.map((s) => s.path)).toEqual([
      '20150100000001000000_networks.mysql.up.sql',
      '20200100000002000000_only_mysql.mysql.up.sql',
    ]);
  });

  it('refuses Go and Fizz migrations unless Go ones are skipped', () => {
    const folder = listing('20210100000001000000_x.up.fizz', '20210100000002000000_y.go');
    expect(migrationsOf('popx', folder).errors).toEqual([
      '20210100000001000000_x.up.fizz is a Fizz migration, which the action cannot run; rewrite it in SQL.',
      '20210100000002000000_y.go is a popx migration written in Go, which the action cannot run; ' +
        'rewrite it in SQL, or set skip-go-migrations: true to leave Go migrations out.',
    ]);
    const skipping = migrationsOf('popx', folder, { skipGo: true });
    expect(skipping.skipped.map((s) => s.path)).toEqual(['20210100000002000000_y.go']);
  });
});
