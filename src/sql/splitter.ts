// The streaming scanner that splits SQL text into top-level statements as PostgreSQL would: the hot path, holds no input. No I/O.
/**
 * A streaming splitter of SQL text into top-level statements, for migration files too large to
 * hand to the WebAssembly parser (see `sql.ts`): a 50 MB data migration becomes hundreds of MB of
 * JSON syntax tree there. This one is a hand-written state machine over UTF-16 code units that
 * keeps no input: only the state of the token in progress (a dollar-quote tag, the first characters
 * of a word) and the first keywords of the current statement.
 *
 * It finds statement boundaries as PostgreSQL's scanner (src/backend/parser/scan.l, with
 * `standard_conforming_strings = on`) and grammar would:
 *
 * - `'...'` with `''`, and likewise `B'...'`, `X'...'`, `N'...'` and `U&'...'` (none of which
 *   knows backslash escapes); `E'...'` with `''` and backslash escapes (`\'`, `\\`, ...), which
 *   only start where the `E` starts a token (`somee'x'` is the identifier `somee` and a string);
 * - string continuation: a string followed by whitespace holding a newline, and maybe `--`
 *   comments, and another `'` is one string, in the escaping of the first part (this matters for
 *   `E'...'`: the continuation still takes `\'`). The server accepts `--` comments in that gap;
 *   libpg-query does not (it reports a syntax error there);
 * - `"..."` with `""` (and `U&"..."`);
 * - `$tag$...$tag$` where the tag is empty or a letter, `_` or non-ASCII character followed by
 *   those or digits; only where `$` starts a token (`a$$b` is an identifier, `$1` a parameter);
 * - nested `/* ... *\/` comments and `--` comments up to `\n` or `\r`; `--` and `/*` start a
 *   comment anywhere outside a literal, even inside an operator (`+--x`);
 * - `;` ends a statement only outside parentheses: the server's grammar takes `;` inside
 *   parentheses only in a `CREATE RULE ... DO (a; b)` action list and rejects it anywhere else, and
 *   psql does not split there either;
 * - `BEGIN ATOMIC ... END` bodies of `CREATE [OR REPLACE] FUNCTION|PROCEDURE` (PostgreSQL 14+):
 *   their `;` end statements of the body, not the top-level statement.
 *
 * On the body: psql (src/fe_utils/psqlscan.l) counts every `BEGIN` and, inside one, every `CASE`
 * (+1) and `END` (-1) word of such a statement. The server's grammar is more exact, and this
 * follows the grammar: the body starts at the two tokens `BEGIN ATOMIC` (at parenthesis depth 0
 * of a statement that starts `CREATE [OR REPLACE] FUNCTION|PROCEDURE`), holds statements each
 * ended by `;`, and ends at the `END` that directly follows such a `;` or the opening `ATOMIC`
 * (a body statement cannot start with `END`: `BEGIN`/`END` transaction statements are not allowed
 * there). So `CASE ... END`, `select 1 as end`, `t.end` and a function named `begin` need no
 * counting. psql's counter gets the last three wrong; for `create function begin() ... return 1;
 * commit; ...` it would even take the `COMMIT` into the function's statement.
 *
 * Positions are JS string indices (UTF-16 code units) over the whole input; lines count `\n` (a
 * `\r\n` is one line break, as in `sql.ts`). A leading byte-order mark is skipped. Anything that
 * is neither whitespace nor comment starts a statement (the server would reject a stray token,
 * the splitter only finds where it starts); `;;` and a `;` with only comments before it make no
 * statement.
 */

import { NEEDS_MORE, statementKeyword } from './statement-kinds.js';

/** One top-level statement found by {@link StatementSplitter}. */
export interface SplitStatement {
  /** Index (UTF-16 code units, over the whole input) of the statement's first token. */
  start: number;
  /** Index just past the terminating `;`, or the length of the input for a last statement without. */
  end: number;
  /** 1-based line of `start`. */
  line: number;
  /**
   * The first keyword upper-cased (ASCII letters only), with the second or third when they matter
   * for transaction control: `START TRANSACTION`, `COMMIT PREPARED`, `ROLLBACK PREPARED`,
   * `ROLLBACK TO` (`ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT]`), `PREPARE TRANSACTION` (unless
   * `AS` or `(` follows: then it prepares a statement named `transaction`). Otherwise the first word,
   * e.g. `BEGIN`, `COMMIT`, `END`, `CREATE`, `SELECT` (at most 64 characters), or `''` when the
   * statement starts with something else than a word (`(select 1)`, a quoted identifier).
   * `COPY FROM STDIN` for a `COPY` with `FROM STDIN` outside parentheses (psql's inline data).
   */
  keyword: string;
}

