import { describe, expect, it } from 'vitest';
import { newPendingFacts } from '../../../src/review/rules/predict.js';
import { CATALOG, lookupOf, predict, relation, summary } from './helpers.js';

describe('index-not-concurrent', () => {
  it('fires on CREATE INDEX on an existing table, with the SHARE lock, line and size', async () => {
    const risks = await predict(
      '-- a comment\n\nCREATE INDEX posts_author_idx\n  ON posts (author_id);',
    );
    expect(risks).toEqual([
      expect.objectContaining({
        rule: 'index-not-concurrent',
        level: 'danger',
        file: '002_change.sql',
        line: 3,
        statement: 'CREATE INDEX posts_author_idx',
        table: 'public.posts',
        lockMode: 'SHARE',
        source: 'predicted',
        size: { rows: 1_000_000, bytes: 200_000_000 },
      }),
    ]);
    expect(risks[0]?.saferWay).toContain('CREATE INDEX CONCURRENTLY');
    expect(risks[0]?.saferWay).toContain('-- migrate:no-transaction');
  });

  it('does not fire on a table created by an earlier pending statement', async () => {
    const sql = 'CREATE TABLE comments (id int, post_id int);\nCREATE INDEX ON comments (post_id);';
    expect(await predict(sql)).toEqual([]);
  });

  it('does not fire on CREATE INDEX CONCURRENTLY in a no-transaction file', async () => {
    expect(
      await predict('CREATE INDEX CONCURRENTLY i ON posts (a)', { noTransaction: true }),
    ).toEqual([]);
  });

  it('fires on DROP INDEX with the index table, under ACCESS EXCLUSIVE', async () => {
    const risks = await predict('DROP INDEX posts_title_idx;');
    expect(risks).toEqual([
      expect.objectContaining({
        rule: 'index-not-concurrent',
        table: 'public.posts',
        lockMode: 'ACCESS EXCLUSIVE',
      }),
    ]);
    expect(risks[0]?.saferWay).toContain('DROP INDEX CONCURRENTLY public.posts_title_idx');
  });

  it('does not fire on DROP INDEX CONCURRENTLY in a no-transaction file, nor on an index created by a pending file', async () => {
    expect(
      await predict('DROP INDEX CONCURRENTLY posts_title_idx', { noTransaction: true }),
    ).toEqual([]);
    const created = new Set<string>();
    await predict('CREATE INDEX CONCURRENTLY fresh_idx ON posts (a)', {
      noTransaction: true,
      created,
    });
    expect(await predict('DROP INDEX fresh_idx')).toEqual([]);
    expect(created.has('public.fresh_idx')).toBe(true);
  });

  it('does not fire on CREATE INDEX ON ONLY a partitioned table, and explains the per-partition way otherwise', async () => {
    expect(await predict('CREATE INDEX pt_a_idx ON ONLY pt (a)')).toEqual([]);
    const risks = await predict('CREATE INDEX pt_a_idx ON pt (a)');
    expect(summary(risks)).toEqual(['index-not-concurrent public.pt']);
    expect(risks[0]?.saferWay).toContain('ON ONLY public.pt');
  });
});

