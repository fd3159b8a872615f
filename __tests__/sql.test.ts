import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lineColumnOfPosition, lineOfPosition } from '../src/sql/lines.js';
import { analyzeSql, loadSqlParser, type SqlAnalysis } from '../src/sql/parser.js';

/** Statement texts of `source`. */
async function texts(source: string): Promise<string[]> {
  const analysis = await analyzeSql(source);
  expect(analysis.parseError).toBeUndefined();
  return analysis.statements.map((s) => s.text);
}

/** Every statement's offset and line must point at its text in the source. */
function expectConsistent(source: string, analysis: SqlAnalysis): void {
  for (const s of analysis.statements) {
    expect(source.slice(s.offset, s.offset + s.text.length)).toBe(s.text);
    expect(s.line).toBe(source.slice(0, s.offset).split('\n').length);
  }
}

describe('analyzeSql: splitting', () => {
  it('splits plain statements with offsets and lines', async () => {
    const source = 'create table a (id int);\ninsert into a values (1);\n\nselect * from a;\n';
    const analysis = await analyzeSql(source);
    expect(analysis).toEqual({
      statements: [
        { text: 'create table a (id int)', offset: 0, line: 1 },
        { text: 'insert into a values (1)', offset: 25, line: 2 },
        { text: 'select * from a', offset: 52, line: 4 },
      ],
      transactionControl: [],
    });
  });

  it('keeps untagged and tagged dollar quotes whole', async () => {
    const source = [
      "create function f() returns text language sql as $$ select 'a;b'; $$;",
      'create function g() returns text language plpgsql as $fn$',
      'begin',
      "  return $$ x; $$ || 'y;';",
      'end;',
      '$fn$;',
      'select $tag$;$tag$;',
    ].join('\n');
    expect(await texts(source)).toEqual([
      "create function f() returns text language sql as $$ select 'a;b'; $$",
      "create function g() returns text language plpgsql as $fn$\nbegin\n  return $$ x; $$ || 'y;';\nend;\n$fn$",
      'select $tag$;$tag$',
    ]);
  });

  it("keeps E'' strings with escaped quotes whole", async () => {
    const source = "select E'it\\'s; \\\\'; select E'\\x3b;';select 2";
    expect(await texts(source)).toEqual(["select E'it\\'s; \\\\'", "select E'\\x3b;'", 'select 2']);
  });

  it('keeps standard strings with doubled quotes whole', async () => {
    const source = "insert into t values ('it''s; fine', '; '''); select '\\';";
    expect(await texts(source)).toEqual([
      "insert into t values ('it''s; fine', '; ''')",
      "select '\\'",
    ]);
  });

  it('keeps quoted identifiers containing ; whole', async () => {
    const source = 'create table "a;b" ("c;""d" int); select "c;""d" from "a;b"';
    expect(await texts(source)).toEqual([
      'create table "a;b" ("c;""d" int)',
      'select "c;""d" from "a;b"',
    ]);
  });

  it('skips nested block comments containing ;', async () => {
    const source = 'select 1; /* a /* b; */ c; */ select /* x; /* y; */ z; */ 2;';
    const analysis = await analyzeSql(source);
    expect(analysis.statements.map((s) => s.text)).toEqual([
      'select 1',
      'select /* x; /* y; */ z; */ 2',
    ]);
    expect(analysis.statements[1]?.offset).toBe(source.indexOf('select /*'));
  });

  it('keeps BEGIN ATOMIC bodies whole (SQL-standard function bodies)', async () => {
    const source = [
      'create function add(a int, b int) returns int language sql',
      'begin atomic',
      '  select 1;',
      '  select a + b;',
      'end;',
      'create procedure p() language sql begin atomic insert into t values (1); insert into t values (2); end;',
      'select add(1, 2);',
    ].join('\n');
    const analysis = await analyzeSql(source);
    expect(analysis.statements.map((s) => [s.line, s.text])).toEqual([
      [
        1,
        'create function add(a int, b int) returns int language sql\nbegin atomic\n  select 1;\n  select a + b;\nend',
      ],
      [
        6,
        'create procedure p() language sql begin atomic insert into t values (1); insert into t values (2); end',
      ],
      [7, 'select add(1, 2)'],
    ]);
    expect(analysis.transactionControl).toEqual([]);
  });

  it('splits CREATE INDEX CONCURRENTLY like any statement', async () => {
    const source =
      '-- migrate:no-transaction\ncreate index concurrently if not exists i on t (a);\n';
    expect(await analyzeSql(source)).toEqual({
      statements: [
        { text: 'create index concurrently if not exists i on t (a)', offset: 26, line: 2 },
      ],
      transactionControl: [],
    });
  });

  it('takes a final statement without semicolon, without trailing comments', async () => {
    const source = 'select 1;\nselect 2 -- no semicolon\n-- end of file\n/* really */\n';
    const analysis = await analyzeSql(source);
    expect(analysis.statements).toEqual([
      { text: 'select 1', offset: 0, line: 1 },
      { text: 'select 2', offset: 10, line: 2 },
    ]);
  });

  it('drops comments between the last token and the semicolon', async () => {
    const source = 'select 1 /* one */ -- trailing\n  ;select 2\t;';
    expect(await texts(source)).toEqual(['select 1', 'select 2']);
  });

  it('keeps -- and /* that sit in strings, quoted identifiers or mid-statement', async () => {
    const source =
      'select \'a -- b\', "/* c" -- real comment\n; select 1 /* mid */ + 2; select $$--$$\n-- end';
    expect(await texts(source)).toEqual([
      'select \'a -- b\', "/* c"',
      'select 1 /* mid */ + 2',
      'select $$--$$',
    ]);
  });

  it('skips empty statements', async () => {
    expect(await texts(';;; select 1;; ;\n; select 2;;')).toEqual(['select 1', 'select 2']);
    expect(await texts(';')).toEqual([]);
  });

  it('gives no statement for a file of comments, whitespace or nothing', async () => {
    const empty = { statements: [], transactionControl: [] };
    expect(await analyzeSql('-- just a comment\n/* and /* nested */ another */\n')).toEqual(empty);
    expect(await analyzeSql('-- migrate:no-transaction')).toEqual(empty);
    expect(await analyzeSql(' \n\t\r\n')).toEqual(empty);
    expect(await analyzeSql('')).toEqual(empty);
  });

  it('points offset and line at the first token, past leading comments', async () => {
    const source =
      '-- migrate:no-transaction\n-- header\n\n/* block\n /* nested; */ ; */\n  select 1;\n-- x\n/**/ select 2';
    const analysis = await analyzeSql(source);
    expect(analysis.statements).toEqual([
      { text: 'select 1', offset: source.indexOf('select 1'), line: 6 },
      { text: 'select 2', offset: source.indexOf('select 2'), line: 8 },
    ]);
  });

  it('starts a parenthesized statement at its parenthesis', async () => {
    const source = '/* c */ (select 1) union (select 2); with x as (select 1) select * from x';
    expect(await texts(source)).toEqual([
      '(select 1) union (select 2)',
      'with x as (select 1) select * from x',
    ]);
  });

  it('keeps a DO block whole', async () => {
    const source = "do $$\nbegin\n  raise notice 'a;';\n  perform 1;\nend\n$$;\nselect 1;";
    const analysis = await analyzeSql(source);
    expect(analysis.statements.map((s) => s.line)).toEqual([1, 7]);
    expect(analysis.statements[0]?.text).toBe(
      "do $$\nbegin\n  raise notice 'a;';\n  perform 1;\nend\n$$",
    );
  });

  it('counts lines of CRLF files', async () => {
    const source = '-- header\r\nselect 1;\r\n\r\nselect\r\n  2;\r\n';
    const analysis = await analyzeSql(source);
    expect(analysis.statements).toEqual([
      { text: 'select 1', offset: 11, line: 2 },
      { text: 'select\r\n  2', offset: 24, line: 4 },
    ]);
  });

  it('ignores a leading byte-order mark, offsets stay relative to the source', async () => {
    const source = '\uFEFFselect 1;\nselect 2;';
    const analysis = await analyzeSql(source);
    expect(analysis.statements).toEqual([
      { text: 'select 1', offset: 1, line: 1 },
      { text: 'select 2', offset: 11, line: 2 },
    ]);
  });

  it('is consistent on a mixed file', async () => {
    const source = [
      '-- migrate:no-transaction',
      "/* é 😀 */ create table \"t;é\" (\"😀;\" text default E'\\';😀', b text default 'x''y;');",
      'create function f() returns int language plpgsql as $body$ begin return 1; end; $body$;',
      'create index concurrently i on "t;é" (b);',
      'comment on table "t;é" is $$ ; 中文; $$ ;; ;',
      'select 1 -- done',
    ].join('\n');
    const analysis = await analyzeSql(source);
    expect(analysis.parseError).toBeUndefined();
    expect(analysis.statements.map((s) => s.line)).toEqual([2, 3, 4, 5, 6]);
    expectConsistent(source, analysis);
  });
});

