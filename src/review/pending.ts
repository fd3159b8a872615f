// The static review of the pending migrations: each reviewable statement parsed by PostgreSQL's parser and judged by the rules. Reads the files' text, never the database.
import type { Migration } from '../files/migration.js';
import { isLarge } from '../files/stream.js';
import { splitSql } from '../sql/splitter.js';
import { acknowledge, type FileAcknowledgements } from './allow.js';
import type { ExistingRelation, RelationLookup, Risk } from './model.js';
import { parseStatementTrees } from './rules/parse.js';
import { newPendingFacts, type ParsedStatement, predictFile } from './rules/predict.js';

/**
 * First keywords of the statements a rule can concern. Data statements (INSERT, UPDATE, COPY…)
 * are not parsed: no rule is about them, and a data migration would cost the parser its size.
 */
const REVIEWED = new Set([
  'ALTER',
  'CREATE',
  'DROP',
  'TRUNCATE',
  'VACUUM',
  'CLUSTER',
  'REFRESH',
  'REINDEX',
  'SET',
  'RESET',
  'LOCK',
  // A DO block's own statements are read from PL/pgSQL's parse tree (rules/do-blocks.ts).
  'DO',
]);

/** `SELECT set_config('lock_timeout', …)` bounds lock waits as SET does: such a SELECT is parsed too. */
const SET_CONFIG = /\bset_config\b/i;

/** A pending file with its reviewable statements parsed. */
export interface ParsedFile {
  migration: Migration;
  statements: ParsedStatement[];
  /** The file's allow lines, when it has some (from the pre-flight check). */
  allowances?: Omit<FileAcknowledgements, 'file'>;
}

/** The statement text to parse and quote: without its `;`. */
function withoutSemicolon(text: string): string {
  return text.endsWith(';') ? text.slice(0, -1).trimEnd() : text;
}

/**
 * Parses the reviewable statements of each pending file, split as the run splits them. A file
 * above the large-file size is not read (a data migration); it is named in `notes`.
 */
export async function parsePending(
  pending: readonly { migration: Migration; allowances?: ParsedFile['allowances'] }[],
): Promise<{ files: ParsedFile[]; notes: string[] }> {
  const files: ParsedFile[] = [];
  const notes: string[] = [];
  for (const { migration, allowances } of pending) {
    if (isLarge(migration)) {
      notes.push(
        `${migration.name} was not reviewed: it is larger than 4 MiB, which is read as a data migration.`,
      );
      continue;
    }
    const sql = migration.sql;
    const chosen = splitSql(sql)
      .filter(
        (s) =>
          REVIEWED.has(s.keyword) ||
          (s.keyword === 'SELECT' && SET_CONFIG.test(sql.slice(s.start, s.end))),
      )
      .map((s) => ({ text: withoutSemicolon(sql.slice(s.start, s.end)), line: s.line }));
    const statements = await parseStatementTrees(chosen);
    const parsed = new Set(statements.map((s) => s.line));
    for (const { line } of chosen.filter((s) => !parsed.has(s.line))) {
      notes.push(
        `${migration.name} line ${line}: PostgreSQL's parser rejects this statement, so the review could not judge it (the rehearsal or the run will report the error).`,
      );
    }
    files.push({ migration, statements, allowances });
  }
  return { files, notes };
}

/** What the static review needs to know about the target. */
export interface TargetFacts {
  relation: RelationLookup;
  serverVersionNum: number;
  searchPath: string[];
  tablesIn?: (schema: string) => ExistingRelation[];
  /** The session's `TimeZone` setting. */
  timeZone?: string;
  /** The `lock-timeout` input bounds every lock wait. */
  lockTimeoutInput: boolean;
  columnType?: (table: string, column: string) => string | undefined;
  provenNotNull?: (table: string, column: string) => boolean;
}

/** The predicted risks of the pending files (not yet acknowledged: see {@link acknowledgementsOf}). */
export interface Prediction {
  risks: Risk[];
  /** Whether a statement's lock waits are bounded (for merging observations). */
  lockWaitBounded: (file: string, line: number) => boolean;
}

/**
 * Predicts the risks of the pending files in order: a relation created by an earlier pending
 * statement can be changed freely, so the files share what they created.
 */
export function predictPending(files: readonly ParsedFile[], facts: TargetFacts): Prediction {
  const created = new Set<string>();
  const pending = newPendingFacts();
  const risks: Risk[] = [];
  const bounded = new Map<string, boolean>();
  for (const { migration, statements } of files) {
    const prediction = predictFile(statements, {
      file: migration.name,
      noTransaction: migration.noTransaction,
      serverVersionNum: facts.serverVersionNum,
      relation: facts.relation,
      searchPath: facts.searchPath,
      timeZone: facts.timeZone,
      tablesIn: facts.tablesIn,
      lockTimeoutInput: facts.lockTimeoutInput,
      created,
      pending,
      columnType: facts.columnType,
      provenNotNull: facts.provenNotNull,
    });
    risks.push(...prediction.risks);
    statements.forEach((s, i) => {
      bounded.set(`${migration.name}\n${s.line}`, prediction.lockWaitBounded[i] ?? false);
    });
  }
  return {
    risks,
    lockWaitBounded: (file, line) => bounded.get(`${file}\n${line}`) ?? facts.lockTimeoutInput,
  };
}

/** The allow lines of the pending files, to acknowledge the final (predicted and observed) risks. */
export function acknowledged(risks: readonly Risk[], files: readonly ParsedFile[]): Risk[] {
  const acknowledgements = files.flatMap((f) =>
    f.allowances ? [{ file: f.migration.name, ...f.allowances }] : [],
  );
  return acknowledge(risks, acknowledgements);
}

/**
 * The existing tables the pending `ALTER TABLE`s name, resolved through the search path: the
 * tables whose column facts the predictions need.
 */
export function alteredTables(
  files: readonly ParsedFile[],
  relation: RelationLookup,
  searchPath: readonly string[],
): { schema: string; name: string }[] {
  const found = new Map<string, { schema: string; name: string }>();
  for (const file of files) {
    for (const { tree } of file.statements) {
      const rv = 'AlterTableStmt' in tree ? tree.AlterTableStmt.relation : undefined;
      if (!rv?.relname) continue;
      const schemas = rv.schemaname ? [rv.schemaname] : searchPath;
      const schema = schemas.find((s) => relation(s, rv.relname as string));
      if (schema) found.set(`${schema}.${rv.relname}`, { schema, name: rv.relname });
    }
  }
  return [...found.values()];
}
