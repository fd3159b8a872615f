export const id = 156;
export const ids = [156];
export const modules = {

/***/ 8013:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Dy: () => (/* binding */ names),
/* harmony export */   E7: () => (/* binding */ nodeOf),
/* harmony export */   Eo: () => (/* binding */ tableOfIndex),
/* harmony export */   Nh: () => (/* binding */ resolveList),
/* harmony export */   T0: () => (/* binding */ splitQualified),
/* harmony export */   TM: () => (/* binding */ firstLine),
/* harmony export */   aq: () => (/* binding */ makeRisk),
/* harmony export */   bI: () => (/* binding */ isTable),
/* harmony export */   bx: () => (/* binding */ LOCK_MODES),
/* harmony export */   hd: () => (/* binding */ resolve),
/* harmony export */   nq: () => (/* binding */ newPendingFacts),
/* harmony export */   yX: () => (/* binding */ strongest)
/* harmony export */ });
/* unused harmony exports resolveName, levelOf */
function newPendingFacts() {
    return { renamed: new Map(), notNullProven: new Set(), notValidChecks: new Map() };
}
/** The payload of `node` when it is of kind `key` (`{ AlterTableStmt: … }`), else undefined. */
function nodeOf(node, key) {
    if (node === undefined || !(key in node))
        return undefined;
    return node[key];
}
/** The strings of a name list (`[{String:{sval:'public'}},{String:{sval:'t'}}]`). */
function names(list) {
    return (list ?? []).map((n) => nodeOf(n, 'String')?.sval ?? '');
}
const TABLE_KINDS = new Set(['r', 'p']);
function isTable(relation) {
    return relation !== undefined && TABLE_KINDS.has(relation.kind);
}
/**
 * Resolves `schema.name` or a bare name through the search path, as PostgreSQL does: the first
 * schema holding it wins. A relation created (or renamed to) by an earlier pending statement is
 * new, however the target's catalog spells it.
 */
function resolveName(state, schema, name) {
    const schemas = schema ? [schema] : state.searchPath;
    for (const s of schemas) {
        const qualified = `${s}.${name}`;
        const renamed = state.pending.renamed.get(qualified);
        if (renamed)
            return { qualified, existing: renamed };
        if (state.context.created.has(qualified))
            return { qualified };
        const existing = state.context.relation(s, name);
        if (existing)
            return { qualified, existing };
    }
    return { qualified: `${schemas[0] ?? 'public'}.${name}` };
}
function resolve(state, rv) {
    if (!rv?.relname)
        return undefined;
    // Temporary relations live in the session only: never existing ones of the target.
    if (rv.relpersistence === 't')
        return { qualified: `pg_temp.${rv.relname}` };
    return resolveName(state, rv.schemaname, rv.relname);
}
/** Resolves a dotted name list (`DROP TABLE s.t`). */
function resolveList(state, list) {
    const parts = names(list);
    const name = parts.at(-1);
    if (!name)
        return undefined;
    return resolveName(state, parts.length > 1 ? parts.at(-2) : undefined, name);
}
/** The table of an existing index (`ExistingRelation.table`), looked up again for its size. */
function tableOfIndex(state, index) {
    if (!index.table)
        return undefined;
    const dot = index.table.indexOf('.');
    const schema = index.table.slice(0, dot);
    const name = index.table.slice(dot + 1);
    return { qualified: index.table, existing: state.context.relation(schema, name) };
}
function splitQualified(qualified) {
    const dot = qualified.indexOf('.');
    return [qualified.slice(0, dot), qualified.slice(dot + 1)];
}
// ---------------------------------------------------------------------------------------------
// Lock modes, weakest to strongest (PostgreSQL's own numbering: a larger mode conflicts with
// everything a smaller one conflicts with, which is why ALTER TABLE takes the largest of its
// subcommands' modes)
const LOCK_MODES = [
    'ACCESS SHARE',
    'ROW SHARE',
    'ROW EXCLUSIVE',
    'SHARE UPDATE EXCLUSIVE',
    'SHARE',
    'SHARE ROW EXCLUSIVE',
    'EXCLUSIVE',
    'ACCESS EXCLUSIVE',
];
function strongest(a, b) {
    return a === undefined || LOCK_MODES.indexOf(b) > LOCK_MODES.indexOf(a) ? b : a;
}
// ---------------------------------------------------------------------------------------------
// Risks
/** The statement's first line, cut to a readable length. */
function firstLine(text, max = 100) {
    const line = (text.split(/\r?\n/, 1)[0] ?? '').trimEnd();
    return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
const LEVELS = {
    'index-not-concurrent': 'danger',
    'table-rewrite': 'danger',
    'validating-scan': 'danger',
    'breaking-change': 'danger',
    'concurrently-in-transaction': 'danger',
    'no-lock-timeout': 'warning',
    'refresh-not-concurrent': 'warning',
};
function levelOf(rule) {
    return LEVELS[rule];
}
function makeRisk(state, statement, facts) {
    const risk = {
        rule: facts.rule,
        level: LEVELS[facts.rule],
        file: state.context.file,
        line: statement.line,
        statement: firstLine(statement.text),
        source: 'predicted',
        what: statement.inBlock
            ? `In the DO block${statement.inBlock.conditional ? ' (when it gets there)' : ''}: ${facts.what}`
            : facts.what,
        saferWay: facts.saferWay,
    };
    if (facts.target)
        risk.table = facts.target.qualified;
    if (facts.lockMode)
        risk.lockMode = facts.lockMode;
    const existing = facts.target?.existing;
    if (existing)
        risk.size = { rows: existing.rows, bytes: existing.bytes };
    return risk;
}


/***/ }),

