// PostgreSQL's own parser (libpg-query), loaded lazily: splits no-transaction files exactly and finds transaction control. No I/O besides loading it.
/**
 * SQL analysis with PostgreSQL's own parser (libpg-query: the real PostgreSQL 18 grammar and
 * lexer compiled to WebAssembly). It splits a `-- migrate:no-transaction` file into the top-level
 * statements it runs one by one, exactly where PostgreSQL (and psql) would, and lists top-level
 * transaction control (`BEGIN`, `COMMIT`, `DISCARD`, ...), which the action forbids because it owns
 * transactions and the session. Transactional files are checked by the streaming splitter instead.
 *
 * The WebAssembly parser is loaded lazily, by the first {@link analyzeSql} call (or
 * {@link loadSqlParser}): importing this module costs nothing.
 *
 * Bundling note (ncc/webpack, ESM output): libpg-query's Emscripten glue finds its
 * `libpg-query.wasm` through the CommonJS free variable `__dirname`, which does not exist in an
 * ES module bundle. While the parser module is being evaluated, this module therefore defines a
 * temporary global `__dirname` pointing at the directory of the running code (`dist/` once
 * bundled), where the build must copy `node_modules/libpg-query/wasm/libpg-query.wasm`. When
 * libpg-query runs unbundled from `node_modules`, its own CommonJS `__dirname` shadows the global
 * and the shim has no effect. The parser's JavaScript is a chunk of its own in `dist/`, so a run
 * that parses nothing does not even compile it.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineIndex, lineOfPosition } from './lines.js';

type PgQuery = typeof import('libpg-query');

/** One top-level statement of a file, as PostgreSQL would split it. */
export interface Statement {
  /**
   * The statement's source text, exactly as in the file, without the trailing `;` and without
   * surrounding whitespace and comments.
   */
  text: string;
  /** JS string index (UTF-16 code units) in the source where `text` begins. */
  offset: number;
  /** 1-based line in the source where the statement begins. */
  line: number;
}

/** A top-level transaction control statement. */
export interface TransactionControl {
  /**
   * The statement's keyword(s) as written, upper-cased: `BEGIN`, `START TRANSACTION`, `COMMIT`,
   * `END`, `ROLLBACK`, `ABORT`, `PREPARE TRANSACTION`, `COMMIT PREPARED`, `ROLLBACK PREPARED` or
   * `DISCARD`.
   */
  keyword: string;
  /** 1-based line in the source where the statement begins. */
  line: number;
}

export interface SqlAnalysis {
  /** Top-level statements in source order; empty statements (`;;`) are skipped. */
  statements: Statement[];
  /** Top-level transaction control statements, in source order. */
  transactionControl: TransactionControl[];
  /** Set when the parser rejects the file; `statements` and `transactionControl` are then empty. */
  parseError?: { message: string; line: number };
}

// ---------------------------------------------------------------------------------------------
// Lazy loading of the WebAssembly parser

let parserPromise: Promise<PgQuery> | undefined;

async function importParser(): Promise<PgQuery> {
  // V8 would otherwise re-compile the parser's hot WebAssembly with its optimising compiler in
  // the background (600 MB of memory), and the process waits for that work before it can end:
  // seconds after the run is done (measured: 2.3 s against 0.2 s). A large tiering budget only
  // delays it: a few hundred statements parsed (a safety review) still set it off (3.5 s more).
  // Both flags, set before the module compiles, keep the baseline code (--liftoff-only is not
  // honoured at run time, and without dynamic tiering alone V8 tiers up every function): 3,000
  // statements then parse in 0.1 s, and process.exit() ends the process at once.
  process
    .getBuiltinModule('node:v8')
    .setFlagsFromString('--no-wasm-tier-up --no-wasm-dynamic-tiering');
  const globals = globalThis as { __dirname?: string };
  const shim = globals.__dirname === undefined;
  if (shim) globals.__dirname = dirname(fileURLToPath(import.meta.url));
  let pg: PgQuery;
  try {
    // Evaluating libpg-query starts the WebAssembly instantiation (and reads `__dirname`).
    pg = await import('libpg-query');
  } finally {
    if (shim) delete globals.__dirname;
  }
  await pg.loadModule();
  return pg;
}

function getParser(): Promise<PgQuery> {
  parserPromise ??= importParser().catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `PostgreSQL's SQL parser (libpg-query WebAssembly), which splits -- migrate:no-transaction files, could not be loaded (${reason}): run the action from its released dist/ folder, where libpg-query.wasm sits next to index.js.`,
      { cause: error },
    );
  });
  return parserPromise;
}

/**
 * Loads the WebAssembly parser now (it is otherwise loaded by the first {@link analyzeSql} call),
 * e.g. to overlap it with connecting to the database. Rejects when the parser cannot be loaded.
 */