describe('analyzeSql: UTF-8 offsets', () => {
  it('converts byte offsets to string indices after multi-byte characters', async () => {
    const source = "-- é, 中文, 😀😀\nselect 'é😀';\n/* 😀 */ select 2; select '中文'; select 3";
    const analysis = await analyzeSql(source);
    expect(analysis.statements.map((s) => s.text)).toEqual([
      "select 'é😀'",
      'select 2',
      "select '中文'",
      'select 3',
    ]);
    expect(analysis.statements.map((s) => s.offset)).toEqual([
      source.indexOf("select 'é"),
      source.indexOf('select 2'),
      source.indexOf("select '中"),
      source.indexOf('select 3'),
    ]);
    expect(analysis.statements.map((s) => s.line)).toEqual([2, 3, 3, 3]);
    expectConsistent(source, analysis);
  });

  it('handles non-ASCII identifiers and a last statement after them', async () => {
    const source = 'create table café (naïve int);\ninsert into café values (1)\n-- 🎉';
    const analysis = await analyzeSql(source);
    expect(analysis.statements).toEqual([
      { text: 'create table café (naïve int)', offset: 0, line: 1 },
      { text: 'insert into café values (1)', offset: 31, line: 2 },
    ]);
  });
});

describe('analyzeSql: transaction control', () => {
  it('reports every forbidden statement with its keyword as written and its line', async () => {
    const source = [
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
    ].join('\n');
    const analysis = await analyzeSql(source);
    expect(analysis.parseError).toBeUndefined();
    expect(analysis.transactionControl).toEqual([
      { keyword: 'BEGIN', line: 1 },
      { keyword: 'BEGIN', line: 2 },
      { keyword: 'START TRANSACTION', line: 3 },
      { keyword: 'COMMIT', line: 4 },
      { keyword: 'END', line: 5 },
      { keyword: 'END', line: 6 },
      { keyword: 'ROLLBACK', line: 7 },
      { keyword: 'ABORT', line: 8 },
      { keyword: 'PREPARE TRANSACTION', line: 9 },
      { keyword: 'COMMIT PREPARED', line: 10 },
      { keyword: 'ROLLBACK PREPARED', line: 11 },
      { keyword: 'DISCARD', line: 12 },
      { keyword: 'DISCARD', line: 12 },
      { keyword: 'DISCARD', line: 12 },
      { keyword: 'DISCARD', line: 13 },
      { keyword: 'COMMIT', line: 15 },
    ]);
  });

  it('reports transaction control between ordinary statements', async () => {
    const source = 'create table a (id int);\ncommit;\ncreate table b (id int);\nbegin;\n';
    const analysis = await analyzeSql(source);
    expect(analysis.statements).toHaveLength(4);
    expect(analysis.transactionControl).toEqual([
      { keyword: 'COMMIT', line: 2 },
      { keyword: 'BEGIN', line: 4 },
    ]);
  });

  it('allows savepoints', async () => {
    const source = [
      'SAVEPOINT a;',
      'ROLLBACK TO SAVEPOINT a;',
      'rollback to a;',
      'ROLLBACK TRANSACTION TO SAVEPOINT a;',
      'RELEASE SAVEPOINT a;',
      'release a;',
    ].join('\n');
    const analysis = await analyzeSql(source);
    expect(analysis.statements).toHaveLength(6);
    expect(analysis.transactionControl).toEqual([]);
  });

  it('ignores BEGIN, END and COMMIT inside DO blocks and function bodies', async () => {
    const source = [
      'do $$',
      'begin',
      '  perform 1;',
      '  commit;',
      'end',
      '$$;',
      'DO LANGUAGE plpgsql $do$ BEGIN ROLLBACK; END $do$;',
      'create function f() returns void language plpgsql as $$',
      'begin',
      '  perform 1;',
      'end;',
      '$$;',
      "create procedure p() language plpgsql as 'begin commit; end';",
      'create function g() returns int language sql',
      'begin atomic',
      '  select 1;',
      'end;',
      'create procedure q() language sql begin atomic select 1; end;',
    ].join('\n');
    const analysis = await analyzeSql(source);
    expect(analysis.parseError).toBeUndefined();
    expect(analysis.statements.map((s) => s.line)).toEqual([1, 7, 8, 13, 14, 18]);
    expect(analysis.transactionControl).toEqual([]);
  });

  it('ignores the words as identifiers and in strings or comments', async () => {
    const source = [
      'create table "commit" (begin int, "end" int, discard text);',
      'select begin, "end" from "commit";',
      "select 'BEGIN; COMMIT;';",
      '-- COMMIT;',
      '/* BEGIN; */',
      'select 1 as rollback;',
    ].join('\n');
    const analysis = await analyzeSql(source);
    expect(analysis.parseError).toBeUndefined();
    expect(analysis.statements).toHaveLength(4);
    expect(analysis.transactionControl).toEqual([]);
  });
});