describe('table-rewrite', () => {
  it('fires on ADD COLUMN with a volatile default, a serial or an identity column', async () => {
    for (const column of [
      'token uuid DEFAULT gen_random_uuid()',
      'n serial',
      'n bigint GENERATED ALWAYS AS IDENTITY',
      'r float8 DEFAULT random()',
      'x int DEFAULT my_func()',
    ]) {
      const risks = await predict(`ALTER TABLE posts ADD COLUMN ${column}`);
      expect(summary(risks), column).toEqual(['table-rewrite public.posts']);
      expect(risks[0]?.lockMode).toBe('ACCESS EXCLUSIVE');
    }
  });

  it('does not fire on ADD COLUMN with a constant or stable default (PostgreSQL 11+)', async () => {
    for (const column of [
      'a int DEFAULT 0',
      "b text DEFAULT 'x'",
      "c jsonb NOT NULL DEFAULT '{}'::jsonb",
      'd timestamptz DEFAULT now()',
      'e timestamptz DEFAULT CURRENT_TIMESTAMP',
      'f int[] DEFAULT ARRAY[1, 2]',
      'g boolean DEFAULT true',
      'h int',
    ]) {
      expect(
        await predict(`ALTER TABLE posts ADD COLUMN ${column}`, { serverVersionNum: 130000 }),
        column,
      ).toEqual([]);
    }
  });

  it('fires on GENERATED … STORED on 13 and 18, and not on a PostgreSQL 18 virtual generated column', async () => {
    for (const serverVersionNum of [130000, 180000]) {
      const stored = await predict(
        'ALTER TABLE posts ADD COLUMN w int GENERATED ALWAYS AS (id * 2) STORED',
        { serverVersionNum },
      );
      expect(summary(stored)).toEqual(['table-rewrite public.posts']);
    }
    expect(
      await predict('ALTER TABLE posts ADD COLUMN w int GENERATED ALWAYS AS (id * 2)'),
    ).toEqual([]);
    expect(
      await predict('ALTER TABLE posts ADD COLUMN w int GENERATED ALWAYS AS (id * 2) VIRTUAL'),
    ).toEqual([]);
  });

  it('fires on a type change that is not binary-coercible', async () => {
    const columnType = () => 'integer';
    const risks = await predict('ALTER TABLE posts ALTER COLUMN id TYPE bigint', { columnType });
    expect(summary(risks)).toEqual(['table-rewrite public.posts']);
    expect(risks[0]?.saferWay).toContain('expand/contract');
  });

  it('does not fire on binary-coercible type changes when the old type is known', async () => {
    const cases: [string, string][] = [
      ['character varying(10)', 'varchar(20)'],
      ['character varying(10)', 'varchar'],
      ['character varying(10)', 'text'],
      ['text', 'varchar'],
      ['numeric(10,2)', 'numeric(12,2)'],
      ['numeric(10,2)', 'numeric'],
      ['timestamp(3) without time zone', 'timestamp(6)'],
      ['cidr', 'inet'],
    ];
    for (const [old, next] of cases) {
      const risks = await predict(`ALTER TABLE posts ALTER COLUMN c TYPE ${next}`, {
        columnType: () => old,
      });
      expect(risks, `${old} → ${next}`).toEqual([]);
    }
  });

  it('fires on narrowing or rescaling changes', async () => {
    const cases: [string, string][] = [
      ['character varying(20)', 'varchar(10)'],
      ['text', 'varchar(50)'],
      ['numeric(10,2)', 'numeric(12,3)'],
      ['timestamp without time zone', 'timestamptz'],
      ['character varying(10)', 'text USING upper(c)'],
    ];
    for (const [old, next] of cases) {
      const risks = await predict(`ALTER TABLE posts ALTER COLUMN c TYPE ${next}`, {
        columnType: () => old,
      });
      expect(summary(risks), `${old} → ${next}`).toEqual(['table-rewrite public.posts']);
    }
  });

  it('predicts a rewrite when the old type is unknown, saying the rehearsal decides a possibly coercible one', async () => {
    const [risk] = await predict('ALTER TABLE posts ALTER COLUMN title TYPE varchar(20)');
    expect(risk?.rule).toBe('table-rewrite');
    expect(risk?.what).toContain('binary-coercible');
  });

  it('fires on SET LOGGED, SET UNLOGGED, VACUUM FULL and CLUSTER, not on plain VACUUM', async () => {
    for (const sql of [
      'ALTER TABLE posts SET LOGGED',
      'ALTER TABLE posts SET UNLOGGED',
      'VACUUM FULL posts',
      'VACUUM (FULL) posts',
      'CLUSTER posts USING posts_title_idx',
    ]) {
      expect(summary(await predict(sql)), sql).toEqual(['table-rewrite public.posts']);
    }
    expect(await predict('VACUUM posts')).toEqual([]);
    expect(await predict('VACUUM (FULL false) posts')).toEqual([]);
  });

  it('does not fire on SET LOGGED of a logged table nor SET UNLOGGED of an unlogged one', async () => {
    const logged = lookupOf([relation('public.posts', 'r', { persistence: 'p' })]);
    const unlogged = lookupOf([relation('public.posts', 'r', { persistence: 'u' })]);
    expect(await predict('ALTER TABLE posts SET LOGGED', { relation: logged })).toEqual([]);
    expect(await predict('ALTER TABLE posts SET UNLOGGED', { relation: unlogged })).toEqual([]);
    expect(summary(await predict('ALTER TABLE posts SET UNLOGGED', { relation: logged }))).toEqual([
      'table-rewrite public.posts',
    ]);
  });
});

