import { describe, expect, it } from 'vitest';
import { checkDownSql } from '../../../src/review/rules/down.js';

const down = (sql: string, line = 10) => ({ sql, file: '5_x.sql', line, noTransaction: false });

describe('checkDownSql', () => {
  it('names what loses data at the lines of the file: dropped tables, schemas, columns, truncates', async () => {
    const check = await checkDownSql(
      down(
        'DROP INDEX i;\nDROP TABLE public.a, b;\nALTER TABLE s.t DROP COLUMN c, ADD COLUMN d int;\nTRUNCATE t2;\nDROP SCHEMA x CASCADE;\n',
      ),
    );
    expect(check.losses).toEqual([
      { line: 11, what: 'DROP TABLE public.a' },
      { line: 11, what: 'DROP TABLE b' },
      { line: 12, what: 'DROP COLUMN s.t.c' },
      { line: 13, what: 'TRUNCATE t2' },
      { line: 14, what: 'DROP SCHEMA x' },
    ]);
    expect(check.transactionControl).toEqual([]);
  });

  it('finds no loss in a down that drops an index, a view or a function, or in a comment or string', async () => {
    const check = await checkDownSql(
      down("DROP INDEX CONCURRENTLY i;\nDROP VIEW v;\n-- DROP TABLE t;\nSELECT 'TRUNCATE t';\n"),
    );
    expect(check.losses).toEqual([]);
  });

  it('reports transaction control and a parse error at their lines', async () => {
    expect((await checkDownSql(down('SELECT 1;\nCOMMIT;\n'))).transactionControl).toEqual([
      { keyword: 'COMMIT', line: 11 },
    ]);
    expect((await checkDownSql(down('SELECT 1;\nDROP TABLEE t;\n'))).parseError?.line).toBe(11);
  });
});
