import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withClient } from './support/database.js';
import { act, fixtureFolders, query } from './support/fixtures.js';

// End to end, through the bundled dist/index.js against a real PostgreSQL: a diesel folder as it
// is (folders named with dashes, diesel's own 00000000000000 setup folder) and the
// __diesel_schema_migrations table as diesel creates and fills it (versions without dashes),
// imported before the run applies only the folder diesel had not applied.
const { setUp } = fixtureFolders(path.resolve(import.meta.dirname, 'fixtures'), 'adopt');

describe('diesel', () => {
  it('imports the versions diesel recorded without dashes for folders named with dashes, then applies only the last folder', async () => {
    const { url, workspace, dir } = await setUp('import-diesel');
    const applied = [
      '00000000000000_diesel_initial_setup',
      '2024-01-01-000000_create_users',
      '2024-02-12-120203_add_name',
    ];
    // What `diesel migration run` leaves after the first three folders.
    await withClient(url, async (c) => {
      await c.query(`CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
        version VARCHAR(50) PRIMARY KEY NOT NULL,
        run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)`);
      for (const folder of applied) {
        await c.query(await readFile(path.join(dir, folder, 'up.sql'), 'utf8'));
        const version = (folder.split('_')[0] ?? '').replaceAll('-', '');
        await c.query('INSERT INTO __diesel_schema_migrations (version) VALUES ($1)', [version]);
      }
    });

    const dry = await act(url, workspace, { 'dry-run': 'true' });
    expect(dry.code, dry.all).toBe(0);
    expect(dry.summary).toContain(
      'would record 2024-02-12-120203_add_name/up.sql (version 20240212120203) as baseline, imported from diesel (public.__diesel_schema_migrations)',
    );

    const run = await act(url, workspace);
    expect(run.code, run.all).toBe(0);
    expect(run.all).toContain('Layout: diesel');
    expect(run.outputs.applied).toBe('["20240301120000"]');
    const rows = await query<{ version: string; status: string; applied_by: string }>(
      url,
      'SELECT version::text, status, applied_by FROM public.schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => [r.version, r.status])).toEqual([
      ['0', 'baseline'],
      ['20240101000000', 'baseline'],
      ['20240212120203', 'baseline'],
      ['20240301120000', 'applied'],
    ]);
    expect(rows[1]?.applied_by).toContain(
      'imported from diesel (public.__diesel_schema_migrations)',
    );
    // diesel's table is only read.
    expect(await query(url, 'SELECT count(*)::int AS n FROM __diesel_schema_migrations')).toEqual([
      { n: 3 },
    ]);
    const again = await act(url, workspace);
    expect(again.outputs.result).toBe('up-to-date');
  });
});