/** Where a psql meta-command (a backslash outside any literal or comment) first appears. */
export interface MetaCommand {
  /** Index of the backslash. */
  start: number;
  /** 1-based line of the backslash. */
  line: number;
}

/** A construct still open at the end of the input: the server would reject the file. */
export interface Unterminated {
  /** What is open: `quoted string`, `quoted identifier`, `dollar-quoted string` or `/* comment`. */
  kind: string;
  /** Index where it starts. */
  start: number;
  /** 1-based line where it starts. */
  line: number;
}

/** Splits a whole string (see {@link StatementSplitter}). */
export function splitSql(sql: string): SplitStatement[] {
  const splitter = new StatementSplitter();
  const statements = splitter.push(sql);
  for (const statement of splitter.end()) statements.push(statement);
  return statements;
}

// ---------------------------------------------------------------------------------------------
// Character classes (code units >= 0x80 are identifier characters, as UTF-8 bytes >= 0x80 are)

// 0: any other character (operators, punctuation)
const C_SPACE = 1;
const C_NEWLINE = 2;
const C_IDENT = 3;
const C_DIGIT = 4;
const C_QUOTE = 5;
const C_DQUOTE = 6;
const C_DOLLAR = 7;
const C_DASH = 8;
const C_SLASH = 9;
const C_SEMI = 10;
const C_LPAREN = 11;
const C_RPAREN = 12;
const C_BACKSLASH = 13;

/**
 * Flags: identifier continuation ([A-Za-z0-9_$]), dollar-quote tag character ([A-Za-z0-9_]),
 * identifier start ([A-Za-z_]), number continuation ([0-9._]), digit.
 */
const F_IDENT = 1;
const F_TAG = 2;
const F_START = 4;
const F_NUM = 8;
const F_DIGIT = 16;

const CLASS = new Uint8Array(128);
const FLAGS = new Uint8Array(128);
for (const c of [0x20, 0x09, 0x0b, 0x0c]) CLASS[c] = C_SPACE;
CLASS[0x0a] = C_NEWLINE;
CLASS[0x0d] = C_NEWLINE;
for (let c = 0x30; c <= 0x39; c++) {
  CLASS[c] = C_DIGIT;
  FLAGS[c] = F_IDENT | F_TAG | F_NUM | F_DIGIT;
}
for (let c = 0x41; c <= 0x5a; c++) {
  for (const k of [c, c + 0x20]) {
    CLASS[k] = C_IDENT;
    FLAGS[k] = F_IDENT | F_TAG | F_START;
  }
}
CLASS[0x5f] = C_IDENT; // _
FLAGS[0x5f] = F_IDENT | F_TAG | F_START | F_NUM;
FLAGS[0x24] = F_IDENT; // $ continues an identifier
FLAGS[0x2e] = F_NUM; // .
CLASS[0x27] = C_QUOTE;
CLASS[0x22] = C_DQUOTE;
CLASS[0x24] = C_DOLLAR;
CLASS[0x2d] = C_DASH;
CLASS[0x2f] = C_SLASH;
CLASS[0x3b] = C_SEMI;
CLASS[0x28] = C_LPAREN;
CLASS[0x29] = C_RPAREN;
CLASS[0x5c] = C_BACKSLASH;

// ---------------------------------------------------------------------------------------------
// Scanner states

const NORMAL = 0; // between tokens, or in operator characters
const WORD = 1; // identifier or keyword
const NUMBER = 2; // digits, '.', '_'
const JUNK = 3; // identifier characters after a number or parameter (the server rejects them)
const PARAM = 4; // $1
const DASH = 5; // '-': operator or the start of '--'
const SLASH = 6; // '/': operator or the start of '/*'
const LINE_COMMENT = 7;
const BLOCK = 8; // inside /* */
const BLOCK_STAR = 9; // inside /* */ after '*'
const BLOCK_SLASH = 10; // inside /* */ after '/'
const SQ = 11; // '...'
const SQ_END = 12; // after the ' that ends '...' unless another ' follows
const EQ = 13; // E'...'
const EQ_ESC = 14; // E'...' after a backslash
const EQ_END = 15; // after the ' that ends E'...' unless another ' follows
const DQ = 16; // "..."
const DQ_END = 17; // after the " that ends "..." unless another " follows
const DOLLAR = 18; // after a '$' that starts a token
const DOLLAR_TAG = 19; // after '$' and tag characters
const DOLQ = 20; // inside $tag$...$tag$

