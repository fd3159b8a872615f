import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createDatabase, withClient } from './support/database.js';
import { act, fixtureFolders, query } from './support/fixtures.js';

// End to end, through the bundled dist/index.js against a real PostgreSQL: a Flyway folder (dotted
// versions) and a popx folder (20-digit versions), each with its tool's history table created and
// filled as the tool does, imported before the next run applies only what the tool had not.
const { setUp, drops } = fixtureFolders(path.resolve(import.meta.dirname, 'fixtures'), 'adopt');

/** The action's rows as name → status. */
async function statuses(url: string): Promise<Record<string, string>> {
  const rows = await query<{ name: string; status: string }>(
    url,
    'SELECT name, status FROM public.schema_migrations',
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.status]));
}

/** Flyway's checksum spelled out: CRC32 over the lines without their terminators, signed. */
function flywayCrc(text: string): number {
  return crc32(Buffer.from(text.split(/\r\n|\r|\n/).join(''), 'utf8')) | 0;
}

// Flyway 10's PostgreSQLDatabase.getRawCreateScript.
const FLYWAY_TABLE = `
CREATE TABLE "public"."flyway_schema_history" (
    "installed_rank" INT NOT NULL,
    "version" VARCHAR(50),
    "description" VARCHAR(200) NOT NULL,
    "type" VARCHAR(20) NOT NULL,
    "script" VARCHAR(1000) NOT NULL,
    "checksum" INTEGER,
    "installed_by" VARCHAR(100) NOT NULL,
    "installed_on" TIMESTAMP NOT NULL DEFAULT now(),
    "execution_time" INTEGER NOT NULL,
    "success" BOOLEAN NOT NULL
);
ALTER TABLE "public"."flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "public"."flyway_schema_history" ("success");`;

/**
 * What `flyway baseline -baselineVersion=1` then `flyway migrate -target=1.7` leave: V1's schema
 * already there (the baseline), then V1_1 and V1_7 run, each a row with its checksum.
 */
async function flywayApplied(url: string, dir: string, edit = (text: string) => text) {
  await withClient(url, async (c) => {
    await c.query(await readFile(path.join(dir, 'V1__create_users.sql'), 'utf8'));
    await c.query(FLYWAY_TABLE);
    await c.query(`INSERT INTO "public"."flyway_schema_history" ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success")
      VALUES (1, '1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'postgres', 0, true)`);
    const runs: [number, string, string, string][] = [
      [2, '1.1', 'add name', 'V1_1__add_name.sql'],
      [3, '1.7', 'unique email', 'V1_7__unique_email.sql'],
    ];
    for (const [rank, version, description, script] of runs) {
      const text = await readFile(path.join(dir, script), 'utf8');
      await c.query(text);
      await c.query(
        `INSERT INTO "public"."flyway_schema_history" ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success")
         VALUES ($1, $2, $3, 'SQL', $4, $5, 'postgres', 7, true)`,
        [rank, version, description, script, flywayCrc(edit(text))],
      );
    }
  });
}

describe('Flyway', () => {
  it('imports the baseline and the versions Flyway ran, then applies only V1_27 (1.7 < 1.27 as Flyway orders them)', async () => {
    const { url, workspace, dir } = await setUp('import-flyway');
    await flywayApplied(url, dir);
    const run = await act(url, workspace);
    expect(run.code, run.all).toBe(0);
    expect(run.all).toContain('Layout: flyway');
    expect(JSON.parse(run.outputs.applied ?? '[]')).toHaveLength(1);
    expect(await statuses(url)).toEqual({
      'V1__create_users.sql': 'baseline',
      'V1_1__add_name.sql': 'baseline',
      'V1_7__unique_email.sql': 'baseline',
      'V1_27__create_posts.sql': 'applied',
    });
    const [imported] = await query<{ applied_by: string }>(
      url,
      "SELECT applied_by FROM public.schema_migrations WHERE name = 'V1_7__unique_email.sql'",
    );
    expect(imported?.applied_by).toContain('imported from Flyway (public.flyway_schema_history)');
    // Flyway's table is only read.
    expect(await query(url, 'SELECT count(*)::int AS n FROM flyway_schema_history')).toEqual([
      { n: 3 },
    ]);
    const again = await act(url, workspace);
    expect(again.outputs.result).toBe('up-to-date');
  });

  it('reports a file whose Flyway checksum no longer matches as modified, writing nothing', async () => {
    const { url, workspace, dir } = await setUp('import-flyway');
    await flywayApplied(url, dir, (text) => `${text}-- edited\n`);
    const run = await act(url, workspace);
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('drift');
    expect(run.all).toContain('V1_1__add_name.sql was changed after it was applied');
    expect(await query(url, "SELECT to_regclass('public.schema_migrations') AS t")).toEqual([
      { t: null },
    ]);
  });

  it('refuses a history with a failed row, naming the version', async () => {
    const { url, workspace, dir } = await setUp('import-flyway');
    await flywayApplied(url, dir);
    await query(
      url,
      `INSERT INTO flyway_schema_history ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success")
       VALUES (4, '1.27', 'create posts', 'SQL', 'V1_27__create_posts.sql', 1, 'postgres', 3, false)`,
    );
    const run = await act(url, workspace);
    expect(run.code).toBe(1);
    expect(run.all).toContain(
      "Flyway's table public.flyway_schema_history records version 1.27 (V1_27__create_posts.sql) as failed (success = false)",
    );
  });
});

