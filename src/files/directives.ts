// The `-- migrate:` directives in a file's header. Pure: never reads a file.
import type { Finding } from '../plan/findings.js';
import { lineAt } from '../sql/lines.js';

const DIRECTIVE_LINE = /^[ \t]*--[ \t]*migrate:.*$/gm;
const KNOWN_DIRECTIVE = '-- migrate:no-transaction';
/** dbmate's `-- migrate:up`: accepted before the first statement, and means nothing more. */
const UP_DIRECTIVE = '-- migrate:up';
const ALLOW_DIRECTIVE = /^[ \t]*--[ \t]*migrate:allow(?=[ \t]|$)/;

/**
 * Finds the directives of a file: lines that are exactly `-- migrate:<word>` before the first
 * statement. Any other `-- migrate:` line is an error, so that a mistyped `-- migrate:down`
 * section is never run as part of the file.
 */
export function readDirectives(
  sql: string,
  fileName: string,
): { noTransaction: boolean; findings: Finding[] } {
  const findings: Finding[] = [];
  let noTransaction = false;
  const headerEnd = endOfHeader(sql);
  for (const match of sql.matchAll(DIRECTIVE_LINE)) {
    const text = match[0].trimEnd();
    // `-- migrate:allow <rule> <reason>` acknowledges a finding of the safety review: the
    // pre-flight check of a pending file reads those lines (plan/checks.ts).
    if (ALLOW_DIRECTIVE.test(text)) continue;
    const line = lineAt(sql, match.index);
    if (text === KNOWN_DIRECTIVE && match.index < headerEnd) {
      noTransaction = true;
      continue;
    }
    if (text === UP_DIRECTIVE && match.index < headerEnd) continue;
    const why =
      text === KNOWN_DIRECTIVE
        ? 'must come before the first statement'
        : 'is not a directive this action knows (the directives are -- migrate:no-transaction, -- migrate:allow <rule> <reason>, -- migrate:up and one -- migrate:down line that starts the down section)';
    findings.push({
      kind: 'directive',
      file: fileName,
      line,
      message: `${fileName} line ${line}: "${text.trim()}" ${why}; remove or fix the line.`,
      stops: true,
    });
  }
  return { noTransaction, findings };
}

/**
 * Index where the first statement starts: after blanks, `--` comments and (nested) block comments.
 */
function endOfHeader(sql: string): number {
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (sql.startsWith('--', i)) {
      const eol = sql.indexOf('\n', i);
      i = eol === -1 ? sql.length : eol + 1;
    } else if (sql.startsWith('/*', i)) {
      // Block comments nest in PostgreSQL.
      let depth = 0;
      do {
        if (sql.startsWith('/*', i)) {
          depth++;
          i += 2;
        } else if (sql.startsWith('*/', i)) {
          depth--;
          i += 2;
        } else i++;
      } while (depth > 0 && i < sql.length);
    } else {
      return i;
    }
  }
  return sql.length;
}
