// One pass over a pending file's text that collects what the pre-flight check judges: statement kinds, what is left open, psql's commands, other tools' markers, mentions of the tracking table. Never the database.
import { type ToolMarker, toolMarkers } from '../files/directives.js';
import { TextWindow } from '../files/stream.js';
import { nameSearch } from '../sql/mentions.js';
import {
  type MetaCommand,
  type SplitStatement,
  StatementSplitter,
  type Unterminated,
} from '../sql/splitter.js';
import { transactionControlOf } from '../sql/statement-kinds.js';

export type MarkerLine = Omit<ToolMarker, 'index'> & { line: number };

/** A statement that may name the tracking table, to be read token by token. */
export interface Candidate {
  /** Its text; undefined when it was too long to keep (then it counts as naming the table). */
  text?: string;
  /** 1-based line where it starts. */
  line: number;
}

/** What one pass over a file's text found. */
export interface TextFacts {
  /** Top-level transaction control, in order. */
  controls: { keyword: string; line: number }[];
  /** Line of the first `COPY … FROM STDIN`: what follows is psql's data, not SQL. */
  copyFromStdin?: number;
  /** The first psql meta-command, and its name when it could be read (`\i`). */
  metaCommand?: MetaCommand & { command?: string };
  unterminated?: Unterminated;
  /** goose's and sql-migrate's marker lines, with their 1-based lines. */
  markers: MarkerLine[];
  /** Statements whose text holds the tracking table's name somewhere. */
  candidates: Candidate[];
}

/**
 * The text kept of a statement whose name search found something; a longer statement counts as
 * naming the table (there is no other way to read a 1 MiB statement without holding it).
 */
const KEEP = 1024 * 1024;

/**
 * Reads a file's text once, in chunks (a whole small file is one chunk; a large file is streamed
 * and never held: the pass keeps only the statement in progress, at most KEEP characters of it).
 */
export async function factsOf(
  chunks: Iterable<string> | AsyncIterable<string>,
  table: string,
): Promise<TextFacts> {
  const facts: TextFacts = { controls: [], markers: [], candidates: [] };
  const splitter = new StatementSplitter();
  const search = nameSearch(table);
  const hits: number[] = [];
  let seam = ''; // the end of the previous chunk, for a name cut in two
  // The text of the statement in progress (and the chunk being read), at most KEEP of it.
  const window = new TextWindow();
  let total = 0; // index of the next chunk's first character
  const lines = new Lines();

  const take = (statements: SplitStatement[]) => {
    for (const s of statements) {
      const keyword = transactionControlOf(s.keyword);
      if (keyword) facts.controls.push({ keyword, line: s.line });
      if (s.keyword === 'COPY FROM STDIN') facts.copyFromStdin ??= s.line;
      while (hits.length > 0 && (hits[0] as number) < s.start) hits.shift();
      if (hits.length > 0 && (hits[0] as number) < s.end) {
        const kept = s.start >= window.start;
        facts.candidates.push({
          line: s.line,
          text: kept ? window.slice(s.start, s.end) : undefined,
        });
        while (hits.length > 0 && (hits[0] as number) < s.end) hits.shift();
      }
    }
    const last = statements.at(-1);
    if (last) window.dropBefore(last.end);
  };

  for await (const chunk of chunks) {
    // The name cut between the previous chunk and this one, then the name within this one
    // (searched apart: joining them would copy every chunk).
    const across = seam + chunk.slice(0, table.length - 1);
    search.lastIndex = 0;
    for (let m = search.exec(across); m; m = search.exec(across)) {
      if (m.index < seam.length && m.index + table.length > seam.length) {
        hits.push(total - seam.length + m.index);
      }
    }
    search.lastIndex = 0;
    for (let m = search.exec(chunk); m; m = search.exec(chunk)) hits.push(total + m.index);
    const keep = table.length - 1;
    seam =
      keep === 0 ? '' : chunk.length >= keep ? chunk.slice(-keep) : (seam + chunk).slice(-keep);
    lines.take(chunk, facts.markers);

    window.push(chunk);
    const statements = splitter.push(chunk);
    total += chunk.length;
    if (splitter.metaCommand && !facts.metaCommand) {
      const at = splitter.metaCommand.start;
      const text = at >= window.start ? window.slice(at, Math.min(at + 32, total)) : '';
      facts.metaCommand = { ...splitter.metaCommand, command: /^\\[A-Za-z!?.]*/.exec(text)?.[0] };
    }
    take(statements);
    if (window.length > KEEP) window.clear();
  }
  take(splitter.end());
  lines.end(facts.markers);
  facts.unterminated = splitter.unterminated;
  return facts;
}

/** Finds marker lines across chunks: a line cut between two chunks is read whole. */
class Lines {
  private carry = '';
  private line = 1;
  /** Inside a line too long to be a marker, whose start was dropped. */
  private midLine = false;

  take(chunk: string, out: MarkerLine[]): void {
    let text = this.carry + chunk;
    if (this.midLine) {
      const next = text.indexOf('\n') + 1;
      if (next === 0) return;
      text = text.slice(next);
      this.line++;
      this.midLine = false;
    }
    const cut = text.lastIndexOf('\n') + 1;
    this.scan(text.slice(0, cut), out);
    this.carry = text.slice(cut);
    // A marker is a short line: the start of a long one (a data line, a whole file on one line)
    // need not be kept.
    if (this.carry.length > 4096) {
      this.carry = '';
      this.midLine = true;
    }
  }

  end(out: MarkerLine[]): void {
    if (!this.midLine) this.scan(this.carry, out);
    this.carry = '';
  }

  private scan(block: string, out: MarkerLine[]): void {
    if (block.length === 0) return;
    let counted = 0;
    let line = this.line;
    // Most blocks hold no marker: the regular expression skips them without counting lines.
    if (block.includes('+goose') || block.includes('+migrate')) {
      for (const marker of toolMarkers(block)) {
        line += newlines(block, counted, marker.index);
        counted = marker.index;
        out.push({ text: marker.text, tool: marker.tool, down: marker.down, line });
      }
    }
    this.line = line + newlines(block, counted, block.length);
  }
}

function newlines(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
