// What a migration's down SQL would do that rollback must refuse or know: data it loses, transaction control, its statements. From PostgreSQL's parse trees; never runs anything.
import type { Node } from 'libpg-query';
import { downTextWithFileLines } from '../../files/down.js';
import type { DownSql } from '../../files/migration.js';
import { analyzeSql, type Statement } from '../../sql/parser.js';
import { nodeOf } from './context.js';
import { parseStatementTrees } from './parse.js';

/** A statement of the down SQL that loses data, at its line of the file. */
export interface DataLoss {
  line: number;
  /** What it loses, e.g. `DROP TABLE public.posts`. */
  what: string;
}

/** What checking a down SQL found. Lines are lines of the file that holds it. */
export interface DownCheck {
  losses: DataLoss[];
  /** Top-level BEGIN, COMMIT, …: the action owns the transaction of a down too. */
  transactionControl: { keyword: string; line: number }[];
  /** The parser rejected it: nothing can be said about it, and it cannot run. */
  parseError?: { line: number; message: string };
  /** Its statements, split by PostgreSQL's parser (offsets in the file-lined text). */
  statements: Statement[];
  /** The text the statements' offsets index: the down SQL after a blank line per file line. */
  text: string;
}

const qualified = (range: Node | undefined) => {
  const r = range && nodeOf(range, 'RangeVar');
  return r ? [r.schemaname, r.relname].filter(Boolean).join('.') : '?';
};
const names = (object: Node) =>
  (nodeOf(object, 'List')?.items ?? []).map((n) => nodeOf(n, 'String')?.sval ?? '').join('.') ||
  nodeOf(object, 'String')?.sval ||
  '?';

/** The data one statement's tree loses: dropped tables, columns and schemas, truncated tables. */
function lossesOf(tree: Node): string[] {
  const drop = nodeOf(tree, 'DropStmt');
  if (drop?.removeType === 'OBJECT_TABLE') {
    return (drop.objects ?? []).map((o) => `DROP TABLE ${names(o)}`);
  }
  if (drop?.removeType === 'OBJECT_SCHEMA') {
    return (drop.objects ?? []).map((o) => `DROP SCHEMA ${names(o)}`);
  }
  const truncate = nodeOf(tree, 'TruncateStmt');
  if (truncate) return (truncate.relations ?? []).map((r) => `TRUNCATE ${qualified(r)}`);
  const alter = nodeOf(tree, 'AlterTableStmt');
  if (alter && alter.objtype === 'OBJECT_TABLE') {
    const table = alter.relation ? qualified({ RangeVar: alter.relation }) : '?';
    return (alter.cmds ?? []).flatMap((c) => {
      const cmd = nodeOf(c, 'AlterTableCmd');
      return cmd?.subtype === 'AT_DropColumn' ? [`DROP COLUMN ${table}.${cmd.name ?? '?'}`] : [];
    });
  }
  return [];
}

/**
 * Checks a down SQL before any rollback runs: which of its statements lose data (a table, column
 * or schema dropped, a table truncated), which control transactions, and whether it parses.
 */
export async function checkDownSql(down: DownSql): Promise<DownCheck> {
  const text = downTextWithFileLines(down.sql, down.line);
  const analysis = await analyzeSql(text);
  const trees = await parseStatementTrees(analysis.statements);
  return {
    losses: trees.flatMap((s) => lossesOf(s.tree).map((what) => ({ line: s.line, what }))),
    transactionControl: analysis.transactionControl,
    parseError: analysis.parseError,
    statements: analysis.statements,
    text,
  };
}
