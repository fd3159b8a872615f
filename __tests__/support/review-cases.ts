// The cases of __tests__/review-rules-pg.test.ts: for every rule of SPEC's table and its main statement forms, a statement that fires and near-misses that must not. Data only.

/** How the test checks the prediction against the server. */
export type Run =
  /** Every statement in one rolled-back transaction, reading the backend's own locks after each. */
  | 'transaction'
  /** The statement cannot run in a transaction: a second session holds ACCESS SHARE and the lock it waits for is read. */
  | 'blocked'
  /** The rule says the migration cannot run: inside a transaction block it fails so. */
  | 'fails'
  /** This server's grammar rejects it (a newer feature): nothing is executed successfully. */
  | 'rejected'
  /** Not executed (a no-transaction file's CONCURRENTLY). */
  | 'none';

export interface Case {
  name: string;
  /** What the target holds before, created in the case's own schema (`{s}` is its name). */
  existing: string;
  /** The pending files, in order; a file starting with `-- migrate:no-transaction` is one. */
  files: string[];
  /**
   * The expected risks, `rule table lockMode` (`-` for none), the table without the case's
   * schema; per major version where they differ. The lock-timeout input is set unless `unbounded`.
   */
  risks: string[] | Record<number, string[]>;
  /** Without the lock-timeout input and without SET lock_timeout (no-lock-timeout can fire). */
  unbounded?: boolean;
  run?: Run | Record<number, Run>;
  /** Tables given a new relfilenode, when not exactly the predicted rewrites (TRUNCATE, REFRESH). */
  filenodes?: string[];
  /** Tables the statements lock ACCESS EXCLUSIVE though no lock is predicted on them (a known gap). */
  unpredictedExclusive?: string[];
  /** The session's TimeZone while the case is reviewed and run (else the server's default). */
  timeZone?: string;
}

const T = `CREATE TABLE t (id int PRIMARY KEY, a int, c varchar(10), n int);
INSERT INTO t SELECT g, g, 'x', g FROM generate_series(1, 100) g;`;
const R = `${T}
CREATE TABLE r (id int PRIMARY KEY, t_id int);
INSERT INTO r SELECT g, g FROM generate_series(1, 10) g;`;
const PT = `CREATE TABLE pt (k int, v int) PARTITION BY RANGE (k);
CREATE TABLE pt_a PARTITION OF pt FOR VALUES FROM (0) TO (100);
INSERT INTO pt SELECT g, g FROM generate_series(0, 99) g;`;
const K = `CREATE TABLE k (id int NOT NULL, a int);
INSERT INTO k SELECT g, g FROM generate_series(1, 100) g;`;
const MV = `${T}
CREATE MATERIALIZED VIEW mv AS SELECT id, a FROM t;
CREATE UNIQUE INDEX mv_id ON mv (id);`;
const NO_TX = '-- migrate:no-transaction\n';
const TS = `CREATE TABLE ts (id int PRIMARY KEY, at timestamp);
INSERT INTO ts SELECT g, now() FROM generate_series(1, 100) g;`;