/** Token kinds, as far as statement classification needs them. */
const K_WORD = 0;
const K_STRING = 1;
const K_LPAREN = 2;
const K_OTHER = 3;

/**
 * String methods called as known functions: `chunk.charCodeAt(i)` looks the method
 * up on the string, and that lookup turns slow (megamorphic) once strings of many internal kinds
 * (flat, sliced, concatenated, one- or two-byte) have been seen at the same place.
 */
const charCodeAt = String.prototype.charCodeAt;
const indexOf = String.prototype.indexOf;
const slice = String.prototype.slice;

/** Placeholder for the output list between calls (nothing is ever added to it). */
const NONE: SplitStatement[] = [];

/** Longest word kept for classification; longer words cannot be keywords. */
const MAX_WORD = 64;

/**
 * Incremental splitter: feed the text in chunks, in order, split anywhere (inside a token, a
 * `\r\n` or a surrogate pair); it returns the top-level statements each chunk completes. It keeps
 * none of the text, so memory stays constant however large the input.
 */
export class StatementSplitter {
  /** Index of the next chunk's first character over the whole input. */
  private total = 0;
  private state = NORMAL;
  private finished = false;
  private sawInput = false;

  // The chunk being pushed (only during push()).
  private chunk = '';
  private base = 0;
  private out: SplitStatement[] = NONE;

  // Line counting: `lines` is the line at index `linePos`.
  private lines = 1;
  private linePos = 0;
  /** Index in the chunk of the first '\n' at or after `linePos`, -1 if none, -2 if not known. */
  private nextNewline = -2;

  // The current top-level statement.
  private started = false;
  private stmtStart = 0;
  private stmtLine = 1;
  private parenDepth = 0;
  /** First tokens: words upper-cased, or a marker: "'" string, '(' parenthesis, ' ' other. */
  private topCount = 0;
  /** More of the first tokens are needed for the keyword. */
  private wantTop = true;
  private top0 = '';
  private top1 = '';
  private top2 = '';
  /**
   * Header of the statement at the current body level: 0 expects CREATE, 1 after CREATE, 2 after
   * CREATE OR, 3 after CREATE OR REPLACE, 4 inside a CREATE [OR REPLACE] FUNCTION|PROCEDURE, -1
   * something else.
   */
  private hdr = 0;
  /** The previous token was the word BEGIN, at parenthesis depth 0 of a routine header. */
  private prevBegin = false;
  /** Depth of BEGIN ATOMIC bodies. */
  private bodyDepth = 0;
  /** Inside a body, right after BEGIN ATOMIC or a `;`: an END here closes the body. */
  private bodyStmtStart = false;
  /** After an E'' string: 1, and 2 once a newline followed (a ' then continues the string). */
  private eContinue = 0;

  // The token in progress.
  private pendStart = 0; // index of a pending '-' or '/'
  private pendLine = 1; // its line, when it may start the statement
  private wordStart = 0;
  private wordFirst = 0;
  private wordNeeded = false;
  /** Text of a word or dollar-quote tag from earlier chunks (a word's only when needed). */
  private carry = '';
  private dollarStart = 0;
  private tag = '';
  /** Characters of `$tag$` matched inside a dollar quote. */
  private tagMatched = 0;
  private commentDepth = 0;
  /** Start of the open string, identifier, dollar quote or comment, and its line once known. */
  private openStart = 0;
  private openLine = 1;

  /** Upper-case spellings of words seen (bounded). */
  private readonly words = new Map<string, string>();

  /** Set by end() when the input ends inside a string, quoted identifier or comment. */
  unterminated: Unterminated | undefined;

  /** The first backslash outside a literal or comment: a psql meta-command, not SQL. */
  metaCommand: MetaCommand | undefined;

  /**
   * In a `COPY` statement: 1 looks for `FROM` at parenthesis depth 0, 2 saw it, 3 saw `FROM
   * STDIN` (the keyword becomes `COPY FROM STDIN`: psql sends the lines after it as data).
   */
  private copy = 0;

