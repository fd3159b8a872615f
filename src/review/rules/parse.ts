// Parse trees of migration statements, from PostgreSQL's own parser (libpg-query). The one place the review imports the parser; no rules here.
import type { Node } from 'libpg-query';
import { analyzeSql, loadSqlParser } from '../../sql/parser.js';

/** One top-level statement with its parse tree. */
export interface ParsedStatement {
  /** The statement's text, as in the file (without the trailing `;`). */
  text: string;
  /** Line of its first keyword in the file. */
  line: number;
  /** libpg-query's tree of this one statement (`{ AlterTableStmt: … }`, …). */
  tree: Node;
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
    if (tree) parsed.push({ text, line, tree });
  }
  return parsed;
}

/** Splits a file's text into statements and parses each; `[]` when the file does not parse. */
export async function parseFileStatements(text: string): Promise<ParsedStatement[]> {
  const analysis = await analyzeSql(text);
  return parseStatementTrees(analysis.statements);
}
