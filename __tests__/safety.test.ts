import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ActionRun, runAction } from './support/action.js';
import { checksPasswords, createDatabase, serverMajor, withClient } from './support/database.js';
import { workspaceWith } from './support/files.js';
import { freePort } from './support/global-setup.js';

// The promises the action makes about safety, end to end: the bundled dist/index.js, run as the
// runner runs it, in separate processes, against a real PostgreSQL.
let url: string;
let drop: () => Promise<void>;
beforeAll(async () => {
  ({ url, drop } = await createDatabase('safety'));
});
afterAll(async () => drop());
const major = await serverMajor();
const passwordsChecked = await checksPasswords();
const TRUSTED = 'the server trusts every login: no password is wrong there';

const APP = 'agoat/migrate-action';

/**
 * A fresh schema name per test: the migrations create `<schema>`, the tracking table lives in
 * `<schema>_m` (the action creates that schema itself, inside the first migration's transaction).
 */
let schemaCounter = 0;
function freshSchema(): string {
  return `s${schemaCounter++}`;
}
const meta = (schema: string) => `${schema}_m`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function query<T = Record<string, unknown>>(sql: string, params: unknown[] = []) {
  return withClient(url, async (c) => (await c.query(sql, params)).rows as T[]);
}

async function rows(schema: string): Promise<{ version: string; status: string }[]> {
  return query(
    `SELECT version::text, status FROM ${meta(schema)}.schema_migrations ORDER BY version`,
  );
}

async function exists(qualified: string): Promise<boolean> {
  const [row] = await query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [qualified]);
  return row?.t != null;
}

async function schemaExists(name: string): Promise<boolean> {
  return (await query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [name])).length > 0;
}

/** How often each version inserted into the side-effect table `<schema>.effects`. */
async function effects(schema: string): Promise<Record<string, number>> {
  const list = await query<{ version: number; n: number }>(
    `SELECT version, count(*)::int AS n FROM ${schema}.effects GROUP BY version ORDER BY version`,
  );
  return Object.fromEntries(list.map((r) => [String(r.version), r.n]));
}

