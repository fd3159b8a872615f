import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clashWith, IMPORT_TOOLS, readForeignHistory } from '../src/history/import/index.js';
import { createDatabase, withClient } from './support/database.js';

// The readers of Flyway's, popx's and diesel's history tables against a real PostgreSQL: each
// table created as its tool creates it, filled with rows as its tool writes them, found by
// `import-history: auto` (every tool) from its name and columns, and read without being changed.
let url: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ url, drop } = await createDatabase('import_flyway_popx'));
});
afterAll(async () => drop());

/** A schema of its own per test, so each finds only its own tool's table. */
let schemas = 0;
async function inSchema<T>(
  setup: string,
  read: (schema: string, client: import('pg').Client) => Promise<T>,
): Promise<T> {
  const schema = `s${schemas++}`;
  return withClient(url, async (client) => {
    await client.query(`CREATE SCHEMA ${schema}; SET search_path TO ${schema};`);
    await client.query(setup);
    return read(schema, client);
  });
}

const tracking = (schema: string) => ({ schema, table: 'schema_migrations' });

// Flyway 10's PostgreSQLDatabase.getRawCreateScript, with the baseline row it inserts on
// `flyway baseline` (or baselineOnMigrate) and its schema-creation marker.
const FLYWAY_TABLE = `
CREATE TABLE "flyway_schema_history" (
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
ALTER TABLE "flyway_schema_history" ADD CONSTRAINT "flyway_schema_history_pk" PRIMARY KEY ("installed_rank");
CREATE INDEX "flyway_schema_history_s_idx" ON "flyway_schema_history" ("success");`;

function flywayInsert(
  rank: number,
  version: string | null,
  description: string,
  type: string,
  script: string,
  checksum: number | null,
  success = true,
): string {
  const text = (v: string | null) => (v === null ? 'NULL' : `'${v}'`);
  return `INSERT INTO "flyway_schema_history" ("installed_rank", "version", "description", "type", "script", "checksum", "installed_by", "execution_time", "success")
    VALUES (${rank}, ${text(version)}, '${description}', '${type}', '${script}', ${checksum ?? 'NULL'}, 'postgres', 12, ${success});`;
}

describe('Flyway', () => {
  it('reads what Flyway applied: the baseline, versioned rows by canonical key with their checksums, not undone, deleted or repeatable ones', async () => {
    const history = await inSchema(
      [
        FLYWAY_TABLE,
        flywayInsert(0, null, '<< Flyway Schema Creation >>', 'SCHEMA', '"public"', null),
        flywayInsert(1, '1', '<< Flyway Baseline >>', 'BASELINE', '<< Flyway Baseline >>', null),
        flywayInsert(2, '1.1', 'add users', 'SQL', 'V1_1__add_users.sql', -1361447815),
        flywayInsert(3, '1.07', 'add email', 'SQL', 'V1_07__add_email.sql', 123),
        flywayInsert(4, '2', 'posts', 'SQL', 'V2__posts.sql', 456),
        flywayInsert(5, '2', 'posts', 'UNDO_SQL', 'U2__posts.sql', 789),
        flywayInsert(6, '3', 'gone', 'SQL', 'V3__gone.sql', 1),
        flywayInsert(7, '3', 'gone', 'DELETE', 'V3__gone.sql', 1),
        flywayInsert(8, null, 'views', 'SQL', 'R__views.sql', 99),
      ].join('\n'),
      (schema, client) => readForeignHistory(client, tracking(schema), IMPORT_TOOLS),
    );
    expect(history).toEqual({
      tool: 'flyway',
      table: expect.stringMatching(/\.flyway_schema_history$/),
      records: [
        { key: '1.1', script: 'V1_1__add_users.sql', flywayChecksum: -1361447815 },
        { key: '1.7', script: 'V1_07__add_email.sql', flywayChecksum: 123 },
      ],
      baseline: '1',
      remark: '1 repeatable migration Flyway ran not imported (the action does not run R__ files)',
    });
  });

  it('refuses a row with success = false with one sentence naming the version, and changes nothing', async () => {
    await inSchema(
      [
        FLYWAY_TABLE,
        flywayInsert(1, '1', 'init', 'SQL', 'V1__init.sql', 5),
        flywayInsert(2, '1.7', 'add index', 'SQL', 'V1_7__add_index.sql', 6, false),
      ].join('\n'),
      async (schema, client) => {
        await expect(readForeignHistory(client, tracking(schema), ['flyway'])).rejects.toThrow(
          `Flyway's table ${schema}.flyway_schema_history records version 1.7 (V1_7__add_index.sql) as failed (success = false), so the database's state is unknown: fix the database and run flyway repair, then run again.`,
        );
        const { rows } = await client.query('SELECT count(*)::int AS n FROM flyway_schema_history');
        expect(rows).toEqual([{ n: 2 }]);
      },
    );
  });

  it('is not looked for when import-history names another tool', async () => {
    const found = await inSchema(
      `${FLYWAY_TABLE}\n${flywayInsert(1, '1', 'init', 'SQL', 'V1__init.sql', 5)}`,
      (schema, client) => readForeignHistory(client, tracking(schema), ['goose', 'popx']),
    );
    expect(found).toBeUndefined();
  });
});

