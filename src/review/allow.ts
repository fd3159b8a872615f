// `-- migrate:allow <rule> <reason>` lines: which statements they acknowledge, which are malformed, and marking the acknowledged risks. Pure.
import type { Risk, RuleId } from './model.js';

export const RULE_IDS: readonly RuleId[] = [
  'index-not-concurrent',
  'table-rewrite',
  'validating-scan',
  'breaking-change',
  'concurrently-in-transaction',
  'no-lock-timeout',
  'refresh-not-concurrent',
];

/** One acknowledgement of a rule for one statement. */
export interface Acknowledgement {
  rule: RuleId;
  reason: string;
  /** Line of the `-- migrate:allow` comment. */
  allowLine: number;
}

export interface AllowParse {
  /** Per statement (same order as the lines given): the acknowledgements that apply to it. */
  statements: Acknowledgement[][];
  /** Malformed or misplaced allow lines, one sentence each, naming the line. */
  errors: { line: number; message: string }[];
}

const ALLOW_LINE = /^[ \t]*--[ \t]*migrate:allow(?=[ \t]|$)(.*)$/;
const DOWN_LINE = /^[ \t]*--[ \t]*migrate:down[ \t]*$/;
const EXAMPLE = 'e.g. -- migrate:allow table-rewrite the table has 40 rows';

/**
 * Reads the allow lines of a file's up part (a `-- migrate:down` line ends it).
 *
 * Placement: an allow line applies to the statement that starts on the next line; several allow
 * lines stacked directly above a statement all apply to it. Anything else between them (a blank
 * line, another comment) separates them: such an allow line, and any allow line after the first
 * statement that is not directly above one, is an error, because silently acknowledging nothing
 * would hide the risk it was written for. Allow lines before the first statement (the header)
 * apply to every statement of the file.
 */
export function parseAllowances(text: string, statementLines: readonly number[]): AllowParse {
  const lines = text.split(/\r?\n|\r/);
  const down = lines.findIndex((line) => DOWN_LINE.test(line));
  const upLines = down === -1 ? lines : lines.slice(0, down);
  const isAllow = upLines.map((line) => ALLOW_LINE.test(line));
  const starts = new Set(statementLines);
  const firstStatement =
    statementLines.length > 0 ? Math.min(...statementLines) : Number.POSITIVE_INFINITY;
  const errors: AllowParse['errors'] = [];
  const header: Acknowledgement[] = [];
  const direct = new Map<number, Acknowledgement[]>();

  upLines.forEach((line, index) => {
    const match = ALLOW_LINE.exec(line);
    if (!match) return;
    const lineNumber = index + 1;
    const parsed = parseAllowText(match[1] ?? '', lineNumber);
    if ('message' in parsed) {
      errors.push(parsed);
      return;
    }
    if (lineNumber < firstStatement) {
      header.push(parsed);
      return;
    }
    // The first line below the stack of allow lines this one belongs to.
    let below = index + 1;
    while (isAllow[below]) below++;
    const statementLine = below + 1;
    if (starts.has(statementLine)) {
      direct.set(statementLine, [...(direct.get(statementLine) ?? []), parsed]);
    } else {
      errors.push({
        line: lineNumber,
        message: `line ${lineNumber}: -- migrate:allow must be on the line directly above the statement it acknowledges (or in the header, before the first statement).`,
      });
    }
  });

  return {
    statements: statementLines.map((line) => [...header, ...(direct.get(line) ?? [])]),
    errors,
  };
}

function parseAllowText(
  rest: string,
  line: number,
): Acknowledgement | { line: number; message: string } {
  const [rule = '', ...words] = rest.trim().split(/\s+/);
  const reason = words.join(' ');
  if (rule === '') {
    return {
      line,
      message: `line ${line}: -- migrate:allow needs a rule and a reason, ${EXAMPLE}.`,
    };
  }
  if (!RULE_IDS.includes(rule as RuleId)) {
    return {
      line,
      message: `line ${line}: -- migrate:allow names the unknown rule "${rule}"; the rules are ${RULE_IDS.join(', ')}.`,
    };
  }
  if (reason === '') {
    return {
      line,
      message: `line ${line}: -- migrate:allow ${rule} needs a reason after the rule, ${EXAMPLE}.`,
    };
  }
  return { rule: rule as RuleId, reason, allowLine: line };
}

/** Acknowledgements keyed to a file's statements, to hand to {@link acknowledge}. */
export interface FileAcknowledgements {
  file: string;
  /** Statement lines, as given to {@link parseAllowances}. */
  statementLines: readonly number[];
  parsed: AllowParse;
}

/**
 * The risks with `acknowledged` set (to the reason) where an allow line of the risk's file
 * acknowledges its rule for its statement. Returns new objects; the input is left alone.
 */
export function acknowledge(
  risks: readonly Risk[],
  files: readonly FileAcknowledgements[],
): Risk[] {
  const reasons = new Map<string, string>();
  for (const { file, statementLines, parsed } of files) {
    statementLines.forEach((line, i) => {
      for (const ack of parsed.statements[i] ?? []) {
        const key = `${file}\n${line}\n${ack.rule}`;
        if (!reasons.has(key)) reasons.set(key, ack.reason);
      }
    });
  }
  return risks.map((risk) => {
    const reason = reasons.get(`${risk.file}\n${risk.line}\n${risk.rule}`);
    return reason === undefined ? { ...risk } : { ...risk, acknowledged: reason };
  });
}