  /** Feeds the next chunk of text; returns the statements it completes, in order. */
  push(chunk: string): SplitStatement[] {
    if (this.finished) throw new Error('StatementSplitter: push() after end()');
    const out: SplitStatement[] = [];
    const len = chunk.length;
    if (len === 0) return out;
    this.out = out;
    this.chunk = chunk;
    this.base = this.total;
    this.nextNewline = -2;
    let i = 0;
    if (!this.sawInput) {
      this.sawInput = true;
      if (charCodeAt.call(chunk, 0) === 0xfeff) i = 1;
    }
    // Each state's method consumes what it can and returns where it stopped, having set `state`
    // when it reached another one. Small methods keep the optimizing compiler quick and effective.
    while (i < len) {
      switch (this.state) {
        case NORMAL:
          i = this.normal(chunk, i, len);
          break;
        case WORD:
          i = this.word(chunk, i, len);
          break;
        case NUMBER:
        case PARAM:
        case JUNK:
          i = this.number(chunk, i, len);
          break;
        case DASH:
        case SLASH:
          i = this.pending(chunk, i);
          break;
        case LINE_COMMENT:
        case BLOCK:
        case BLOCK_STAR:
        case BLOCK_SLASH:
          i = this.comment(chunk, i, len);
          break;
        case SQ:
        case SQ_END:
        case DQ:
        case DQ_END:
          i = this.quoted(chunk, i, len);
          break;
        case EQ:
        case EQ_ESC:
        case EQ_END:
          i = this.escaped(chunk, i, len);
          break;
        case DOLLAR:
        case DOLLAR_TAG:
          i = this.dollar(chunk, i, len);
          break;
        default:
          i = this.dollarQuoted(chunk, i, len);
      }
    }
    this.endChunk(this.state, len);
    return out;
  }

  /** Between tokens: whitespace, operators, punctuation; starts the other tokens. */
  private normal(chunk: string, start: number, len: number): number {
    let i = start;
    while (i < len) {
      const c = charCodeAt.call(chunk, i);
      const cls = c < 128 ? (CLASS[c] as number) : C_IDENT;
      if (cls === C_SPACE) {
        i++;
        continue;
      }
      if (cls === C_NEWLINE) {
        if (this.eContinue === 1) this.eContinue = 2;
        i++;
        continue;
      }
      if (cls === C_SEMI) {
        this.eContinue = 0;
        this.semicolon(i);
        i++;
        continue;
      }
      if (cls === C_DASH || cls === C_SLASH) {
        // an operator, or the start of a comment: the next character tells
        this.pendStart = this.base + i;
        if (!this.started) this.pendLine = this.lineAt(i);
        this.state = cls === C_DASH ? DASH : SLASH;
        return i + 1;
      }
      if (cls === C_QUOTE && this.eContinue === 2) {
        // E'...' <newline> '...': the same string, still with backslash escapes
        this.eContinue = 0;
        this.state = EQ;
        return i + 1;
      }
      // Any other character starts a token.
      if (!this.started) this.startAt(i);
      this.eContinue = 0;
      switch (cls) {
        case C_IDENT:
          this.wordStart = this.base + i;
          this.wordFirst = c;
          this.wordNeeded = this.tracking();
          this.carry = '';
          this.state = WORD;
          return i + 1;
        case C_DIGIT:
          this.token(K_OTHER, '');
          this.state = NUMBER;
          return i + 1;
        case C_QUOTE:
          this.token(K_STRING, '');
          this.openStart = this.base + i;
          this.state = SQ;
          return i + 1;
        case C_DQUOTE:
          this.token(K_OTHER, '');
          this.openStart = this.base + i;
          this.state = DQ;
          return i + 1;
        case C_DOLLAR:
          this.dollarStart = this.base + i;
          this.state = DOLLAR;
          return i + 1;
        case C_LPAREN:
          this.token(K_LPAREN, '');
          this.parenDepth++;
          break;
        case C_RPAREN:
          if (this.parenDepth > 0) this.parenDepth--;
          this.token(K_OTHER, '');
          break;
        case C_BACKSLASH:
          // No SQL token holds a backslash outside a literal: this is psql's (`\i`, `\set`, the
          // `\.` after COPY data), and the server would reject it.
          this.metaCommand ??= { start: this.base + i, line: this.lineAt(i) };
          this.token(K_OTHER, '');
          break;
        default:
          this.token(K_OTHER, '');
      }
      i++;
    }
    return i;
  }

