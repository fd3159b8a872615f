// A file's `-- migrate:down` section: where its up part ends and its down SQL starts. Pure: text in, positions out.
import { lineAt } from '../sql/lines.js';

/** The marker line: exactly `-- migrate:down` (trailing blanks forgiven, as an editor leaves them). */
const DOWN_MARKER = /^-- migrate:down[ \t]*$/m;

/** Where a file's text is cut in two by its down marker. */
export interface DownCut {
  /** Index where the up part ends: the start of the marker line (the up part keeps its last newline). */
  upEnd: number;
  /** Index where the down SQL starts: the line after the marker. */
  downStart: number;
  /** 1-based line of the file where the down SQL starts. */
  line: number;
}

/**
 * Finds the first `-- migrate:down` line. Everything before it is the up part (what `migrate`
 * runs and the checksum covers); everything after it is the down SQL, run only by `rollback`.
 * A file without the line is all up part, so its checksum is the one it always had.
 */
export function findDownSection(text: string): DownCut | undefined {
  const match = DOWN_MARKER.exec(text);
  if (!match) return undefined;
  const markerEnd = match.index + match[0].length;
  const downStart = text[markerEnd] === '\n' ? markerEnd + 1 : markerEnd;
  return { upEnd: match.index, downStart, line: lineAt(text, match.index) + 1 };
}

/**
 * The down SQL with a blank line for each line of the file before it, so that anything that
 * reads it (the directives, the parser, a server error position) counts the file's own lines.
 */
export function downTextWithFileLines(down: string, line: number): string {
  return '\n'.repeat(line - 1) + down;
}
