// The pre-flight check of a pending file: what the server or psql would read differently, refused before anything runs. Reads files, never the database.
import type { Migration } from '../files/migration.js';
import { isLarge, textChunks } from '../files/stream.js';
import type { TrackingTable } from '../history/table.js';
import { trackingTableMention } from '../sql/mentions.js';
import { analyzeSql, type Statement } from '../sql/parser.js';
import type { Finding, FindingKind } from './findings.js';
import { factsOf, type TextFacts } from './preflight.js';

/** What checking one pending file found. */
export interface FileCheck {
  findings: Finding[];
  /**
   * For a `no-transaction` file up to PARSER_LIMIT: its statements, split by PostgreSQL's parser.
   * A larger one is split by the streaming splitter as it runs (see files/stream.ts).
   */
  statements?: Statement[];
}

/**
 * The largest `no-transaction` file given to PostgreSQL's parser, which holds the whole syntax
 * tree as JSON (20 MB of SQL took 1.2 GB and 25 s; 50 MB aborted V8). A larger file is split by
 * the streaming splitter, which agrees with the parser on every input its tests try, in constant
 * memory; its statements are then checked by the server one by one as they run.
 */
export const PARSER_LIMIT = 1024 * 1024;

/**
 * Checks a pending file before anything runs, in one pass over its text (streamed for a large
 * file): top-level transaction control (PostgreSQL really does commit a `COMMIT` inside the
 * action's transaction, leaving a change without its tracking row), a string, identifier, dollar
 * quote or comment left open at the end, psql's `COPY … FROM stdin` data and meta-commands,
 * goose's and sql-migrate's markers, and a statement that names the tracking table. A
 * `no-transaction` file is then split by PostgreSQL's parser and must parse. Only pending files
 * are read, so a run with nothing to do never reads a file's text.
 */
export async function checkFile(migration: Migration, tracking: TrackingTable): Promise<FileCheck> {
  const chunks = isLarge(migration) ? textChunks(migration.path) : [migration.sql];
  const facts = await factsOf(chunks, tracking.table);
  const findings = await findingsOf(migration, facts, tracking);
  if (!migration.noTransaction || findings.length > 0) return { findings };
  if ((migration.size ?? migration.sql.length) > PARSER_LIMIT) return { findings };
  const analysis = await analyzeSql(migration.sql);
  // A file run statement by statement must be split exactly; one the parser rejects cannot be.
  if (analysis.parseError) {
    const { line, message } = analysis.parseError;
    findings.push(
      finding(
        migration,
        'unreadable',
        line,
        `${message}; a -- migrate:no-transaction file must parse before any of it runs.`,
      ),
    );
  }
  return { findings, statements: analysis.statements };
}

const OPEN: Record<string, string> = {
  'quoted string': 'a quoted string',
  'quoted identifier': 'a quoted identifier',
  'dollar-quoted string': 'a dollar-quoted string',
  '/* comment': 'a /* comment',
};

async function findingsOf(
  migration: Migration,
  facts: TextFacts,
  tracking: TrackingTable,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  // After `COPY … FROM stdin` come psql's data lines: nothing after it is SQL, so nothing after
  // it is judged as SQL (a data line `commit;` is no COMMIT).
  const copy = facts.copyFromStdin;
  const before = (line: number) => copy === undefined || line <= copy;
  if (copy !== undefined) {
    findings.push(
      finding(
        migration,
        'psql',
        copy,
        '`COPY … FROM stdin` needs psql to send the data lines that follow it; use INSERT, or COPY … FROM a file on the database server.',
      ),
    );
  }
  const meta = facts.metaCommand;
  if (meta && before(meta.line)) {
    const what =
      meta.command && meta.command !== '\\'
        ? `${meta.command} is a psql meta-command, not SQL, and the action sends the file to the server as SQL; write the SQL it stands for instead.`
        : "a backslash outside a string is not SQL (psql meta-commands such as \\i are not SQL either); remove it, or write the string as E'...' if it holds an escape.";
    findings.push(finding(migration, 'psql', meta.line, what));
  }
  const open = facts.unterminated;
  if (open && before(open.line)) {
    findings.push(
      finding(
        migration,
        'unterminated',
        open.line,
        `${OPEN[open.kind] ?? open.kind} is not closed; close it, or the server reads the rest of the file into it.`,
      ),
    );
  }
  for (const control of facts.controls) {
    if (!before(control.line)) continue;
    findings.push(
      finding(
        migration,
        'transaction-control',
        control.line,
        `${control.keyword} is not allowed in a migration, because the action owns the transaction and the session; remove it (use -- migrate:no-transaction for statements that cannot run in a transaction).`,
      ),
    );
  }
  for (const marker of facts.markers) {
    if (marker.tool === migration.layout) continue; // its own layout reads it
    const what = marker.down
      ? `"${marker.text}" starts ${marker.tool}'s down section, which this action would run as part of the migration; move the down SQL out of the file and remove the line.`
      : `"${marker.text}" is ${marker.tool}'s marker, which this action does not read; remove the line.`;
    findings.push(finding(migration, 'other-tool', marker.line, what));
  }
  const mention = await firstMention(facts, tracking, before);
  if (mention !== undefined) {
    findings.push(
      finding(
        migration,
        'tracking-table',
        mention,
        `the migration names ${tracking.schema}.${tracking.table}, which is this action's tracking table; set table: to another name (for example ${tracking.table}_action) in every step, or rename the migration's table.`,
      ),
    );
  }
  return findings.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** The line where a pending file first names the tracking table (see sql/mentions.ts). */
async function firstMention(
  facts: TextFacts,
  tracking: TrackingTable,
  before: (line: number) => boolean,
): Promise<number | undefined> {
  for (const candidate of facts.candidates) {
    if (!before(candidate.line)) break;
    if (candidate.text === undefined) return candidate.line;
    const index = await trackingTableMention(candidate.text, tracking);
    if (index !== undefined) return candidate.line + newlinesBefore(candidate.text, index);
  }
  return undefined;
}

function newlinesBefore(text: string, index: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function finding(migration: Migration, kind: FindingKind, line: number, what: string): Finding {
  return {
    kind,
    version: migration.version,
    file: migration.name,
    line,
    message: `${migration.name} line ${line}: ${what}`,
    stops: true,
  };
}
