import { afterAll, beforeAll, expect, it } from 'vitest';
import { readHistory } from '../src/history/read.js';
import { createDatabase, withClient } from './support/database.js';

// The history is read without ORDER BY (planning one costs a new session more than sorting here):
// rows written out of version order still come back in version order.
let url: string;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ url, drop } = await createDatabase('history_order'));
});
afterAll(async () => drop());

it('reads a history written out of version order in version order', async () => {
  const versions = await withClient(url, async (c) => {
    await c.query(`CREATE TABLE public.schema_migrations (
      version bigint PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, status text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(), execution_ms integer, applied_by text)`);
    // Out of order as an allow-out-of-order run writes them, and beyond 2^53 as timestamps are not.
    for (const version of ['20', '9007199254740993', '3', '10', '9007199254740992']) {
      await c.query(
        "INSERT INTO public.schema_migrations (version, name, checksum, status) VALUES ($1, $2, 'x', 'applied')",
        [version, `${version}.sql`],
      );
    }
    // An update moves a row to the end of the table's heap.
    await c.query("UPDATE public.schema_migrations SET status = 'failed' WHERE version = 3");
    const history = await readHistory(c, { schema: 'public', table: 'schema_migrations' });
    return history.rows.map((row) => row.version.toString());
  });
  expect(versions).toEqual(['3', '10', '20', '9007199254740992', '9007199254740993']);
});