describe('validating-scan', () => {
  it('fires on ADD FOREIGN KEY with SHARE ROW EXCLUSIVE, and not with NOT VALID', async () => {
    const risks = await predict(
      'ALTER TABLE posts ADD CONSTRAINT posts_user_fk FOREIGN KEY (user_id) REFERENCES users (id)',
    );
    expect(risks).toEqual([
      expect.objectContaining({
        rule: 'validating-scan',
        table: 'public.posts',
        lockMode: 'SHARE ROW EXCLUSIVE',
      }),
    ]);
    expect(risks[0]?.what).toContain('public.users');
    expect(risks[0]?.saferWay).toContain('NOT VALID');
    expect(risks[0]?.saferWay).toContain('VALIDATE CONSTRAINT');
    expect(
      await predict(
        'ALTER TABLE posts ADD CONSTRAINT f FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID',
      ),
    ).toEqual([]);
  });

  it('fires on ADD CHECK, and not with NOT VALID nor on VALIDATE CONSTRAINT', async () => {
    expect(summary(await predict('ALTER TABLE posts ADD CONSTRAINT c CHECK (n > 0)'))).toEqual([
      'validating-scan public.posts',
    ]);
    expect(await predict('ALTER TABLE posts ADD CONSTRAINT c CHECK (n > 0) NOT VALID')).toEqual([]);
    expect(
      await predict('ALTER TABLE posts VALIDATE CONSTRAINT c', { lockTimeoutInput: false }),
    ).toEqual([]);
  });

  it('fires on ADD PRIMARY KEY and UNIQUE, and not with USING INDEX', async () => {
    expect(summary(await predict('ALTER TABLE posts ADD PRIMARY KEY (id)'))).toEqual([
      'validating-scan public.posts',
    ]);
    expect(summary(await predict('ALTER TABLE posts ADD CONSTRAINT u UNIQUE (slug)'))).toEqual([
      'validating-scan public.posts',
    ]);
    expect(
      await predict(
        'ALTER TABLE posts ADD CONSTRAINT posts_pkey PRIMARY KEY USING INDEX posts_id_idx',
      ),
    ).toEqual([]);
    expect(
      await predict('ALTER TABLE posts ADD CONSTRAINT u UNIQUE USING INDEX posts_slug_idx'),
    ).toEqual([]);
  });

  it('fires on SET NOT NULL, suggesting the CHECK way on 13 and NOT NULL … NOT VALID on 18', async () => {
    const on13 = await predict('ALTER TABLE posts ALTER COLUMN title SET NOT NULL', {
      serverVersionNum: 130000,
    });
    expect(on13).toEqual([
      expect.objectContaining({ rule: 'validating-scan', lockMode: 'ACCESS EXCLUSIVE' }),
    ]);
    expect(on13[0]?.saferWay).toContain('CHECK (title IS NOT NULL) NOT VALID');
    const on18 = await predict('ALTER TABLE posts ALTER COLUMN title SET NOT NULL', {
      serverVersionNum: 180000,
    });
    expect(on18[0]?.saferWay).toContain('NOT NULL title NOT VALID');
  });

  it('does not fire on SET NOT NULL after a CHECK (col IS NOT NULL) validated by earlier pending migrations', async () => {
    const created = new Set<string>();
    const pending = newPendingFacts();
    const options = { created, pending, serverVersionNum: 130000 };
    expect(
      await predict(
        'ALTER TABLE posts ADD CONSTRAINT title_nn CHECK (title IS NOT NULL) NOT VALID',
        options,
      ),
    ).toEqual([]);
    expect(await predict('ALTER TABLE posts VALIDATE CONSTRAINT title_nn', options)).toEqual([]);
    expect(await predict('ALTER TABLE posts ALTER COLUMN title SET NOT NULL', options)).toEqual([]);
    // Another column is not proven.
    expect(
      summary(await predict('ALTER TABLE posts ALTER COLUMN body SET NOT NULL', options)),
    ).toEqual(['validating-scan public.posts']);
  });

  it('does not fire on SET NOT NULL when the target already has a valid check', async () => {
    const provenNotNull = (table: string, column: string) =>
      table === 'public.posts' && column === 'title';
    expect(
      await predict('ALTER TABLE posts ALTER COLUMN title SET NOT NULL', { provenNotNull }),
    ).toEqual([]);
  });

  it('does not fire on a not-validated NOT VALID check: SET NOT NULL still scans', async () => {
    const pending = newPendingFacts();
    await predict('ALTER TABLE posts ADD CONSTRAINT title_nn CHECK (title IS NOT NULL) NOT VALID', {
      pending,
    });
    expect(
      summary(await predict('ALTER TABLE posts ALTER COLUMN title SET NOT NULL', { pending })),
    ).toEqual(['validating-scan public.posts']);
  });

  it('does not fire on ADD CONSTRAINT … NOT NULL before PostgreSQL 18, which rejects it', async () => {
    const sql = 'ALTER TABLE posts ADD CONSTRAINT n NOT NULL title';
    expect(await predict(sql, { serverVersionNum: 170005 })).toEqual([]);
  });

  it('on PostgreSQL 18, fires on ADD CONSTRAINT … NOT NULL and not with NOT VALID', async () => {
    expect(summary(await predict('ALTER TABLE posts ADD CONSTRAINT t_nn NOT NULL title'))).toEqual([
      'validating-scan public.posts',
    ]);
    expect(await predict('ALTER TABLE posts ADD CONSTRAINT t_nn NOT NULL title NOT VALID')).toEqual(
      [],
    );
  });
});