/** Polls `probe` until it returns something other than undefined, or fails after `timeoutMs`. */
async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The pid of the action's backend while it is inside `pg_sleep`, once it is. */
function sleepingBackend(): Promise<number> {
  return waitFor('the action to be inside pg_sleep', async () => {
    const [row] = await query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = $1 AND wait_event = 'PgSleep'`,
      [APP],
    );
    return row?.pid;
  });
}

/** Whether any backend of the action in this database is still inside `pg_sleep`. */
async function anyoneSleeping(): Promise<boolean> {
  const list = await query(
    `SELECT 1 FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = $1 AND wait_event = 'PgSleep'`,
    [APP],
  );
  return list.length > 0;
}

/**
 * Milliseconds from the run's first line to its exit: the action's own time, without the start
 * of the process, which a busy machine can delay by seconds. The first line is the password's
 * mask (every URL used with this helper has a password, and the mask comes before anything).
 */
function ownTime(run: ActionRun): number {
  const first = run.lines[0];
  if (!first) throw new Error(`Expected a line from the run, got none (exit ${run.code}).`);
  return run.endedAt - first.at;
}

/** When (Date.now()) the first line that contains `text` arrived. */
function lineAt(run: ActionRun, text: string): number {
  const line = run.lines.find((l) => l.text.includes(text));
  if (!line) throw new Error(`No line with "${text}":\n${run.all}`);
  return line.at;
}

/** The run's lines with their times relative to its first line, for failure messages. */
function timeline(run: ActionRun): string {
  const start = run.lines[0]?.at ?? run.endedAt;
  const lines = run.lines.map((l) => `+${l.at - start} ms ${l.text}`);
  return [...lines, `+${run.endedAt - start} ms (exit ${run.code})`].join('\n');
}

/** The `::error` workflow commands the run printed. */
function errorLines(run: ActionRun): string[] {
  return run.stdout.split('\n').filter((line) => line.startsWith('::error'));
}

/** Starts a run and hands back its process as soon as it is spawned. */
function startRun(
  inputs: Record<string, string>,
  options: { workspace: string },
): { child: Promise<ChildProcess>; done: Promise<ActionRun> } {
  let spawned: (child: ChildProcess) => void = () => undefined;
  const child = new Promise<ChildProcess>((resolve) => {
    spawned = resolve;
  });
  const done = runAction(inputs, { ...options, onSpawn: (c) => spawned(c) });
  return { child, done };
}

/** Starts a run; `printed(text)` resolves once the run has printed a line containing `text`. */
function watchRun(inputs: Record<string, string>, options: { workspace: string }) {
  const seen: string[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  const done = runAction(inputs, {
    ...options,
    onLine: (line) => {
      seen.push(line);
      for (const w of waiters) if (line.includes(w.text)) w.resolve();
    },
  });
  const printed = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (seen.some((l) => l.includes(text))) return resolve();
      waiters.push({ text, resolve });
      // A run that ends without the line must fail the test, not leave it waiting.
      done.then(
        () =>
          seen.some((l) => l.includes(text))
            ? resolve()
            : reject(new Error(`The run ended without printing "${text}".`)),
        reject,
      );
    });
  return { done, printed };
}

/**
 * A gate the test holds closed: a migration containing `gate.sql` blocks there (an advisory lock
 * the test's own session holds) until `open()`, so that a run stays inside a migration exactly
 * as long as the test needs, not for a guessed number of seconds.
 */
let gateCounter = 0;
async function closedGate() {
  const id = 1000 + gateCounter++;
  const holder = new pg.Client({ connectionString: url });
  await holder.connect();
  await holder.query('SELECT pg_advisory_lock(7, $1)', [id]);
  return {
    sql: `SELECT pg_advisory_xact_lock(7, ${id});`,
    /** The pid of the action's backend once it waits at the gate. */
    waiter: () =>
      waitFor(
        'the action to wait at the gate',
        async () => {
          const [row] = await query<{ pid: number }>(
            `SELECT pid FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted AND classid = 7 AND objid = $1 AND objsubid = 2`,
            [id],
          );
          return row?.pid;
        },
        45_000,
      ),
    open: async () => {
      await holder.end().catch(() => undefined);
    },
  };
}

/** A migration that records that it ran, in `<schema>.effects`, with the version it was given. */
const effect = (schema: string, version: number) =>
  `INSERT INTO ${schema}.effects (version) VALUES (${version});`;
const setup = (schema: string) =>
  `CREATE SCHEMA ${schema};\nCREATE TABLE ${schema}.effects (version int, at timestamptz DEFAULT clock_timestamp());\n${effect(schema, 1)}\n`;

describe('the migration lock', () => {
  it('four concurrent runs apply every migration exactly once, all exit 0, and the others wait for the lock', async () => {
    const schema = freshSchema();
    const gate = await closedGate();
    try {
      const { workspace } = await workspaceWith({
        '1_setup.sql': setup(schema),
        // Held at the gate until the other three have said they wait for the lock.
        '2_slow.sql': `${effect(schema, 2)}\n${gate.sql}\n`,
        '3_after.sql': effect(schema, 3),
      });
      const inputs = { 'database-url': url, schema: meta(schema) };
      const runs = [1, 2, 3, 4].map(() => watchRun(inputs, { workspace }));
      // One run holds the lock and waits at the gate; the gate opens once the three others
      // have said that they wait for the lock.
      let waitingCount = 0;
      let allWaiting: () => void = () => undefined;
      const threeWaiting = new Promise<void>((resolve) => {
        allWaiting = resolve;
      });
      const waited = runs.map((r) => {
        const flag = { waiting: false };
        r.printed('Waiting for the migration lock').then(
          () => {
            flag.waiting = true;
            if (++waitingCount === 3) allWaiting();
          },
          () => undefined,
        );
        return flag;
      });
      await Promise.all([gate.waiter(), threeWaiting]);
      await gate.open();
      const done = await Promise.all(runs.map((r) => r.done));

      for (const run of done) expect(run.code, run.all).toBe(0);
      // The run that held the lock applied everything; the others found it done once they held it.
      expect(done.map((r) => r.outputs.result)).toEqual(
        waited.map((w) => (w.waiting ? 'up-to-date' : 'applied')),
      );
      const applied = done.flatMap((r) => JSON.parse(r.outputs.applied ?? '[]') as string[]);
      expect(applied.sort()).toEqual(['1', '2', '3']);
      expect(await rows(schema)).toEqual([
        { version: '1', status: 'applied' },
        { version: '2', status: 'applied' },
        { version: '3', status: 'applied' },
      ]);
      expect(await effects(schema)).toEqual({ '1': 1, '2': 1, '3': 1 });
    } finally {
      await gate.open();
    }
  });

  it('a second run with lock-wait-timeout: 1 fails within seconds with the lock sentence, naming the holder, while the first sits in a long migration', async () => {
    const schema = freshSchema();
    const gate = await closedGate();
    try {
      const { workspace } = await workspaceWith({
        '1_setup.sql': setup(schema),
        '2_slow.sql': `${effect(schema, 2)}\n${gate.sql}\n`,
      });
      const inputs = { 'database-url': url, schema: meta(schema) };
      const first = runAction(inputs, { workspace });
      // The first run holds the migration lock, in the session that waits at the gate.
      const holder = await gate.waiter();

      const second = await runAction({ ...inputs, 'lock-wait-timeout': '1' }, { workspace });

      expect(second.code, second.all).toBe(1);
      expect(second.outputs.result).toBe('failed');
      // From the moment it starts waiting: one second of waiting, then the sentence, then the end.
      const waited = lineAt(second, 'Waiting for the migration lock');
      expect(lineAt(second, '::error::') - waited, timeline(second)).toBeLessThan(8_000);
      expect(second.endedAt - waited, timeline(second)).toBeLessThan(8_000);
      const errors = errorLines(second);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('held the migration lock');
      const waiting = second.all
        .split('\n')
        .find((l) => l.includes('Waiting for the migration lock'));
      expect(waiting, second.all).toBeDefined();
      expect(waiting).toContain(APP);
      expect(waiting).toContain(String(holder));

      await gate.open();
      const done = await first;
      expect(done.code, done.all).toBe(0);
      expect(done.outputs.applied).toBe('["1","2"]');
      expect(await rows(schema)).toEqual([
        { version: '1', status: 'applied' },
        { version: '2', status: 'applied' },
      ]);
      expect(await effects(schema)).toEqual({ '1': 1, '2': 1 });
    } finally {
      await gate.open();
    }
  });
});

describe('a run that ends in the middle of a migration', () => {
  it('after a SIGKILL during pg_sleep(30), the next run finds the migration pending and applies everything in well under 30 s', async ({
    skip,
  }) => {
    // Before 14 the server notices a vanished client only when it next writes to it.
    skip(major < 14, 'needs client_connection_check_interval (PostgreSQL 14+)');
    const schema = freshSchema();
    // The sleep reads its length from a table, so that the next run runs the very same file
    // (same checksum) but does not sleep itself: only the orphaned statement would take 30 s.
    const { workspace } = await workspaceWith({
      '1_setup.sql': `${setup(schema)}CREATE TABLE ${schema}.ctl (secs float8);\nINSERT INTO ${schema}.ctl VALUES (30);\n`,
      '2_slow.sql': `${effect(schema, 2)}\nSELECT pg_sleep((SELECT secs FROM ${schema}.ctl));\n`,
      '3_after.sql': effect(schema, 3),
    });
    const inputs = { 'database-url': url, schema: meta(schema) };
    const killed = startRun(inputs, { workspace });
    const orphan = await sleepingBackend();
    (await killed.child).kill('SIGKILL');
    const gone = await killed.done;
    expect(gone.signal).toBe('SIGKILL');
    const killedAt = Date.now();
    expect(await rows(schema)).toEqual([{ version: '1', status: 'applied' }]);

    await query(`UPDATE ${schema}.ctl SET secs = 0`);
    const running = runAction(inputs, { workspace });
    // The server notices the vanished client (client_connection_check_interval, 2 s) and ends
    // the orphaned statement, its transaction and its lock, instead of sleeping out its 30 s.
    await waitFor(
      'the orphaned backend to end',
      async () =>
        (await query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [orphan])).length === 0
          ? true
          : undefined,
      30_000,
    );
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    const next = await running;

    expect(next.code, next.all).toBe(0);
    expect(next.outputs.result).toBe('applied');
    expect(next.outputs.applied).toBe('["2","3"]');
    expect(await rows(schema)).toEqual([
      { version: '1', status: 'applied' },
      { version: '2', status: 'applied' },
      { version: '3', status: 'applied' },
    ]);
    expect(await effects(schema)).toEqual({ '1': 1, '2': 1, '3': 1 });
    // Without the server noticing, the next run would have waited for the orphan's lock.
    expect(ownTime(next), timeline(next)).toBeLessThan(20_000);
  }, 60_000);

  it('SIGTERM during a long transactional migration cancels the statement: exit 1 within seconds, result failed, nothing of it recorded, earlier ones kept', async () => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({
      '1_setup.sql': setup(schema),
      '2_slow.sql': `${effect(schema, 2)}\nCREATE TABLE ${schema}.slow (id int);\nSELECT pg_sleep(30);\n`,
      '3_after.sql': effect(schema, 3),
    });
    const running = startRun({ 'database-url': url, schema: meta(schema) }, { workspace });
    await sleepingBackend();
    (await running.child).kill('SIGTERM');
    const termAt = Date.now();
    const run = await running.done;

    expect(run.code, run.all).toBe(1);
    // Not the 30 s of the statement: the failure within seconds, the end soon after.
    expect(lineAt(run, '::error') - termAt, timeline(run)).toBeLessThan(10_000);
    expect(run.endedAt - termAt, timeline(run)).toBeLessThan(10_000);
    expect(run.outputs.result).toBe('failed');
    expect(run.all).toContain('Received SIGTERM');
    expect(await rows(schema)).toEqual([{ version: '1', status: 'applied' }]);
    expect(await effects(schema)).toEqual({ '1': 1 });
    expect(await exists(`${schema}.slow`)).toBe(false);
    expect(await anyoneSleeping()).toBe(false);
  });
});

describe('refused before anything runs', () => {
  it('a COMMIT in a pending file: exit 1, the message names file and line, no tracking table, no earlier migration applied', async ({
    expect,
  }) => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({
      '1_ok.sql': `CREATE SCHEMA ${schema};`,
      '2_commit.sql': `CREATE TABLE ${schema}.a (id int);\nCOMMIT;\nCREATE TABLE ${schema}.b (id int);\n`,
    });
    const run = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    expect(run.code, run.all).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.outputs.applied).toBe('[]');
    expect(errorLines(run).some((l) => /2_commit\.sql line 2\b.*COMMIT/.test(l))).toBe(true);
    expect(await exists(`${meta(schema)}.schema_migrations`)).toBe(false);
    expect(await schemaExists(meta(schema))).toBe(false);
    expect(await schemaExists(schema)).toBe(false);
  });

  it('a stray unknown directive (-- migrate:undo): exit 1, the message names file and line, no tracking table, no earlier migration applied', async ({
    expect,
  }) => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({
      '1_ok.sql': `CREATE SCHEMA ${schema};`,
      '2_down.sql': `CREATE TABLE ${schema}.a (id int);\n\n-- migrate:undo\nDROP TABLE ${schema}.a;\n`,
    });
    const run = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    expect(run.code, run.all).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.outputs.applied).toBe('[]');
    expect(
      errorLines(run).some((l) => /2_down\.sql line 3\b.*-- migrate:undo/.test(l)),
      run.all,
    ).toBe(true);
    expect(await exists(`${meta(schema)}.schema_migrations`)).toBe(false);
    expect(await schemaExists(meta(schema))).toBe(false);
    expect(await schemaExists(schema)).toBe(false);
  });

  it('transaction: all with a no-transaction file pending: exit 1, nothing runs', async ({
    expect,
  }) => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({
      '1_ok.sql': `CREATE SCHEMA ${schema};\nCREATE TABLE ${schema}.t (a int);\n`,
      '2_nt.sql': `-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY t_a_idx ON ${schema}.t (a);\n`,
    });
    const run = await runAction(
      { 'database-url': url, schema: meta(schema), transaction: 'all' },
      { workspace },
    );
    expect(run.code, run.all).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.outputs.applied).toBe('[]');
    expect(
      errorLines(run).some((l) => /2_nt\.sql.*transaction: all/.test(l)),
      run.all,
    ).toBe(true);
    expect(await schemaExists(meta(schema))).toBe(false);
    expect(await schemaExists(schema)).toBe(false);
  });
});

describe('the session between migrations', () => {
  it('SET ROLE and SET search_path in one migration do not affect the next: its table is owned by the login user and lands in the default schema', async () => {
    const schema = freshSchema();
    const role = `safety_other_${process.pid}`;
    const elsewhere = `${schema}_elsewhere`;
    const next = `${schema}_next`;
    const login = decodeURIComponent(new URL(url).username);
    await query(`DROP ROLE IF EXISTS ${role}`);
    await query(`CREATE ROLE ${role} NOLOGIN`);
    try {
      const { workspace } = await workspaceWith({
        // The other role may create tables in both schemas, so that a leak would show as a table
        // in the wrong place or with the wrong owner rather than as a permission error.
        '1_setup.sql': `CREATE SCHEMA ${schema};\nCREATE SCHEMA ${elsewhere};\nGRANT USAGE, CREATE ON SCHEMA ${schema}, ${elsewhere} TO ${role};\nGRANT CREATE ON SCHEMA public TO ${role};\n`,
        '2_switch.sql': `SET ROLE ${role};\nCREATE TABLE ${schema}.made_as_other (id int);\nSET search_path = ${elsewhere};\n`,
        '3_next.sql': `CREATE TABLE ${next} (id int);\n`,
      });
      const run = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
      expect(run.code, run.all).toBe(0);
      expect(run.outputs.applied).toBe('["1","2","3"]');

      const owners = await query<{ schema: string; table: string; owner: string }>(
        `SELECT n.nspname AS schema, c.relname AS table, pg_get_userbyid(c.relowner) AS owner
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE c.relname IN ('made_as_other', $1) AND n.nspname IN ($2, $3, 'public')
          ORDER BY c.relname`,
        [next, schema, elsewhere],
      );
      expect(owners).toEqual([
        // The SET ROLE did take effect inside its own migration...
        { schema, table: 'made_as_other', owner: role },
        // ...but not in the next one.
        { schema: 'public', table: next, owner: login },
      ]);
    } finally {
      await query(`DROP TABLE IF EXISTS public.${next}`);
      await query(`DROP SCHEMA IF EXISTS ${schema}, ${elsewhere} CASCADE`);
      await query(`REVOKE ALL ON SCHEMA public FROM ${role}`);
      await query(`DROP ROLE IF EXISTS ${role}`);
    }
  });
});

describe('migrations sent behind one another (pipelined)', () => {
  it('a COMMIT that fails on a deferred constraint stops the run: the migration sent behind it does not run, earlier ones stay', async () => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({
      '1_setup.sql': `${setup(schema)}CREATE TABLE ${schema}.parent (id int PRIMARY KEY);\nCREATE TABLE ${schema}.child (parent int REFERENCES ${schema}.parent DEFERRABLE INITIALLY DEFERRED);\n`,
      // Every statement succeeds; the foreign key is checked at COMMIT, which fails. The session
      // is then idle, not aborted: only the check that 2's row exists keeps 3 from running.
      '2_orphan.sql': `${effect(schema, 2)}\nINSERT INTO ${schema}.child VALUES (42);\n`,
      '3_after.sql': effect(schema, 3),
      '4_later.sql': effect(schema, 4),
    });
    const run = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });

    expect(run.code, run.all).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.outputs.applied).toBe('["1"]');
    expect(run.outputs.pending).toBe('["2","3","4"]');
    expect(run.stdout).toMatch(/::error file=migrations\/2_orphan\.sql::.*foreign key/);
    expect(run.all).not.toContain('did not commit');
    expect(await rows(schema)).toEqual([{ version: '1', status: 'applied' }]);
    expect(await effects(schema)).toEqual({ '1': 1 });
  });
});

describe('timeouts', () => {
  it('statement-timeout: 1s cancels SELECT pg_sleep(5) and records nothing of it', async () => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({
      '1_ok.sql': setup(schema),
      '2_slow.sql': `${effect(schema, 2)}\nSELECT pg_sleep(5);\n`,
    });
    const run = await runAction(
      { 'database-url': url, schema: meta(schema), 'statement-timeout': '1s' },
      { workspace },
    );
    expect(run.code, run.all).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(run.all).toContain('statement timeout');
    expect(await rows(schema)).toEqual([{ version: '1', status: 'applied' }]);
    expect(await effects(schema)).toEqual({ '1': 1 });
  });

  it('lock-timeout: 500ms fails on a table another session holds; with lock-retries: 5 it succeeds once that session commits, logging the retries', async () => {
    const schema = freshSchema();
    await query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.t (id int);`);
    const { workspace } = await workspaceWith({
      '1_alter.sql': `ALTER TABLE ${schema}.t ADD COLUMN added int;\n`,
      // Sent while 1 runs (pipelined): it must not run when 1 fails, and run once when 1 is retried.
      '2_after.sql': `INSERT INTO ${schema}.t (id) VALUES (2);\n`,
    });
    const tRows = async () =>
      (await query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.t`))[0]?.n;
    const inputs = { 'database-url': url, schema: meta(schema), 'lock-timeout': '500ms' };
    const column = async () =>
      (
        await query(
          `SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 't' AND column_name = 'added'`,
          [schema],
        )
      ).length > 0;

    await withClient(url, async (holder) => {
      await holder.query(`BEGIN; LOCK TABLE ${schema}.t IN ACCESS EXCLUSIVE MODE;`);
      let committed = false;
      try {
        const refused = await runAction(inputs, { workspace });
        expect(refused.code, refused.all).toBe(1);
        expect(refused.outputs.result).toBe('failed');
        expect(refused.all).toContain('lock timeout');
        expect(await column()).toBe(false);
        expect(await exists(`${meta(schema)}.schema_migrations`)).toBe(false);

        const retrying = runAction({ ...inputs, 'lock-retries': '5' }, { workspace });
        // Once the migration is really waiting for the table, let go after ~1.5 s.
        await waitFor('the migration to wait for the table lock', async () => {
          const list = await query(
            `SELECT 1 FROM pg_stat_activity
              WHERE datname = current_database() AND application_name = $1 AND wait_event_type = 'Lock'`,
            [APP],
          );
          return list.length > 0 ? true : undefined;
        });
        await sleep(1500);
        await holder.query('COMMIT');
        committed = true;
        const run = await retrying;
        expect(run.code, run.all).toBe(0);
        expect(run.outputs.result).toBe('applied');
        expect(run.outputs.applied).toBe('["1","2"]');
        expect(run.all.split('\n').some((l) => /retry/i.test(l))).toBe(true);
        expect(await column()).toBe(true);
        expect(await tRows()).toBe(1);
        expect(await rows(schema)).toEqual([
          { version: '1', status: 'applied' },
          { version: '2', status: 'applied' },
        ]);
      } finally {
        if (!committed) await holder.query('ROLLBACK');
      }
    });
  });
});

describe('-- migrate:no-transaction', () => {
  it('applies CREATE INDEX CONCURRENTLY and another statement, and records the row as applied', async () => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({
      '1_setup.sql': `CREATE SCHEMA ${schema};\nCREATE TABLE ${schema}.t (a int);\n`,
      '2_index.sql': `-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY t_a_idx ON ${schema}.t (a);\nINSERT INTO ${schema}.t (a) VALUES (42);\n`,
    });
    const run = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    expect(run.code, run.all).toBe(0);
    expect(run.outputs.applied).toBe('["1","2"]');
    expect(await rows(schema)).toEqual([
      { version: '1', status: 'applied' },
      { version: '2', status: 'applied' },
    ]);
    const [index] = await query<{ valid: boolean }>(
      'SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass($1)',
      [`${schema}.t_a_idx`],
    );
    expect(index?.valid).toBe(true);
    expect(await query(`SELECT a FROM ${schema}.t`)).toEqual([{ a: 42 }]);
  });

  it('a file whose second statement fails leaves its row failed, and the next run refuses, saying to check the database and run repair, applying nothing', async () => {
    const schema = freshSchema();
    const { workspace } = await workspaceWith({
      '1_setup.sql': `CREATE SCHEMA ${schema};\nCREATE TABLE ${schema}.t (a int);\n`,
      '2_half.sql': `-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY t_a_idx ON ${schema}.t (a);\nSELECT 1/0;\n`,
      '3_after.sql': `CREATE TABLE ${schema}.after (id int);\n`,
    });
    const inputs = { 'database-url': url, schema: meta(schema) };
    const first = await runAction(inputs, { workspace });
    expect(first.code, first.all).toBe(1);
    expect(first.outputs.result).toBe('failed');
    expect(await rows(schema)).toEqual([
      { version: '1', status: 'applied' },
      { version: '2', status: 'failed' },
    ]);
    // The first statement did run: the database is half-changed.
    expect(await exists(`${schema}.t_a_idx`)).toBe(true);
    expect(await exists(`${schema}.after`)).toBe(false);

    const next = await runAction(inputs, { workspace });
    expect(next.code, next.all).toBe(1);
    expect(next.outputs.result).toBe('failed');
    expect(next.outputs.applied).toBe('[]');
    expect(
      errorLines(next).some((l) => /2_half\.sql.*check the database.*repair/.test(l)),
      next.all,
    ).toBe(true);
    expect(await exists(`${schema}.after`)).toBe(false);
    expect(await rows(schema)).toEqual([
      { version: '1', status: 'applied' },
      { version: '2', status: 'failed' },
    ]);
  });

  it('a failed CREATE UNIQUE INDEX CONCURRENTLY on duplicate data leaves an INVALID index, named in the finding in the log and the summary', async () => {
    const schema = freshSchema();
    const index = `${schema}_dup_uniq`;
    const { workspace } = await workspaceWith({
      '1_setup.sql': `CREATE SCHEMA ${schema};\nCREATE TABLE ${schema}.d (v int);\nINSERT INTO ${schema}.d VALUES (1), (1);\n`,
      '2_unique.sql': `-- migrate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY ${index} ON ${schema}.d (v);\n`,
    });
    const run = await runAction({ 'database-url': url, schema: meta(schema) }, { workspace });
    expect(run.code, run.all).toBe(1);
    expect(run.outputs.result).toBe('failed');
    expect(await rows(schema)).toEqual([
      { version: '1', status: 'applied' },
      { version: '2', status: 'failed' },
    ]);
    const [left] = await query<{ valid: boolean }>(
      'SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass($1)',
      [`${schema}.${index}`],
    );
    expect(left?.valid).toBe(false);
    const finding = (text: string) =>
      text.split('\n').find((l) => l.includes('INVALID') && l.includes(index));
    expect(finding(run.all), run.all).toBeDefined();
    expect(finding(run.summary), run.summary).toBeDefined();
  });
});

// Independent runs: concurrent, to keep the file short.
describe.concurrent('bad input: one sentence, exit 1, nothing touched', () => {
  /** The admin URL with some parts replaced. */
  function urlWith(change: (u: URL) => void): string {
    const u = new URL(url);
    change(u);
    return u.toString();
  }

  interface Case {
    name: string;
    inputs: () => Promise<Record<string, string>> | Record<string, string>;
    error: RegExp;
    /** Upper bound on the run's own time (from its first line), where the behaviour is about time. */
    withinMs?: number;
    /** Whether the migrations folder exists (false: the missing-folder case). */
    folder?: boolean;
    /** A wrong password, which only a server that checks passwords refuses. */
    wrongPassword?: boolean;
  }
  const cases: Case[] = [
    {
      name: 'a URL that does not parse (port notaport)',
      inputs: () => ({ 'database-url': 'postgres://user:pw@host:notaport/db' }),
      error: /port.*notaport/,
    },
    {
      name: 'a URL with another scheme (mysql://)',
      inputs: () => ({ 'database-url': 'mysql://user:pw@localhost:3306/db' }),
      error: /postgres:\/\/.*postgresql:\/\//,
    },
    {
      name: 'an unknown host',
      inputs: () => ({
        'database-url': 'postgres://u:p@no-such-host.invalid/db',
        'connect-timeout': '5',
      }),
      error: /no-such-host\.invalid/,
      withinMs: 15_000,
    },
    {
      name: 'a refused port, with connect-timeout: 1, within a few seconds',
      inputs: async () => {
        const port = await freePort();
        return {
          'database-url': `postgres://u:p@127.0.0.1:${port}/db`,
          'connect-timeout': '1',
        };
      },
      error: /127\.0\.0\.1:\d+/,
      withinMs: 10_000,
    },
    {
      name: 'a wrong password',
      inputs: () => ({ 'database-url': urlWith((u) => (u.password = 'wrong-password')) }),
      error: /password/,
      wrongPassword: true,
    },
    {
      name: 'a database that does not exist',
      inputs: () => ({ 'database-url': urlWith((u) => (u.pathname = '/no_such_db_safety')) }),
      error: /no_such_db_safety.*does not exist/,
    },
    {
      name: 'an unknown command',
      inputs: () => ({ 'database-url': url, command: 'frobnicate' }),
      error: /command.*frobnicate/,
    },
    {
      name: 'a boolean that is not true or false (rehearse: yes)',
      inputs: () => ({ 'database-url': url, rehearse: 'yes' }),
      error: /rehearse.*"yes".*true or false/,
    },
    {
      name: 'a number that is not a whole number (lock-wait-timeout: 1.5)',
      inputs: () => ({ 'database-url': url, 'lock-wait-timeout': '1.5' }),
      error: /lock-wait-timeout.*1\.5.*whole number/,
    },
    {
      name: 'a table that is not a plain identifier (x; drop)',
      inputs: () => ({ 'database-url': url, table: 'x; drop' }),
      error: /table.*x; drop.*identifier/,
    },
    {
      name: 'a schema that is not a plain identifier (1abc)',
      inputs: () => ({ 'database-url': url, schema: '1abc' }),
      error: /schema.*1abc.*identifier/,
    },
    {
      name: 'a missing migrations folder',
      inputs: () => ({ 'database-url': url, 'migrations-dir': 'no-such-folder' }),
      error: /no-such-folder.*does not exist/,
      folder: false,
    },
  ];

  for (const c of cases) {
    it(c.name, async ({ expect, skip }) => {
      skip(c.wrongPassword === true && !passwordsChecked, TRUSTED);
      const marker = freshSchema();
      const { workspace } =
        c.folder === false
          ? await workspaceWith({}, 'migrations')
          : await workspaceWith({ '1_marker.sql': `CREATE SCHEMA ${marker};` });
      const inputs = { schema: meta(marker), ...(await c.inputs()) };
      const run = await runAction(inputs, { workspace });

      expect(run.code, run.all).toBe(1);
      expect(run.outputs.result).toBe('failed');
      expect(run.outputs.applied).toBe('[]');
      const errors = errorLines(run);
      expect(errors, run.all).toHaveLength(1);
      expect(errors[0]).toMatch(/^::error::/);
      expect(errors[0]).toMatch(c.error);
      // One sentence: no stack trace, no second line (workflow commands escape newlines).
      expect(errors[0]).not.toMatch(/%0A|\n| at .*\.js:\d+/);
      if (c.withinMs) expect(ownTime(run), timeline(run)).toBeLessThan(c.withinMs);
      expect(await schemaExists(marker)).toBe(false);
      // Nothing of the tracking table this run was given: neither its schema nor the table.
      const given: Record<string, string | undefined> = inputs;
      const schema = given.schema ?? meta(marker);
      expect(await schemaExists(schema)).toBe(false);
      const tracking = await query(
        'SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2',
        [schema, given.table ?? 'schema_migrations'],
      );
      expect(tracking).toEqual([]);
    });
  }
});

