// Walks a file's text line by line with offsets, for the section parsers. Pure.

/**
 * Calls `visit` for each line of `text`: the line without its `\n` (and without a `\r` before it,
 * so CRLF files read alike), its 1-based number, the offset where it starts and the offset where
 * the next line starts. A final line without `\n` is visited too; an empty text has one line.
 */
export function forEachLine(
  text: string,
  visit: (line: string, number: number, start: number, next: number) => void,
): void {
  let start = 0;
  let number = 1;
  while (true) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const line =
      text.charCodeAt(end - 1) === 13 && end > start
        ? text.slice(start, end - 1)
        : text.slice(start, end);
    const next = newline < 0 ? text.length : newline + 1;
    visit(line, number, start, next);
    if (newline < 0) return;
    start = next;
    number++;
  }
}