export async function loadSqlParser(): Promise<void> {
  await getParser();
}

// ---------------------------------------------------------------------------------------------
// Analysis

const TRANSACTION_KEYWORDS: Readonly<Record<string, string>> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'START TRANSACTION',
  TRANS_STMT_COMMIT: 'COMMIT', // or END, read from the source
  TRANS_STMT_ROLLBACK: 'ROLLBACK', // or ABORT, read from the source
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
  // TRANS_STMT_SAVEPOINT, TRANS_STMT_RELEASE and TRANS_STMT_ROLLBACK_TO are allowed.
};

const COMMENT_TOKENS = new Set(['SQL_COMMENT', 'C_COMMENT']);

/**
 * Splits `source` into top-level statements with PostgreSQL's parser and lists its top-level
 * transaction control statements. A leading byte-order mark is ignored (offsets stay relative to
 * `source`). Rejects only when the parser itself cannot be loaded; SQL that does not parse gives a
 * result with `parseError`.
 */
export async function analyzeSql(source: string): Promise<SqlAnalysis> {
  const lines = new LineIndex(source);
  const base = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  const sql = base ? source.slice(base) : source;

  // The parser reads a C string: everything after a NUL would silently disappear.
  const nul = sql.indexOf('\0');
  if (nul !== -1) {
    return failed('NUL character (0x00) is not allowed in SQL', lines.lineAt(base + nul));
  }
  if (sql.length === 0) return { statements: [], transactionControl: [] };

  const pg = await getParser();
  let tree: ReturnType<PgQuery['parseSync']>;
  try {
    tree = pg.parseSync(sql);
  } catch (error) {
    if (!(error instanceof pg.SqlError)) throw error;
    // libpg-query reports PostgreSQL's 1-based character cursor minus one (0 when it has none).
    const position = (error.sqlDetails?.cursorPosition ?? 0) + 1;
    return failed(shortenNearText(error.message), lineOfPosition(sql, position));
  }

  const bytes = new Utf8Offsets(sql);
  const statements: Statement[] = [];
  const transactionControl: TransactionControl[] = [];
  for (const raw of tree.stmts ?? []) {
    const startByte = raw.stmt_location ?? 0;
    // stmt_len 0 (omitted) means "up to the end of the input": the last statement without `;`.
    const endByte = raw.stmt_len ? startByte + raw.stmt_len : bytes.length;
    const rawEnd = bytes.toIndex(endByte);
    const start = skipSpaceAndComments(sql, bytes.toIndex(startByte), rawEnd);
    const end = statementEnd(pg, sql, start, rawEnd);
    if (end <= start) continue;

    const text = sql.slice(start, end);
    const offset = base + start;
    const line = lines.lineAt(offset);
    statements.push({ text, offset, line });

    const node = raw.stmt;
    if (node && 'TransactionStmt' in node) {
      const kind = node.TransactionStmt.kind;
      const keyword = kind === undefined ? undefined : TRANSACTION_KEYWORDS[kind];
      if (keyword === 'COMMIT' || keyword === 'ROLLBACK') {
        transactionControl.push({ keyword: firstWord(text) ?? keyword, line });
      } else if (keyword !== undefined) {
        transactionControl.push({ keyword, line });
      }
    } else if (node && 'DiscardStmt' in node) {
      transactionControl.push({ keyword: 'DISCARD', line });
    }
  }
  return { statements, transactionControl };
}

/** A token of PostgreSQL's lexer: its source text and where it starts (a string index). */
export interface SqlToken {
  text: string;
  index: number;
}

/**
 * The tokens of `sql` as PostgreSQL's lexer reads them, comments left out: a word inside a string,
 * a dollar quote or a comment is part of that token, never a token of its own. Rejects only when
 * the parser cannot be loaded; text the lexer rejects gives the tokens before the rejection.
 */
export async function sqlTokens(sql: string): Promise<SqlToken[]> {
  const pg = await getParser();
  let tokens: { tokenName: string; start: number; end: number }[];
  try {
    tokens = pg.scanSync(sql).tokens;
  } catch {
    return [];
  }
  const bytes = new Utf8Offsets(sql);
  return tokens
    .filter((token) => !COMMENT_TOKENS.has(token.tokenName))
    .map((token) => {
      const index = bytes.toIndex(token.start);
      return { text: sql.slice(index, bytes.toIndex(token.end)), index };
    });
}

function failed(message: string, line: number): SqlAnalysis {
  return { statements: [], transactionControl: [], parseError: { message, line } };
}

/**
 * PostgreSQL quotes the offending token in `... at or near "<token>"`; for an unterminated string,
 * dollar quote or comment that token is the whole rest of the file. Keep its first line, at most
 * 40 characters of it.
 */
