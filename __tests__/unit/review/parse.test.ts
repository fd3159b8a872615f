import { describe, expect, it } from 'vitest';
import { parseFileStatements, parseStatementTrees } from '../../../src/review/rules/parse.js';

describe('parseFileStatements', () => {
  it('gives each statement its text, the line of its first keyword and its own tree', async () => {
    const parsed = await parseFileStatements(
      '-- migrate:allow table-rewrite small\n/* note */\nALTER TABLE t\n  ADD COLUMN a int;\n\nDROP TABLE u;',
    );
    expect(parsed.map((s) => [s.line, s.text, Object.keys(s.tree)[0]])).toEqual([
      [3, 'ALTER TABLE t\n  ADD COLUMN a int', 'AlterTableStmt'],
      [6, 'DROP TABLE u', 'DropStmt'],
    ]);
  });

  it('gives no statements for a file PostgreSQL cannot parse', async () => {
    expect(await parseFileStatements('ALTER TABLE t ADD COLUMN;')).toEqual([]);
  });
});

describe('parseStatementTrees', () => {
  it('leaves out a statement that does not parse and keeps the others', async () => {
    const parsed = await parseStatementTrees([
      { text: 'SELEC 1', line: 1 },
      { text: 'TRUNCATE t', line: 2 },
    ]);
    expect(parsed.map((s) => s.line)).toEqual([2]);
  });
});
