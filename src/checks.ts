import type { Finding } from './findings.js';
import type { Migration } from './migrations.js';
import { analyzeSql, type Statement } from './sql.js';

/** What parsing one pending file found. */
export interface FileCheck {
  findings: Finding[];
  /** For a `no-transaction` file: its statements, split as PostgreSQL would. */
  statements?: Statement[];
}

/**
 * Parses a pending file with PostgreSQL's own parser before anything runs. Top-level transaction
 * control is refused: PostgreSQL really does commit a `COMMIT` inside the action's transaction,
 * which would leave a change without its tracking row, turn a rehearsal into a real write, or drop
 * the migration lock. Only pending files are parsed, so a run with nothing to do never loads the
 * parser.
 */
export async function checkFile(migration: Migration): Promise<FileCheck> {
  const analysis = await analyzeSql(migration.sql);
  const findings: Finding[] = analysis.transactionControl.map((control) => ({
    kind: 'transaction-control',
    version: migration.version,
    file: migration.name,
    line: control.line,
    message: `${migration.name} line ${control.line}: ${control.keyword} is not allowed in a migration, because the action owns the transaction and the session; remove it (use -- migrate:no-transaction for statements that cannot run in a transaction).`,
    stops: true,
  }));
  if (!migration.noTransaction) return { findings };
  // A file run statement by statement must be split exactly; one the parser rejects cannot be.
  if (analysis.parseError) {
    const { line, message } = analysis.parseError;
    findings.push({
      kind: 'unreadable',
      version: migration.version,
      file: migration.name,
      line,
      message: `${migration.name} line ${line}: ${message}; a -- migrate:no-transaction file must parse before any of it runs.`,
      stops: true,
    });
  }
  return { findings, statements: analysis.statements };
}
