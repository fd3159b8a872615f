import { describe, expect, it } from 'vitest';
import { acknowledge, parseAllowances } from '../../../src/review/allow.js';
import type { Risk } from '../../../src/review/model.js';

const risk = (rule: Risk['rule'], line: number, file = '002_x.sql'): Risk => ({
  rule,
  level: 'danger',
  file,
  line,
  statement: 'ALTER TABLE posts …',
  source: 'predicted',
  what: 'w',
  saferWay: 's',
});

describe('parseAllowances', () => {
  it('applies an allow line to the statement directly below it, and stacked allow lines together', () => {
    const text = [
      'ALTER TABLE a ADD COLUMN x int;',
      '-- migrate:allow table-rewrite the table has 40 rows',
      '-- migrate:allow no-lock-timeout nobody reads it',
      'ALTER TABLE a ALTER COLUMN x TYPE bigint;',
      'ALTER TABLE b ADD COLUMN y int;',
    ].join('\n');
    const parsed = parseAllowances(text, [1, 4, 5]);
    expect(parsed.errors).toEqual([]);
    expect(parsed.statements).toEqual([
      [],
      [
        { rule: 'table-rewrite', reason: 'the table has 40 rows', allowLine: 2 },
        { rule: 'no-lock-timeout', reason: 'nobody reads it', allowLine: 3 },
      ],
      [],
    ]);
  });

  it('applies header allow lines to every statement of the file', () => {
    const text =
      '-- migrate:no-transaction\n-- migrate:allow index-not-concurrent  tiny table\n\nCREATE INDEX i ON t (a);\nCREATE INDEX j ON t (b);\n';
    const parsed = parseAllowances(text, [4, 5]);
    const ack = { rule: 'index-not-concurrent', reason: 'tiny table', allowLine: 2 };
    expect(parsed).toEqual({ statements: [[ack], [ack]], errors: [] });
  });

  it('reports an allow line separated from its statement by a comment or a blank line, and one at the end', () => {
    const text = [
      'SELECT 1;',
      '-- migrate:allow table-rewrite small',
      '-- why: see ticket 12',
      'ALTER TABLE a ALTER COLUMN x TYPE bigint;',
      '-- migrate:allow breaking-change unused',
      '',
      'DROP TABLE b;',
      '-- migrate:allow breaking-change at the end',
    ].join('\n');
    const parsed = parseAllowances(text, [1, 4, 7]);
    expect(parsed.statements).toEqual([[], [], []]);
    expect(parsed.errors.map((e) => e.line)).toEqual([2, 5, 8]);
    expect(parsed.errors[0]?.message).toBe(
      'line 2: -- migrate:allow must be on the line directly above the statement it acknowledges (or in the header, before the first statement).',
    );
  });

  it('reports an allow line without a rule, with an unknown rule, or without a reason', () => {
    const text =
      '-- migrate:allow\n-- migrate:allow table-rewrites big\n-- migrate:allow table-rewrite\nSELECT 1;';
    const parsed = parseAllowances(text, [4]);
    expect(parsed.statements).toEqual([[]]);
    expect(parsed.errors).toEqual([
      {
        line: 1,
        message:
          'line 1: -- migrate:allow needs a rule and a reason, e.g. -- migrate:allow table-rewrite the table has 40 rows.',
      },
      {
        line: 2,
        message:
          'line 2: -- migrate:allow names the unknown rule "table-rewrites"; the rules are index-not-concurrent, table-rewrite, validating-scan, breaking-change, concurrently-in-transaction, no-lock-timeout, refresh-not-concurrent.',
      },
      {
        line: 3,
        message:
          'line 3: -- migrate:allow table-rewrite needs a reason after the rule, e.g. -- migrate:allow table-rewrite the table has 40 rows.',
      },
    ]);
  });

  it('ignores the down section and lines that only start like an allow line', () => {
    const text =
      'SELECT 1;\n-- migrate:allowance is not a directive\nSELECT 2;\n-- migrate:down\n-- migrate:allow table-rewrite\nSELECT 3;';
    expect(parseAllowances(text, [1, 3])).toEqual({ statements: [[], []], errors: [] });
  });

  it('reads CRLF files', () => {
    const text =
      'SELECT 1;\r\n-- migrate:allow breaking-change the old app is gone\r\nDROP TABLE b;\r\n';
    expect(parseAllowances(text, [1, 3]).statements[1]).toEqual([
      { rule: 'breaking-change', reason: 'the old app is gone', allowLine: 2 },
    ]);
  });
});

describe('acknowledge', () => {
  it('sets the reason on risks of the acknowledged rule, statement and file only', () => {
    const text =
      'ALTER TABLE a ADD COLUMN x int;\n-- migrate:allow table-rewrite 40 rows\nALTER TABLE a ALTER COLUMN x TYPE bigint;';
    const files = [
      { file: '002_x.sql', statementLines: [1, 3], parsed: parseAllowances(text, [1, 3]) },
    ];
    const risks = [
      risk('table-rewrite', 3),
      risk('no-lock-timeout', 3),
      risk('table-rewrite', 1),
      risk('table-rewrite', 3, '003_y.sql'),
    ];
    const acknowledged = acknowledge(risks, files);
    expect(acknowledged.map((r) => r.acknowledged)).toEqual([
      '40 rows',
      undefined,
      undefined,
      undefined,
    ]);
    expect(risks[0]?.acknowledged).toBeUndefined();
  });
});
