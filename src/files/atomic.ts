// The atomic wrapper: a file whose only transaction control is a leading `BEGIN;` and a trailing
// `COMMIT;` (how golang-migrate and sqitch users make a file atomic). Pure; found by the splitter.
import { splitSql } from '../sql/splitter.js';
import { transactionControlOf } from '../sql/statement-kinds.js';

const OPENING = new Set(['BEGIN', 'BEGIN WORK', 'BEGIN TRANSACTION', 'START TRANSACTION']);
const CLOSING = new Set(['COMMIT', 'COMMIT WORK', 'COMMIT TRANSACTION']);
/** A cheap test before splitting: a file without these words cannot be wrapped. */
const MAY_BE_WRAPPED = /\b(?:begin|start)\b[\s\S]*\bcommit\b/i;

/**
 * The file's text without its atomic wrapper, when it has one: the `BEGIN;` that is its first
 * statement and the `COMMIT;` that is its last are blanked (every character but line breaks
 * becomes a space), so positions and lines still point into the file as written. The action's own
 * transaction then does what the wrapper did. Undefined when the file is not wrapped exactly so:
 * any other transaction control stays where it is, and the pre-flight check refuses it.
 */
export function unwrapAtomic(sql: string): string | undefined {
  if (!MAY_BE_WRAPPED.test(sql)) return undefined;
  const statements = splitSql(sql);
  const first = statements[0];
  const last = statements.at(-1);
  if (first === undefined || last === undefined || statements.length < 2) return undefined;
  if (!OPENING.has(wordsOf(sql.slice(first.start, first.end)))) return undefined;
  if (!CLOSING.has(wordsOf(sql.slice(last.start, last.end)))) return undefined;
  for (let i = 1; i < statements.length - 1; i++) {
    if (transactionControlOf(statements[i]?.keyword ?? '') !== undefined) return undefined;
  }
  return `${sql.slice(0, first.start)}${blank(sql.slice(first.start, first.end))}${sql.slice(
    first.end,
    last.start,
  )}${blank(sql.slice(last.start, last.end))}${sql.slice(last.end)}`;
}

/** `begin ;` → `BEGIN`: the statement's words, upper-cased, single-spaced, without its `;`. */
function wordsOf(statement: string): string {
  return statement.replace(/;\s*$/, '').trim().split(/\s+/).join(' ').toUpperCase();
}

function blank(text: string): string {
  return text.replace(/[^\n]/g, ' ');
}