describe('breaking-change', () => {
  it('fires on DROP TABLE, DROP COLUMN, renames, TRUNCATE and DROP SCHEMA', async () => {
    const cases: [string, string][] = [
      ['DROP TABLE posts', 'breaking-change public.posts'],
      ['ALTER TABLE posts DROP COLUMN title', 'breaking-change public.posts'],
      ['ALTER TABLE posts RENAME TO articles', 'breaking-change public.posts'],
      ['ALTER TABLE posts RENAME COLUMN title TO headline', 'breaking-change public.posts'],
      ['TRUNCATE posts', 'breaking-change public.posts'],
      ['DROP SCHEMA app CASCADE', 'breaking-change app'],
    ];
    for (const [sql, expected] of cases)
      expect(summary(await predict(sql)), sql).toEqual([expected]);
    const [drop] = await predict('DROP TABLE posts');
    expect(drop?.lockMode).toBe('ACCESS EXCLUSIVE');
  });

  it('names the tables DROP SCHEMA … CASCADE deletes, largest first, with their size together', async () => {
    const app = [
      relation('app.small', 'r', { rows: 10, bytes: 8_192 }),
      relation('app.big', 'r', { rows: 2_000_000, bytes: 500_000_000 }),
      relation('app.mid', 'm', { rows: 1_000, bytes: 100_000 }),
      relation('app.tiny', 'r', { rows: 1, bytes: 1_000 }),
    ];
    const tablesIn = (schema: string) => app.filter((r) => r.schema === schema);
    const [cascade] = await predict('DROP SCHEMA app CASCADE', { tablesIn });
    expect(cascade?.what).toContain(
      'CASCADE: every table in it with its data, 4 tables: app.big, app.mid, app.small and 1 more',
    );
    expect(cascade?.size).toEqual({ rows: 2_001_011, bytes: 500_109_192 });
    const [plain] = await predict('DROP SCHEMA app', { tablesIn });
    expect(plain?.what).not.toContain('CASCADE');
    expect(plain?.size).toBeUndefined();
  });

  it('does not fire on what pending migrations created, nor on a table that does not exist', async () => {
    const created = new Set<string>();
    await predict(
      'CREATE SCHEMA scratch; CREATE TABLE scratch.t (a int); CREATE TABLE tmp (a int)',
      { created },
    );
    expect(
      await predict(
        'DROP TABLE scratch.t; DROP SCHEMA scratch; ALTER TABLE tmp DROP COLUMN a; TRUNCATE tmp',
        { created },
      ),
    ).toEqual([]);
    expect(await predict('DROP TABLE IF EXISTS nothing_here')).toEqual([]);
  });
});

describe('concurrently-in-transaction', () => {
  it('fires on CREATE/DROP INDEX and REINDEX CONCURRENTLY in a transactional file, even on a new table', async () => {
    const sql =
      'CREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY t_a ON t (a);\nDROP INDEX CONCURRENTLY posts_title_idx;\nREINDEX TABLE CONCURRENTLY posts;';
    const risks = await predict(sql);
    expect(risks.map((r) => `${r.rule} ${r.line}`)).toEqual([
      'concurrently-in-transaction 2',
      'concurrently-in-transaction 3',
      'concurrently-in-transaction 4',
    ]);
    expect(risks[0]?.saferWay).toContain('-- migrate:no-transaction');
  });

  it('does not fire in a no-transaction file', async () => {
    expect(await predict('REINDEX TABLE CONCURRENTLY posts', { noTransaction: true })).toEqual([]);
  });
});