describe('analyzeSql: parse errors', () => {
  it('reports a syntax error with its line', async () => {
    const source = 'create table a (id int);\n\ncreate tabel b (id int);\nbegin;\n';
    const analysis = await analyzeSql(source);
    expect(analysis).toEqual({
      statements: [],
      transactionControl: [],
      parseError: { message: 'syntax error at or near "tabel"', line: 3 },
    });
  });

  it('reports the line of an error after multi-byte characters', async () => {
    const source = "select '😀😀😀';\n-- é é é\nselect 1;\nselect (1;\n";
    const analysis = await analyzeSql(source);
    expect(analysis.parseError).toEqual({ message: 'syntax error at or near ";"', line: 4 });
  });

  it('reports unterminated strings, dollar quotes and comments where they start', async () => {
    expect((await analyzeSql("select 1;\nselect 'abc;\nselect 2;")).parseError).toEqual({
      message: `unterminated quoted string at or near "'abc;…"`,
      line: 2,
    });
    const dollar = await analyzeSql('select 1;\n\ndo $$ begin\nend;');
    expect(dollar.parseError?.message).toMatch(/^unterminated dollar-quoted string/);
    expect(dollar.parseError?.line).toBe(3);
    const comment = await analyzeSql('select 1;\n/* a /* b */\nselect 2;');
    expect(comment.parseError?.message).toMatch(/^unterminated \/\* comment/);
    expect(comment.parseError?.line).toBe(2);
  });

  it('shortens the quoted rest of the file in an unterminated-literal message', async () => {
    const rest = `${'x'.repeat(100)}\n${'select 1;\n'.repeat(1000)}`;
    const analysis = await analyzeSql(`select 1;\nselect $$${rest}`);
    expect(analysis.parseError).toEqual({
      message: `unterminated dollar-quoted string at or near "$$${'x'.repeat(38)}…"`,
      line: 2,
    });
    // Short tokens are left alone.
    expect((await analyzeSql('select 1 2')).parseError?.message).toBe(
      'syntax error at or near "2"',
    );
  });

  it('reports an error at the end of input on the last line', async () => {
    const analysis = await analyzeSql('select 1;\nselect (\n');
    expect(analysis.parseError).toEqual({ message: 'syntax error at end of input', line: 2 });
  });

  it('rejects a NUL character, which would cut the SQL short', async () => {
    const analysis = await analyzeSql('select 1;\nselect 2;\u0000commit;');
    expect(analysis.statements).toEqual([]);
    expect(analysis.parseError?.line).toBe(2);
    expect(analysis.parseError?.message).toMatch(/NUL/);
  });

  it('rejects psql meta-commands', async () => {
    const analysis = await analyzeSql('select 1;\n\\set x 1\n');
    expect(analysis.parseError?.line).toBe(2);
  });
});

