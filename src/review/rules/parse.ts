// Parse trees of migration statements, from PostgreSQL's own parser (libpg-query). The one place the review imports the parser; no rules here.
import type { Node } from 'libpg-query';
import { analyzeSql, loadSqlParser } from '../../sql/parser.js';
import { blockStatements } from './do-blocks.js';

/** One top-level statement with its parse tree. */
export interface ParsedStatement {
  /** The statement's text, as in the file (without the trailing `;`). */
  text: string;
  /** Line of its first keyword in the file. */
  line: number;
  /** libpg-query's tree of this one statement (`{ AlterTableStmt: … }`, …). */
  tree: Node;
  /**
   * A statement a DO block runs: `text` is the statement, `line` the DO's (where the rehearsal
   * observes it); `conditional` when the block runs it only under a condition or in a loop.
   */
  inBlock?: { conditional: boolean };
}

type PgQuery = typeof import('libpg-query');
let parser: Promise<PgQuery> | undefined;

/**
 * The parser module. `loadSqlParser` loads it with the bundle's `__dirname` shim and its
 * WebAssembly; importing the module again afterwards gives that same, loaded instance.
 */
function getParser(): Promise<PgQuery> {
  parser ??= loadSqlParser().then(() => import('libpg-query'));
  return parser;
}

/**
 * Trees of statements already split (by `analyzeSql`): each text is parsed alone. A statement
 * that does not parse (it cannot be run either) is left out: the run reports it.
 */
export async function parseStatementTrees(
  statements: readonly { text: string; line: number }[],
): Promise<ParsedStatement[]> {
  const pg = await getParser();
  const parsed: ParsedStatement[] = [];
  for (const { text, line } of statements) {
    let tree: Node | undefined;
    try {
      tree = pg.parseSync(text).stmts?.[0]?.stmt;
    } catch {
      tree = undefined;
    }
    if (!tree) continue;
    parsed.push({ text, line, tree });
    if (isPlpgsqlBlock(tree)) parsed.push(...blockTrees(pg, text, line));
  }
  return parsed;
}

/** A `DO` block in PL/pgSQL (the default language), whose statements the rules can read. */
function isPlpgsqlBlock(tree: Node): boolean {
  const args = (tree as { DoStmt?: { args?: Node[] } }).DoStmt?.args;
  if (args === undefined) return false;
  const language = args
    .map((arg) => (arg as { DefElem?: { defname?: string; arg?: Node } }).DefElem)
    .find((option) => option?.defname === 'language');
  const name = (language?.arg as { String?: { sval?: string } } | undefined)?.String?.sval;
  return name === undefined || name.toLowerCase() === 'plpgsql';
}

/** The statements a DO block runs, each parsed, at the DO's line. */
function blockTrees(pg: PgQuery, text: string, line: number): ParsedStatement[] {
  let statements: ReturnType<typeof blockStatements>;
  try {
    statements = blockStatements(pg.parsePlPgSQLSync(text));
  } catch {
    return []; // a block PL/pgSQL rejects fails when it runs, and the run reports it
  }
  const trees: ParsedStatement[] = [];
  for (const { sql, conditional } of statements) {
    try {
      const tree = pg.parseSync(sql).stmts?.[0]?.stmt;
      if (tree) trees.push({ text: sql.trim(), line, tree, inBlock: { conditional } });
    } catch {
      // not SQL the parser reads alone (a PL/pgSQL variable where a name must be): left out
    }
  }
  return trees;
}

/** Splits a file's text into statements and parses each; `[]` when the file does not parse. */
export async function parseFileStatements(text: string): Promise<ParsedStatement[]> {
  const analysis = await analyzeSql(text);
  return parseStatementTrees(analysis.statements);
}
