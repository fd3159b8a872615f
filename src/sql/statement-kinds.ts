// What kind of statement the splitter found, from its first keywords: transaction control above all. Pure.

/** First keywords whose statements the second or third token classifies. */
export const NEEDS_MORE: ReadonlySet<string> = new Set(['START', 'COMMIT', 'ROLLBACK', 'PREPARE']);

/**
 * A statement's keyword from its first three tokens (each an upper-cased word, or `'` for a
 * string, `(` for a parenthesis, ` ` for anything else): the first word, with the second or third
 * when they matter for transaction control (see SplitStatement.keyword); `''` when the statement
 * does not start with a word.
 */
export function statementKeyword(w0: string, w1: string, w2: string): string {
  if (w0 === "'" || w0 === '(' || w0 === ' ') return '';
  switch (w0) {
    case 'START':
      return w1 === 'TRANSACTION' ? 'START TRANSACTION' : w0;
    case 'COMMIT':
      return w1 === 'PREPARED' ? 'COMMIT PREPARED' : w0;
    case 'ROLLBACK':
      if (w1 === 'PREPARED') return 'ROLLBACK PREPARED';
      if (w1 === 'TO') return 'ROLLBACK TO';
      if ((w1 === 'WORK' || w1 === 'TRANSACTION') && w2 === 'TO') return 'ROLLBACK TO';
      return w0;
    case 'PREPARE':
      if (w1 === 'TRANSACTION' && w2 !== 'AS' && w2 !== '(') return 'PREPARE TRANSACTION';
      return w0;
    default:
      return w0;
  }
}

const TRANSACTION_CONTROL: ReadonlySet<string> = new Set([
  'BEGIN',
  'START TRANSACTION',
  'COMMIT',
  'END',
  'ROLLBACK',
  'ABORT',
  'PREPARE TRANSACTION',
  'COMMIT PREPARED',
  'ROLLBACK PREPARED',
  'DISCARD',
]);

/**
 * The forbidden top-level transaction control of a statement's keyword (`BEGIN`, `START
 * TRANSACTION`, `COMMIT`, `END`, `ROLLBACK`, `ABORT`, `PREPARE TRANSACTION`, `COMMIT PREPARED`,
 * `ROLLBACK PREPARED` or `DISCARD`, as `analyzeSql` reports them), or undefined (savepoints,
 * `ROLLBACK TO`, everything else).
 */
export function transactionControlOf(keyword: string): string | undefined {
  return TRANSACTION_CONTROL.has(keyword) ? keyword : undefined;
}