export const CASES: Case[] = [
  // index-not-concurrent
  {
    name: 'CREATE INDEX on an existing table',
    existing: T,
    files: ['-- the title search\nCREATE INDEX t_a_idx ON t (a);'],
    risks: ['index-not-concurrent t SHARE'],
  },
  {
    name: 'CREATE UNIQUE INDEX … WHERE on an existing table',
    existing: T,
    files: ['CREATE UNIQUE INDEX t_a_key ON t (a) WHERE a > 0;'],
    risks: ['index-not-concurrent t SHARE'],
  },
  {
    name: 'CREATE INDEX on an existing partitioned table',
    existing: PT,
    files: ['CREATE INDEX pt_v_idx ON pt (v);'],
    risks: ['index-not-concurrent pt SHARE'],
  },
  {
    name: 'DROP INDEX of an existing index',
    existing: `${T}\nCREATE INDEX t_n_idx ON t (n);`,
    files: ['DROP INDEX t_n_idx;'],
    risks: ['index-not-concurrent t ACCESS EXCLUSIVE'],
  },
  {
    name: 'near-miss: CREATE INDEX on a table an earlier pending file created',
    existing: T,
    files: ['CREATE TABLE fresh (id int);', 'CREATE INDEX fresh_id_idx ON fresh (id);'],
    risks: [],
  },
  {
    name: 'near-miss: CREATE INDEX CONCURRENTLY in a no-transaction file',
    existing: T,
    files: [`${NO_TX}CREATE INDEX CONCURRENTLY t_a_idx ON t (a);`],
    risks: [],
    run: 'none',
  },
  {
    name: 'near-miss: CREATE INDEX ON ONLY a partitioned table',
    existing: PT,
    files: ['CREATE INDEX pt_v_idx ON ONLY pt (v);'],
    risks: [],
  },
  {
    name: 'near-miss: DROP INDEX CONCURRENTLY in a no-transaction file',
    existing: `${T}\nCREATE INDEX t_n_idx ON t (n);`,
    files: [`${NO_TX}DROP INDEX CONCURRENTLY t_n_idx;`],
    risks: [],
    run: 'none',
  },

  // statements of a DO block
  {
    name: 'CREATE INDEX inside a DO block',
    existing: T,
    files: ['DO $$\nBEGIN\n  CREATE INDEX t_a_idx ON t (a);\nEND\n$$;'],
    risks: ['index-not-concurrent t SHARE'],
  },
  {
    name: 'ALTER COLUMN TYPE by a constant EXECUTE under IF NOT EXISTS in a DO block',
    existing: T,
    files: [
      "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'nope') THEN\n    EXECUTE 'ALTER TABLE t ALTER COLUMN n TYPE bigint';\n  END IF;\nEND\n$$;",
    ],
    risks: ['table-rewrite t ACCESS EXCLUSIVE'],
  },
  {
    name: 'near-miss: a DO block that only reads',
    existing: T,
    files: [
      "DO $$\nDECLARE c int;\nBEGIN\n  SELECT count(*) INTO c FROM t;\n  RAISE NOTICE '%', c;\nEND\n$$;",
    ],
    risks: [],
  },

  // table-rewrite
  {
    name: 'ALTER COLUMN TYPE integer to bigint',
    existing: T,
    files: ['ALTER TABLE t ALTER COLUMN n TYPE bigint;'],
    risks: ['table-rewrite t ACCESS EXCLUSIVE'],
  },
  {
    name: 'ALTER COLUMN TYPE varchar(10) to varchar(5)',
    existing: T,
    files: ['ALTER TABLE t ALTER COLUMN c TYPE varchar(5);'],
    risks: ['table-rewrite t ACCESS EXCLUSIVE'],
  },
  {
    name: 'ALTER COLUMN TYPE with a USING expression',
    existing: T,
    files: ['ALTER TABLE t ALTER COLUMN c TYPE varchar(20) USING upper(c);'],
    risks: ['table-rewrite t ACCESS EXCLUSIVE'],
  },
  {
    name: 'near-miss: ALTER COLUMN TYPE varchar(10) to varchar(20) (binary-coercible)',
    existing: T,
    files: ['ALTER TABLE t ALTER COLUMN c TYPE varchar(20);'],
    risks: [],
  },
  {
    name: 'ALTER COLUMN TYPE timestamp to timestamptz outside UTC',
    existing: `${TS}`,
    timeZone: 'Europe/Paris',
    files: ['ALTER TABLE ts ALTER COLUMN at TYPE timestamptz;'],
    risks: ['table-rewrite ts ACCESS EXCLUSIVE'],
  },
  {
    name: 'ALTER COLUMN TYPE timestamp to timestamptz(3) under UTC (a new precision)',
    existing: `${TS}`,
    timeZone: 'UTC',
    files: ['ALTER TABLE ts ALTER COLUMN at TYPE timestamptz(3);'],
    risks: ['table-rewrite ts ACCESS EXCLUSIVE'],
  },
  {
    name: 'near-miss: ALTER COLUMN TYPE timestamp to timestamptz under UTC',
    existing: `${TS}`,
    timeZone: 'UTC',
    files: ['ALTER TABLE ts ALTER COLUMN at TYPE timestamptz;'],
    risks: [],
  },
  {
    name: 'near-miss: ALTER COLUMN TYPE timestamptz to timestamp after SET TIME ZONE UTC in the file',
    existing: `${TS}\nALTER TABLE ts ALTER COLUMN at TYPE timestamptz;`,
    timeZone: 'America/New_York',
    files: ["SET TIME ZONE 'Etc/UTC';\nALTER TABLE ts ALTER COLUMN at TYPE timestamp;"],
    risks: [],
  },
  {
    name: 'near-miss: ALTER COLUMN TYPE varchar to text (binary-coercible)',
    existing: `${T}\nCREATE INDEX t_c_idx ON t (c);`,
    files: ['ALTER TABLE t ALTER COLUMN c TYPE text;'],
    risks: [],
  },
  {
    name: 'ADD COLUMN with a volatile default',
    existing: T,
    files: ['ALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();'],
    risks: ['table-rewrite t ACCESS EXCLUSIVE'],
  },
  {
    name: 'near-miss: ADD COLUMN with a constant or stable default',
    existing: T,
    files: [
      'ALTER TABLE t ADD COLUMN z int NOT NULL DEFAULT 0;\nALTER TABLE t ADD COLUMN at timestamptz DEFAULT now();',
    ],
    risks: [],
  },
  {
    name: 'ADD COLUMN GENERATED ALWAYS AS (…) STORED',
    existing: T,
    files: ['ALTER TABLE t ADD COLUMN a2 int GENERATED ALWAYS AS (a * 2) STORED;'],
    risks: ['table-rewrite t ACCESS EXCLUSIVE'],
  },
  {
    name: 'near-miss: ADD COLUMN GENERATED ALWAYS AS (…), VIRTUAL on 18 and rejected on 13',
    existing: T,
    files: ['ALTER TABLE t ADD COLUMN a2 int GENERATED ALWAYS AS (a * 2);'],
    risks: [],
    run: { 13: 'rejected', 18: 'transaction' },
  },
  {
    name: 'ADD COLUMN bigserial and ADD COLUMN … GENERATED ALWAYS AS IDENTITY',
    existing: R,
    files: [
      'ALTER TABLE t ADD COLUMN s bigserial;',
      'ALTER TABLE r ADD COLUMN i int GENERATED ALWAYS AS IDENTITY;',
    ],
    risks: ['table-rewrite t ACCESS EXCLUSIVE', 'table-rewrite r ACCESS EXCLUSIVE'],
  },
  {
    name: 'SET UNLOGGED, and SET LOGGED on an unlogged table',
    existing: `${T}\nCREATE UNLOGGED TABLE u (id int);`,
    files: ['ALTER TABLE t SET UNLOGGED;', 'ALTER TABLE u SET LOGGED;'],
    risks: ['table-rewrite t ACCESS EXCLUSIVE', 'table-rewrite u ACCESS EXCLUSIVE'],
  },
  {
    name: 'near-miss: SET LOGGED on a table that is logged already',
    existing: T,
    files: ['ALTER TABLE t SET LOGGED;'],
    risks: [],
  },
  {
    name: 'VACUUM FULL',
    existing: T,
    files: ['VACUUM FULL t;'],
    risks: ['table-rewrite t ACCESS EXCLUSIVE'],
    run: 'blocked',
  },
  {
    name: 'VACUUM (FULL) with options',
    existing: T,
    files: ['VACUUM (FULL, ANALYZE) t;'],
    risks: ['table-rewrite t ACCESS EXCLUSIVE'],
    run: 'blocked',
  },
  {
    name: 'CLUSTER … USING',
    existing: T,
    files: ['CLUSTER t USING t_pkey;'],
    risks: ['table-rewrite t ACCESS EXCLUSIVE'],
  },
  {
    name: 'near-miss: a type change on a table created by an earlier pending statement',
    existing: T,
    files: ['CREATE TABLE fresh (n int);\nALTER TABLE fresh ALTER COLUMN n TYPE bigint;'],
    risks: [],
  },

  // validating-scan
  {
    name: 'ADD CONSTRAINT … FOREIGN KEY',
    existing: R,
    files: ['ALTER TABLE r ADD CONSTRAINT r_t_fk FOREIGN KEY (t_id) REFERENCES t (id);'],
    risks: ['validating-scan r SHARE ROW EXCLUSIVE'],
  },
  {
    name: 'near-miss: ADD CONSTRAINT … FOREIGN KEY … NOT VALID',
    existing: R,
    files: ['ALTER TABLE r ADD CONSTRAINT r_t_fk FOREIGN KEY (t_id) REFERENCES t (id) NOT VALID;'],
    risks: [],
  },
  {
    name: 'ADD CONSTRAINT … CHECK',
    existing: T,
    files: ['ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0);'],
    risks: ['validating-scan t ACCESS EXCLUSIVE'],
  },
  {
    name: 'near-miss: ADD CONSTRAINT … CHECK … NOT VALID',
    existing: T,
    files: ['ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT VALID;'],
    risks: [],
  },
  {
    name: 'ADD COLUMN with an inline REFERENCES',
    existing: R,
    files: ['ALTER TABLE r ADD COLUMN t2 int REFERENCES t (id);'],
    risks: ['validating-scan r ACCESS EXCLUSIVE'],
  },
  {
    name: 'SET NOT NULL',
    existing: T,
    files: ['ALTER TABLE t ALTER COLUMN a SET NOT NULL;'],
    risks: ['validating-scan t ACCESS EXCLUSIVE'],
  },
  {
    name: 'near-miss: SET NOT NULL with a valid CHECK (a IS NOT NULL) on the target',
    existing: `${T}\nALTER TABLE t ADD CONSTRAINT t_a_nn CHECK (a IS NOT NULL);`,
    files: ['ALTER TABLE t ALTER COLUMN a SET NOT NULL;'],
    risks: [],
  },
  {
    name: 'near-miss: SET NOT NULL after a pending CHECK … NOT VALID and its VALIDATE',
    existing: T,
    files: [
      'ALTER TABLE t ADD CONSTRAINT t_a_nn CHECK (a IS NOT NULL) NOT VALID;',
      'ALTER TABLE t VALIDATE CONSTRAINT t_a_nn;\nALTER TABLE t ALTER COLUMN a SET NOT NULL;',
    ],
    risks: [],
  },
  {
    name: 'near-miss: SET NOT NULL on a column that is NOT NULL already',
    existing: T,
    files: ['ALTER TABLE t ALTER COLUMN id SET NOT NULL;'],
    risks: [],
  },
  {
    name: 'ADD PRIMARY KEY and ADD UNIQUE',
    existing: K,
    files: [
      'ALTER TABLE k ADD PRIMARY KEY (id);',
      'ALTER TABLE k ADD CONSTRAINT k_a_key UNIQUE (a);',
    ],
    risks: ['validating-scan k ACCESS EXCLUSIVE', 'validating-scan k ACCESS EXCLUSIVE'],
  },
  {
    name: 'near-miss: ADD PRIMARY KEY and UNIQUE … USING INDEX',
    existing: `${K}\nCREATE UNIQUE INDEX k_id_idx ON k (id);\nCREATE UNIQUE INDEX k_a_idx ON k (a);`,
    files: [
      'ALTER TABLE k ADD CONSTRAINT k_pkey PRIMARY KEY USING INDEX k_id_idx;\nALTER TABLE k ADD CONSTRAINT k_a_key UNIQUE USING INDEX k_a_idx;',
    ],
    risks: [],
  },
  {
    name: 'ADD CONSTRAINT … NOT NULL (PostgreSQL 18; rejected on 13)',
    existing: T,
    files: ['ALTER TABLE t ADD CONSTRAINT t_a_nn NOT NULL a;'],
    risks: { 13: [], 18: ['validating-scan t ACCESS EXCLUSIVE'] },
    run: { 13: 'rejected', 18: 'transaction' },
  },
  {
    name: 'near-miss: ADD CONSTRAINT … NOT NULL … NOT VALID and CHECK … NOT ENFORCED (18; rejected on 13)',
    existing: T,
    files: [
      'ALTER TABLE t ADD CONSTRAINT t_a_nn NOT NULL a NOT VALID;',
      'ALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT ENFORCED;',
    ],
    risks: [],
    run: { 13: 'rejected', 18: 'transaction' },
  },

  // breaking-change
  {
    name: 'DROP TABLE',
    existing: T,
    files: ['DROP TABLE t;'],
    risks: ['breaking-change t ACCESS EXCLUSIVE'],
  },
  {
    name: 'DROP COLUMN',
    existing: T,
    files: ['ALTER TABLE t DROP COLUMN n;'],
    risks: ['breaking-change t ACCESS EXCLUSIVE'],
  },
  {
    name: 'RENAME of a table and of a column',
    existing: R,
    files: ['ALTER TABLE t RENAME TO t2;', 'ALTER TABLE r RENAME COLUMN t_id TO t2_id;'],
    risks: ['breaking-change t ACCESS EXCLUSIVE', 'breaking-change r ACCESS EXCLUSIVE'],
  },
  {
    name: 'DROP SCHEMA',
    existing: 'CREATE SCHEMA {s}_x;\nCREATE TABLE {s}_x.z (id int);',
    files: ['DROP SCHEMA {s}_x CASCADE;'],
    risks: ['breaking-change {s}_x -'],
    // The danger names the schema and lists its tables in its sentence; no-lock-timeout does not
    // name the tables CASCADE locks.
    unpredictedExclusive: ['{s}_x.z'],
  },
  {
    name: 'TRUNCATE',
    existing: T,
    files: ['TRUNCATE t;'],
    risks: ['breaking-change t ACCESS EXCLUSIVE'],
    filenodes: ['t'],
  },
  {
    name: 'near-miss: DROP, RENAME and TRUNCATE of what earlier pending statements created',
    existing: T,
    files: [
      'CREATE SCHEMA {s}_y;\nCREATE TABLE fresh (id int, v int);',
      'ALTER TABLE fresh RENAME COLUMN v TO w;\nALTER TABLE fresh RENAME TO fresh2;\nTRUNCATE fresh2;\nDROP TABLE fresh2;\nDROP SCHEMA {s}_y;',
    ],
    risks: [],
  },

  // concurrently-in-transaction
  {
    name: 'CREATE INDEX CONCURRENTLY in a transaction file',
    existing: T,
    files: ['CREATE INDEX CONCURRENTLY t_a_idx ON t (a);'],
    risks: ['concurrently-in-transaction t -'],
    run: 'fails',
  },
  {
    name: 'DROP INDEX CONCURRENTLY in a transaction file',
    existing: `${T}\nCREATE INDEX t_n_idx ON t (n);`,
    files: ['DROP INDEX CONCURRENTLY t_n_idx;'],
    risks: ['concurrently-in-transaction t -'],
    run: 'fails',
  },
  {
    name: 'REINDEX … CONCURRENTLY in a transaction file',
    existing: T,
    files: ['REINDEX INDEX CONCURRENTLY t_pkey;'],
    risks: ['concurrently-in-transaction t_pkey -'],
    run: 'fails',
  },

  // no-lock-timeout
  {
    name: 'ADD COLUMN with no lock timeout',
    existing: T,
    files: ['ALTER TABLE t ADD COLUMN z int;'],
    risks: ['no-lock-timeout t ACCESS EXCLUSIVE'],
    unbounded: true,
  },
  {
    name: 'SET lock_timeout = 0 bounds nothing',
    existing: T,
    files: ['SET lock_timeout = 0;\nALTER TABLE t ADD COLUMN z int;'],
    risks: ['no-lock-timeout t ACCESS EXCLUSIVE'],
    unbounded: true,
  },
  {
    name: 'near-miss: SET lock_timeout earlier in the file',
    existing: T,
    files: ["SET lock_timeout = '5s';\nALTER TABLE t ADD COLUMN z int;"],
    risks: [],
    unbounded: true,
  },
  {
    name: "near-miss: SELECT set_config('lock_timeout', …) earlier in the file",
    existing: T,
    files: ["SELECT set_config('lock_timeout', '5s', false);\nALTER TABLE t ADD COLUMN z int;"],
    risks: [],
    unbounded: true,
  },
  {
    name: 'near-miss: a lock weaker than ACCESS EXCLUSIVE (CREATE INDEX takes SHARE)',
    existing: T,
    files: ['CREATE INDEX t_a_idx ON t (a);'],
    risks: ['index-not-concurrent t SHARE'],
    unbounded: true,
  },

  // refresh-not-concurrent
  {
    name: 'REFRESH MATERIALIZED VIEW',
    existing: MV,
    files: ['REFRESH MATERIALIZED VIEW mv;'],
    risks: ['refresh-not-concurrent mv ACCESS EXCLUSIVE'],
    filenodes: ['mv'],
  },
  {
    name: 'near-miss: REFRESH MATERIALIZED VIEW CONCURRENTLY',
    existing: MV,
    files: ['REFRESH MATERIALIZED VIEW CONCURRENTLY mv;'],
    risks: [],
  },
];

