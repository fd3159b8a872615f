// npm run bench: the three workloads of a migration tool, timed against the floor (psql) in the
// same run, interleaved, on a throwaway embedded PostgreSQL. Prints medians, min–max, ratios,
// peak RSS of the action's process and the statements each run sends to the server.
//
//   apply    1,000 small migrations (table + index + row each), per-migration and all
//   noop     nothing to do with 1,000 and 10,000 applied (process start → exit)
//   big      one 50 MB migration
//   layouts  noop with 1,000 applied in each other tool's layout (Flyway and popx: every version a
//            stand-in with its key), against the plain layout's
//   fleet    many databases in one step (not in the default set: it creates 1,200 databases):
//            1,000 up to date, 200 with 5 pending each, against a shell loop of one action run
//            per database and psql's floor of one query per database; the most connections the
//            step had open to the server; peak RSS for 10,000 schema targets (a dry run).
//   review   the safety review's cost on a database of 5,000 tables: a rehearsed dry run of 10
//            pending migrations, and a static one of 1,000, each with safety: warn against off
//
// Options (environment): BENCH_RUNS (default 5), BENCH_ONLY=apply,noop,big[,layouts,fleet,review],
// BENCH_BIG_MB (50), BENCH_FLEET_LOOP (100: the databases the loop runs on, scaled to the fleet's
// size; 0: no loop), BENCH_FLEET_PARTS (up,pending,schemas: which fleet workloads),
// BENCH_FLEET_SCHEMAS (10000: the schema targets of the dry run), BENCH_FLEET_BEFORE (another
// build's dist/index.js: each fleet step also runs with it, interleaved, for a side by side).
// The fleet and review workloads run only when named.
import { spawn, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { StartError, startPostgres } from './postgres.mjs';

const root = path.resolve(import.meta.dirname, '..');
// BENCH_LAYOUTS: the layouts of the layouts workload (plain first: the others' ratio is to it).
// BENCH_DIST: another build of the action (e.g. an older commit's dist/) to compare.
const dist = process.env.BENCH_DIST ?? path.join(root, 'dist/index.js');
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ONLY = new Set((process.env.BENCH_ONLY ?? 'apply,noop,big,layouts').split(','));
const BIG_MB = Number(process.env.BENCH_BIG_MB ?? 50);
const PSQL = ['/usr/bin/psql', '/usr/lib/postgresql/15/bin/psql'].find(
  (p) => spawnSync('test', ['-x', p]).status === 0,
);
const TIME = spawnSync('test', ['-x', '/usr/bin/time']).status === 0 ? '/usr/bin/time' : undefined;
if (!PSQL) {
  console.error('psql is needed for the floor: apt-get install postgresql-client');
  process.exit(1);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Runs a command, returning wall milliseconds and peak RSS in MB (from /usr/bin/time). */
function timed(command, args, env = {}) {
  const full = TIME ? [TIME, ['-f', '%M', command, ...args]] : [command, args];
  const started = process.hrtime.bigint();
  const result = spawnSync(full[0], full[1], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    throw new Error(
      `${command} failed (${result.status}): ${result.stdout.slice(-2000)}${result.stderr.slice(-2000)}`,
    );
  }
  const rss = TIME ? Number(result.stderr.trim().split('\n').at(-1)) / 1024 : undefined;
  return { ms, rss };
}

const work = await mkdtemp(path.join(tmpdir(), 'migrate-action-bench-'));
await chmod(work, 0o755);
let statements = 0;
let server;
try {
  server = await startPostgres({
    label: 'bench',
    password: 'bench',
    // Durable as a real server is: the timings compare against psql on the same settings.
    // Creating the fleet's 1,200 databases is setup, not what is measured: without fsync it takes
    // seconds.
    settings: ONLY.has('fleet')
      ? { fsync: 'off', max_connections: '200' }
      : { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on' },
    // Statements of the role `counted` are logged, to count what one run sends.
    onLog: (text) => {
      for (const l of text.split('\n'))
        if (/LOG: {2}(statement|execute [^:]*):/.test(l)) statements++;
    },
  });
} catch (error) {
  console.error(error instanceof StartError ? error.message : String(error));
  process.exit(1);
}
const port = server.port;
const urlOf = (db, user = 'postgres') =>
  `postgres://${user}:bench@127.0.0.1:${port}/${db}?sslmode=disable`;
const admin = async (sql) => {
  const c = new pg.Client(urlOf('postgres'));
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
};

function runAction(db, dir, inputs = {}, user = 'postgres') {
  const env = {
    'INPUT_DATABASE-URL': urlOf(db, user),
    'INPUT_MIGRATIONS-DIR': dir,
    GITHUB_WORKSPACE: work,
    GITHUB_EVENT_NAME: 'push',
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  return timed(process.execPath, [dist], env);
}

function runPsql(db, args) {
  return timed(PSQL, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', urlOf(db), ...args]);
}

async function freshDatabase(name) {
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${name}`);
}

/**
 * Counts the statements one action run sends, as the server logs them for role `counted`. The
 * run is asynchronous: the server's log comes through this process, which must keep reading it.
 */
async function countStatements(prepare, db, dir, inputs) {
  await prepare();
  statements = 0;
  const env = {
    ...process.env,
    'INPUT_DATABASE-URL': urlOf(db, 'counted'),
    'INPUT_MIGRATIONS-DIR': dir,
    GITHUB_WORKSPACE: work,
    GITHUB_EVENT_NAME: 'push',
  };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [dist], { env, stdio: 'ignore' });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`counting run exited ${code}`)),
    );
  });
  await new Promise((r) => setTimeout(r, 500)); // let the last log lines arrive
  return statements;
}

async function writeSmallMigrations(dir, n) {
  await mkdir(dir, { recursive: true });
  const all = [];
  for (let i = 1; i <= n; i++) {
    const sql = `CREATE TABLE t${i} (id bigint PRIMARY KEY, name text NOT NULL, created_at timestamptz DEFAULT now());\nCREATE INDEX t${i}_name ON t${i} (name);\nINSERT INTO t${i} (id, name) VALUES (1, 'row ${i}');\n`;
    await writeFile(path.join(dir, `${String(i).padStart(5, '0')}_t${i}.sql`), sql);
    all.push(sql);
  }
  await writeFile(path.join(work, `all-${n}.sql`), all.join(''));
  // The same files, each in its own transaction: what per-migration semantics cost psql itself.
  await writeFile(
    path.join(work, `per-file-${n}.sql`),
    all.map((sql) => `BEGIN;\n${sql}COMMIT;\n`).join(''),
  );
}

/** 1,000 small migrations laid out as `layout` lays them out (plain, golang-migrate, …). */
async function writeLayout(dir, layout, n) {
  await mkdir(dir, { recursive: true });
  for (let i = 1; i <= n; i++) {
    const v = String(i).padStart(5, '0');
    const up = `CREATE TABLE l${i} (id bigint PRIMARY KEY, name text NOT NULL);\nCREATE INDEX l${i}_name ON l${i} (name);\n`;
    const down = `DROP TABLE l${i};\n`;
    if (layout === 'plain') await writeFile(path.join(dir, `${v}_l${i}.sql`), up);
    else if (layout === 'golang-migrate') {
      await writeFile(path.join(dir, `${v}_l${i}.up.sql`), up);
      await writeFile(path.join(dir, `${v}_l${i}.down.sql`), down);
    } else if (layout === 'dbmate') {
      await writeFile(
        path.join(dir, `${v}_l${i}.sql`),
        `-- migrate:up\n${up}\n-- migrate:down\n${down}`,
      );
    } else if (layout === 'goose') {
      await writeFile(
        path.join(dir, `${v}_l${i}.sql`),
        `-- +goose Up\n${up}\n-- +goose Down\n${down}`,
      );
    } else if (layout === 'prisma') {
      await mkdir(path.join(dir, `${v}_l${i}`));
      await writeFile(path.join(dir, `${v}_l${i}`, 'migration.sql'), up);
    } else if (layout === 'diesel') {
      const folder = path.join(dir, `2024-01-01-${String(i).padStart(6, '0')}_l${i}`);
      await mkdir(folder);
      await writeFile(path.join(folder, 'up.sql'), up);
      await writeFile(path.join(folder, 'down.sql'), down);
    } else if (layout === 'flyway') {
      // Dotted versions: every one is recorded under a stand-in with its key in version_key.
      await writeFile(path.join(dir, `V1.${i}__l${i}.sql`), up);
    } else if (layout === 'popx') {
      // Ory's 20-digit versions (beyond bigint: stand-ins), with a MySQL twin left out.
      const version = `20240101000000${String(i).padStart(6, '0')}`;
      await writeFile(path.join(dir, `${version}_l${i}.postgres.up.sql`), up);
      await writeFile(path.join(dir, `${version}_l${i}.postgres.down.sql`), down);
      await writeFile(path.join(dir, `${version}_l${i}.mysql.up.sql`), up);
    }
  }
}

/** A database of `n` existing tables `p1…pn` (with a primary key, a TOAST table and 10 rows each). */
async function tablesDatabase(db, n) {
  await freshDatabase(db);
  const c = new pg.Client(urlOf(db));
  await c.connect();
  try {
    // Batches of 500: one transaction locking every new table would outgrow the lock table.
    for (let from = 1; from <= n; from += 500) {
      await c.query(`DO $$ BEGIN FOR i IN ${from}..${Math.min(n, from + 499)} LOOP
        EXECUTE format('CREATE TABLE p%s (id int PRIMARY KEY, title varchar(50), n int)', i);
        EXECUTE format('INSERT INTO p%s SELECT g, ''t'' || g, g FROM generate_series(1, 10) g', i);
      END LOOP; END $$`);
    }
    await c.query('ANALYZE');
  } finally {
    await c.end();
  }
}

/** `n` pending migrations, each changing existing table p<i>: a column, an index, a type change. */
async function writeReviewedMigrations(dir, n) {
  await mkdir(dir, { recursive: true });
  for (let i = 1; i <= n; i++) {
    const sql = `ALTER TABLE p${i} ADD COLUMN added_at timestamptz DEFAULT now();\nCREATE INDEX p${i}_n_idx ON p${i} (n);\nALTER TABLE p${i} ALTER COLUMN title TYPE varchar(80);\n`;
    await writeFile(path.join(dir, `${String(i).padStart(5, '0')}_change_p${i}.sql`), sql);
  }
}

async function writeBigMigration(dir, mb) {
  await mkdir(dir, { recursive: true });
  const lines = ['CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL);\n'];
  let size = lines[0].length;
  let id = 1;
  while (size < mb * 1024 * 1024) {
    const rows = [];
    for (let r = 0; r < 100; r++, id++) rows.push(`(${id}, 'payload ${id} ${'x'.repeat(60)}')`);
    const line = `INSERT INTO big (id, payload) VALUES ${rows.join(',')};\n`;
    lines.push(line);
    size += line.length;
  }
  const sql = lines.join('');
  await writeFile(path.join(dir, '001_big.sql'), sql);
  return sql.length;
}

const table = [];
function record(work, variant, samples, floor, rss, count) {
  table.push({ work, variant, samples, floor, rss, count });
}

function fmt(ms) {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

/** The action on many databases in one step, with the most connections it held at once. */
async function runFleetStep(inputs, build = dist) {
  const env = { ...process.env, GITHUB_WORKSPACE: work, GITHUB_EVENT_NAME: 'push' };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const watcher = new pg.Client(urlOf('postgres'));
  await watcher.connect();
  let most = 0;
  let done = false;
  const watching = (async () => {
    while (!done) {
      const r = await watcher.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'agoat/migrate-action'",
      );
      most = Math.max(most, r.rows[0].n);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  const args = TIME ? [TIME, ['-f', '%M', process.execPath, build]] : [process.execPath, [build]];
  const started = process.hrtime.bigint();
  const { code, stderr, stdout } = await new Promise((resolve) => {
    const child = spawn(args[0], args[1], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => {
      out = (out + c).slice(-4000);
    });
    child.stderr.on('data', (c) => {
      err += c;
    });
    child.on('close', (exit) => resolve({ code: exit, stderr: err, stdout: out }));
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  done = true;
  await watching;
  await watcher.end();
  if (code !== 0) throw new Error(`fleet run exited ${code}: ${stdout}${stderr.slice(-2000)}`);
  const rss = TIME ? Number(stderr.trim().split('\n').at(-1)) / 1024 : undefined;
  return { ms, rss, most };
}

async function benchFleet() {
  const LOOP = Number(process.env.BENCH_FLEET_LOOP ?? 100);
  const PARTS = new Set((process.env.BENCH_FLEET_PARTS ?? 'up,pending,schemas').split(','));
  const SCHEMAS = Number(process.env.BENCH_FLEET_SCHEMAS ?? 10000);
  const BEFORE = process.env.BENCH_FLEET_BEFORE;
  /** This build's step, and the other build's right after it when one is given. */
  const both = async (run, into, before) => {
    into.push(await run(dist));
    if (BEFORE) before.push(await run(BEFORE));
  };
  const recordBefore = (work, samples, floor) => {
    if (!BEFORE || samples.length === 0) return;
    record(
      work,
      `before (${BEFORE}), at most ${Math.max(...samples.map((s) => s.most))} connections`,
      samples,
      floor,
      median(samples.map((s) => s.rss ?? 0)),
    );
  };
  const dir = path.join(work, 'fleet-5');
  await writeSmallMigrations(dir, 5);
  const create = async (prefix, n) => {
    const names = Array.from({ length: n }, (_, i) => `${prefix}_${String(i).padStart(4, '0')}`);
    for (const name of names) await freshDatabase(name);
    return names;
  };
  const query = (prefix) => `SELECT datname FROM pg_database WHERE datname LIKE '${prefix}\\_%'`;
  const step = (prefix, extra = {}, build = dist) =>
    runFleetStep(
      {
        'database-url': urlOf('postgres'),
        'databases-query': query(prefix),
        'migrations-dir': dir,
        ...extra,
      },
      build,
    );
  /** One action run per database, as a shell loop would; `names` is the loop's sample. */
  const loop = (names) => {
    const started = process.hrtime.bigint();
    for (const name of names) runAction(name, dir);
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  const psqlLoop = (names) => {
    const started = process.hrtime.bigint();
    for (const name of names) {
      runPsql(name, ['-c', 'SELECT version, checksum FROM schema_migrations', '-o', '/dev/null']);
    }
    return Number(process.hrtime.bigint() - started) / 1e6;
  };

  if (PARTS.has('up')) await benchUpToDate();
  if (PARTS.has('pending')) await benchPending();
  if (PARTS.has('schemas')) await benchSchemas();

  async function benchUpToDate() {
    // 1,000 databases, all up to date.
    const upToDate = await create('fleet_up', 1000);
    await step('fleet_up', { concurrency: '8' });
    const sample = upToDate.slice(0, Math.max(LOOP, 1));
    const scale = upToDate.length / sample.length;
    const steps = [];
    const before = [];
    for (let r = 0; r < RUNS; r++)
      await both((build) => step('fleet_up', {}, build), steps, before);
    const loopMs = LOOP > 0 ? loop(sample) * scale : Number.NaN;
    const floorMs = LOOP > 0 ? psqlLoop(sample) * scale : Number.NaN;
    const floorSample = [{ ms: floorMs }];
    record(
      'fleet: 1,000 up to date',
      `floor: psql, one query per database (${LOOP} run, ×${scale})`,
      floorSample,
      floorMs,
    );
    record(
      'fleet: 1,000 up to date',
      `loop: one action run per database (${LOOP} run, ×${scale})`,
      [{ ms: loopMs }],
      floorMs,
    );
    record(
      'fleet: 1,000 up to date',
      `one step, concurrency 4 (at most ${Math.max(...steps.map((s) => s.most))} connections)`,
      steps,
      floorMs,
      median(steps.map((s) => s.rss ?? 0)),
    );
    recordBefore('fleet: 1,000 up to date', before, floorMs);
    console.log(
      `fleet up to date: one step / loop = ${(median(steps.map((s) => s.ms)) / loopMs).toFixed(3)}`,
    );
  }

  async function benchPending() {
    // 200 databases with 5 pending migrations each.
    const pendingSamples = [];
    const pendingBefore = [];
    let pendingLoop = 0;
    const pendingLoopSize = Math.max(Math.min(LOOP, 200), 1);
    for (let r = 0; r < Math.min(RUNS, 3); r++) {
      await create('fleet_pend', 200);
      pendingSamples.push(await step('fleet_pend'));
      if (BEFORE) {
        await create('fleet_pend', 200);
        pendingBefore.push(await step('fleet_pend', {}, BEFORE));
      }
      if (LOOP === 0) continue;
      const names = await create('fleet_loop', pendingLoopSize);
      pendingLoop += loop(names) * (200 / pendingLoopSize);
      for (const name of names) await admin(`DROP DATABASE ${name} WITH (FORCE)`);
    }
    pendingLoop = LOOP > 0 ? pendingLoop / Math.min(RUNS, 3) : Number.NaN;
    record(
      'fleet: 200 × 5 pending',
      `loop: one action run per database (${pendingLoopSize} run, ×${200 / pendingLoopSize})`,
      [{ ms: pendingLoop }],
      pendingLoop,
    );
    record(
      'fleet: 200 × 5 pending',
      `one step, concurrency 4 (at most ${Math.max(...pendingSamples.map((s) => s.most))} connections)`,
      pendingSamples,
      pendingLoop,
      median(pendingSamples.map((s) => s.rss ?? 0)),
    );
    recordBefore('fleet: 200 × 5 pending', pendingBefore, pendingLoop);
    console.log(
      `fleet pending: one step / loop = ${(median(pendingSamples.map((s) => s.ms)) / pendingLoop).toFixed(3)}`,
    );
  }

  async function benchSchemas() {
    // 10,000 schema targets in one database, a dry run: every target checked, the report made.
    await freshDatabase('fleet_schemas');
    const label = `fleet: ${SCHEMAS.toLocaleString('en')} schemas, dry run`;
    const wide = [];
    const wideBefore = [];
    await both(
      (build) =>
        runFleetStep(
          {
            'database-url': urlOf('fleet_schemas'),
            'schemas-query': `SELECT 'tenant_' || g FROM generate_series(1, ${SCHEMAS}) g`,
            'migrations-dir': dir,
            'dry-run': 'true',
          },
          build,
        ),
      wide,
      wideBefore,
    );
    const [one] = wide;
    record(
      label,
      `one step, concurrency 4 (at most ${one.most} connections)`,
      wide,
      one.ms,
      one.rss,
    );
    recordBefore(label, wideBefore, one.ms);
  }
}

try {
  await admin(`CREATE ROLE counted LOGIN SUPERUSER PASSWORD 'bench'`);
  await admin(`ALTER ROLE counted SET log_statement = 'all'`);
  console.log(
    `PostgreSQL ${(await admin('SHOW server_version')).rows[0].server_version}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${RUNS} interleaved runs\n`,
  );

  if (ONLY.has('apply')) {
    const dir = path.join(work, 'small');
    await writeSmallMigrations(dir, 1000);
    const samples = { floor: [], perFile: [], 'per-migration': [], all: [] };
    for (let r = 0; r < RUNS; r++) {
      await freshDatabase('apply_floor');
      samples.floor.push(runPsql('apply_floor', ['-1', '-f', path.join(work, 'all-1000.sql')]));
      await freshDatabase('apply_floor');
      samples.perFile.push(runPsql('apply_floor', ['-f', path.join(work, 'per-file-1000.sql')]));
      for (const mode of ['per-migration', 'all']) {
        await freshDatabase('apply_action');
        samples[mode].push(runAction('apply_action', dir, { transaction: mode }));
      }
    }
    const floor = median(samples.floor.map((s) => s.ms));
    record('apply 1,000', 'floor: psql -1 -f all.sql', samples.floor, floor);
    record('apply 1,000', 'reference: psql, one transaction per file', samples.perFile, floor);
    for (const mode of ['per-migration', 'all']) {
      const count = await countStatements(() => freshDatabase('apply_count'), 'apply_count', dir, {
        transaction: mode,
      });
      record(
        'apply 1,000',
        `action, transaction: ${mode}`,
        samples[mode],
        floor,
        median(samples[mode].map((s) => s.rss ?? 0)),
        count,
      );
    }
  }

  if (ONLY.has('noop')) {
    for (const n of [1000, 10000]) {
      const dir = path.join(work, `noop-${n}`);
      await writeSmallMigrations(dir, n);
      const db = `noop_${n}`;
      await freshDatabase(db);
      runAction(db, dir);
      const samples = { floor: [], action: [] };
      for (let r = 0; r < RUNS + 2; r++) {
        samples.floor.push(
          runPsql(db, [
            '-c',
            'SELECT version, checksum FROM schema_migrations ORDER BY version',
            '-o',
            '/dev/null',
          ]),
        );
        samples.action.push(runAction(db, dir));
      }
      const floor = median(samples.floor.map((s) => s.ms));
      record(
        `noop ${n.toLocaleString('en')}`,
        'floor: psql connect + one query',
        samples.floor,
        floor,
      );
      const count = await countStatements(async () => {}, db, dir, {});
      record(
        `noop ${n.toLocaleString('en')}`,
        'action',
        samples.action,
        floor,
        median(samples.action.map((s) => s.rss ?? 0)),
        count,
      );
    }
  }

  if (ONLY.has('layouts')) {
    // BENCH_LAYOUTS picks some (an older build reads fewer layouts).
    const layouts = (
      process.env.BENCH_LAYOUTS ?? 'plain,golang-migrate,dbmate,goose,prisma,diesel,flyway,popx'
    ).split(',');
    const samples = Object.fromEntries(layouts.map((l) => [l, []]));
    for (const layout of layouts) {
      const dir = path.join(work, `layout-${layout}`);
      await writeLayout(dir, layout, 1000);
      await freshDatabase(`layout_${layout.replace('-', '_')}`);
      runAction(`layout_${layout.replace('-', '_')}`, dir);
    }
    for (let r = 0; r < RUNS + 2; r++) {
      for (const layout of layouts) {
        const dir = path.join(work, `layout-${layout}`);
        samples[layout].push(runAction(`layout_${layout.replace('-', '_')}`, dir));
      }
    }
    const floor = median(samples.plain.map((s) => s.ms));
    for (const layout of layouts) {
      record('noop 1,000 by layout', `action, ${layout} (ratio to plain)`, samples[layout], floor);
    }
  }

  if (ONLY.has('big')) {
    const dir = path.join(work, 'big');
    const size = await writeBigMigration(dir, BIG_MB);
    const samples = { floor: [], action: [] };
    for (let r = 0; r < RUNS; r++) {
      await freshDatabase('big_floor');
      samples.floor.push(runPsql('big_floor', ['-1', '-f', path.join(dir, '001_big.sql')]));
      await freshDatabase('big_action');
      samples.action.push(runAction('big_action', dir));
    }
    const floor = median(samples.floor.map((s) => s.ms));
    const label = `one ${(size / 2 ** 20).toFixed(0)} MB file`;
    record(
      label,
      'floor: psql -1 -f file',
      samples.floor,
      floor,
      median(samples.floor.map((s) => s.rss ?? 0)),
    );
    record(label, 'action', samples.action, floor, median(samples.action.map((s) => s.rss ?? 0)));
  }

  if (ONLY.has('fleet')) await benchFleet();
  if (ONLY.has('review')) {
    // The same dry run with the review on and off: the difference is what the review costs.
    const db = 'review_5000';
    await tablesDatabase(db, 5000);
    const counter = new pg.Client(urlOf(db));
    await counter.connect();
    const relations = (
      await counter.query(
        `SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace`,
      )
    ).rows[0].n;
    await counter.end();
    console.log(`review: ${relations.toLocaleString('en')} relations in public (5,000 tables)`);
    for (const [n, rehearse] of [
      [10, 'true'],
      [1000, 'false'],
    ]) {
      const dir = path.join(work, `review-${n}`);
      await writeReviewedMigrations(dir, n);
      const samples = { off: [], warn: [] };
      for (let r = 0; r < RUNS; r++) {
        for (const safety of ['off', 'warn']) {
          samples[safety].push(
            runAction(db, dir, { 'dry-run': 'true', rehearse, safety, 'lock-timeout': '5s' }),
          );
        }
      }
      const label = `review: ${n.toLocaleString('en')} pending, ${rehearse === 'true' ? 'rehearsed' : 'static'}, 5,000 tables`;
      const floor = median(samples.off.map((s) => s.ms));
      record(
        label,
        'floor: dry run, safety: off',
        samples.off,
        floor,
        median(samples.off.map((s) => s.rss ?? 0)),
      );
      record(
        label,
        'dry run, safety: warn',
        samples.warn,
        floor,
        median(samples.warn.map((s) => s.rss ?? 0)),
      );
      console.log(
        `${label}: the review adds ${fmt(median(samples.warn.map((s) => s.ms)) - floor)} (median of ${RUNS})`,
      );
    }
  }

  console.log(
    '| work | variant | median | min–max | ratio to floor | peak RSS | statements sent |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const row of table) {
    const ms = row.samples.map((s) => s.ms);
    const ratio = (median(ms) / row.floor).toFixed(2);
    const rss = row.rss ? `${Math.round(row.rss)} MB` : '';
    console.log(
      `| ${row.work} | ${row.variant} | ${fmt(median(ms))} | ${fmt(Math.min(...ms))}–${fmt(Math.max(...ms))} | ${ratio}× | ${rss} | ${row.count ?? ''} |`,
    );
  }
} finally {
  await server.stop().catch(() => undefined);
  await rm(work, { recursive: true, force: true });
}