  /** Identifier or keyword; E'', B'', X'', N'' when the word is that one letter and ' follows. */
  private word(chunk: string, start: number, len: number): number {
    let i = start;
    while (i < len) {
      const c = charCodeAt.call(chunk, i);
      if (c >= 128 || ((FLAGS[c] as number) & F_IDENT) !== 0) i++;
      else break;
    }
    if (i === len) return i;
    if (charCodeAt.call(chunk, i) === 0x27 && this.base + i - this.wordStart === 1) {
      const first = this.wordFirst | 0x20;
      if (first === 0x65) {
        this.token(K_STRING, '');
        this.openStart = this.wordStart;
        this.state = EQ;
        return i + 1;
      }
      if (first === 0x62 || first === 0x78 || first === 0x6e) {
        this.token(K_STRING, '');
        this.openStart = this.wordStart;
        this.state = SQ;
        return i + 1;
      }
    }
    this.token(K_WORD, this.wordNeeded ? this.wordText(i) : '');
    this.state = NORMAL;
    return i;
  }

  /**
   * Number (digits, '.', '_'), parameter ($ and digits), then any identifier characters run on
   * (0x1F, 1e5, and junk such as 1abc that the server rejects).
   */
  private number(chunk: string, start: number, len: number): number {
    let i = start;
    let state = this.state;
    if (state !== JUNK) {
      const mask = state === NUMBER ? F_NUM : F_DIGIT;
      while (i < len) {
        const c = charCodeAt.call(chunk, i);
        if (c < 128 && ((FLAGS[c] as number) & mask) !== 0) i++;
        else break;
      }
      if (i === len) return i;
      const c = charCodeAt.call(chunk, i);
      if (c < 128 && ((FLAGS[c] as number) & F_START) === 0) {
        this.state = NORMAL;
        return i;
      }
      state = JUNK;
      this.state = JUNK;
      i++;
    }
    while (i < len) {
      const c = charCodeAt.call(chunk, i);
      if (c >= 128 || ((FLAGS[c] as number) & F_IDENT) !== 0) i++;
      else break;
    }
    if (i < len) this.state = NORMAL;
    return i;
  }

  /** After '-' or '/': a comment starts, or it was an operator. */
  private pending(chunk: string, i: number): number {
    const c = charCodeAt.call(chunk, i);
    if (this.state === DASH) {
      if (c === 0x2d) {
        // -- comment (keeps an E'' string open for continuation)
        this.state = LINE_COMMENT;
        return i + 1;
      }
    } else if (c === 0x2a) {
      this.eContinue = 0;
      this.commentDepth = 1;
      this.openStart = this.pendStart;
      this.state = BLOCK;
      return i + 1;
    }
    this.operatorAfterPending();
    this.state = NORMAL;
    return i;
  }

  /** -- comments and nested block comments. */
  private comment(chunk: string, start: number, len: number): number {
    let i = start;
    let state = this.state;
    if (state === LINE_COMMENT) {
      while (i < len) {
        const c = charCodeAt.call(chunk, i);
        if (c === 0x0a || c === 0x0d) {
          this.state = NORMAL; // the newline itself is whitespace
          return i;
        }
        i++;
      }
      return i;
    }
    let depth = this.commentDepth;
    while (i < len) {
      const c = charCodeAt.call(chunk, i);
      i++;
      if (state === BLOCK) {
        if (c === 0x2a) state = BLOCK_STAR;
        else if (c === 0x2f) state = BLOCK_SLASH;
      } else if (state === BLOCK_STAR) {
        if (c === 0x2f) {
          if (--depth === 0) {
            state = NORMAL;
            break;
          }
          state = BLOCK;
        } else if (c !== 0x2a) {
          state = BLOCK;
        }
      } else if (c === 0x2a) {
        depth++; // '/' then '*': a nested comment
        state = BLOCK;
      } else if (c !== 0x2f) {
        state = BLOCK;
      }
    }
    this.commentDepth = depth;
    this.state = state;
    return i;
  }

