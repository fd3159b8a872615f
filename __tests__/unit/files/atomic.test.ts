import { describe, expect, it } from 'vitest';
import { unwrapAtomic } from '../../../src/files/atomic.js';

describe('unwrapAtomic', () => {
  it('blanks a leading BEGIN; and a trailing COMMIT;, keeping every line where it was', () => {
    const sql = '-- atomic\nBEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n';
    const unwrapped = unwrapAtomic(sql);
    expect(unwrapped).toBe('-- atomic\n      \nCREATE TABLE a (id int);\n       \n');
    expect(unwrapped?.length).toBe(sql.length);
  });

  it('accepts START TRANSACTION and lower case, with COMMIT WORK', () => {
    expect(unwrapAtomic('start transaction;\nselect 1;\ncommit work;')).toBe(
      '                  \nselect 1;\n            ',
    );
  });

  it('leaves a file with transaction control elsewhere as it is (the check refuses it)', () => {
    expect(unwrapAtomic('BEGIN;\nSELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 2;\nCOMMIT;')).toBeUndefined();
    expect(unwrapAtomic('SELECT 1;\nBEGIN;\nSELECT 2;\nCOMMIT;')).toBeUndefined();
    expect(unwrapAtomic('BEGIN;\nSELECT 1;\nROLLBACK;')).toBeUndefined();
    expect(unwrapAtomic('BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\nCOMMIT;')).toBeUndefined();
  });

  it('is not fooled by BEGIN and COMMIT inside a function body or a string', () => {
    const body =
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1;\nEND;\n$$;\nSELECT 'COMMIT';";
    expect(unwrapAtomic(body)).toBeUndefined();
    const wrapped = `BEGIN;\n${body}\nCOMMIT;`;
    expect(unwrapAtomic(wrapped)).toBe(`      \n${body}\n       `);
  });
});
