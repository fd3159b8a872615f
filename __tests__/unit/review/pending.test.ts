import { describe, expect, it } from 'vitest';
import type { Migration } from '../../../src/files/migration.js';
import { parsePending } from '../../../src/review/pending.js';

function migration(sql: string): Migration {
  return { version: 1n, name: '001_x.sql', path: '', checksum: '', sql, noTransaction: false };
}

describe('parsePending', () => {
  it('parses the statements a rule reads (LOCK, SELECT set_config) and skips data statements', async () => {
    const sql = [
      "SELECT set_config('lock_timeout', '5s', false);",
      'SELECT count(*) FROM posts;',
      'INSERT INTO posts VALUES (1);',
      'LOCK TABLE posts;',
      'ALTER TABLE posts ADD COLUMN z int;',
    ].join('\n');
    const { files } = await parsePending([{ migration: migration(sql) }]);
    expect(files[0]?.statements.map((s) => [s.line, Object.keys(s.tree)[0]])).toEqual([
      [1, 'SelectStmt'],
      [4, 'LockStmt'],
      [5, 'AlterTableStmt'],
    ]);
  });
});