  /** '...' (also B'', X'', N'', U&'') with '' inside, and "..." with "" inside. */
  private quoted(chunk: string, i: number, len: number): number {
    const state = this.state;
    const single = state === SQ || state === SQ_END;
    const quote = single ? 0x27 : 0x22;
    if (state === SQ_END || state === DQ_END) {
      if (charCodeAt.call(chunk, i) !== quote) {
        this.state = NORMAL;
        return i;
      }
      i++; // doubled quote
    }
    const j = indexOf.call(chunk, single ? "'" : '"', i);
    if (j === -1) {
      this.state = single ? SQ : DQ;
      return len;
    }
    this.state = single ? SQ_END : DQ_END;
    return j + 1;
  }

  /** E'...': backslash escapes and ''. */
  private escaped(chunk: string, start: number, len: number): number {
    let i = start;
    let state = this.state;
    if (state === EQ_END) {
      if (charCodeAt.call(chunk, i) !== 0x27) {
        this.eContinue = 1;
        this.state = NORMAL;
        return i;
      }
      state = EQ; // doubled quote
      i++;
    } else if (state === EQ_ESC) {
      state = EQ; // any character after a backslash
      i++;
    }
    while (i < len) {
      const c = charCodeAt.call(chunk, i);
      i++;
      if (c === 0x27) {
        state = EQ_END;
        break;
      }
      if (c === 0x5c) {
        if (i === len) {
          state = EQ_ESC;
          break;
        }
        i++;
      }
    }
    this.state = state;
    return i;
  }

  /** After a '$' that starts a token: $tag$ opens a dollar quote, $1 is a parameter. */
  private dollar(chunk: string, start: number, len: number): number {
    let i = start;
    if (this.state === DOLLAR) {
      const c = charCodeAt.call(chunk, i);
      if (c === 0x24) {
        this.openDollarQuote('');
        return i + 1;
      }
      if (c >= 0x30 && c <= 0x39) {
        this.token(K_OTHER, ''); // $1
        this.state = PARAM;
        return i + 1;
      }
      if (c < 128 && ((FLAGS[c] as number) & F_START) === 0) {
        this.token(K_OTHER, ''); // a lone $
        this.state = NORMAL;
        return i;
      }
      this.wordStart = this.base + i;
      this.wordFirst = c;
      this.carry = '';
      this.state = DOLLAR_TAG;
      i++;
    }
    while (i < len) {
      const c = charCodeAt.call(chunk, i);
      if (c >= 128 || ((FLAGS[c] as number) & F_TAG) !== 0) i++;
      else break;
    }
    if (i === len) return i;
    if (charCodeAt.call(chunk, i) === 0x24) {
      this.openDollarQuote(this.carry + chunk.slice(Math.max(0, this.wordStart - this.base), i));
      this.carry = '';
      return i + 1;
    }
    // No closing $: the server takes the $ alone, then the tag as an identifier, which ends here
    // too (this character is neither a tag character nor $).
    this.token(K_OTHER, '');
    this.wordNeeded = this.tracking();
    this.state = WORD;
    return i;
  }

  /** Inside $tag$...$tag$: looks for the closing $tag$. */
  private dollarQuoted(chunk: string, start: number, len: number): number {
    let i = start;
    const tag = this.tag;
    const tagLength = tag.length;
    let matched = this.tagMatched;
    while (i < len) {
      if (matched === 0) {
        const j = indexOf.call(chunk, '$', i);
        if (j === -1) {
          i = len;
          break;
        }
        i = j + 1;
        matched = 1;
        continue;
      }
      const c = charCodeAt.call(chunk, i);
      i++;
      if (matched <= tagLength) {
        if (c === charCodeAt.call(tag, matched - 1)) matched++;
        else matched = c === 0x24 ? 1 : 0;
      } else if (c === 0x24) {
        matched = 0;
        this.state = NORMAL;
        break;
      } else {
        matched = 0;
      }
    }
    this.tagMatched = matched;
    return i;
  }

  /** Bookkeeping at the end of a chunk (kept out of the scanning loop, which it would slow). */
  private endChunk(state: number, len: number): void {
    const chunk = this.chunk;
    const base = this.base;
    // The token in progress continues in the next chunk: keep what it needs.
    if (state === WORD && this.wordNeeded && this.carry.length <= MAX_WORD) {
      const from = Math.max(0, this.wordStart - base);
      this.carry += chunk.slice(from, from + MAX_WORD + 1 - this.carry.length);
    } else if (state === DOLLAR_TAG) {
      this.carry += chunk.slice(Math.max(0, this.wordStart - base));
    }
    // Where an open (or possibly opening) literal or comment starts, for `unterminated`.
    const open = this.openingAt(state);
    if (open >= base) this.openLine = this.lineAt(open - base);
    this.lineAt(len);
    this.total = base + len;
    this.state = state;
    this.chunk = '';
    this.out = NONE;
  }