// popx's createTransactionalMigrationTable, and the rows popx inserts: the version only.
const POPX_TABLE = `
CREATE TABLE schema_migration (version VARCHAR (48) NOT NULL, version_self INT NOT NULL DEFAULT 0);
CREATE UNIQUE INDEX schema_migration_version_idx ON schema_migration (version);
CREATE INDEX schema_migration_version_self_idx ON schema_migration (version_self);`;

describe('popx', () => {
  it('reads 20-digit and legacy 14-digit versions exactly, beyond bigint', async () => {
    const history = await inSchema(
      `${POPX_TABLE}
       INSERT INTO schema_migration (version) VALUES ('20150100000001');
       INSERT INTO schema_migration (version) VALUES ('20150100000001000000');
       INSERT INTO schema_migration (version) VALUES ('20240101000000000001');`,
      (schema, client) => readForeignHistory(client, tracking(schema), IMPORT_TOOLS),
    );
    expect(history?.tool).toBe('popx');
    expect(history?.records.map((r) => r.key).sort()).toEqual([
      '20150100000001',
      '20150100000001000000',
      '20240101000000000001',
    ]);
  });

  it("finds pop's legacy table (one version column) too", async () => {
    const history = await inSchema(
      `CREATE TABLE schema_migration (version VARCHAR (14) NOT NULL);
       CREATE UNIQUE INDEX schema_migration_version_idx ON schema_migration (version);
       INSERT INTO schema_migration (version) VALUES ('20190100000001');`,
      (schema, client) => readForeignHistory(client, tracking(schema), IMPORT_TOOLS),
    );
    expect(history).toMatchObject({ tool: 'popx', records: [{ key: '20190100000001' }] });
  });

  it("names popx's table when table: is set to its name, schema_migration", async () => {
    const clash = await inSchema(POPX_TABLE, (schema, client) =>
      clashWith(client, { schema, table: 'schema_migration' }),
    );
    expect(clash).toContain("is popx's history table, not this action's");
  });
});

describe('diesel', () => {
  it('reads versions written with or without dashes as the text without dashes, mixed lengths kept', async () => {
    const history = await inSchema(
      `CREATE TABLE IF NOT EXISTS __diesel_schema_migrations (
         version VARCHAR(50) PRIMARY KEY NOT NULL,
         run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP);
       INSERT INTO __diesel_schema_migrations (version) VALUES ('00000000000000'), ('20240101000000'),
         ('2024-02-12-120203'), ('202403011200000000');`,
      (schema, client) => readForeignHistory(client, tracking(schema), IMPORT_TOOLS),
    );
    expect(history?.tool).toBe('diesel');
    expect(history?.records.map((r) => r.key).sort()).toEqual([
      '00000000000000',
      '20240101000000',
      '20240212120203',
      '202403011200000000',
    ]);
  });
});

describe('a schema whose name needs quoting', () => {
  it('is read by every reader with its name quoted as an identifier', async () => {
    const history = await withClient(url, async (client) => {
      await client.query(`CREATE SCHEMA "Tenant ""A"""; SET search_path TO "Tenant ""A""";
        CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY);
        INSERT INTO schema_migrations VALUES ('20240101000000'), ('20240102000000');`);
      return readForeignHistory(
        client,
        { schema: 'Tenant "A"', table: 'migrations' },
        IMPORT_TOOLS,
      );
    });
    expect(history?.tool).toBe('dbmate');
    expect(history?.records.map((r) => r.key)).toEqual(['20240101000000', '20240102000000']);
  });
});
