// The `-- migrate:allow` lines of a pending file, checked before anything runs: malformed or misplaced ones are findings. Reads the file's text, never the database.
import type { Migration } from '../files/migration.js';
import { isLarge } from '../files/stream.js';
import { type AllowParse, parseAllowances } from '../review/allow.js';
import { splitSql } from '../sql/splitter.js';
import type { Finding } from './findings.js';

/** A file's acknowledgements, by the line of each statement they apply to. */
export interface FileAllowances {
  statementLines: number[];
  parsed: AllowParse;
}

/**
 * The allow lines of a pending file and the findings for the malformed or misplaced ones, which
 * stop the run like any other mistake in a file: an acknowledgement that silently applies to
 * nothing would hide the risk it was written for. Large files (data migrations) are not read for
 * them.
 */
export function checkAllowances(migration: Migration): {
  allowances?: FileAllowances;
  findings: Finding[];
} {
  if (isLarge(migration) || !migration.sql.includes('migrate:allow')) return { findings: [] };
  const statementLines = splitSql(migration.sql).map((s) => s.line);
  const parsed = parseAllowances(migration.sql, statementLines);
  const findings = parsed.errors.map(
    (error): Finding => ({
      kind: 'directive',
      version: migration.version,
      file: migration.name,
      line: error.line,
      message: `${migration.name} ${error.message}`,
      stops: true,
    }),
  );
  return { allowances: { statementLines, parsed }, findings };
}
