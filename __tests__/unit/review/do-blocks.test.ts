import { describe, expect, it } from 'vitest';
import { blockStatements, constantString } from '../../../src/review/rules/do-blocks.js';
import { parseStatementTrees } from '../../../src/review/rules/parse.js';

describe('statements of a DO block', () => {
  it('are parsed after the DO itself, at its line, in the order of the text', async () => {
    const text =
      "DO $$\nBEGIN\n  CREATE INDEX a_idx ON t (a);\n  IF true THEN\n    EXECUTE 'ALTER TABLE t ALTER COLUMN n TYPE bigint';\n  END IF;\nEND\n$$";
    const parsed = await parseStatementTrees([{ text, line: 7 }]);
    expect(parsed.map((p) => [p.line, Object.keys(p.tree)[0], p.inBlock?.conditional])).toEqual([
      [7, 'DoStmt', undefined],
      [7, 'IndexStmt', false],
      [7, 'AlterTableStmt', true],
    ]);
    expect(parsed[2]?.text).toBe('ALTER TABLE t ALTER COLUMN n TYPE bigint');
  });

  it('are not read from a block in another language, or an EXECUTE of a built string', async () => {
    const other = await parseStatementTrees([
      { text: "DO LANGUAGE plperl $$ spi_exec_query('DROP TABLE t') $$", line: 1 },
      { text: "DO $$ BEGIN EXECUTE 'DROP TABLE ' || 't'; END $$", line: 2 },
    ]);
    expect(other.map((p) => Object.keys(p.tree)[0])).toEqual(['DoStmt', 'DoStmt']);
  });

  it('walk loops and exception handlers as conditional', () => {
    const tree = {
      PLpgSQL_stmt_block: {
        body: [
          { PLpgSQL_stmt_execsql: { sqlstmt: { PLpgSQL_expr: { query: 'SELECT 1' } } } },
          {
            PLpgSQL_stmt_fori: {
              body: [
                { PLpgSQL_stmt_execsql: { sqlstmt: { PLpgSQL_expr: { query: 'SELECT 2' } } } },
              ],
            },
          },
        ],
      },
    };
    expect(blockStatements(tree)).toEqual([
      { sql: 'SELECT 1', conditional: false },
      { sql: 'SELECT 2', conditional: true },
    ]);
  });

  it('unquote one constant string only', () => {
    expect(constantString("'it''s'")).toBe("it's");
    expect(constantString("'a' || 'b'")).toBeUndefined();
    expect(constantString('format($1, x)')).toBeUndefined();
  });
});