describe.concurrent('secrets', () => {
  const password = 'S3cr@t:/%$pw';
  const encoded = encodeURIComponent(password);
  const user = `safety_secret_${process.pid}`;
  beforeAll(async () => {
    await query(`DROP ROLE IF EXISTS ${user}`);
    await query(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
  });
  afterAll(async () => {
    await query(`DROP ROLE IF EXISTS ${user}`);
  });

  /** A URL for the secret user, with the given password (URL-encoded) and the given changes. */
  function secretUrl(secret: string, change: (u: URL) => void = () => undefined): string {
    const u = new URL(url);
    u.username = user;
    // A placeholder the line below replaces (the test server's URL may have no password).
    u.password = 'x';
    change(u);
    // URL's own setter leaves some of these characters alone: encode every one of them.
    return u.toString().replace(/^(postgres:\/\/[^:]+:)[^@]*@/, `$1${encodeURIComponent(secret)}@`);
  }

  const cases: { name: string; secret: string; url: () => Promise<string> | string }[] = [
    {
      name: 'a wrong password',
      secret: 'Wr0ng@:/%$pw',
      url: () => secretUrl('Wr0ng@:/%$pw'),
    },
    {
      name: 'a bad sslmode',
      secret: password,
      url: () => secretUrl(password, (u) => u.searchParams.set('sslmode', 'bogus')),
    },
    {
      name: 'an unknown host',
      secret: password,
      url: () => secretUrl(password, (u) => (u.hostname = 'no-such-host.invalid')),
    },
    {
      name: 'a port that does not parse',
      secret: password,
      url: () => secretUrl(password).replace(/@([^/:]+):\d+\//, '@$1:notaport/'),
    },
    {
      name: 'a database that does not exist',
      secret: password,
      url: () => secretUrl(password, (u) => (u.pathname = '/no_such_db_safety')),
    },
    {
      name: 'a refused port',
      secret: password,
      url: async () => {
        const port = await freePort();
        return secretUrl(password, (u) => (u.port = String(port)));
      },
    },
  ];

  for (const c of cases) {
    it(`with ${c.name}, the password (plain or URL-encoded) appears nowhere, and the masks come first`, async ({
      expect,
      skip,
    }) => {
      skip(c.name === 'a wrong password' && !passwordsChecked, TRUSTED);
      const databaseUrl = await c.url();
      const secretEncoded = encodeURIComponent(c.secret);
      expect(databaseUrl).toContain(`:${secretEncoded}@`);
      const { workspace } = await workspaceWith({ '1_a.sql': 'SELECT 1;' });
      const run = await runAction(
        { 'database-url': databaseUrl, schema: meta(freshSchema()), 'connect-timeout': '2' },
        { workspace },
      );
      expect(run.code, run.all).toBe(1);

      // The masks: registered before anything else is printed.
      const lines = run.stdout.split('\n');
      const firstOther = lines.findIndex((l) => !l.startsWith('::add-mask::'));
      expect(firstOther, run.stdout).toBeGreaterThan(0);
      expect(lines.slice(firstOther).some((l) => l.startsWith('::add-mask::'))).toBe(false);
      // Workflow commands escape '%' as '%25'; the runner reads the value back unescaped.
      const masks = lines.slice(0, firstOther).map((l) => l.slice('::add-mask::'.length));
      const asCommand = (value: string) => value.replaceAll('%', '%25');
      expect(masks).toContain(asCommand(c.secret));
      expect(masks).toContain(asCommand(secretEncoded));
      // Everything the action says goes through stdout; a line on stderr (a crash) could not be
      // ordered against the masks.
      expect(run.stderr).toBe('');

      // Everything else the step left behind: log, summary, outputs.
      const visible = [
        run.all.replaceAll(/^::add-mask::.*\n/gm, ''),
        run.summary,
        ...Object.values(run.outputs),
      ].join('\n');
      const forms = [c.secret, secretEncoded, password, encoded];
      for (const form of [...forms, ...forms.map(asCommand)]) {
        expect(visible, `${form} leaked`).not.toContain(form);
      }
    });
  }
});
