// Whether a statement names the tracking table, read token by token with PostgreSQL's lexer. No I/O besides loading the parser.
import type { TrackingTable } from '../history/table.js';
import { sqlTokens } from './parser.js';

/**
 * A quick test for text that may name `table` (its name, any case, anywhere): only statements it
 * finds are read token by token. The name is a plain identifier (see runner/inputs.ts).
 */
export function nameSearch(table: string): RegExp {
  return new RegExp(table, 'gi');
}

/** An identifier token's name as PostgreSQL resolves it: unquoted folded to lower case. */
function identifierName(token: string): string | undefined {
  if (token.length > 1 && token.startsWith('"') && token.endsWith('"')) {
    return token.slice(1, -1).replaceAll('""', '"');
  }
  if (/^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*$/.test(token)) {
    return token.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  }
  return undefined;
}

/**
 * Where in `statement` (a string index) it names the tracking table, or undefined. A name counts
 * when it is an identifier token (not inside a string, dollar quote or comment) equal to the table
 * name as PostgreSQL resolves it, and it is qualified by the tracking schema (`ops.schema_migrations`,
 * `"ops"."schema_migrations"`), or unqualified while the tracking schema is `public`, which an
 * unqualified name reaches through the default search_path. So `schema_migrations_count`,
 * `'schema_migrations'` and `other.schema_migrations` do not count; a column of another table named
 * exactly like the tracking table does (a false alarm, and a rare one).
 */
export async function trackingTableMention(
  statement: string,
  tracking: TrackingTable,
): Promise<number | undefined> {
  const tokens = await sqlTokens(statement);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!token || identifierName(token.text) !== tracking.table) continue;
    const dot = tokens[i - 1];
    const qualifier = dot?.text === '.' ? tokens[i - 2] : undefined;
    const schema = qualifier ? identifierName(qualifier.text) : undefined;
    if (qualifier ? schema === tracking.schema : tracking.schema === 'public') return token.index;
  }
  return undefined;
}
