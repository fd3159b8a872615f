// The pre-flight check of a pending file: transaction control refused, no-transaction files split. Reads files, never the database.
import type { Migration } from '../files/migration.js';
import { isLarge, textChunks } from '../files/stream.js';
import { analyzeSql, type Statement } from '../sql/parser.js';
import { StatementSplitter, splitSql } from '../sql/splitter.js';
import { transactionControlOf } from '../sql/statement-kinds.js';
import type { Finding } from './findings.js';

/** What parsing one pending file found. */
export interface FileCheck {
  findings: Finding[];
  /** For a `no-transaction` file: its statements, split as PostgreSQL would. */
  statements?: Statement[];
}

/**
 * Splits a pending file into its top-level statements before anything runs. Top-level
 * transaction control is refused: PostgreSQL really does commit a `COMMIT` inside the action's
 * transaction, which would leave a change without its tracking row, turn a rehearsal into a real
 * write, or drop the migration lock. Only pending files are read, so a run with nothing to do
 * never reads a file's text.
 */
export async function checkFile(migration: Migration): Promise<FileCheck> {
  // A transactional file only needs its top-level statements' first keywords: the streaming
  // splitter (checked against PostgreSQL's parser in its tests) finds them without loading the
  // WebAssembly parser or holding a large file. A no-transaction file is split by the parser.
  if (!migration.noTransaction) {
    const controls = isLarge(migration)
      ? await transactionControlIn(migration.path)
      : splitSql(migration.sql).flatMap((s) => {
          const keyword = transactionControlOf(s.keyword);
          return keyword ? [{ keyword, line: s.line }] : [];
        });
    return { findings: controls.map((control) => controlFinding(migration, control)) };
  }
  const analysis = await analyzeSql(migration.sql);
  const findings: Finding[] = analysis.transactionControl.map((control) =>
    controlFinding(migration, control),
  );
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

/** Top-level transaction control in a file, found in one streaming pass (see splitter.ts). */
export async function transactionControlIn(
  filePath: string,
): Promise<{ keyword: string; line: number }[]> {
  const found: { keyword: string; line: number }[] = [];
  const splitter = new StatementSplitter();
  const note = (statements: ReturnType<StatementSplitter['push']>) => {
    for (const s of statements) {
      const keyword = transactionControlOf(s.keyword);
      if (keyword) found.push({ keyword, line: s.line });
    }
  };
  for await (const chunk of textChunks(filePath)) note(splitter.push(chunk));
  note(splitter.end());
  return found;
}

function controlFinding(migration: Migration, control: { keyword: string; line: number }): Finding {
  return {
    kind: 'transaction-control',
    version: migration.version,
    file: migration.name,
    line: control.line,
    message: `${migration.name} line ${control.line}: ${control.keyword} is not allowed in a migration, because the action owns the transaction and the session; remove it (use -- migrate:no-transaction for statements that cannot run in a transaction).`,
    stops: true,
  };
}