describe('no-lock-timeout', () => {
  const unbounded = { lockTimeoutInput: false };

  it('fires on ACCESS EXCLUSIVE on an existing table when nothing bounds the wait', async () => {
    const risks = await predict('ALTER TABLE posts ADD COLUMN note text', unbounded);
    expect(risks).toEqual([
      expect.objectContaining({
        rule: 'no-lock-timeout',
        level: 'warning',
        lockMode: 'ACCESS EXCLUSIVE',
        table: 'public.posts',
      }),
    ]);
  });

  it('does not fire with the lock-timeout input, or after SET lock_timeout in the same file', async () => {
    expect(
      await predict('ALTER TABLE posts ADD COLUMN note text', { lockTimeoutInput: true }),
    ).toEqual([]);
    expect(
      await predict("SET lock_timeout = '2s';\nALTER TABLE posts ADD COLUMN note text;", unbounded),
    ).toEqual([]);
    expect(
      await predict(
        "SET LOCAL lock_timeout TO '2s';\nALTER TABLE posts ADD COLUMN note text;",
        unbounded,
      ),
    ).toEqual([]);
    expect(
      await predict(
        "SELECT set_config('lock_timeout', '2s', false);\nALTER TABLE posts ADD COLUMN note text;",
        unbounded,
      ),
    ).toEqual([]);
  });

  it('fires when the SET comes after, sets 0, is reset, or is a SET LOCAL in a no-transaction file', async () => {
    const after = await predict(
      "ALTER TABLE posts ADD COLUMN note text;\nSET lock_timeout = '2s';",
      unbounded,
    );
    expect(summary(after)).toEqual(['no-lock-timeout public.posts']);
    expect(
      summary(
        await predict('SET lock_timeout = 0; ALTER TABLE posts ADD COLUMN note text', unbounded),
      ),
    ).toHaveLength(1);
    expect(
      summary(
        await predict(
          "SET lock_timeout = '1s'; RESET lock_timeout; ALTER TABLE posts ADD COLUMN note text",
          unbounded,
        ),
      ),
    ).toHaveLength(1);
    const local = await predict(
      "SET LOCAL lock_timeout = '1s';\nALTER TABLE posts ADD COLUMN note text;",
      { ...unbounded, noTransaction: true },
    );
    expect(summary(local)).toEqual(['no-lock-timeout public.posts']);
  });

  it('does not fire for statements below ACCESS EXCLUSIVE', async () => {
    for (const sql of [
      'ALTER TABLE posts VALIDATE CONSTRAINT c',
      'ALTER TABLE posts ENABLE TRIGGER t',
      'ALTER TABLE posts SET (fillfactor = 70)',
      'ALTER TABLE posts ALTER COLUMN title SET STATISTICS 500',
      'ALTER TABLE posts ADD CONSTRAINT f FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID',
      'LOCK TABLE posts IN SHARE MODE',
      'REFRESH MATERIALIZED VIEW CONCURRENTLY stats',
      'REINDEX TABLE posts',
      'CREATE TRIGGER t BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION f()',
    ]) {
      expect(await predict(sql, unbounded), sql).toEqual([]);
    }
  });

  it('fires for other ACCESS EXCLUSIVE statements: SET DEFAULT, LOCK TABLE, DROP TRIGGER, a storage option, PARTITION OF', async () => {
    const cases: [string, string][] = [
      ['ALTER TABLE posts ALTER COLUMN n SET DEFAULT 0', 'public.posts'],
      ['LOCK TABLE posts', 'public.posts'],
      ['DROP TRIGGER t ON posts', 'public.posts'],
      ['ALTER TABLE posts SET (user_catalog_table = true)', 'public.posts'],
      [
        "CREATE TABLE pt_2025 PARTITION OF pt FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
        'public.pt',
      ],
    ];
    for (const [sql, table] of cases) {
      expect(summary(await predict(sql, unbounded)), sql).toEqual([`no-lock-timeout ${table}`]);
    }
  });

  it('fires on the partition ATTACH PARTITION checks, and DETACH PARTITION from PostgreSQL 14 on', async () => {
    const catalog = lookupOf([...CATALOG, relation('public.pt_new')]);
    const attach =
      "ALTER TABLE pt ATTACH PARTITION pt_new FOR VALUES FROM ('2030-01-01') TO ('2031-01-01')";
    expect(summary(await predict(attach, { ...unbounded, relation: catalog }))).toEqual([
      'no-lock-timeout public.pt_new',
    ]);
    const detach = 'ALTER TABLE pt DETACH PARTITION pt_2024';
    expect(summary(await predict(detach, unbounded))).toEqual([
      'no-lock-timeout public.pt',
      'no-lock-timeout public.pt_2024',
    ]);
    expect(summary(await predict(detach, { ...unbounded, serverVersionNum: 130000 }))).toEqual([
      'no-lock-timeout public.pt',
    ]);
  });

  it('fires on renaming a constraint or a trigger of an existing table', async () => {
    for (const sql of [
      'ALTER TABLE posts RENAME CONSTRAINT a TO b',
      'ALTER TRIGGER t ON posts RENAME TO u',
    ]) {
      expect(summary(await predict(sql, unbounded)), sql).toEqual(['no-lock-timeout public.posts']);
    }
  });

  it('accompanies the dangers that take ACCESS EXCLUSIVE', async () => {
    const risks = await predict('ALTER TABLE posts ALTER COLUMN id TYPE bigint', {
      ...unbounded,
      columnType: () => 'integer',
    });
    expect(summary(risks)).toEqual(['table-rewrite public.posts', 'no-lock-timeout public.posts']);
  });
});

