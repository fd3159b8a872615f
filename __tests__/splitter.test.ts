import { readdirSync, readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { analyzeSql } from '../src/sql/parser.js';
import { type SplitStatement, StatementSplitter, splitSql } from '../src/sql/splitter.js';
import { transactionControlOf } from '../src/sql/statement-kinds.js';
import { serverMajor } from './support/database.js';

// ---------------------------------------------------------------------------------------------
// Helpers

/** Seeded PRNG (mulberry32): the same corpus and chunkings on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

/** Feeds `sql` to a splitter in chunks of `sizes()` characters. */
function splitInChunks(sql: string, size: () => number): SplitStatement[] {
  const splitter = new StatementSplitter();
  const out: SplitStatement[] = [];
  for (let i = 0; i < sql.length; ) {
    const n = Math.max(1, size());
    out.push(...splitter.push(sql.slice(i, i + n)));
    i += n;
  }
  out.push(...splitter.end());
  return out;
}

/** The chunkings every differential case goes through: whole, 1 character, random sizes. */
function chunkings(rng: Rng): [string, () => number][] {
  return [
    ['whole', () => Number.MAX_SAFE_INTEGER],
    ['1 char', () => 1],
    ['1-3 chars', () => int(rng, 1, 3)],
    ['1-40 chars', () => int(rng, 1, 40)],
    ['1-2000 chars', () => int(rng, 1, 2000)],
  ];
}

function summary(statements: SplitStatement[]) {
  return {
    statements: statements.map((s) => ({ offset: s.start, line: s.line })),
    transactionControl: statements.flatMap((s) => {
      const keyword = transactionControlOf(s.keyword);
      return keyword ? [{ keyword, line: s.line }] : [];
    }),
  };
}

/**
 * The splitter, however the text is chunked, must find the statements (offsets, lines) and the
 * transaction control that PostgreSQL's parser finds.
 */
async function expectSameAsParser(sql: string, rng: Rng): Promise<SplitStatement[]> {
  const analysis = await analyzeSql(sql);
  expect(analysis.parseError, `the parser rejects ${JSON.stringify(sql)}`).toBeUndefined();
  const expected = {
    statements: analysis.statements.map((s) => ({ offset: s.offset, line: s.line })),
    transactionControl: analysis.transactionControl,
  };
  let whole: SplitStatement[] = [];
  for (const [name, size] of chunkings(rng)) {
    const statements = splitInChunks(sql, size);
    expect(summary(statements), `${name}: ${JSON.stringify(sql)}`).toEqual(expected);
    if (name === 'whole') whole = statements;
    else expect(statements, `${name} vs whole`).toEqual(whole);
  }
  // Each statement ends just past its ';' (or at the end of the input), after its text.
  whole.forEach((s, k) => {
    expect(s.end).toBeGreaterThanOrEqual(s.start + (analysis.statements[k]?.text.length ?? 0));
    expect(s.end === sql.length || sql[s.end - 1] === ';').toBe(true);
  });
  return whole;
}

// ---------------------------------------------------------------------------------------------
// Corpus

const TRICKY: readonly string[] = [
  // standard strings: '' escapes, backslash is an ordinary character
  "select 'a;b', 'it''s; -- not a comment', '/* nor this */';select 2",
  "select '\\'; select 2",
  "insert into t values ('it''s; fine', '; '''); select '\\';",
  // E'' strings: backslash escapes, only where E starts a token
  "select E'it\\'s; \\\\'; select E'\\x3b;';select e'\\\\'';'; select 3",
  "select somee';' from t; select 2",
  // string continuation (a newline between the parts); E'' keeps its escapes across it
  "select E'a'\n'b\\'c'; select 2",
  "select E'a'\t\r\n  \n'b\\'c;'; select 2",
  "select 'a'\n'b\\'; select 2",
  "select 'a' || \n'b'; select 2",
  // B'', X'', N'', U&'' and U&""
  "select B'0101', X'1F', N'n;', U&'d\\0061t;' UESCAPE '\\', u&'x'; select 2",
  'select U&"d\\0061t;" from t; select 1',
  // quoted identifiers
  'create table "a;b" ("c;""d" int, "$$" int, "--x" int, "/*" int); select "c;""d" from "a;b"',
  'select 1 as "begin", "commit" from "end"; select 2',
  // dollar quotes
  'select $$;$$, $a$ $$ ; $b$ $a$, $_1$;$_1$; select 2',
  'select $tag$ $ta $tag $tagg$ $tag$; select 2',
  'select $é$;$é$, $_1$;$_1$; select 2',
  'select $x$$$;$x$, $$$x$;$$; select 2',
  'select a$$b from t; select 2',
  'select 1 as x$; select 2',
  'prepare q (int) as select $1+$1;select 2',
  "do $do$ begin raise notice 'a;'; perform 1; commit; end $do$; select 1",
  "create function f() returns text language sql as $$ select 'a;b'; $$;\nselect $tag$;$tag$;",
  // comments
  'select 1 --; comment\n; select /* ; /* ; */ ; */ 2; -- trailing ;\n/* ; */',
  'select 1+--comment\n2; select 3/*c*/-4;',
  'select 1 /**/; select 2 /***/; select /* /*/ */ */ 3;',
  'select 1 /* a /* b; */ c; */ ; /* x */ /* y */ select 2',
  '-- only a comment; select 1\n/* and ; another */',
  '',
  ';;; select 1;; ;\n; select 2;;',
  // line breaks
  'select 1;\r\nselect 2;\rselect 3;\n\n\nselect\r\n4',
  '\uFEFF-- byte-order mark\nselect 1;\nselect 2',
  "select 'é😀', \"中文;\" from café; /* 😀 */ select '😀;😀'; select 3",
  // numbers
  'select 0x1F, 0o17, 0b101, 1_000, 1.5e3, .5, 1e-3, 1.; select 2',
  // parentheses: ';' only inside a CREATE RULE action list
  "create rule r as on insert to t do instead (insert into a values (';'); insert into b values (2)); select 1",
  '(select 1) union (select 2); ((select 3));',
  'with x as (select 1) select * from x; select 2',
  // BEGIN ATOMIC bodies
  'create function add(a int, b int) returns int language sql\nbegin atomic\n  select 1;\n  select a + b;\nend;\ncreate procedure p() language sql begin atomic insert into t values (1); insert into t values (2); end;\nselect add(1, 2);',
  'CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END; select 2',
  'create or replace procedure p() language sql begin atomic select 1; end; commit',
  'create function f() returns int language sql begin /* x */ atomic select 1; end; select 2',
  'create function f() returns int language sql begin atomic select case when true then 1 else 2 end; end; select 2',
  'create function f() returns int language sql begin atomic select case when true then (case 1 when 1 then 2 end) end; end; rollback;',
  'create procedure p() language sql begin atomic; end; end;',
  'create procedure p() language sql begin atomic end; commit',
  'create procedure p() language sql begin atomic commit; end; commit;',
  'create function f() returns int language sql return case when true then 1 end; begin',
  'create function f() returns table (begin int) language sql begin atomic select 1; end; select 2',
  // ... where psql's BEGIN/CASE/END counter gets it wrong and the grammar does not
  'create function f() returns int language sql begin atomic select 1 as end; end; commit;',
  'create function f() returns int language sql begin atomic select t.end from t; end; commit;',
  'create function f() returns int language sql begin atomic select 1 end; end; select 2;',
  'create function begin() returns int language sql return 1; commit; select 1;',
  'create function f(begin int) returns int language sql begin atomic select begin; end; abort',
  'create procedure p() language sql begin atomic select begin atomic from t; end; select 4;',
  'create function f() returns int language sql set search_path = begin begin atomic select 1; end; end',
  'create function f() returns int language sql begin atomic create function g() returns int language sql begin atomic select 1; end; end; select 3',
  // transaction control
  [
    'BEGIN;',
    'begin work;',
    'START TRANSACTION ISOLATION LEVEL SERIALIZABLE;',
    'commit;',
    'END;',
    'end transaction;',
    'ROLLBACK;',
    'abort;',
    "PREPARE TRANSACTION 'x';",
    "commit prepared 'x';",
    "ROLLBACK PREPARED 'x';",
    'DISCARD ALL; discard plans; DISCARD SEQUENCES;',
    'DISCARD TEMP;',
    '-- comment',
    '  /* c */ COMMIT AND CHAIN',
  ].join('\n'),
  [
    'SAVEPOINT a;',
    'ROLLBACK TO SAVEPOINT a;',
    'rollback to a;',
    'ROLLBACK TRANSACTION TO SAVEPOINT a;',
    'rollback work to a;',
    'RELEASE SAVEPOINT a;',
    'release a;',
    'rollback and chain;',
    'commit work and no chain;',
    'prepare transaction as select 1;',
    'prepare transaction (int) as select $1;',
    "prepare transaction E'x';",
    'prepare transaction $$x$$;',
    "prepare transaction U&'x';",
  ].join('\n'),
  'create table "commit" (begin int, "end" int, discard text);\nselect begin, "end" from "commit";\nselect 1 as rollback;',
  // a statement starting with an operator-like token
  '/* c */ -- d\n  select 1; values (1); table t',
];

/** A random but valid SQL file, built to stress the scanner: literals, comments, bodies. */
function randomFile(rng: Rng): string {
  const frag = (parts: readonly string[], lo: number, hi: number): string => {
    let s = '';
    for (let n = int(rng, lo, hi); n > 0; n--) s += pick(rng, parts);
    return s;
  };
  const blockComment = (depth: number): string => {
    const parts = [' ; ', "'", '"', '$$', ' -- ', 'é😀', 'x', '\n', ' * ', ' / ', '$1', 'end'];
    let s = '/*';
    for (let n = int(rng, 0, 4); n > 0; n--) {
      s += depth < 3 && rng() < 0.2 ? blockComment(depth + 1) : pick(rng, parts);
    }
    return `${s}*/`;
  };
  const gap = (): string => {
    const r = rng();
    if (r < 0.6) return pick(rng, [' ', ' ', ' ', '  ', '\n', '\t', '\r\n', ' \n  ', '\f', '\v']);
    if (r < 0.8) return ` ${blockComment(0)} `;
    const ending = pick(rng, ['\n', '\r\n', '\r']);
    return ` --${frag([' ;', "'", '/*', '$$', 'x', ' begin', '😀'], 0, 4)}${ending}`;
  };
  /** A string constant; `sconst` only the kinds the grammar takes as Sconst (no B'', X'', N''). */
  const stringLiteral = (sconst = false): string => {
    const r = sconst ? rng() * 0.85 : rng();
    if (r < 0.35)
      return `'${frag(["''", ';', '\\', '--', '/*', '*/', '"', '$$', '$1', '\n', 'é😀', 'E', 'a'], 0, 6)}'`;
    if (r < 0.6) {
      const body = () =>
        frag(["\\'", '\\\\', "''", ';', '\\n', '--', '/*', '"', '$$', 'é', '😀', 'x'], 0, 5);
      const e = `${pick(rng, ['E', 'e'])}'${body()}'`;
      return rng() < 0.3 ? `${e}${pick(rng, ['\n', ' \n ', '\r\n\t'])}'${body()}'` : e;
    }
    if (r < 0.85) {
      const tag = pick(rng, ['', '', 'a', 'tag', '_1', 'é', 'x9']);
      const closer = `$${tag}$`;
      let body = '';
      do {
        body = frag(
          [';', "'", '"', '$', '$x$', '$$', `$${tag}`, '--', '/*', '\n', 'é😀', 'begin', 'end;'],
          0,
          6,
        );
      } while (`${body}${closer}`.indexOf(closer) !== body.length);
      return `${closer}${body}${closer}`;
    }
    return pick(rng, ["B'0101'", "X'1F'", "N'n;'", "U&'d\\0061t;'", "u&'x'"]);
  };
  const ident = (): string =>
    pick(rng, [
      'a',
      'b',
      'x1',
      '_y',
      'café',
      'a$b',
      '"a;b"',
      '"x""y"',
      '"end"',
      '"--"',
      'U&"d\\0061t"',
    ]);
  const expr = (depth: number): string => {
    const r = rng();
    if (depth > 2 || r < 0.3) return stringLiteral();
    if (r < 0.45) return pick(rng, ['1', '1_000', '1.5e3', '0x1F', '.5', '42']);
    if (r < 0.6) return ident();
    if (r < 0.7) return `(${expr(depth + 1)})`;
    if (r < 0.8) return `${expr(depth + 1)}${gap()}||${gap()}${expr(depth + 1)}`;
    if (r < 0.9) return `case when true then ${expr(depth + 1)} else ${expr(depth + 1)} end`;
    return `array[${expr(depth + 1)},${gap()}${expr(depth + 1)}]`;
  };
  const tokens = (...parts: string[]): string => parts.join(gap());
  const statement = (): string => {
    const r = rng();
    if (r < 0.25) return tokens('select', expr(0), 'as', 'x', ',', expr(0));
    if (r < 0.35)
      return tokens(
        'insert',
        'into',
        ident(),
        'values',
        `(${expr(0)},${gap()}${expr(0)})`,
        ',',
        `(${expr(0)}, 1)`,
      );
    if (r < 0.42)
      return tokens('create', 'table', ident(), `(c int default ${expr(1)},`, 'd', 'text)');
    if (r < 0.48) return tokens('comment', 'on', 'table', ident(), 'is', stringLiteral(true));
    if (r < 0.55) {
      const body = () => tokens('select', expr(1), 'from', ident());
      return tokens(
        'create',
        pick(rng, ['', 'or replace']),
        'function',
        'f()',
        'returns',
        'int',
        'language',
        'sql',
        'begin',
        'atomic',
        `${body()};`,
        `${body()};`,
        'end',
      );
    }
    if (r < 0.6)
      return tokens(
        'create',
        'procedure',
        'p()',
        'language',
        'sql',
        'begin',
        'atomic',
        `insert into t values (${expr(1)});`,
        'end',
      );
    if (r < 0.64)
      return tokens(
        'create',
        'function',
        'f()',
        'returns',
        'int',
        'language',
        'plpgsql',
        'as',
        `$body$ begin return 1; end; $body$`,
      );
    if (r < 0.67)
      return tokens('do', `$$ begin perform ${pick(rng, ['1', "';'"])}; commit; end $$`);
    if (r < 0.7)
      return tokens(
        'create',
        'rule',
        'r',
        'as',
        'on',
        'insert',
        'to',
        't',
        'do',
        'instead',
        `(insert into a values (${expr(1)}); insert into b values (2))`,
      );
    if (r < 0.73) return tokens('(select', expr(1), ')', 'union', '(select', '1)');
    if (r < 0.76) return tokens('prepare', 'p', '(int)', 'as', 'select', '$1');
    return pick(rng, [
      'begin',
      'begin work',
      'start transaction',
      'commit',
      'end',
      'rollback',
      'abort',
      "prepare transaction 'x'",
      "commit prepared 'x'",
      "rollback prepared 'x'",
      'discard all',
      'savepoint a',
      'release a',
      'rollback to a',
      'rollback work to savepoint a',
      'prepare transaction as select 1',
      'create function begin() returns int language sql return 1',
      'create function f() returns int language sql begin atomic select 1 as end; end',
    ]);
  };
  let sql = rng() < 0.3 ? gap() : '';
  for (let n = int(rng, 1, 25); n > 0; n--) {
    sql += statement();
    sql += rng() < 0.3 ? gap() : '';
    sql += rng() < 0.1 ? ';;' : ';';
    sql += gap();
  }
  if (rng() < 0.3) sql += statement(); // a last statement without ';'
  if (rng() < 0.3) sql += gap();
  return sql;
}

// ---------------------------------------------------------------------------------------------
// Tests

describe('StatementSplitter: the same statements as PostgreSQL parser (libpg-query)', () => {
  it('on tricky SQL, in every chunking', async () => {
    const rng = prng(1);
    for (const sql of TRICKY) await expectSameAsParser(sql, rng);
  });

  it('on the sample migrations', async () => {
    const rng = prng(2);
    const folder = new URL('../migrations/', import.meta.url);
    const files = readdirSync(folder).filter((f) => f.endsWith('.sql'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const sql = readFileSync(new URL(file, folder), 'utf8');
      const statements = await expectSameAsParser(sql, rng);
      expect(statements.length).toBeGreaterThan(5);
    }
  });

  it('on 400 random files', async () => {
    const rng = prng(3);
    let statements = 0;
    let control = 0;
    for (let n = 0; n < 400; n++) {
      const found = await expectSameAsParser(randomFile(rng), rng);
      statements += found.length;
      control += found.filter((s) => transactionControlOf(s.keyword)).length;
    }
    // The corpus is not degenerate.
    expect(statements).toBeGreaterThan(3000);
    expect(control).toBeGreaterThan(500);
  });
});

describe('StatementSplitter: randomly damaged files the parser still accepts', () => {
  it('gives the same statements as the parser', async () => {
    const rng = prng(5);
    const inserts = ["'", '"', '$', '-', '/', '*', ';', '(', ')', '\\', 'e', 'E', '\n', ' ', '$a'];
    const more = ['x', '1', 'end', 'begin', 'atomic', '--', '/*', '*/', "E'", '$$', 'U&', "''"];
    let accepted = 0;
    for (let n = 0; n < 3000; n++) {
      let sql = randomFile(rng);
      for (let k = int(rng, 1, 3); k > 0; k--) {
        const at = int(rng, 0, sql.length);
        sql =
          rng() < 0.3
            ? sql.slice(0, at) + sql.slice(at + int(rng, 1, 3))
            : sql.slice(0, at) + pick(rng, [...inserts, ...more]) + sql.slice(at);
      }
      const analysis = await analyzeSql(sql);
      if (analysis.parseError) continue;
      accepted++;
      const size = int(rng, 1, 20);
      expect(summary(splitInChunks(sql, () => size)), JSON.stringify(sql)).toEqual({
        statements: analysis.statements.map((s) => ({ offset: s.offset, line: s.line })),
        transactionControl: analysis.transactionControl,
      });
    }
    expect(accepted).toBeGreaterThan(300);
  });
});

describe('StatementSplitter: scanner details the parser rejects anyway', () => {
  const texts = (sql: string) => splitSql(sql).map((s) => sql.slice(s.start, s.end));

  it('reads $ and a tag without a closing $ as $ and a word, and E then as a string prefix', () => {
    // like the server's scanner: "$", then e'...' (an E'' string where \' escapes the quote)
    expect(texts("select $e'\\'; x'; select 2")).toEqual(["select $e'\\'; x';", 'select 2']);
    expect(texts("select $ab cd'; select 2")).toEqual(["select $ab cd'; select 2"]);
  });

  it('lets a dollar quote start right after a number or a parameter, not after a word', () => {
    expect(texts('select 1$$;$$; select $1$$;$$; select a$$; select 2')).toEqual([
      'select 1$$;$$;',
      'select $1$$;$$;',
      'select a$$;',
      'select 2',
    ]);
  });

  it('keeps a ; inside parentheses in the statement, as psql does', () => {
    expect(texts('select (1; select 2); select 3')).toEqual(['select (1; select 2);', 'select 3']);
    expect(texts('select 1); select 2')).toEqual(['select 1);', 'select 2']);
  });
});

describe('StatementSplitter: API', () => {
  it('returns each statement from the push that completes it, the last from end()', () => {
    const splitter = new StatementSplitter();
    expect(splitter.push('select 1; sel')).toEqual([
      { start: 0, end: 9, line: 1, keyword: 'SELECT' },
    ]);
    expect(splitter.push('ect 2\n')).toEqual([]);
    expect(splitter.push(';\n-')).toEqual([{ start: 10, end: 20, line: 1, keyword: 'SELECT' }]);
    expect(splitter.push('- x\ncommit')).toEqual([]);
    expect(splitter.end()).toEqual([{ start: 26, end: 32, line: 4, keyword: 'COMMIT' }]);
    expect(splitter.end()).toEqual([]);
    expect(() => splitter.push('select 1')).toThrow(/after end/);
  });

  it('classifies statements by their first keywords', () => {
    const keywords = (sql: string) => splitSql(sql).map((s) => s.keyword);
    expect(
      keywords(
        "begin; Start Transaction; start; commit; commit prepared 'x'; end work; rollback; rollback to a; " +
          "rollback transaction to savepoint a; rollback work; rollback prepared 'x'; abort; " +
          "prepare transaction 'x'; prepare transaction as select 1; prepare transaction (int) as select 1; " +
          'prepare p as select 1; discard all; create table t (); (select 1); "select" 1; select; ' +
          "E'x'; $$x$$; $1; café; begın",
      ),
    ).toEqual([
      'BEGIN',
      'START TRANSACTION',
      'START',
      'COMMIT',
      'COMMIT PREPARED',
      'END',
      'ROLLBACK',
      'ROLLBACK TO',
      'ROLLBACK TO',
      'ROLLBACK',
      'ROLLBACK PREPARED',
      'ABORT',
      'PREPARE TRANSACTION',
      'PREPARE',
      'PREPARE',
      'PREPARE',
      'DISCARD',
      'CREATE',
      '',
      '',
      'SELECT',
      '',
      '',
      '',
      'CAFé',
      'BEGıN', // only ASCII letters fold: this is no BEGIN
    ]);
    expect(splitSql(`${'x'.repeat(100)} y`)[0]?.keyword).toBe('X'.repeat(64));
  });

  it('maps keywords to forbidden transaction control', () => {
    for (const keyword of [
      'BEGIN',
      'START TRANSACTION',
      'COMMIT',
      'END',
      'ROLLBACK',
      'ABORT',
      'PREPARE TRANSACTION',
      'COMMIT PREPARED',
      'ROLLBACK PREPARED',
      'DISCARD',
    ]) {
      expect(transactionControlOf(keyword)).toBe(keyword);
    }
    for (const keyword of [
      'ROLLBACK TO',
      'SAVEPOINT',
      'RELEASE',
      'PREPARE',
      'START',
      'SELECT',
      '',
    ]) {
      expect(transactionControlOf(keyword)).toBeUndefined();
    }
  });

  it('reports a literal or comment left open at the end', () => {
    const cases: [string, string | undefined, number][] = [
      ['select 1;\n/* open /* nested */', '/* comment', 2],
      ["select 1;\nselect 'abc;\nselect 2;", 'quoted string', 2],
      ["select E'a\\'", 'quoted string', 1],
      ['select 1;\n\nselect "a', 'quoted identifier', 3],
      ['select 1;\n\ndo $x$ begin\nend;', 'dollar-quoted string', 3],
      ['select 1; -- open line comment', undefined, 0],
      ["select 'a''", 'quoted string', 1],
    ];
    for (const [sql, kind, line] of cases) {
      for (const size of [1, 2, 3, 1000]) {
        const splitter = new StatementSplitter();
        for (let i = 0; i < sql.length; i += size) splitter.push(sql.slice(i, i + size));
        splitter.end();
        if (kind === undefined) expect(splitter.unterminated).toBeUndefined();
        else expect(splitter.unterminated).toMatchObject({ kind, line });
      }
    }
    expect(splitSql('select 1;\n/* open')).toEqual([
      { start: 0, end: 9, line: 1, keyword: 'SELECT' },
    ]);
  });

  it('starts a statement at an operator character that is not a comment', () => {
    // Not valid SQL, but the statement starts where the server's scanner sees a token.
    for (const size of [1, 2, 100]) {
      const statements = splitInChunks('select 1;\n-x; /y; -- c\n/* c */ -', () => size);
      expect(statements.map((s) => [s.start, s.line])).toEqual([
        [0, 1],
        [10, 2],
        [14, 2],
        [31, 3],
      ]);
    }
  });
});

describe('StatementSplitter: against the server', () => {
  it("continues E'' strings across -- comments as the server does (libpg-query does not)", async () => {
    const sql =
      "select E'a' -- c\n-- d\n'b\\'c;' as x; select 2 as y;\nselect 'p'\n-- q\n'r;' as z";
    // libpg-query rejects this file...
    expect((await analyzeSql(sql)).parseError).toBeDefined();
    // ... the server runs it, as these three statements:
    const statements = splitSql(sql);
    expect(statements.map((s) => sql.slice(s.start, s.end))).toEqual([
      "select E'a' -- c\n-- d\n'b\\'c;' as x;",
      'select 2 as y;',
      "select 'p'\n-- q\n'r;' as z",
    ]);
    const client = new pg.Client({ connectionString: inject('adminUrl') });
    await client.connect();
    try {
      const rows = [];
      for (const s of statements) rows.push((await client.query(sql.slice(s.start, s.end))).rows);
      expect(rows).toEqual([[{ x: "ab'c;" }], [{ y: 2 }], [{ z: 'pr;' }]]);
    } finally {
      await client.end();
    }
  });

  it('gives statement-aligned pieces the server runs (one transaction, rolled back)', async ({
    skip,
  }) => {
    skip((await serverMajor()) < 14, 'BEGIN ATOMIC and RETURN function bodies need PostgreSQL 14+');
    const sql = [
      'create table "t;1" (a int, b text);',
      'create function f() returns int language sql begin atomic select 1 as end; select t.end from (select 2 as end) t; end;',
      'create function begin() returns int language sql return 1;',
      "insert into \"t;1\" values (1, E'x\\';'), (2, $$;$$), (3, 'y'';'), (f(), U&'d\\0061t');",
      'create rule r as on update to "t;1" do also (notify a; notify b);',
      'select count(*) from "t;1";',
    ].join('\n');
    const statements = splitSql(sql);
    expect(statements).toHaveLength(6);
    const client = new pg.Client({ connectionString: inject('adminUrl') });
    await client.connect();
    try {
      await client.query('BEGIN');
      // two pieces of about half the file each, cut between statements
      const cut = statements.find((s) => s.end > sql.length / 2)?.end ?? sql.length;
      await client.query(sql.slice(0, cut));
      const result = await client.query(sql.slice(cut));
      const last = Array.isArray(result) ? result.at(-1) : result;
      expect(last.rows).toEqual([{ count: '4' }]);
    } finally {
      await client.query('ROLLBACK').catch(() => {});
      await client.end();
    }
  });
});

describe('StatementSplitter: memory and speed', () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const MB = 1024 * 1024;
  const CHUNK = 64 * 1024;

  /** A flat copy of a string, as a file reader would produce (not a slice of a concatenation). */
  const flat = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');

  /** Text of about `total` characters, made on the fly by `next()`, in 64 KiB chunks. */
  function* chunksOf(total: number, next: () => string): Generator<string> {
    let pending = '';
    let produced = 0;
    while (produced < total) {
      while (pending.length < CHUNK) pending += next();
      yield flat(pending.slice(0, CHUNK));
      pending = pending.slice(CHUNK);
      produced += CHUNK;
    }
    if (pending) yield flat(pending);
  }

  /** Splits the chunks; returns statements, throughput and the largest retained-heap growth. */
  function measure(chunks: Iterable<string>) {
    const splitter = new StatementSplitter();
    gc();
    const before = process.memoryUsage().heapUsed;
    let growth = 0;
    let count = 0;
    let chars = 0;
    let ms = 0;
    let cpu = 0;
    let n = 0;
    let last: SplitStatement | undefined;
    for (const chunk of chunks) {
      const t = performance.now();
      const c = process.cpuUsage();
      const done = splitter.push(chunk);
      ms += performance.now() - t;
      const used = process.cpuUsage(c);
      cpu += (used.user + used.system) / 1000;
      count += done.length;
      last = done.at(-1) ?? last;
      chars += chunk.length;
      if (++n % 64 === 0) {
        gc();
        growth = Math.max(growth, process.memoryUsage().heapUsed - before);
      }
    }
    const done = splitter.end();
    count += done.length;
    last = done.at(-1) ?? last;
    gc();
    growth = Math.max(growth, process.memoryUsage().heapUsed - before);
    const mb = chars / MB;
    return {
      count,
      chars,
      last,
      growth,
      report: `${mb.toFixed(1)} MB in ${count} statements: ${(mb / (ms / 1000)).toFixed(0)} MB/s (wall), ${(mb / (cpu / 1000)).toFixed(0)} MB/s (CPU time); retained heap growth ${(growth / MB).toFixed(2)} MB`,
    };
  }

  it('splits 50 MB of mixed statements in constant memory', () => {
    const rng = prng(4);
    // Random files, each closed with a ';' of its own (a file may end with a statement without one).
    const items = Array.from({ length: 500 }, () => {
      const file = `${randomFile(rng)}\n;`;
      return { text: `${file}\n`, count: splitSql(file).length };
    });
    let expected = 0;
    const next = () => {
      const item = pick(rng, items);
      expected += item.count;
      return item.text;
    };
    const result = measure(chunksOf(50 * MB, next));
    console.log(`splitter, random mixed SQL: ${result.report}`);
    expect(result.count).toBe(expected);
    expect(result.growth).toBeLessThan(30 * MB);
  });

  it('splits a 50 MB data migration (one INSERT per row) in constant memory', () => {
    let row = 0;
    const next = () => {
      row++;
      return `INSERT INTO items (id, name, note, data) VALUES (${row}, 'item ${row}', E'it\\'s row ${row};\\n', '{"k": [${row}, "v;"]}');\n`;
    };
    const result = measure(chunksOf(50 * MB, next));
    console.log(`splitter, one INSERT per row: ${result.report}`);
    expect(result.count).toBe(row);
    expect(result.growth).toBeLessThan(30 * MB);
  });

  it('splits one 50 MB statement (a dollar-quoted body) in constant memory', () => {
    let started = false;
    const next = () => {
      if (started) return "  perform 1; -- a; 'b' $x $xy$ \n";
      started = true;
      return 'DO $xyz$ BEGIN\n';
    };
    const result = measure(
      (function* () {
        yield* chunksOf(50 * MB, next);
        yield ' END $xyz$;';
      })(),
    );
    console.log(`splitter, one dollar-quoted body: ${result.report}`);
    expect(result.count).toBe(1);
    expect(result.last).toMatchObject({ start: 0, end: result.chars, keyword: 'DO' });
    expect(result.growth).toBeLessThan(30 * MB);
  });
});
