// The floor of a fleet step on this machine: a bare pg client that connects, sends one query and
// disconnects, 4 at a time, against a throwaway server of 50 databases with a 5-row history each.
// `npm run bench` compares the action with a loop and with psql; this says what no client beats.
// Run: node scripts/node24.mjs node scripts/fleet-floor.mjs
import pg from 'pg';
import { startPostgres } from './postgres.mjs';

const DATABASES = 50;
const CONNECTIONS = 400;
const CONCURRENCY = 4;
// The action's own history query (src/history/read.ts).
const HISTORY =
  'SELECT version, name, checksum, status, CASE WHEN false THEN applied_at END AS applied_at, ' +
  'CASE WHEN false THEN execution_ms END AS execution_ms, CASE WHEN false THEN applied_by END AS applied_by, ' +
  "CASE WHEN version < 0 THEN to_jsonb(t)->>'version_key' END AS version_key " +
  'FROM "public"."schema_migrations" AS t';

const server = await startPostgres({
  label: 'fleet-floor',
  password: 'floor',
  settings: { fsync: 'off' },
});
try {
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  for (let i = 0; i < DATABASES; i++) {
    await admin.query(`CREATE DATABASE floor_${i}`);
    const c = new pg.Client({ connectionString: server.url(`floor_${i}`) });
    await c.connect();
    await c.query(`CREATE TABLE schema_migrations (version bigint PRIMARY KEY, name text NOT NULL,
        checksum text NOT NULL, status text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
        execution_ms integer, applied_by text);
      INSERT INTO schema_migrations (version, name, checksum, status)
        SELECT g, g || '_x.sql', md5(g::text), 'applied' FROM generate_series(1, 5) g`);
    await c.end();
  }
  await admin.end();
  const once = async (i, sql) => {
    const url = `${server.url(`floor_${i % DATABASES}`)}?sslmode=disable`;
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  for (let i = 0; i < DATABASES; i++) await once(i, 'SELECT 1'); // each database's caches built
  for (const [label, sql] of [
    ['SELECT 1', 'SELECT 1'],
    ['the history query', HISTORY],
  ]) {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < CONNECTIONS) await once(next++, sql);
      }),
    );
    const each = (performance.now() - started) / CONNECTIONS;
    console.log(
      `connect + ${label} + end, ${CONCURRENCY} at a time: ${each.toFixed(1)} ms per database, ` +
        `so 1,000 databases take at least ${each.toFixed(1)} s`,
    );
  }
} finally {
  await server.stop();
}
