import { describe, expect, it } from 'vitest';
import { flywayChecksum } from '../../../src/files/flyway-checksum.js';
import { standInVersion } from '../../../src/files/keys.js';
import type { Migration } from '../../../src/files/migration.js';
import { type FlywayRow, flywayHistory } from '../../../src/history/import/flyway.js';
import { importedRows } from '../../../src/history/import/index.js';
import type { ForeignHistory } from '../../../src/history/import/model.js';
import { toolOfTable } from '../../../src/history/import/tables.js';

// Flyway's, popx's and diesel's histories turned into rows: records matched to files by their
// exact key (a Flyway `1.7` or a popx version beyond bigint has a key and a stand-in version).

interface FileSpec {
  version: bigint;
  name: string;
  key?: string;
  label?: string;
  layout?: string;
  sql?: string;
}

const file = (spec: FileSpec): Migration => ({
  path: `/nowhere/${spec.name}`,
  checksum: `sum:${spec.name}`,
  sql: spec.sql ?? `SELECT '${spec.name}';\n`,
  noTransaction: false,
  ...spec,
});

const row = (m: Migration, checksum = m.checksum) => ({
  version: m.version,
  name: m.name,
  checksum,
  status: 'baseline',
  ...(m.key === undefined ? {} : { key: m.key }),
});

const flywayRow = (over: Partial<FlywayRow>): FlywayRow => ({
  version: '1',
  description: 'x',
  type: 'SQL',
  script: 'V1__x.sql',
  checksum: 1,
  success: true,
  ...over,
});

describe('flywayHistory', () => {
  const label = 'public.flyway_schema_history';

  it('reads versioned SQL rows with their checksums, canonical keys, and skips the SCHEMA marker', () => {
    const history = flywayHistory(label, [
      flywayRow({ version: null, type: 'SCHEMA', script: 'public', checksum: null }),
      flywayRow({ version: '1', script: 'V1__init.sql', checksum: -42 }),
      flywayRow({ version: '1.07', script: 'V1_07__add.sql', checksum: 7 }),
      flywayRow({ version: '2.0', script: 'V2.0__more.sql', checksum: null }),
    ]);
    expect(history).toEqual({
      tool: 'flyway',
      table: label,
      records: [
        { key: '1', script: 'V1__init.sql', flywayChecksum: -42 },
        { key: '1.7', script: 'V1_07__add.sql', flywayChecksum: 7 },
        { key: '2', script: 'V2.0__more.sql' },
      ],
    });
  });

  it('keeps the highest BASELINE version as the baseline, not as a record', () => {
    const history = flywayHistory(label, [
      flywayRow({
        version: '1.5',
        type: 'BASELINE',
        script: '<< Flyway Baseline >>',
        checksum: null,
      }),
      flywayRow({ version: '2', script: 'V2__x.sql' }),
    ]);
    expect(history.baseline).toBe('1.5');
    expect(history.records.map((r) => r.key)).toEqual(['2']);
  });

  it('takes a version back after an UNDO_SQL or a DELETE row, and applies it again after a later run', () => {
    const history = flywayHistory(label, [
      flywayRow({ version: '1' }),
      flywayRow({ version: '2' }),
      flywayRow({ version: '3' }),
      flywayRow({ version: '3', type: 'UNDO_SQL', script: 'U3__x.sql' }),
      flywayRow({ version: '2', type: 'DELETE' }),
      flywayRow({ version: '1', type: 'UNDO_SQL' }),
      flywayRow({ version: '1', checksum: 99 }),
    ]);
    expect(history.records).toEqual([{ key: '1', script: 'V1__x.sql', flywayChecksum: 99 }]);
  });

  it('leaves repeatable migrations out and says how many in the remark', () => {
    const history = flywayHistory(label, [
      flywayRow({ version: '1' }),
      flywayRow({ version: null, description: 'views', script: 'R__views.sql' }),
      flywayRow({ version: null, description: 'views', script: 'R__views.sql', checksum: 5 }),
      flywayRow({ version: null, description: 'grants', script: 'R__grants.sql' }),
    ]);
    expect(history.records.map((r) => r.key)).toEqual(['1']);
    expect(history.remark).toBe(
      '2 repeatable migrations Flyway ran not imported (the action does not run R__ files)',
    );
    expect(flywayHistory(label, [flywayRow({ version: '1' })]).remark).toBeUndefined();
  });

  it('refuses a failed row with one sentence naming the version', () => {
    expect(() =>
      flywayHistory(label, [
        flywayRow({ version: '1' }),
        flywayRow({ version: '1.7', script: 'V1_7__add.sql', success: false }),
      ]),
    ).toThrow(
      "Flyway's table public.flyway_schema_history records version 1.7 (V1_7__add.sql) as failed (success = false), so the database's state is unknown: fix the database and run flyway repair, then run again.",
    );
  });
});