/***/ 156:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   checkDownSql: () => (/* binding */ checkDownSql)
/* harmony export */ });
/* harmony import */ var _files_down_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(9961);
/* harmony import */ var _sql_parser_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(6595);
/* harmony import */ var _context_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(8013);
/* harmony import */ var _parse_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(4520);




const qualified = (range) => {
    const r = range && (0,_context_js__WEBPACK_IMPORTED_MODULE_1__/* .nodeOf */ .E7)(range, 'RangeVar');
    return r ? [r.schemaname, r.relname].filter(Boolean).join('.') : '?';
};
const names = (object) => ((0,_context_js__WEBPACK_IMPORTED_MODULE_1__/* .nodeOf */ .E7)(object, 'List')?.items ?? []).map((n) => (0,_context_js__WEBPACK_IMPORTED_MODULE_1__/* .nodeOf */ .E7)(n, 'String')?.sval ?? '').join('.') ||
    (0,_context_js__WEBPACK_IMPORTED_MODULE_1__/* .nodeOf */ .E7)(object, 'String')?.sval ||
    '?';
/** The data one statement's tree loses: dropped tables, columns and schemas, truncated tables. */
function lossesOf(tree) {
    const drop = (0,_context_js__WEBPACK_IMPORTED_MODULE_1__/* .nodeOf */ .E7)(tree, 'DropStmt');
    if (drop?.removeType === 'OBJECT_TABLE') {
        return (drop.objects ?? []).map((o) => `DROP TABLE ${names(o)}`);
    }
    if (drop?.removeType === 'OBJECT_SCHEMA') {
        return (drop.objects ?? []).map((o) => `DROP SCHEMA ${names(o)}`);
    }
    const truncate = (0,_context_js__WEBPACK_IMPORTED_MODULE_1__/* .nodeOf */ .E7)(tree, 'TruncateStmt');
    if (truncate)
        return (truncate.relations ?? []).map((r) => `TRUNCATE ${qualified(r)}`);
    const alter = (0,_context_js__WEBPACK_IMPORTED_MODULE_1__/* .nodeOf */ .E7)(tree, 'AlterTableStmt');
    if (alter && alter.objtype === 'OBJECT_TABLE') {
        const table = alter.relation ? qualified({ RangeVar: alter.relation }) : '?';
        return (alter.cmds ?? []).flatMap((c) => {
            const cmd = (0,_context_js__WEBPACK_IMPORTED_MODULE_1__/* .nodeOf */ .E7)(c, 'AlterTableCmd');
            return cmd?.subtype === 'AT_DropColumn' ? [`DROP COLUMN ${table}.${cmd.name ?? '?'}`] : [];
        });
    }
    return [];
}
/**
 * Checks a down SQL before any rollback runs: which of its statements lose data (a table, column
 * or schema dropped, a table truncated), which control transactions, and whether it parses.
 */
async function checkDownSql(down) {
    const text = (0,_files_down_js__WEBPACK_IMPORTED_MODULE_3__/* .downTextWithFileLines */ .B)(down.sql, down.line);
    const analysis = await (0,_sql_parser_js__WEBPACK_IMPORTED_MODULE_0__/* .analyzeSql */ .Tp)(text);
    const trees = await (0,_parse_js__WEBPACK_IMPORTED_MODULE_2__/* .parseStatementTrees */ .c)(analysis.statements);
    return {
        losses: trees.flatMap((s) => lossesOf(s.tree).map((what) => ({ line: s.line, what }))),
        transactionControl: analysis.transactionControl,
        parseError: analysis.parseError,
        statements: analysis.statements,
        text,
    };
}


/***/ }),

/***/ 4520:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  c: () => (/* binding */ parseStatementTrees)
});

// UNUSED EXPORTS: parseFileStatements

