import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../src/apply/apply.js';
import type { ApplyOptions } from '../src/apply/model.js';
import { checksumOf } from '../src/files/content.js';
import type { Migration } from '../src/files/migration.js';
import { createHistorySql } from '../src/history/write.js';
import { createDatabase, withClient } from './support/database.js';

// applyMigrations against a real PostgreSQL, for what the bundled action cannot time exactly: a
// cancellation that arrives between two pipelined migrations.
let url: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ url, drop } = await createDatabase('apply'));
});
afterAll(async () => drop());

function migration(version: number, sql: string): Migration {
  return {
    version: BigInt(version),
    name: `${version}_m.sql`,
    path: `/nowhere/${version}_m.sql`,
    checksum: checksumOf(sql),
    sql,
    noTransaction: false,
    size: sql.length,
  };
}

/** Applies three files that each create a table, cancelling once the first is reported applied. */
async function cancelledAfterFirst(schema: string, transaction: ApplyOptions['transaction']) {
  return withClient(url, async (client) => {
    await client.query(`CREATE SCHEMA ${schema}`);
    const tracking = { schema, table: 'schema_migrations' };
    const cancel = new AbortController();
    const outcomes = await applyMigrations(
      client,
      [1, 2, 3].map((v) => migration(v, `CREATE TABLE ${schema}.t${v} (id int);`)),
      {
        tracking,
        transaction,
        appliedBy: 'test',
        sessionSql: '',
        setupSql: await createHistorySql(client, tracking),
        signal: cancel.signal,
        log: (line) => {
          if (line.startsWith('Applied 1_m.sql')) cancel.abort();
        },
      },
    );
    const tables = await client.query(
      `SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY 1`,
      [schema],
    );
    return {
      statuses: outcomes.map((o) => o.status),
      tables: tables.rows.map((r) => r.tablename as string),
    };
  });
}

describe('a cancellation between pipelined migrations', () => {
  it('per-migration: the migration already on the wire finishes and is reported applied; nothing more is sent', async () => {
    const { statuses, tables } = await cancelledAfterFirst('cancel_per', 'per-migration');
    expect(statuses).toEqual(['applied', 'applied', 'not attempted']);
    expect(tables).toEqual(['schema_migrations', 't1', 't2']);
  });

  it('transaction: all: the open transaction is rolled back, and what ran is reported rolled back', async () => {
    const { statuses, tables } = await cancelledAfterFirst('cancel_all', 'all');
    expect(statuses).toEqual(['rolled back', 'rolled back', 'not attempted']);
    expect(tables).toEqual([]);
  });
});