describe('importedRows: Flyway', () => {
  const v1 = file({ version: 1n, name: 'V1__init.sql', sql: 'CREATE TABLE a ();\n' });
  const v17 = file({ version: standInVersion('1.7'), key: '1.7', name: 'V1_7__add.sql' });
  const v127 = file({ version: standInVersion('1.27'), key: '1.27', name: 'V1_27__more.sql' });
  const v2 = file({ version: 2n, name: 'V2__last.sql' });
  const files = [v1, v17, v127, v2];
  const foreign = (over: Partial<ForeignHistory>): ForeignHistory => ({
    tool: 'flyway',
    table: 'public.flyway_schema_history',
    records: [],
    ...over,
  });

  it('matches records to files by key, keeping the file version and key', () => {
    const { rows } = importedRows(foreign({ records: [{ key: '1' }, { key: '1.7' }] }), files);
    expect(rows).toEqual([row(v1), row(v17)]);
  });

  it('counts every file at or below the BASELINE version in Flyway order, with no row for the marker', () => {
    // 1.7 < 1.27 part by part, so the baseline 1.7 covers 1 and 1.7 but not 1.27.
    const { rows } = importedRows(foreign({ baseline: '1.7' }), files);
    expect(rows).toEqual([row(v1), row(v17)]);
    const above = importedRows(foreign({ baseline: '1.5', records: [{ key: '1.27' }] }), files);
    expect(above.rows).toEqual([row(v1), row(v127)]);
    // A baseline below every file (Flyway's default, 1, on files from 2) adds no missing row.
    expect(importedRows(foreign({ baseline: '0.5' }), files).rows).toEqual([]);
  });

  it("keeps Flyway's checksum when the file no longer matches it, so the plan reports it modified", () => {
    const good = flywayChecksum('CREATE TABLE a ();\n');
    const text = (checksum: number) =>
      importedRows(foreign({ records: [{ key: '1', flywayChecksum: checksum }] }), files);
    expect(text(good).rows).toEqual([row(v1)]);
    expect(text(good + 1).rows).toEqual([row(v1, `flyway:${good + 1}`)]);
    // The file's text as Flyway read it: CRLF lines match too.
    const crlf = importedRows(
      foreign({ records: [{ key: '1', flywayChecksum: good }] }),
      files,
      () => 'CREATE TABLE a ();\r\n',
    );
    expect(crlf.rows).toEqual([row(v1)]);
  });

  it('a dotted version applied without a file becomes a missing row with a stand-in version and its key', () => {
    const { rows } = importedRows(
      foreign({ records: [{ key: '1.8', script: 'V1_8__gone.sql' }] }),
      files,
    );
    expect(rows).toEqual([
      {
        version: standInVersion('1.8'),
        key: '1.8',
        name: 'V1_8__gone.sql (applied by Flyway, no file)',
        checksum: '',
        status: 'baseline',
      },
    ]);
  });

  it('names the repeatables it left out in the note', () => {
    const { note } = importedRows(
      foreign({
        records: [{ key: '1' }],
        remark: '1 repeatable migration Flyway ran not imported',
      }),
      files,
    );
    expect(note).toBe(
      'imported from Flyway (public.flyway_schema_history); 1 repeatable migration Flyway ran not imported',
    );
  });
});

