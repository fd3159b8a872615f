// The `-- migrate:` directives in a file's header. Pure: never reads a file.

import type { Finding } from '../plan/findings.js';
import { lineAt } from '../sql/lines.js';
import { findDownSection } from './down.js';

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
  /** For a part of a file: the line it starts on, and whether the file's header may reach into it. */
  part: { firstLine: number; header: boolean } = { firstLine: 1, header: true },
): { noTransaction: boolean; findings: Finding[] } {
  const findings: Finding[] = [];
  let noTransaction = false;
  const headerEnd = part.header ? endOfHeader(sql) : 0;
  for (const match of sql.matchAll(DIRECTIVE_LINE)) {
    const text = match[0].trimEnd();
    // `-- migrate:allow <rule> <reason>` acknowledges a finding of the safety review: the
    // pre-flight check of a pending file reads those lines (plan/checks.ts).
    if (ALLOW_DIRECTIVE.test(text)) continue;
    const line = part.firstLine - 1 + lineAt(sql, match.index);
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
 * readDirectives for a file read in chunks (a large file is never held whole): the chunks are cut
 * at line ends, and the header is the part before the first statement of the first of them.
 * `down` says whether the file has a `-- migrate:down` line (its caller then cuts the file).
 */
export async function readDirectivesInChunks(
  chunks: AsyncIterable<string>,
  fileName: string,
): Promise<{ noTransaction: boolean; findings: Finding[]; down: boolean }> {
  const all = { noTransaction: false, findings: [] as Finding[], down: false };
  let carry = '';
  let firstLine = 1;
  let header = true;
  const read = (block: string) => {
    if (block.length === 0) return;
    const found = readDirectives(block, fileName, { firstLine, header });
    all.noTransaction ||= found.noTransaction;
    all.findings.push(...found.findings);
    all.down ||= findDownSection(block) !== undefined;
    header = false;
    for (let i = block.indexOf('\n'); i !== -1; i = block.indexOf('\n', i + 1)) firstLine++;
  };
  for await (const chunk of chunks) {
    const text = carry + chunk;
    const cut = text.lastIndexOf('\n') + 1;
    read(text.slice(0, cut));
    carry = text.slice(cut);
  }
  read(carry);
  return all;
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

/** A line that is another migration tool's marker: goose's `-- +goose …`, sql-migrate's `-- +migrate …`. */
export interface ToolMarker {
  /** The marker as written, trimmed: `-- +goose Down`. */
  text: string;
  tool: 'goose' | 'sql-migrate';
  /** The marker starts a down section (`Down`), which must never run with the migration. */
  down: boolean;
  /** Index of the line's start in the text given. */
  index: number;
}

const TOOL_MARKER = /^[ \t]*--[ \t]*\+(goose|migrate)\b[^\n]*$/gm;

/**
 * The lines of `text` that are goose's or sql-migrate's markers. Both tools read such a line
 * wherever it is, so this does too. This action gives them no meaning yet: run as plain SQL, a
 * `-- +goose Down` section would be applied with the migration it is meant to undo.
 */
export function toolMarkers(text: string): ToolMarker[] {
  const markers: ToolMarker[] = [];
  for (const match of text.matchAll(TOOL_MARKER)) {
    const written = match[0].trim();
    markers.push({
      text: written,
      tool: match[1] === 'goose' ? 'goose' : 'sql-migrate',
      down: /^--[ \t]*\+(goose|migrate)[ \t]+down\b/i.test(written),
      index: match.index,
    });
  }
  return markers;
}
