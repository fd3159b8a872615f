// Every mapping of a position in SQL text to a line: string indices, PostgreSQL's error positions, streamed files. Pure.

/** 1-based line of string index `index` (UTF-16 units) of `text`: the newlines before it, plus one. */
export function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** Line numbers of many string indices of one text, by binary search over the positions of `\n`. */
export class LineIndex {
  private readonly breaks: number[] = [];

  constructor(s: string) {
    for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) this.breaks.push(i);
  }

  /** 1-based line of the character at string index `index`. */
  lineAt(index: number): number {
    let low = 0;
    let high = this.breaks.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.breaks[mid] ?? 0) < index) low = mid + 1;
      else high = mid;
    }
    return low + 1;
  }
}

/**
 * Index in `text` (UTF-16 units) of PostgreSQL's 1-based error `position`, which counts
 * characters: a character outside the BMP is one for PostgreSQL and two for JavaScript.
 */
export function indexOfPosition(text: string, position: number): number {
  let index = 0;
  for (let chars = 1; chars < position && index < text.length; chars++) {
    const code = text.charCodeAt(index);
    index += code >= 0xd800 && code <= 0xdbff ? 2 : 1;
  }
  return index;
}

/**
 * 1-based line and column of a 1-based character position as PostgreSQL reports it in an
 * error's `position` field (`ErrorResponse` field `P`), relative to `source`.
 *
 * PostgreSQL counts characters (code points), not bytes and not UTF-16 code units. Lines are
 * separated by `\n` (a CRLF is one line break; the `\r` counts as the last column of its line).
 * Positions past the end give the last character's line; positions below 1 give line 1.
 */
export function lineColumnOfPosition(
  source: string,
  position: number,
): { line: number; column: number } {
  let line = 1;
  let column = 1;
  if (!(position > 1)) return { line, column };
  let remaining = Math.floor(position) - 1; // characters before the one at `position`
  let lastLine = 1;
  let lastColumn = 1;
  for (const char of source) {
    if (remaining === 0) return { line, column };
    remaining--;
    lastLine = line;
    lastColumn = column;
    if (char === '\n') {
      line++;
      column = 1;
    } else {
      column++;
    }
  }
  // Past the end: the last character of the source.
  return { line: lastLine, column: lastColumn };
}

/**
 * 1-based line of a 1-based character position as PostgreSQL reports it in an error's
 * `position` field, relative to `source`. See {@link lineColumnOfPosition}.
 */
export function lineOfPosition(source: string, position: number): number {
  return lineColumnOfPosition(source, position).line;
}

/**
 * The 1-based line at an index into a text that arrives in chunks (a large file read again only
 * when an error needs the line, so the pieces sent need no line bookkeeping).
 */
export async function lineAtInChunks(
  chunks: AsyncIterable<string>,
  index: number,
): Promise<number> {
  let line = 1;
  let seen = 0;
  for await (const chunk of chunks) {
    const upTo = Math.min(chunk.length, index - seen);
    for (let i = chunk.indexOf('\n'); i !== -1 && i < upTo; i = chunk.indexOf('\n', i + 1)) line++;
    seen += chunk.length;
    if (seen >= index) break;
  }
  return line;
}