describe('lineOfPosition', () => {
  it('maps 1-based positions to lines with LF', () => {
    const source = 'ab\ncd\n\nef';
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9].map((p) => lineOfPosition(source, p))).toEqual([
      1, 1, 1, 2, 2, 2, 3, 4, 4,
    ]);
  });

  it('counts a CRLF as one line break', () => {
    const source = 'ab\r\ncd\r\n\r\nef';
    // a b \r \n c d \r \n \r \n e f
    expect([1, 3, 4, 5, 7, 8, 9, 10, 11, 12].map((p) => lineOfPosition(source, p))).toEqual([
      1, 1, 1, 2, 2, 2, 3, 3, 4, 4,
    ]);
  });

  it('counts characters (code points), not UTF-16 units or bytes', () => {
    const source = '😀😀😀\nab\ncd';
    expect(lineOfPosition(source, 4)).toBe(1); // the first \n
    expect(lineOfPosition(source, 5)).toBe(2); // a
    expect(lineOfPosition(source, 8)).toBe(3); // c
    expect(lineColumnOfPosition(source, 6)).toEqual({ line: 2, column: 2 }); // b
    expect(lineColumnOfPosition('é中😀x', 4)).toEqual({ line: 1, column: 4 });
  });

  it('returns the last line for positions past the end', () => {
    expect(lineOfPosition('a\nb\nc', 6)).toBe(3);
    expect(lineOfPosition('a\nb\nc', 1000)).toBe(3);
    expect(lineOfPosition('a\nb\n', 1000)).toBe(2);
    expect(lineOfPosition('a\r\nb\r\n', 1000)).toBe(2);
    expect(lineColumnOfPosition('a\nbc', 99)).toEqual({ line: 2, column: 2 });
  });

  it('returns line 1 for the first character, position 0 and empty sources', () => {
    expect(lineOfPosition('a\nb', 1)).toBe(1);
    expect(lineOfPosition('a\nb', 0)).toBe(1);
    expect(lineOfPosition('', 5)).toBe(1);
    expect(lineColumnOfPosition('abc', 1)).toEqual({ line: 1, column: 1 });
  });

  it('agrees with statement lines when offsetting a statement-relative position', async () => {
    const source = '-- header\nselect 1;\n\nselect\n  2,\n  x;';
    const analysis = await analyzeSql(source);
    const statement = analysis.statements[1];
    expect(statement?.line).toBe(4);
    // A server error in the second statement run alone at position 14 ("x") is on line 6.
    const position = (statement?.text.indexOf('x') ?? 0) + 1;
    expect(statement && statement.line + lineOfPosition(statement.text, position) - 1).toBe(6);
  });
});