// EXTERNAL MODULE: ./lib/sql/parser.js
var parser = __webpack_require__(6595);
;// CONCATENATED MODULE: ./lib/review/rules/do-blocks.js
// The SQL statements a DO block runs, read from PL/pgSQL's own parse tree (libpg-query's
// parsePlPgSQL output): what the rules can predict for a block. Pure: no parser, no database.
// Keys of PL/pgSQL statements whose bodies run only under a condition or repeatedly.
const BRANCHING = new Set([
    'PLpgSQL_stmt_if',
    'PLpgSQL_stmt_case',
    'PLpgSQL_stmt_loop',
    'PLpgSQL_stmt_while',
    'PLpgSQL_stmt_fori',
    'PLpgSQL_stmt_fors',
    'PLpgSQL_stmt_forc',
    'PLpgSQL_stmt_foreach_a',
    'PLpgSQL_stmt_dynfors',
    'PLpgSQL_exception_block',
]);
/**
 * The SQL statements of a parsed DO block: each `PLpgSQL_stmt_execsql`, and each `EXECUTE` of one
 * constant string (an EXECUTE of a built string cannot be known before it runs: the rehearsal
 * observes it). A depth-first walk keeps the text's order, since the tree lists bodies in order.
 */
function blockStatements(plpgsql) {
    const found = [];
    const walk = (node, conditional) => {
        if (Array.isArray(node)) {
            for (const item of node)
                walk(item, conditional);
            return;
        }
        if (node === null || typeof node !== 'object')
            return;
        for (const [key, value] of Object.entries(node)) {
            if (key === 'PLpgSQL_stmt_execsql') {
                const query = queryOf(value.sqlstmt);
                if (query !== undefined)
                    found.push({ sql: query, conditional });
            }
            else if (key === 'PLpgSQL_stmt_dynexecute') {
                const query = queryOf(value.query);
                const sql = query === undefined ? undefined : constantString(query);
                if (sql !== undefined)
                    found.push({ sql, conditional });
            }
            else {
                walk(value, conditional || BRANCHING.has(key));
            }
        }
    };
    walk(plpgsql, false);
    return found;
}
function queryOf(expr) {
    const query = expr?.PLpgSQL_expr?.query;
    return typeof query === 'string' ? query : undefined;
}
/** `'ALTER TABLE t …'` (one literal, `''` for a quote) as its text; anything else undefined. */
function constantString(expression) {
    const match = /^\s*'((?:[^']|'')*)'\s*$/s.exec(expression);
    return match?.[1]?.replaceAll("''", "'");
}

;// CONCATENATED MODULE: ./lib/review/rules/parse.js


let parse_parser;
/**
 * The parser module. `loadSqlParser` loads it with the bundle's `__dirname` shim and its
 * WebAssembly; importing the module again afterwards gives that same, loaded instance.
 */
function getParser() {
    parse_parser ??= (0,parser/* loadSqlParser */.Ok)().then(() => __webpack_require__.e(/* import() */ 311).then(__webpack_require__.t.bind(__webpack_require__, 5311, 19)));
    return parse_parser;
}
/**
 * Trees of statements already split (by `analyzeSql`): each text is parsed alone. A statement
 * that does not parse (it cannot be run either) is left out: the run reports it.
 */
async function parseStatementTrees(statements) {
    const pg = await getParser();
    const parsed = [];
    for (const { text, line } of statements) {
        let tree;
        try {
            tree = pg.parseSync(text).stmts?.[0]?.stmt;
        }
        catch {
            tree = undefined;
        }
        if (!tree)
            continue;
        parsed.push({ text, line, tree });
        if (isPlpgsqlBlock(tree))
            parsed.push(...blockTrees(pg, text, line));
    }
    return parsed;
}
/** A `DO` block in PL/pgSQL (the default language), whose statements the rules can read. */
function isPlpgsqlBlock(tree) {
    const args = tree.DoStmt?.args;
    if (args === undefined)
        return false;
    const language = args
        .map((arg) => arg.DefElem)
        .find((option) => option?.defname === 'language');
    const name = language?.arg?.String?.sval;
    return name === undefined || name.toLowerCase() === 'plpgsql';
}
/** The statements a DO block runs, each parsed, at the DO's line. */
function blockTrees(pg, text, line) {
    let statements;
    try {
        statements = blockStatements(pg.parsePlPgSQLSync(text));
    }
    catch {
        return []; // a block PL/pgSQL rejects fails when it runs, and the run reports it
    }
    const trees = [];
    for (const { sql, conditional } of statements) {
        try {
            const tree = pg.parseSync(sql).stmts?.[0]?.stmt;
            if (tree)
                trees.push({ text: sql.trim(), line, tree, inBlock: { conditional } });
        }
        catch {
            // not SQL the parser reads alone (a PL/pgSQL variable where a name must be): left out
        }
    }
    return trees;
}
/** Splits a file's text into statements and parses each; `[]` when the file does not parse. */
async function parseFileStatements(text) {
    const analysis = await analyzeSql(text);
    return parseStatementTrees(analysis.statements);
}


/***/ })

};