describe('refresh-not-concurrent', () => {
  it('fires on REFRESH MATERIALIZED VIEW of an existing view, not with CONCURRENTLY', async () => {
    const risks = await predict('REFRESH MATERIALIZED VIEW stats');
    expect(risks).toEqual([
      expect.objectContaining({
        rule: 'refresh-not-concurrent',
        level: 'warning',
        lockMode: 'ACCESS EXCLUSIVE',
        table: 'public.stats',
      }),
    ]);
    expect(await predict('REFRESH MATERIALIZED VIEW CONCURRENTLY stats')).toEqual([]);
  });
});

describe('names', () => {
  it('resolves unqualified names through the search path, and qualified ones as written', async () => {
    expect(await predict('ALTER TABLE accounts DROP COLUMN a')).toEqual([]);
    expect(
      summary(
        await predict('ALTER TABLE accounts DROP COLUMN a', {
          searchPath: ['$user', 'app', 'public'],
        }),
      ),
    ).toEqual(['breaking-change app.accounts']);
    expect(summary(await predict('ALTER TABLE app.accounts DROP COLUMN a'))).toEqual([
      'breaking-change app.accounts',
    ]);
    expect(
      summary(await predict('SET search_path TO app;\nALTER TABLE accounts DROP COLUMN a;')),
    ).toEqual(['breaking-change app.accounts']);
  });

  it('finds a table by quoted, case-sensitive name only as spelled', async () => {
    const lookup = lookupOf([...CATALOG, relation('public.Orders')]);
    expect(summary(await predict('DROP TABLE "Orders"', { relation: lookup }))).toEqual([
      'breaking-change public.Orders',
    ]);
    expect(await predict('DROP TABLE Orders', { relation: lookup })).toEqual([]);
  });

  it('treats a table created in an earlier file as new, and a shadowing new table as new', async () => {
    const created = new Set<string>();
    await predict('CREATE TABLE app.posts (id int)', { created });
    expect(
      await predict('ALTER TABLE posts DROP COLUMN id', { created, searchPath: ['app', 'public'] }),
    ).toEqual([]);
    expect(summary(await predict('ALTER TABLE posts DROP COLUMN id', { created }))).toEqual([
      'breaking-change public.posts',
    ]);
  });

  it('follows an existing table through a rename in an earlier file', async () => {
    const pending = newPendingFacts();
    await predict('ALTER TABLE posts RENAME TO articles', { pending });
    const risks = await predict(
      'ALTER TABLE articles ADD COLUMN t uuid DEFAULT gen_random_uuid()',
      { pending },
    );
    expect(risks).toEqual([
      expect.objectContaining({
        rule: 'table-rewrite',
        table: 'public.articles',
        size: { rows: 1_000_000, bytes: 200_000_000 },
      }),
    ]);
  });

  it('cuts the statement to its first line, at most 100 characters', async () => {
    const long = `ALTER TABLE posts ADD COLUMN ${'x'.repeat(120)} uuid DEFAULT gen_random_uuid()`;
    const [risk] = await predict(`${long}\n`);
    expect(risk?.statement).toHaveLength(100);
    expect(risk?.statement.endsWith('…')).toBe(true);
  });
});