function shortenNearText(message: string): string {
  const match = /^([\s\S]*? at or near ")([\s\S]*)"$/.exec(message);
  if (!match) return message;
  const [, head = '', near = ''] = match;
  const firstLine = near.split(/\r?\n|\r/, 1)[0] ?? '';
  const chars = [...firstLine];
  if (firstLine === near && chars.length <= 40) return message;
  return `${head}${chars.slice(0, 40).join('')}…"`;
}

/**
 * End index of a statement's last token, given where its `;` (or the input) ends it: drops the
 * whitespace and comments that PostgreSQL counts as part of the statement.
 */
function statementEnd(pg: PgQuery, sql: string, start: number, rawEnd: number): number {
  const end = trimEndIndex(sql, start, rawEnd);
  // A trailing comment either ends the text (`*/`) or opens on its last line (`--`).
  if (!sql.endsWith('*/', end) && !lastLineHasDashes(sql, start, end)) return end;
  const text = sql.slice(start, end);
  // Only the lexer knows whether `--` or `/*` opens a comment or sits in a string: scan this
  // statement alone (it starts at a token, so the lexer state there is the initial one).
  let tokens: { tokenName: string; end: number }[];
  try {
    tokens = pg.scanSync(text).tokens;
  } catch {
    return end;
  }
  const last = tokens.findLast((token) => !COMMENT_TOKENS.has(token.tokenName));
  return last ? start + new Utf8Offsets(text).toIndex(last.end) : end;
}

/** Whether the last line of `s.slice(start, end)` contains `--`. */
function lastLineHasDashes(s: string, start: number, end: number): boolean {
  for (let i = end - 1; i > start; i--) {
    const c = s.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) return false;
    if (c === 0x2d && s.charCodeAt(i - 1) === 0x2d) return true;
  }
  return false;
}

function firstWord(text: string): string | undefined {
  return /^[A-Za-z_]+/.exec(text)?.[0].toUpperCase();
}

/** PostgreSQL's whitespace: space, \t, \n, \v, \f, \r (and nothing else: U+00A0 is no space). */
function isSqlSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13);
}

/**
 * Index of the first character at or after `index` (and before `limit`) that is neither
 * whitespace nor part of a `--` or (nested) `/* *\/` comment.
 */
function skipSpaceAndComments(s: string, index: number, limit: number): number {
  let i = index;
  while (i < limit) {
    const c = s.charCodeAt(i);
    if (isSqlSpace(c)) {
      i++;
    } else if (c === 0x2d && s.charCodeAt(i + 1) === 0x2d) {
      // -- comment, up to the end of the line
      i += 2;
      while (i < limit && s[i] !== '\n' && s[i] !== '\r') i++;
    } else if (c === 0x2f && s.charCodeAt(i + 1) === 0x2a) {
      // /* comment */, which nests in PostgreSQL
      let depth = 1;
      i += 2;
      while (i < limit && depth > 0) {
        if (s[i] === '/' && s[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (s[i] === '*' && s[i + 1] === '/') {
          depth--;
          i += 2;
        } else {
          i++;
        }
      }
    } else {
      break;
    }
  }
  return Math.min(i, limit);
}

function trimEndIndex(s: string, start: number, end: number): number {
  let i = end;
  while (i > start && isSqlSpace(s.charCodeAt(i - 1))) i--;
  return i;
}

/** Converts byte offsets in the UTF-8 encoding of a string to JS string (UTF-16) indices. */
class Utf8Offsets {
  /** Byte length of the UTF-8 encoding. */
  readonly length: number;
  /** byte offset -> string index; undefined when the string is ASCII (both are the same). */
  private readonly map: Uint32Array | undefined;

  constructor(s: string) {
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is meant
    if (/^[\x00-\x7f]*$/.test(s)) {
      this.length = s.length;
      this.map = undefined;
      return;
    }
    this.length = Buffer.byteLength(s, 'utf8');
    const map = new Uint32Array(this.length + 1);
    let byte = 0;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      let size: number;
      let units = 1;
      if (c < 0x80) size = 1;
      else if (c < 0x800) size = 2;
      else if (c >= 0xd800 && c <= 0xdbff && isLowSurrogate(s.charCodeAt(i + 1))) {
        size = 4;
        units = 2;
      } else size = 3; // other BMP characters; a lone surrogate becomes 3 bytes (U+FFFD)
      map.fill(i, byte, byte + size);
      byte += size;
      i += units - 1;
    }
    map[this.length] = s.length;
    this.map = map;
  }

  toIndex(byteOffset: number): number {
    const offset = Math.max(0, Math.min(byteOffset, this.length));
    return this.map ? (this.map[offset] ?? 0) : offset;
  }
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