describe('parser loading', () => {
  it('does not load the parser on import, only on first use', () => {
    const sqlModule = fileURLToPath(new URL('../src/sql/parser.ts', import.meta.url));
    // Node runs the TypeScript source directly; its imports name the .js files the build emits.
    const script = `
      import { createRequire, registerHooks } from 'node:module';
      registerHooks({
        resolve: (specifier, context, next) => {
          try {
            return next(specifier, context);
          } catch (error) {
            if (!specifier.endsWith('.js')) throw error;
            return next(specifier.slice(0, -3) + '.ts', context);
          }
        },
      });
      const require = createRequire(${JSON.stringify(sqlModule)});
      const loaded = () => Object.keys(require.cache).some((k) => k.includes('libpg-query'));
      const sql = await import(${JSON.stringify(sqlModule)});
      const before = loaded();
      const result = await sql.analyzeSql('select 1; commit');
      console.log(JSON.stringify({ before, after: loaded(), result, dirname: typeof __dirname }));
    `;
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '--no-warnings', '-e', script],
      {
        encoding: 'utf8',
      },
    );
    const report = JSON.parse(out.trim().split('\n').at(-1) ?? '{}');
    expect(report).toEqual({
      before: false,
      after: true,
      result: {
        statements: [
          { text: 'select 1', offset: 0, line: 1 },
          { text: 'commit', offset: 10, line: 1 },
        ],
        transactionControl: [{ keyword: 'COMMIT', line: 1 }],
      },
      dirname: 'undefined',
    });
  });

  it('loads once and leaves no global __dirname behind', async () => {
    await loadSqlParser();
    await Promise.all([analyzeSql('select 1'), analyzeSql('select 2')]);
    expect((globalThis as { __dirname?: unknown }).__dirname).toBeUndefined();
  });
});