describe('importedRows: popx', () => {
  const big = (digits: string, name: string) =>
    file({ version: standInVersion(digits), key: digits, name, label: digits });
  const a = big('20150100000001000000', '20150100000001000000_a.up.sql');
  const b = big('20150100000001000001', '20150100000001000001_b.up.sql');
  const c = big('20240101000000000000', '20240101000000000000_c.up.sql');
  const short = file({ version: 20230101000000n, name: '20230101000000_d.up.sql' });
  const popx = (keys: string[]): ForeignHistory => ({
    tool: 'popx',
    table: 'public.schema_migration',
    records: keys.map((key) => ({ key })),
  });

  it('matches 20-digit versions by their exact key, never through bigint', () => {
    const { rows } = importedRows(popx(['20150100000001000001', '20230101000000']), [
      a,
      b,
      c,
      short,
    ]);
    expect(rows).toEqual([row(short), row(b)]);
  });

  it('counts the 20-digit files a legacy 14-digit row starts as applied, as popx does, with no missing row', () => {
    const { rows } = importedRows(popx(['20150100000001']), [a, b, c]);
    expect(rows).toEqual([row(a), row(b)]);
  });

  it('a 20-digit version without a file becomes a missing row with a stand-in version', () => {
    const { rows } = importedRows(popx(['20990101000000000000']), [a]);
    expect(rows).toEqual([
      {
        version: standInVersion('20990101000000000000'),
        key: '20990101000000000000',
        name: 'version 20990101000000000000 (applied by popx, no file)',
        checksum: '',
        status: 'baseline',
      },
    ]);
  });
});

describe('importedRows: diesel', () => {
  const dashed = file({
    version: 20240212120203n,
    name: '2024-02-12-120203_users',
    label: '2024-02-12-120203',
    layout: 'diesel',
  });
  const plain = file({
    version: 20240101000000n,
    name: '20240101000000_init',
    label: '20240101000000',
    layout: 'diesel',
  });
  const long = file({
    version: 202403011200000000n,
    name: '2024-03-01-120000-0000_posts',
    label: '2024-03-01-120000-0000',
    layout: 'diesel',
  });
  const zeros = file({ version: 1n, name: '0001_first', label: '0001', layout: 'diesel' });
  const diesel = (keys: string[]): ForeignHistory => ({
    tool: 'diesel',
    table: 'public.__diesel_schema_migrations',
    records: keys.map((key) => ({ key })),
  });

  it('matches versions recorded without dashes to folders named with dashes', () => {
    const { rows } = importedRows(diesel(['20240212120203', '20240101000000']), [plain, dashed]);
    expect(rows).toEqual([row(plain), row(dashed)]);
  });

  it('imports a history that mixes 14- and 18-digit versions', () => {
    const { rows } = importedRows(diesel(['20240101000000', '202403011200000000']), [
      plain,
      dashed,
      long,
    ]);
    expect(rows).toEqual([row(plain), row(long)]);
  });

  it('matches on the version text as diesel records it, leading zeros included', () => {
    expect(importedRows(diesel(['0001']), [zeros]).rows).toEqual([row(zeros)]);
    expect(importedRows(diesel(['1']), [zeros]).rows.map((r) => r.checksum)).toEqual(['']);
  });
});

describe('toolOfTable: Flyway and popx', () => {
  it("recognises flyway_schema_history and popx's schema_migration, legacy and transactional", () => {
    const flyway = new Map([
      ['installed_rank', 'integer'],
      ['version', 'character varying(50)'],
      ['success', 'boolean'],
    ]);
    expect(toolOfTable('flyway_schema_history', flyway)).toBe('flyway');
    const popx = new Map([
      ['version', 'character varying(48)'],
      ['version_self', 'integer'],
    ]);
    expect(toolOfTable('schema_migration', popx)).toBe('popx');
    expect(toolOfTable('schema_migration', new Map([['version', 'character varying(14)']]))).toBe(
      'popx',
    );
    expect(toolOfTable('schema_migration', new Map([['version', 'bigint']]))).toBeUndefined();
  });
});
