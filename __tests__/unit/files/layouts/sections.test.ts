import { describe, expect, it } from 'vitest';
import { dbmateSections, gooseSections } from '../../../../src/files/layouts/index.js';

describe('dbmateSections', () => {
  const file = [
    '-- Users and their index',
    '-- migrate:up transaction:false',
    'CREATE INDEX CONCURRENTLY users_email ON users (email);',
    '',
    '-- migrate:down',
    'DROP INDEX CONCURRENTLY users_email;',
    '',
  ].join('\n');

  it('cuts up (from the top) and down (after its marker), with their lines and options', () => {
    const sections = dbmateSections(file);
    expect(sections.errors).toEqual([]);
    expect(sections.up).toEqual({
      text: '-- Users and their index\n-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY users_email ON users (email);\n\n',
      line: 1,
      offset: 0,
    });
    expect(sections.down?.text).toBe('DROP INDEX CONCURRENTLY users_email;\n');
    expect(sections.down?.line).toBe(6);
    expect(file.slice(sections.down?.offset)).toBe(sections.down?.text);
    expect(sections.noTransaction).toBe(true);
    expect(sections.downNoTransaction).toBe(false);
  });

  it('reads CRLF files alike and options on the down marker', () => {
    const sections = dbmateSections(
      '-- migrate:up\r\nSELECT 1;\r\n-- migrate:down transaction:false\r\nSELECT 2;\r\n',
    );
    expect(sections.errors).toEqual([]);
    expect(sections.noTransaction).toBe(false);
    expect(sections.downNoTransaction).toBe(true);
    expect(sections.down).toEqual({ text: 'SELECT 2;\r\n', line: 4, offset: 61 });
  });

  it('names the line of a down before up, a statement before up, a second up', () => {
    expect(dbmateSections('-- migrate:down\nSELECT 1;\n-- migrate:up\n').errors).toEqual([
      {
        line: 1,
        message: '`-- migrate:down` comes before `-- migrate:up`; dbmate needs up first.',
      },
      {
        line: 2,
        message: 'A statement before `-- migrate:up`; dbmate allows only comments there.',
      },
      {
        line: 3,
        message: 'No `-- migrate:down` line; dbmate requires one (it may be followed by nothing).',
      },
    ]);
    expect(dbmateSections('SELECT 1;\n-- migrate:up\n-- migrate:down\n').errors).toEqual([
      {
        line: 1,
        message: 'A statement before `-- migrate:up`; dbmate allows only comments there.',
      },
    ]);
    expect(
      dbmateSections('-- migrate:up\n-- migrate:down\n-- migrate:up\n-- migrate:down\n').errors.map(
        (e) => e.line,
      ),
    ).toEqual([3, 4]);
    expect(dbmateSections('SELECT 1;\n').errors).toEqual([
      { line: 1, message: 'No `-- migrate:up` line; dbmate requires one.' },
    ]);
  });

  it('does not take -- migrate:upgrade for a marker', () => {
    expect(dbmateSections('-- migrate:upgrade\n').errors[0]?.message).toBe(
      'No `-- migrate:up` line; dbmate requires one.',
    );
  });
});

describe('gooseSections', () => {
  const file = [
    '-- +goose Up', // 1
    '-- +goose StatementBegin', // 2
    'CREATE FUNCTION touch() RETURNS trigger AS $$', // 3
    'BEGIN', // 4
    '  NEW.updated_at = now();', // 5
    '  RETURN NEW;', // 6
    'END;', // 7
    '$$ LANGUAGE plpgsql;', // 8
    '-- +goose StatementEnd', // 9
    'CREATE TABLE t (id int);', // 10
    '', // 11
    '-- +goose Down', // 12
    'DROP TABLE t;', // 13
    'DROP FUNCTION touch();', // 14
    '',
  ].join('\n');

  it('returns a StatementBegin block with a dollar-quoted function as one explicit statement', () => {
    const sections = gooseSections(file);
    expect(sections.errors).toEqual([]);
    expect(sections.explicitStatements.down).toEqual([]);
    const [block] = sections.explicitStatements.up;
    expect(block?.line).toBe(3);
    expect(block?.text).toBe(
      'CREATE FUNCTION touch() RETURNS trigger AS $$\nBEGIN\n  NEW.updated_at = now();\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n',
    );
    expect(file.slice(block?.offset, (block?.offset ?? 0) + (block?.text.length ?? 0))).toBe(
      block?.text,
    );
    expect(sections.up.text.endsWith('CREATE TABLE t (id int);\n\n')).toBe(true);
    expect(sections.down).toEqual({
      text: 'DROP TABLE t;\nDROP FUNCTION touch();\n',
      line: 13,
      offset: file.indexOf('DROP TABLE'),
    });
    expect(sections.noTransaction).toBe(false);
  });

  it('reads NO TRANSACTION (any case) for both parts and has no down without Down', () => {
    const sections = gooseSections(
      '-- +goose no transaction\n-- +goose up\nCREATE INDEX CONCURRENTLY i ON t (c);\n',
    );
    expect(sections.errors).toEqual([]);
    expect(sections.noTransaction).toBe(true);
    expect(sections.downNoTransaction).toBe(true);
    expect(sections.down).toBeUndefined();
  });

  it('names the line of a Down before Up, an unclosed StatementBegin, ENVSUB ON and unknown annotations', () => {
    expect(gooseSections('-- +goose Down\n-- +goose Up\n').errors).toEqual([
      { line: 1, message: '`-- +goose Down` before `-- +goose Up`; goose needs Up first.' },
    ]);
    expect(gooseSections('-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n').errors).toEqual([
      {
        line: 2,
        message: '`-- +goose StatementBegin` is never closed by `-- +goose StatementEnd`.',
      },
    ]);
    expect(gooseSections('-- +goose ENVSUB ON\n-- +goose Up\nSELECT 1;\n').errors[0]?.line).toBe(1);
    expect(gooseSections('-- +goose Up\n-- +goose Sideways\n').errors).toEqual([
      { line: 2, message: '`-- +goose Sideways` is not a goose annotation.' },
    ]);
    expect(gooseSections('  -- +goose Up\n').errors[0]?.message).toBe(
      'A goose annotation must start at the beginning of its line.',
    );
  });

  it('names a statement before Up and a file without Up', () => {
    expect(gooseSections('SELECT 1;\n-- +goose Up\nSELECT 2;\n').errors).toEqual([
      { line: 1, message: 'A statement before `-- +goose Up`.' },
    ]);
    expect(gooseSections('-- nothing here\n').errors).toEqual([
      { line: 1, message: 'No `-- +goose Up` annotation; goose requires one.' },
    ]);
  });
});