describe('popx', () => {
  it('imports a legacy 14-digit row and a 20-digit row, then applies only the third version', async () => {
    const { url, workspace, dir } = await setUp('import-popx');
    // What popx leaves: pop's legacy run recorded 20240101000000, popx's the 20-digit version.
    await withClient(url, async (c) => {
      for (const file of [
        '20240101000000000000_create_users.up.sql',
        '20240102000000000000_add_name.postgres.up.sql',
      ]) {
        await c.query(await readFile(path.join(dir, file), 'utf8'));
      }
      await c.query(`CREATE TABLE schema_migration (version VARCHAR (48) NOT NULL, version_self INT NOT NULL DEFAULT 0);
        CREATE UNIQUE INDEX schema_migration_version_idx ON schema_migration (version);
        CREATE INDEX schema_migration_version_self_idx ON schema_migration (version_self);`);
      await c.query(
        "INSERT INTO schema_migration (version) VALUES ('20240101000000'), ('20240102000000000000')",
      );
    });
    const run = await act(url, workspace);
    expect(run.code, run.all).toBe(0);
    expect(run.all).toContain('Layout: popx');
    expect(JSON.parse(run.outputs.applied ?? '[]')).toHaveLength(1);
    expect(await statuses(url)).toEqual({
      '20240101000000000000_create_users.up.sql': 'baseline',
      '20240102000000000000_add_name.postgres.up.sql': 'baseline',
      '20240103000000000000_create_posts.up.sql': 'applied',
    });
    expect(await query(url, "SELECT to_regclass('public.posts')::text AS t")).toEqual([
      { t: 'posts' },
    ]);
    const again = await act(url, workspace);
    expect(again.outputs.result).toBe('up-to-date');
  });
});

// Runs now, without branch keys: Flyway's table read for a folder of the action's own files whose
// versions are whole numbers (as Flyway's 1, 2, 3), through dist/index.js.
describe("Flyway's history for a folder of whole-number versions", () => {
  async function plainFolder(): Promise<{ url: string; workspace: string; dir: string }> {
    const { url, drop } = await createDatabase('adopt_flyway_plain');
    drops.push(drop);
    const workspace = await mkdtemp(path.join(tmpdir(), 'migrate-action-adopt-'));
    drops.push(() => rm(workspace, { recursive: true, force: true }));
    const dir = path.join(workspace, 'migrations');
    await mkdir(dir);
    await writeFile(path.join(dir, '1_create_users.sql'), 'CREATE TABLE users (id int);\n');
    // Written with CRLF: Flyway's checksum leaves line endings out.
    await writeFile(
      path.join(dir, '2_add_name.sql'),
      'ALTER TABLE users\r\n  ADD COLUMN name text;\r\n',
    );
    await writeFile(path.join(dir, '3_create_posts.sql'), 'CREATE TABLE posts (id int);\n');
    return { url, workspace, dir };
  }

  /** Flyway's baseline at 1, then version 2 run with `checksum` stored. */
  async function history(url: string, checksum: number) {
    await withClient(url, async (c) => {
      await c.query('CREATE TABLE users (id int); ALTER TABLE users ADD COLUMN name text;');
      await c.query(FLYWAY_TABLE);
      await c.query(`INSERT INTO "public"."flyway_schema_history" ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success")
        VALUES (1, '1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'postgres', 0, true),
               (2, '2', 'add name', 'SQL', 'V2__add_name.sql', ${checksum}, 'postgres', 5, true)`);
    });
  }

  it('imports the baseline and version 2 (its checksum matching across line endings), then applies only 3', async () => {
    const { url, workspace } = await plainFolder();
    await history(url, flywayCrc('ALTER TABLE users\n  ADD COLUMN name text;\n'));
    const run = await act(url, workspace);
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.applied).toBe('["3"]');
    expect(await statuses(url)).toEqual({
      '1_create_users.sql': 'baseline',
      '2_add_name.sql': 'baseline',
      '3_create_posts.sql': 'applied',
    });
    const again = await act(url, workspace);
    expect(again.outputs.result).toBe('up-to-date');
  });

  it('imports a history of only the baseline row (flyway baseline on an existing database), then applies 2 and 3', async () => {
    const { url, workspace } = await plainFolder();
    await withClient(url, async (c) => {
      await c.query('CREATE TABLE users (id int)');
      await c.query(FLYWAY_TABLE);
      await c.query(`INSERT INTO "public"."flyway_schema_history" ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success")
        VALUES (1, '1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', NULL, 'postgres', 0, true)`);
    });
    const run = await act(url, workspace);
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.applied).toBe('["2","3"]');
    expect(await statuses(url)).toEqual({
      '1_create_users.sql': 'baseline',
      '2_add_name.sql': 'applied',
      '3_create_posts.sql': 'applied',
    });
  });

  it('reports version 2 as modified when the checksum Flyway stored differs, writing nothing', async () => {
    const { url, workspace } = await plainFolder();
    await history(url, flywayCrc('ALTER TABLE users ADD COLUMN name varchar;'));
    const run = await act(url, workspace);
    expect(run.code).toBe(1);
    expect(run.outputs.result).toBe('drift');
    expect(run.all).toContain('2_add_name.sql was changed after it was applied');
    expect(await query(url, "SELECT to_regclass('public.schema_migrations') AS t")).toEqual([
      { t: null },
    ]);
  });
});
