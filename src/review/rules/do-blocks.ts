// The SQL statements a DO block runs, read from PL/pgSQL's own parse tree (libpg-query's
// parsePlPgSQL output): what the rules can predict for a block. Pure: no parser, no database.

/** One statement inside a DO block, in the order the block's text has them. */
export interface BlockStatement {
  /** The statement's SQL, as the block writes it (a constant EXECUTE string, unquoted). */
  sql: string;
  /** Inside an IF, CASE, loop or exception handler: it runs only when the block reaches it. */
  conditional: boolean;
}

// Keys of PL/pgSQL statements whose bodies run only under a condition or repeatedly.
const BRANCHING = new Set([
  'PLpgSQL_stmt_if',
  'PLpgSQL_stmt_case',
  'PLpgSQL_stmt_loop',
  'PLpgSQL_stmt_while',
  'PLpgSQL_stmt_fori',
  'PLpgSQL_stmt_fors',
  'PLpgSQL_stmt_forc',
  'PLpgSQL_stmt_foreach_a',
  'PLpgSQL_stmt_dynfors',
  'PLpgSQL_exception_block',
]);

/**
 * The SQL statements of a parsed DO block: each `PLpgSQL_stmt_execsql`, and each `EXECUTE` of one
 * constant string (an EXECUTE of a built string cannot be known before it runs: the rehearsal
 * observes it). A depth-first walk keeps the text's order, since the tree lists bodies in order.
 */
export function blockStatements(plpgsql: unknown): BlockStatement[] {
  const found: BlockStatement[] = [];
  const walk = (node: unknown, conditional: boolean): void => {
    if (Array.isArray(node)) {
      for (const item of node) walk(item, conditional);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'PLpgSQL_stmt_execsql') {
        const query = queryOf((value as { sqlstmt?: unknown }).sqlstmt);
        if (query !== undefined) found.push({ sql: query, conditional });
      } else if (key === 'PLpgSQL_stmt_dynexecute') {
        const query = queryOf((value as { query?: unknown }).query);
        const sql = query === undefined ? undefined : constantString(query);
        if (sql !== undefined) found.push({ sql, conditional });
      } else {
        walk(value, conditional || BRANCHING.has(key));
      }
    }
  };
  walk(plpgsql, false);
  return found;
}

function queryOf(expr: unknown): string | undefined {
  const query = (expr as { PLpgSQL_expr?: { query?: unknown } } | undefined)?.PLpgSQL_expr?.query;
  return typeof query === 'string' ? query : undefined;
}

/** `'ALTER TABLE t …'` (one literal, `''` for a quote) as its text; anything else undefined. */
export function constantString(expression: string): string | undefined {
  const match = /^\s*'((?:[^']|'')*)'\s*$/s.exec(expression);
  return match?.[1]?.replaceAll("''", "'");
}