  /** End of input: returns the last statement, when one is left without `;`. */
  end(): SplitStatement[] {
    if (this.finished) return [];
    this.finished = true;
    const out: SplitStatement[] = [];
    this.out = out;
    switch (this.state) {
      case WORD:
        this.token(K_WORD, this.wordNeeded ? upperAscii(this.carry.slice(0, MAX_WORD)) : '');
        break;
      case DASH:
      case SLASH:
        this.operatorAfterPending();
        break;
      case DOLLAR:
        this.token(K_OTHER, '');
        break;
      case DOLLAR_TAG:
        this.token(K_OTHER, '');
        this.token(K_WORD, this.tracking() ? upperAscii(this.carry.slice(0, MAX_WORD)) : '');
        break;
      case SQ:
      case EQ:
      case EQ_ESC:
        this.unterminated = { kind: 'quoted string', start: this.openStart, line: this.openLine };
        break;
      case DQ:
        this.unterminated = {
          kind: 'quoted identifier',
          start: this.openStart,
          line: this.openLine,
        };
        break;
      case DOLQ:
        this.unterminated = {
          kind: 'dollar-quoted string',
          start: this.openStart,
          line: this.openLine,
        };
        break;
      case BLOCK:
      case BLOCK_STAR:
      case BLOCK_SLASH:
        this.unterminated = { kind: '/* comment', start: this.openStart, line: this.openLine };
        break;
    }
    this.state = NORMAL;
    if (this.started) this.emit(this.total);
    this.out = NONE;
    return out;
  }

  // -------------------------------------------------------------------------------------------

  /** 1-based line of index `index` of the current chunk (never before the last one asked). */
  private lineAt(index: number): number {
    const chunk = this.chunk;
    let lines = this.lines;
    let j = this.nextNewline;
    if (j === -2) j = indexOf.call(chunk, '\n', this.linePos - this.base);
    while (j !== -1 && j < index) {
      lines++;
      j = indexOf.call(chunk, '\n', j + 1);
    }
    this.nextNewline = j;
    this.lines = lines;
    this.linePos = this.base + index;
    return lines;
  }

  /**
   * Start of the literal or comment open in `state`, or of the token that may open one (`E` of
   * E'', `$` of $tag$, `/` of /*); -1 for other states.
   */
  private openingAt(state: number): number {
    switch (state) {
      case WORD:
        return this.wordStart;
      case DOLLAR:
      case DOLLAR_TAG:
        return this.dollarStart;
      case SLASH:
        return this.pendStart;
      case BLOCK:
      case BLOCK_STAR:
      case BLOCK_SLASH:
      case SQ:
      case EQ:
      case EQ_ESC:
      case DQ:
      case DOLQ:
        return this.openStart;
      default:
        return -1;
    }
  }

  private startAt(index: number): void {
    this.started = true;
    this.stmtStart = this.base + index;
    this.stmtLine = this.lineAt(index);
  }

  /** A pending '-' or '/' turned out to be (part of) an operator. */
  private operatorAfterPending(): void {
    if (!this.started) {
      this.started = true;
      this.stmtStart = this.pendStart;
      this.stmtLine = this.pendLine;
    }
    this.eContinue = 0;
    this.token(K_OTHER, '');
  }

  private openDollarQuote(tag: string): void {
    this.token(K_STRING, '');
    this.tag = tag;
    this.tagMatched = 0;
    this.openStart = this.dollarStart;
    this.state = DOLQ;
  }

  /** Whether the next word's text is needed to classify the statement or find a body. */
  private tracking(): boolean {
    return (
      this.wantTop || this.hdr >= 0 || this.bodyStmtStart || this.copy === 1 || this.copy === 2
    );
  }