/**
 * Statements no rule is about, run without a lock timeout: what they lock decides whether
 * no-lock-timeout fires (only on ACCESS EXCLUSIVE), so each checks a predicted lock mode.
 */
export const LOCK_CASES: Case[] = (
  [
    [
      'VALIDATE CONSTRAINT',
      `${T}\nALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0) NOT VALID;`,
      'ALTER TABLE t VALIDATE CONSTRAINT t_a_pos;',
      [],
    ],
    ['SET STATISTICS', T, 'ALTER TABLE t ALTER COLUMN a SET STATISTICS 500;', []],
    [
      'SET (fillfactor, autovacuum_enabled)',
      T,
      'ALTER TABLE t SET (fillfactor = 70, autovacuum_enabled = false);',
      [],
    ],
    ['DISABLE TRIGGER ALL', T, 'ALTER TABLE t DISABLE TRIGGER ALL;', []],
    ['CLUSTER ON', T, 'ALTER TABLE t CLUSTER ON t_pkey;', []],
    [
      'SET DEFAULT',
      T,
      'ALTER TABLE t ALTER COLUMN a SET DEFAULT 1;',
      ['no-lock-timeout t ACCESS EXCLUSIVE'],
    ],
    [
      'SET STORAGE',
      T,
      'ALTER TABLE t ALTER COLUMN c SET STORAGE EXTERNAL;',
      ['no-lock-timeout t ACCESS EXCLUSIVE'],
    ],
    [
      'ADD FOREIGN KEY … NOT VALID',
      R,
      'ALTER TABLE r ADD CONSTRAINT r_t_fk FOREIGN KEY (t_id) REFERENCES t (id) NOT VALID;',
      [],
    ],
    [
      'ATTACH PARTITION',
      `${PT}\nCREATE TABLE pt_b (k int, v int);`,
      'ALTER TABLE pt ATTACH PARTITION pt_b FOR VALUES FROM (100) TO (200);',
      ['no-lock-timeout pt_b ACCESS EXCLUSIVE'],
    ],
    [
      'DETACH PARTITION',
      PT,
      'ALTER TABLE pt DETACH PARTITION pt_a;',
      {
        13: ['no-lock-timeout pt ACCESS EXCLUSIVE'],
        18: ['no-lock-timeout pt ACCESS EXCLUSIVE', 'no-lock-timeout pt_a ACCESS EXCLUSIVE'],
      },
    ],
    [
      'CREATE TABLE … PARTITION OF',
      PT,
      'CREATE TABLE pt_b PARTITION OF pt FOR VALUES FROM (100) TO (200);',
      ['no-lock-timeout pt ACCESS EXCLUSIVE'],
    ],
    [
      'CREATE TRIGGER',
      `${T}\nCREATE FUNCTION {s}.noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';`,
      'CREATE TRIGGER t_noop BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION {s}.noop();',
      [],
    ],
    [
      'DROP TRIGGER',
      `${T}\nCREATE FUNCTION {s}.noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';\nCREATE TRIGGER t_noop BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION {s}.noop();`,
      'DROP TRIGGER t_noop ON t;',
      ['no-lock-timeout t ACCESS EXCLUSIVE'],
    ],
    [
      'RENAME CONSTRAINT',
      `${T}\nALTER TABLE t ADD CONSTRAINT t_a_pos CHECK (a > 0);`,
      'ALTER TABLE t RENAME CONSTRAINT t_a_pos TO t_a_positive;',
      ['no-lock-timeout t ACCESS EXCLUSIVE'],
    ],
    [
      'ALTER TRIGGER … RENAME',
      `${T}\nCREATE FUNCTION {s}.noop() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';\nCREATE TRIGGER t_noop BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION {s}.noop();`,
      'ALTER TRIGGER t_noop ON t RENAME TO t_nothing;',
      ['no-lock-timeout t ACCESS EXCLUSIVE'],
    ],
    ['LOCK TABLE … IN SHARE MODE', T, 'LOCK TABLE t IN SHARE MODE;', []],
    ['LOCK TABLE', T, 'LOCK TABLE t;', ['no-lock-timeout t ACCESS EXCLUSIVE']],
    ['REINDEX TABLE', T, 'REINDEX TABLE t;', []],
    [
      'CREATE VIEW and COMMENT ON TABLE',
      T,
      "CREATE VIEW v AS SELECT id FROM t;\nCOMMENT ON TABLE t IS 'posts';",
      [],
    ],
    [
      'ENABLE ROW LEVEL SECURITY',
      T,
      'ALTER TABLE t ENABLE ROW LEVEL SECURITY;',
      ['no-lock-timeout t ACCESS EXCLUSIVE'],
    ],
  ] as [string, string, string, Case['risks']][]
).map(([name, existing, file, risks]) => ({
  name: `lock of ${name}`,
  existing,
  files: [file],
  risks: risks as Case['risks'],
  unbounded: true,
}));