  /** Text of the word ending at `index` of the current chunk, upper-cased, at most MAX_WORD long. */
  private wordText(index: number): string {
    const from = Math.max(0, this.wordStart - this.base);
    const carry = this.carry;
    if (carry.length === 0 && index - from <= MAX_WORD) {
      // the common case: a short word within the chunk; its upper-case spelling is remembered
      const raw = slice.call(this.chunk, from, index);
      let upper = this.words.get(raw);
      if (upper === undefined) {
        upper = upperAscii(raw);
        if (this.words.size < 1024) this.words.set(raw, upper);
      }
      return upper;
    }
    const room = MAX_WORD - carry.length;
    return upperAscii(
      room > 0
        ? carry + this.chunk.slice(from, Math.min(index, from + room))
        : carry.slice(0, MAX_WORD),
    );
  }

  /** Classifies the next token of the current statement. */
  private token(kind: number, word: string): void {
    if (!this.tracking()) return;
    if (this.wantTop) {
      const mark = kind === K_WORD ? word : kind === K_STRING ? "'" : kind === K_LPAREN ? '(' : ' ';
      const count = ++this.topCount;
      if (count === 1) {
        this.top0 = mark;
        this.wantTop = NEEDS_MORE.has(mark);
        if (mark === 'COPY') this.copy = 1;
      } else if (count === 2) {
        this.top1 = mark;
      } else {
        this.top2 = mark;
        this.wantTop = false;
      }
    }
    if (this.copy === 1 || this.copy === 2) {
      if (this.parenDepth === 0 && kind === K_WORD) {
        if (this.copy === 2 && word === 'STDIN') this.copy = 3;
        else this.copy = word === 'FROM' ? 2 : 1;
      } else if (this.parenDepth === 0) {
        this.copy = 1;
      }
    }
    if (this.bodyStmtStart) {
      this.bodyStmtStart = false;
      if (kind === K_WORD && word === 'END' && this.parenDepth === 0) {
        // END right after `;` or BEGIN ATOMIC closes the body
        this.bodyDepth--;
        this.hdr = -1;
        this.prevBegin = false;
        return;
      }
    }
    const hdr = this.hdr;
    if (hdr < 0) return;
    if (hdr < 4) {
      if (kind !== K_WORD) this.hdr = -1;
      else if (hdr === 0) this.hdr = word === 'CREATE' ? 1 : -1;
      else if (hdr === 1) this.hdr = word === 'OR' ? 2 : isRoutine(word) ? 4 : -1;
      else if (hdr === 2) this.hdr = word === 'REPLACE' ? 3 : -1;
      else this.hdr = isRoutine(word) ? 4 : -1;
      return;
    }
    if (kind === K_WORD && this.parenDepth === 0) {
      if (this.prevBegin && word === 'ATOMIC') {
        this.bodyDepth++;
        this.hdr = 0;
        this.prevBegin = false;
        this.bodyStmtStart = true;
        return;
      }
      this.prevBegin = word === 'BEGIN';
    } else {
      this.prevBegin = false;
    }
  }

  private semicolon(index: number): void {
    if (this.parenDepth > 0) {
      // CREATE RULE ... DO (a; b); anywhere else the server rejects it
      this.token(K_OTHER, '');
      return;
    }
    if (this.bodyDepth > 0) {
      this.bodyStmtStart = true;
      this.hdr = 0;
      this.prevBegin = false;
      return;
    }
    if (this.started) this.emit(this.base + index + 1);
    this.reset();
  }

  private emit(end: number): void {
    this.out.push({
      start: this.stmtStart,
      end,
      line: this.stmtLine,
      keyword: this.keyword(),
    });
  }

  private keyword(): string {
    if (this.copy === 3) return 'COPY FROM STDIN';
    return this.topCount === 0 ? '' : statementKeyword(this.top0, this.top1, this.top2);
  }

  private reset(): void {
    this.started = false;
    this.parenDepth = 0;
    this.topCount = 0;
    this.wantTop = true;
    this.top0 = '';
    this.top1 = '';
    this.top2 = '';
    this.hdr = 0;
    this.prevBegin = false;
    this.bodyDepth = 0;
    this.bodyStmtStart = false;
    this.eContinue = 0;
    this.copy = 0;
  }
}

function isRoutine(word: string): boolean {
  return word === 'FUNCTION' || word === 'PROCEDURE';
}

/** Upper-cases ASCII letters only, as PostgreSQL folds keywords (`ı` must not become `I`). */
function upperAscii(s: string): string {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) >= 128) return s.replace(/[a-z]+/g, (m) => m.toUpperCase());
  }
  return s.toUpperCase();
}
