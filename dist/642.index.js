export const id = 642;
export const ids = [642];
export const modules = {

/***/ 8642:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  finishReview: () => (/* binding */ finishReview),
  observerFor: () => (/* binding */ observerFor),
  reversalProbe: () => (/* reexport */ reversalProbe),
  startReview: () => (/* binding */ startReview)
});

// EXTERNAL MODULE: ./lib/db/session.js
var session = __webpack_require__(3794);
// EXTERNAL MODULE: ./lib/history/table.js
var table = __webpack_require__(3452);
// EXTERNAL MODULE: ./lib/report/review.js
var review = __webpack_require__(7140);
;// CONCATENATED MODULE: ./lib/review/observe/locks.js
// Lock modes as pg_locks spells them and as the report writes them. Pure.
/** pg_locks' modes, weakest first (the order of PostgreSQL's lock mode numbers). */
const LOCK_MODES = [
    'AccessShareLock',
    'RowShareLock',
    'RowExclusiveLock',
    'ShareUpdateExclusiveLock',
    'ShareLock',
    'ShareRowExclusiveLock',
    'ExclusiveLock',
    'AccessExclusiveLock',
];
/** `AccessExclusiveLock` → `ACCESS EXCLUSIVE`, as the documentation and the report name it. */
function lockModeName(mode) {
    return mode
        .replace(/Lock$/, '')
        .replace(/([a-z])([A-Z])/g, '$1 $2')
        .toUpperCase();
}
/** The rank of a mode (either spelling) from 1 (ACCESS SHARE) to 8 (ACCESS EXCLUSIVE); 0 if unknown. */
function lockStrength(mode) {
    const name = mode.endsWith('Lock') ? lockModeName(mode) : mode.toUpperCase();
    return LOCK_MODES.findIndex((m) => lockModeName(m) === name) + 1;
}

// EXTERNAL MODULE: ./lib/review/rules/context.js
var rules_context = __webpack_require__(1735);
;// CONCATENATED MODULE: ./lib/review/merge.js


/**
 * Per statement (file and line), when the rehearsal observed it:
 * - a predicted `table-rewrite` whose table was not rewritten is dropped (`varchar(10)` to
 *   `varchar(20)`, a default that turned out not volatile); one that was becomes `observed`;
 * - a predicted `validating-scan` under ACCESS EXCLUSIVE with no sequential scan of its table is
 *   dropped (SET NOT NULL proven by a valid CHECK that exists on the target); a foreign key is
 *   kept, because its validation query may use index scans;
 * - an observed lock mode on the risk's table replaces the predicted one, and a `no-lock-timeout`
 *   whose table was observed locked below ACCESS EXCLUSIVE is dropped; a lock not observed (an
 *   earlier statement of the rehearsal already held it) keeps the prediction;
 * - a rewrite of a table (relfilenode changed) that no risk of the statement names becomes an
 *   observed `table-rewrite`, and an ACCESS EXCLUSIVE lock on a table without a predicted
 *   `no-lock-timeout` becomes an observed one when the wait was unbounded.
 * Statements without an observation keep their predictions as they are.
 */
function mergeObservations(predicted, observations, relation, options = {}) {
    const byStatement = new Map();
    for (const observation of observations)
        byStatement.set(keyOf(observation), observation);
    const kindOf = (qualified) => relation(...(0,rules_context/* splitQualified */.T0)(qualified))?.kind;
    const kept = [];
    for (const risk of predicted) {
        const observation = byStatement.get(keyOf(risk));
        const merged = observation ? mergeOne(risk, observation, kindOf) : { ...risk };
        if (merged)
            kept.push(merged);
    }
    // Observed risks no rule predicted, placed after their statement's predicted ones.
    const result = [];
    const done = new Set();
    const addExtras = (key) => {
        const observation = byStatement.get(key);
        if (observation && !done.has(key))
            result.push(...unpredicted(observation, predicted, relation, options));
        done.add(key);
    };
    kept.forEach((risk, i) => {
        result.push(risk);
        const next = kept[i + 1];
        if (!next || keyOf(next) !== keyOf(risk))
            addExtras(keyOf(risk));
    });
    for (const observation of observations)
        addExtras(keyOf(observation));
    return result;
}
function keyOf(statement) {
    return `${statement.file}\n${statement.line}`;
}
function observedLock(observation, table) {
    let mode;
    for (const lock of observation.locks) {
        const name = lockModeName(lock.mode);
        if (lock.relation === table && rules_context/* LOCK_MODES */.bx.includes(name)) {
            mode = (0,rules_context/* strongest */.yX)(mode, name);
        }
    }
    return mode;
}
function mergeOne(risk, observation, kindOf) {
    const merged = { ...risk };
    const table = risk.table;
    if (table === undefined)
        return merged;
    const partitioned = kindOf(table) === 'p';
    if (risk.rule === 'table-rewrite') {
        // A partitioned table has no storage: its partitions are the ones rewritten.
        const rewritten = partitioned
            ? observation.rewritten.length > 0
            : observation.rewritten.includes(table);
        if (!rewritten)
            return undefined;
        merged.source = 'observed';
    }
    if (risk.rule === 'validating-scan' && risk.lockMode === 'ACCESS EXCLUSIVE' && !partitioned) {
        const scanned = observation.tables.some((t) => t.relation === table && t.seqScans > 0);
        if (!scanned)
            return undefined;
    }
    const lock = observedLock(observation, table);
    if (lock) {
        if (risk.rule === 'no-lock-timeout' && lock !== 'ACCESS EXCLUSIVE')
            return undefined;
        // The rehearsal saw the lock the rule is about: the finding is a fact of the target now,
        // with how long the statement held it there.
        merged.lockMode = lock;
        merged.source = 'observed';
    }
    if (merged.source === 'observed')
        merged.durationMs = observation.durationMs;
    return merged;
}
const TABLE_KINDS = new Set(['r', 'p', 'm']);
function unpredicted(observation, predicted, relation, options) {
    const key = keyOf(observation);
    const ofStatement = predicted.filter((r) => keyOf(r) === key);
    const statement = observation.statement !== undefined
        ? (0,rules_context/* firstLine */.TM)(observation.statement)
        : (ofStatement[0]?.statement ?? '');
    const risks = [];
    const base = (table) => {
        const existing = relation(...(0,rules_context/* splitQualified */.T0)(table));
        return {
            file: observation.file,
            line: observation.line,
            statement,
            table,
            source: 'observed',
            ...(existing ? { size: { rows: existing.rows, bytes: existing.bytes } } : {}),
            kind: existing?.kind,
        };
    };
    const rewriteOfPartitioned = ofStatement.some((r) => r.rule === 'table-rewrite' &&
        r.table !== undefined &&
        relation(...(0,rules_context/* splitQualified */.T0)(r.table))?.kind === 'p');
    for (const table of new Set(observation.rewritten)) {
        const { kind, ...common } = base(table);
        if (!kind || !TABLE_KINDS.has(kind))
            continue;
        if (rewriteOfPartitioned || ofStatement.some((r) => r.table === table))
            continue;
        risks.push({
            ...common,
            rule: 'table-rewrite',
            level: 'danger',
            lockMode: observedLock(observation, table) ?? 'ACCESS EXCLUSIVE',
            what: `The rehearsal saw ${table} rewritten (its files were replaced) under ${observedLock(observation, table) ?? 'ACCESS EXCLUSIVE'}.`,
            saferWay: 'Find which part of the statement rewrites the table (a type change, a volatile default, a stored generated column) and split it into a metadata-only change plus a backfill in batches.',
        });
    }
    if (options.lockWaitBounded?.(observation.file, observation.line))
        return risks;
    const locked = new Set(observation.locks
        .filter((l) => lockModeName(l.mode) === 'ACCESS EXCLUSIVE')
        .map((l) => l.relation));
    for (const table of locked) {
        const { kind, ...common } = base(table);
        if (!kind || !TABLE_KINDS.has(kind))
            continue;
        if (ofStatement.some((r) => r.rule === 'no-lock-timeout' && r.table === table))
            continue;
        risks.push({
            ...common,
            rule: 'no-lock-timeout',
            level: 'warning',
            lockMode: 'ACCESS EXCLUSIVE',
            what: `The rehearsal saw the statement take ACCESS EXCLUSIVE on ${table} with no lock_timeout: queued behind a long query, it blocks every read and write of ${table} meanwhile.`,
            saferWay: `Set the action's lock-timeout input (e.g. 5s), or put SET lock_timeout = '5s'; before it in this file, so it gives up quickly instead of queueing everyone behind it.`,
        });
    }
    return risks;
}

;// CONCATENATED MODULE: ./lib/review/observe/columns.js
// On 18 a NOT NULL constraint added NOT VALID also sets attnotnull, yet SET NOT NULL scans to
// validate it: only a column without such a constraint counts as NOT NULL already.
const COLUMNS_SQL = `SELECT n.nspname AS schema, c.relname AS name, a.attname AS column,
  format_type(a.atttypid, a.atttypmod) AS type,
  a.attnotnull AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid
    AND k.contype = 'n' AND NOT k.convalidated AND a.attnum = ANY (k.conkey)) AS not_null
FROM unnest($1::text[], $2::text[]) AS t(schema, name)
JOIN pg_namespace n ON n.nspname = t.schema
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.name
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped`;
const CHECKS_SQL = `SELECT n.nspname AS schema, c.relname AS name, pg_get_constraintdef(k.oid) AS def
FROM unnest($1::text[], $2::text[]) AS t(schema, name)
JOIN pg_namespace n ON n.nspname = t.schema
JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t.name
JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'c' AND k.convalidated`;
/** `CHECK ((col IS NOT NULL))` or `CHECK (("Col" IS NOT NULL))` as pg_get_constraintdef writes it. */
const NOT_NULL_CHECK = /^CHECK \(\(?("(?:[^"]|"")+"|[^\s()"]+) IS NOT NULL\)?\)$/;
function unquote(identifier) {
    return identifier.startsWith('"') ? identifier.slice(1, -1).replaceAll('""', '"') : identifier;
}
/**
 * Reads, in two queries, the columns (type, NOT NULL) and the valid NOT NULL checks of `tables` (qualified
 * `schema.name`, as the catalog stores them). Only the tables the pending statements alter are
 * asked for, so the cost does not grow with the size of the schema.
 */
async function readColumnFacts(client, tables) {
    const types = new Map();
    const proven = new Set();
    if (tables.length > 0) {
        const schemas = tables.map((t) => t.schema);
        const names = tables.map((t) => t.name);
        const columns = await client.query(COLUMNS_SQL, [schemas, names]);
        const checks = await client.query(CHECKS_SQL, [
            schemas,
            names,
        ]);
        for (const row of columns.rows) {
            types.set(`${row.schema}.${row.name}\n${row.column}`, row.type);
            if (row.not_null)
                proven.add(`${row.schema}.${row.name}\n${row.column}`);
        }
        for (const row of checks.rows) {
            const match = NOT_NULL_CHECK.exec(row.def);
            if (match?.[1])
                proven.add(`${row.schema}.${row.name}\n${unquote(match[1])}`);
        }
    }
    return {
        columnType: (table, column) => types.get(`${table}\n${column}`),
        provenNotNull: (table, column) => proven.has(`${table}\n${column}`),
    };
}

// EXTERNAL MODULE: ./lib/review/observe/errors.js
var errors = __webpack_require__(7976);
;// CONCATENATED MODULE: ./lib/review/catalog/diff.js
/** The order kinds are listed in: containers first, then what hangs on tables, then the rest. */
const KIND_ORDER = [
    'schema',
    'extension',
    'table',
    'column',
    'index',
    'constraint',
    'enum',
    'view',
    'function',
    'trigger',
];
/** The object a change is about (after for a change in place). */
function changedObject(change) {
    return 'object' in change ? change.object : change.after;
}
/** `schema.table` of the table an object hangs on (or is), if any. */
function tableOf(object) {
    if (object.kind === 'table')
        return `${object.schema}.${object.name}`;
    if ('table' in object)
        return `${object.schema}.${object.table}`;
    return undefined;
}
function sameFacts(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
}
function compare(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
}
function sortKey(change) {
    const object = changedObject(change);
    const kind = String(KIND_ORDER.indexOf(object.kind)).padStart(2, '0');
    const where = tableOf(object) ?? `${object.schema}.${object.name}`;
    const value = 'enumValue' in change ? `\u0001${change.enumValue}` : '';
    return `${kind} ${where} ${object.name}${'args' in object ? `(${object.args})` : ''}${value} ${change.op}`;
}
/**
 * What changed from `before` to `after`, sorted by kind, then table, then name. An added or
 * removed table carries its columns, indexes, constraints and triggers: a removed table's own
 * objects get no lines, nor do an added table's columns (they are listed on its line).
 */
function diffSchemas(before, after) {
    const changes = [];
    const addedTables = new Set();
    const removedTables = new Set();
    const columnsOf = new Map();
    for (const object of after.objects.values()) {
        if (object.kind !== 'column')
            continue;
        const table = `${object.schema}.${object.table}`;
        const list = columnsOf.get(table);
        if (list)
            list.push(object);
        else
            columnsOf.set(table, [object]);
    }
    for (const [key, object] of after.objects) {
        const old = before.objects.get(key);
        if (!old) {
            if (object.kind === 'table') {
                const table = `${object.schema}.${object.name}`;
                addedTables.add(table);
                changes.push({ op: '+', object, columns: columnsOf.get(table) ?? [] });
            }
            else {
                changes.push({ op: '+', object });
            }
        }
        else if (object.kind === 'enum' && old.kind === 'enum') {
            changes.push(...enumChanges(old, object));
        }
        else if (!sameFacts(old, object)) {
            changes.push({ op: '~', before: old, after: object });
        }
    }
    for (const [key, object] of before.objects) {
        if (after.objects.has(key))
            continue;
        if (object.kind === 'table')
            removedTables.add(`${object.schema}.${object.name}`);
        changes.push({ op: '-', object });
    }
    const kept = changes.filter((change) => {
        const object = changedObject(change);
        if (object.kind === 'table' || change.op === '~')
            return true;
        const table = tableOf(object);
        if (table === undefined)
            return true;
        if (change.op === '-')
            return !removedTables.has(table);
        return !(object.kind === 'column' && addedTables.has(table));
    });
    return kept.sort((a, b) => compare(sortKey(a), sortKey(b)));
}
function enumChanges(before, after) {
    const changes = [];
    for (const label of after.labels) {
        if (!before.labels.includes(label))
            changes.push({ op: '+', enumValue: label, object: after });
    }
    for (const label of before.labels) {
        if (!after.labels.includes(label))
            changes.push({ op: '-', enumValue: label, object: before });
    }
    // The values both have, in a different order: the type changed in place.
    const common = (labels, other) => labels.filter((l) => other.includes(l));
    if (common(before.labels, after.labels).join('\0') !==
        common(after.labels, before.labels).join('\0')) {
        changes.push({ op: '~', before, after });
    }
    return changes;
}
/** Whether two snapshots describe the same schema. */
function equalSchemas(a, b) {
    return diffSchemas(a, b).length === 0;
}
/** Compares the schema before a migration's up with the schema after its down. */
function compareRollback(beforeUp, afterDown) {
    const changes = diffSchemas(beforeUp, afterDown);
    return {
        reversible: changes.length === 0,
        leftBehind: changes.filter((c) => c.op === '+'),
        removedTooMuch: changes.filter((c) => c.op === '-'),
        notRestored: changes.filter((c) => c.op === '~'),
    };
}

;// CONCATENATED MODULE: ./lib/review/catalog/render.js
/** The longest line rendered; a longer definition is cut with an ellipsis. */
const MAX_LINE = 200;
// format_type's long names, as people write them.
const SHORT_TYPES = [
    [/\bcharacter varying\b/g, 'varchar'],
    [/\bcharacter\b/g, 'char'],
    [/\btimestamp(\(\d+\))? with time zone\b/g, 'timestamptz$1'],
    [/\btimestamp(\(\d+\))? without time zone\b/g, 'timestamp$1'],
    [/\btime(\(\d+\))? with time zone\b/g, 'timetz$1'],
    [/\btime(\(\d+\))? without time zone\b/g, 'time$1'],
    [/\bbit varying\b/g, 'varbit'],
];
/** A type as people write it: `character varying(100)` → `varchar(100)`. */
function shortType(type) {
    return SHORT_TYPES.reduce((t, [pattern, short]) => t.replace(pattern, short), type);
}
/** A name qualified with its schema only when that is not `public`. */
function qualify(schema, name) {
    return schema === 'public' ? name : `${schema}.${name}`;
}
/** `schema.table` as qualify writes it. */
function qualifyPath(path) {
    return path.startsWith('public.') ? path.slice('public.'.length) : path;
}
function cut(line) {
    return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
}
function columnFacts(c) {
    const parts = [shortType(c.type)];
    if (c.notNull)
        parts.push('not null');
    if (c.identity)
        parts.push(`generated ${c.identity} as identity`);
    if (c.generated !== undefined)
        parts.push(`generated always as (${c.generated}) stored`);
    if (c.default !== undefined)
        parts.push(`default ${c.default}`);
    return parts.join(' ');
}
/** `CREATE UNIQUE INDEX x ON public.t USING btree (a)` → `unique index x on t using btree (a)`. */
function indexFacts(i) {
    const match = /^CREATE (UNIQUE )?INDEX \S+ ON (?:ONLY )?\S+ (USING .*)$/s.exec(i.definition);
    const what = `${match?.[1] ? 'unique ' : ''}index ${qualify(i.schema, i.name)}`;
    const how = match?.[2]
        ? `on ${qualify(i.schema, i.table)} ${match[2].replace(/^USING/, 'using')}`
        : i.definition;
    return `${what} ${how}${i.valid ? '' : ' (invalid)'}`;
}
function render_name(object) {
    switch (object.kind) {
        case 'column':
            return `column ${qualify(object.schema, object.table)}.${object.name}`;
        case 'constraint':
        case 'trigger':
            return `${object.kind} ${object.name} on ${qualify(object.schema, object.table)}`;
        case 'function':
            return `${object.routine} ${qualify(object.schema, object.name)}(${object.args})`;
        case 'view':
            return `${object.materialized ? 'materialized view' : 'view'} ${qualify(object.schema, object.name)}`;
        case 'table':
            return `${object.tableKind === 'table' ? '' : object.tableKind.replace(/table$/, '')}${object.unlogged ? 'unlogged ' : ''}table ${qualify(object.schema, object.name)}`;
        case 'schema':
        case 'extension':
            return `${object.kind} ${object.name}`;
        default:
            return `${object.kind} ${qualify(object.schema, object.name)}`;
    }
}
function added(change) {
    const o = change.object;
    if ('enumValue' in change)
        return `+ enum value ${qualify(o.schema, o.name)}.${change.enumValue}`;
    switch (o.kind) {
        case 'table': {
            const columns = ('columns' in change ? (change.columns ?? []) : []).map((c) => `${c.name} ${columnFacts(c)}`);
            const partition = o.partitionOf
                ? [`partition of ${qualifyPath(o.partitionOf)} ${o.bound ?? ''}`.trim()]
                : [];
            const inside = [...partition, ...columns].join(', ');
            return `+ ${render_name(o)}${inside ? ` (${inside})` : ''}`;
        }
        case 'column':
            return `+ ${render_name(o)} ${columnFacts(o)}`;
        case 'index':
            return `+ ${indexFacts(o)}`;
        case 'constraint':
            return `+ ${render_name(o)}: ${o.definition}`;
        case 'enum':
            return `+ ${render_name(o)} (${o.labels.join(', ')})`;
        case 'extension':
            return `+ ${render_name(o)} ${o.version}`;
        case 'function':
            return `+ ${render_name(o)}${o.routine === 'procedure' ? '' : ` returns ${o.result}`}`;
        default:
            return `+ ${render_name(o)}`;
    }
}
/** What differs between two versions of one object, as `before → after` parts. */
function differences(before, after) {
    const parts = [];
    const pair = (label, a, b) => {
        if (a !== b)
            parts.push(`${label}${label ? ' ' : ''}${a} → ${b}`);
    };
    if (before.kind === 'column' && after.kind === 'column') {
        pair('', shortType(before.type), shortType(after.type));
        pair('', before.notNull ? 'not null' : 'nullable', after.notNull ? 'not null' : 'nullable');
        pair('default', before.default ?? 'none', after.default ?? 'none');
        pair('identity', before.identity ?? 'none', after.identity ?? 'none');
        pair('generated', before.generated ?? 'none', after.generated ?? 'none');
    }
    else if (before.kind === 'table' && after.kind === 'table') {
        pair('', before.tableKind, after.tableKind);
        pair('', before.unlogged ? 'unlogged' : 'logged', after.unlogged ? 'unlogged' : 'logged');
        pair('row level security', before.rowSecurity ? 'on' : 'off', after.rowSecurity ? 'on' : 'off');
        const partition = (t) => t.partitionOf
            ? `partition of ${qualifyPath(t.partitionOf)} ${t.bound ?? ''}`.trim()
            : 'not a partition';
        pair('', partition(before), partition(after));
    }
    else if (before.kind === 'index' && after.kind === 'index') {
        if (before.definition !== after.definition)
            parts.push(`${indexFacts(before)} → ${indexFacts(after)}`);
        pair('', before.valid ? 'valid' : 'invalid', after.valid ? 'valid' : 'invalid');
    }
    else if (before.kind === 'constraint' && after.kind === 'constraint') {
        pair('', before.definition, after.definition);
    }
    else if (before.kind === 'enum' && after.kind === 'enum') {
        pair('order', before.labels.join(', '), after.labels.join(', '));
    }
    else if (before.kind === 'view' && after.kind === 'view') {
        pair('', before.materialized ? 'materialized' : 'plain', after.materialized ? 'materialized' : 'plain');
        if (before.definition !== after.definition)
            parts.push('definition changed');
    }
    else if (before.kind === 'function' && after.kind === 'function') {
        pair('returns', before.result, after.result);
        pair('', before.routine, after.routine);
        if (parts.length === 0 && before.hash !== after.hash)
            parts.push('definition changed');
    }
    else if (before.kind === 'trigger' && after.kind === 'trigger') {
        if (before.definition !== after.definition)
            parts.push('definition changed');
        pair('', before.enabled ? 'enabled' : 'disabled', after.enabled ? 'enabled' : 'disabled');
    }
    else if (before.kind === 'extension' && after.kind === 'extension') {
        pair('', before.version, after.version);
        pair('schema', before.schema, after.schema);
    }
    return parts;
}
/** One line for one change. */
function renderChange(change) {
    if (change.op === '~') {
        const parts = differences(change.before, change.after);
        const separator = change.after.kind === 'column' ? ' ' : ': ';
        return cut(`~ ${render_name(change.after)}${parts.length ? `${separator}${parts.join(', ')}` : ''}`);
    }
    if (change.op === '+')
        return cut(added(change));
    const o = change.object;
    if ('enumValue' in change)
        return cut(`- enum value ${qualify(o.schema, o.name)}.${change.enumValue}`);
    return cut(`- ${o.kind === 'index' ? `index ${qualify(o.schema, o.name)}` : render_name(o)}`);
}
/** The lines of `changes` (already sorted by diffSchemas), at most `limit`, then how many more. */
function renderChanges(changes, limit = 100) {
    const lines = changes.slice(0, limit).map(renderChange);
    const rest = changes.length - lines.length;
    if (rest > 0)
        lines.push(`… and ${rest} more schema change${rest === 1 ? '' : 's'}`);
    return lines;
}
/** The rollback proof in one sentence: `reversible`, or what the down SQL leaves behind, removes or does not restore. */
function describeRollback(comparison, limit = 5) {
    if (comparison.reversible)
        return 'reversible';
    const list = (changes) => {
        const names = changes.slice(0, limit).map((c) => renderChange(c).slice(2));
        const rest = changes.length - names.length;
        return `${names.join('; ')}${rest > 0 ? `; and ${rest} more` : ''}`;
    };
    const parts = [];
    if (comparison.leftBehind.length)
        parts.push(`leaves behind ${list(comparison.leftBehind)}`);
    if (comparison.removedTooMuch.length)
        parts.push(`removes too much: ${list(comparison.removedTooMuch)}`);
    if (comparison.notRestored.length)
        parts.push(`does not restore ${list(comparison.notRestored)}`);
    return `not reversible: the down SQL ${parts.join('; it ')}`;
}

;// CONCATENATED MODULE: ./lib/review/catalog/scope.js
// Catalogs whose names a snapshot's text can hold (format_type, pg_get_*def, pg_get_expr): a
// rename there changes the text of objects on relations the transaction never locked.
const NAMED = [
    ['pg_type', 'typname'],
    ['pg_proc', 'proname'],
    ['pg_operator', 'oprname'],
    ['pg_collation', 'collname'],
    ['pg_opclass', 'opcname'],
    ['pg_opfamily', 'opfname'],
    ['pg_ts_config', 'cfgname'],
    ['pg_ts_dict', 'dictname'],
];
const SHARED_SQL = [['pg_class', 'relname'], ...NAMED]
    .map(([catalog, name]) => `SELECT '${catalog}' AS catalog, ${name}::text AS name, count(*)::int AS count FROM ${catalog} WHERE oid >= 16384 GROUP BY ${name} HAVING count(*) > 1`)
    .join('\nUNION ALL\n');
/** The schemas and shared names: one round trip, before the rehearsal's first statement. */
async function readScopeStart(client) {
    // Several statements in one text: pg answers with one result per statement.
    const [schemas, shared] = (await client.query(`SELECT oid::int8 AS oid, nspname::text AS name FROM pg_namespace;
     ${SHARED_SQL}`));
    return {
        schemas: (schemas?.rows ?? []).map((row) => ({ oid: Number(row.oid), name: String(row.name) })),
        shared: (shared?.rows ?? []).map((row) => ({
            catalog: String(row.catalog),
            name: String(row.name),
            count: Number(row.count),
        })),
    };
}
// A row whose xmin is the transaction's xid or later is one it wrote (or one a transaction that
// committed since wrote: more than needed, never less). age() counts from the transaction's own
// xid, so its subtransactions' rows (savepoints) are negative.
const ours = (alias) => `age(${alias}.xmin) <= 0`;
/**
 * The relations a difference can be on: (1) every relation the transaction holds a lock on (every
 * DDL locks what it changes, also what a CASCADE drops; a relation it creates is locked by it);
 * (2) every relation whose columns, defaults, indexes, constraints, rules (views) or triggers
 * depend (pg_depend) on a relation of (1) or on a type, enum, function, operator, collation,
 * operator class or text search object the transaction created or changed, or on any object of
 * a name such an object got, or a name fewer objects carry than at the start (which object a name
 * means depends on the search path, and pg_get_*def qualifies a name that is not the one it
 * means). Renamed enum values count as changes of their type. One query.
 */
const NAME_COLUMNS = [['pg_class', 'relname'], ...NAMED];
const SCOPE_SQL = `
WITH changed AS (
  SELECT 'pg_class'::regclass AS classid, c.oid
  FROM pg_class c WHERE c.oid >= 16384 AND ${ours('c')}
  UNION
  SELECT 'pg_class'::regclass, l.relation
  FROM pg_locks l
  WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation' AND l.granted AND l.relation >= 16384
  UNION
  SELECT 'pg_type'::regclass, e.enumtypid FROM pg_enum e WHERE ${ours('e')}
  ${NAMED.map(([catalog]) => `UNION SELECT '${catalog}'::regclass, x.oid FROM ${catalog} x WHERE ${ours('x')}`).join('\n  ')}
), names AS (
  -- What a name means can change when an object gets it (created, renamed, moved: its row is
  -- the transaction's) or loses it (dropped, renamed: one holder fewer than at the start).
  ${NAME_COLUMNS.map(([catalog, name]) => `SELECT '${catalog}'::regclass AS classid, x.${name}::text AS name FROM ${catalog} x WHERE x.oid >= 16384 AND ${ours('x')}`).join('\n  UNION ')}
  UNION
  SELECT s.catalog::regclass, s.name FROM unnest($3::text[], $4::text[], $5::int[]) AS s(catalog, name, count)
  WHERE s.count <> CASE s.catalog
    ${NAME_COLUMNS.map(([catalog, name]) => `WHEN '${catalog}' THEN (SELECT count(*) FROM ${catalog} x WHERE x.${name} = s.name AND x.oid >= 16384)`).join('\n    ')}
  END
), refs AS (
  SELECT classid, oid FROM changed
  ${NAME_COLUMNS.map(([catalog, name]) => `UNION SELECT '${catalog}'::regclass, x.oid FROM ${catalog} x WHERE x.${name} IN (SELECT name FROM names WHERE classid = '${catalog}'::regclass)`).join('\n  ')}
)
SELECT (SELECT count(*) FROM changed WHERE oid < 16384)::int AS builtin,
  coalesce((SELECT array_agg(DISTINCT rel::int8) FROM (
    SELECT oid AS rel FROM refs WHERE classid = 'pg_class'::regclass
    UNION ALL
    SELECT CASE d.classid
      WHEN 'pg_class'::regclass THEN d.objid
      WHEN 'pg_attrdef'::regclass THEN (SELECT adrelid FROM pg_attrdef WHERE oid = d.objid)
      WHEN 'pg_constraint'::regclass THEN (SELECT conrelid FROM pg_constraint WHERE oid = d.objid)
      WHEN 'pg_rewrite'::regclass THEN (SELECT ev_class FROM pg_rewrite WHERE oid = d.objid)
      WHEN 'pg_trigger'::regclass THEN (SELECT tgrelid FROM pg_trigger WHERE oid = d.objid)
    END
    FROM pg_depend d JOIN refs r ON d.refclassid = r.classid AND d.refobjid = r.oid
  ) s WHERE rel IS NOT NULL AND rel <> 0), '{}') AS relations,
  (SELECT count(*) FROM pg_namespace n JOIN unnest($1::int8[], $2::text[]) AS s(oid, name)
    ON s.oid = n.oid WHERE n.nspname <> s.name)::int AS renamed`;
/**
 * The scope of the rehearsal's snapshots, read inside its transaction after its last statement,
 * or undefined when only a whole snapshot is exact: a schema of `start` renamed (every name in
 * it changed, and dependencies on pinned schemas are not recorded), or a built-in type, function
 * or the like changed (nothing records what depends on those). (A role's name is not written into
 * any of it: PostgreSQL refuses a regrole constant in a stored expression.)
 */
async function rehearsalScope(client, start) {
    const { rows } = await client.query(SCOPE_SQL, [
        start.schemas.map((s) => s.oid),
        start.schemas.map((s) => s.name),
        start.shared.map((s) => s.catalog),
        start.shared.map((s) => s.name),
        start.shared.map((s) => s.count),
    ]);
    const row = rows[0];
    if (!row || row.builtin > 0 || row.renamed > 0)
        return undefined;
    return { relations: row.relations.map(Number).sort((a, b) => a - b) };
}

;// CONCATENATED MODULE: ./lib/review/catalog/snapshot.js
/** A key that identifies an object across snapshots (oids change when an object is re-created). */
function objectKey(object) {
    switch (object.kind) {
        case 'extension':
            return `extension ${object.name}`;
        case 'column':
        case 'constraint':
        case 'trigger':
            return `${object.kind} ${object.schema}.${object.table}.${object.name}`;
        case 'function':
            return `function ${object.schema}.${object.name}(${object.args})`;
        default:
            return `${object.kind} ${object.schema}.${object.name}`;
    }
}
const notExtensionMember = (catalog, oid) => `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '${catalog}'::regclass AND e.objid = ${oid} AND e.deptype = 'e')`;
/**
 * `AND (a = ANY(…) OR b = ANY(…))` for a scope (its relations' oids are numbers, written into the
 * text: the snapshot is one simple-protocol message), nothing without one.
 */
function scopeFilter(scope) {
    if (!scope)
        return () => '';
    const list = `'{${scope.relations.map((oid) => String(Math.trunc(oid))).join(',')}}'::oid[]`;
    return (...oids) => ` AND (${oids.map((oid) => `${oid} = ANY(${list})`).join(' OR ')})`;
}
/**
 * One query per kind, sent together as one simple-protocol message (one round trip). Objects that
 * belong to an extension are left out (the extension itself is listed), as are the copies
 * PostgreSQL makes on partitions and inheritance children of a parent's columns, indexes,
 * constraints and triggers: the parent's line says it once.
 */
function snapshotSql(schemaFilter, only) {
    const inSchemas = `n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)' ${schemaFilter}`;
    return `
SELECT n.nspname AS schema FROM pg_namespace n WHERE ${inSchemas};
SELECT x.extname AS name, n.nspname AS schema, x.extversion AS version
FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace
WHERE x.extname <> 'plpgsql' AND ${inSchemas};
SELECT c.oid::int8 AS rel, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
       c.relpersistence = 'u' AS unlogged, c.relrowsecurity AS rls,
       CASE WHEN c.relispartition THEN (
         SELECT pn.nspname || '.' || p.relname FROM pg_inherits i
         JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
         WHERE i.inhrelid = c.oid) END AS partition_of,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'f') AND ${inSchemas} AND ${notExtensionMember('pg_class', 'c.oid')}${only('c.oid')};
SELECT c.oid::int8 AS rel, n.nspname AS schema, c.relname AS table, a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
       pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity::text AS identity,
       a.attgenerated::text AS generated
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relkind IN ('r', 'p', 'f') AND NOT c.relispartition AND a.attnum > 0
  AND NOT a.attisdropped AND (a.attislocal OR a.attinhcount = 0)
  AND ${inSchemas} AND ${notExtensionMember('pg_class', 'c.oid')}${only('c.oid')}
ORDER BY n.nspname, c.relname, a.attnum;
SELECT x.indrelid::int8 AS rel, x.indexrelid::int8 AS rel2, n.nspname AS schema, ic.relname AS name, tc.relname AS table,
       pg_get_indexdef(ic.oid) AS definition, x.indisvalid AS valid
FROM pg_index x
JOIN pg_class ic ON ic.oid = x.indexrelid JOIN pg_class tc ON tc.oid = x.indrelid
JOIN pg_namespace n ON n.oid = ic.relnamespace
WHERE NOT ic.relispartition AND ${inSchemas} AND ${notExtensionMember('pg_class', 'tc.oid')}
  ${only('x.indrelid', 'x.indexrelid')};
SELECT c.oid::int8 AS rel, n.nspname AS schema, c.relname AS table, k.conname AS name, k.contype::text AS type,
       pg_get_constraintdef(k.oid) AS definition
FROM pg_constraint k
JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE k.contype <> 'n' AND k.conparentid = 0 AND (k.conislocal OR k.coninhcount = 0)
  AND ${inSchemas} AND ${notExtensionMember('pg_class', 'c.oid')}${only('c.oid')};
SELECT n.nspname AS schema, t.typname AS name,
       coalesce(array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FILTER (WHERE e.oid IS NOT NULL), '{}') AS labels
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_enum e ON e.enumtypid = t.oid
WHERE t.typtype = 'e' AND ${inSchemas} AND ${notExtensionMember('pg_type', 't.oid')}
GROUP BY 1, 2;
SELECT c.oid::int8 AS rel, n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized,
       pg_get_viewdef(c.oid) AS definition
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND ${inSchemas} AND ${notExtensionMember('pg_class', 'c.oid')}${only('c.oid')};
SELECT n.nspname AS schema, p.proname AS name, pg_get_function_identity_arguments(p.oid) AS args,
       p.prokind::text AS routine, coalesce(pg_get_function_result(p.oid), '') AS result,
       md5(CASE WHEN p.prokind = 'a'
                THEN concat_ws(' ', pg_get_function_arguments(p.oid), pg_get_function_result(p.oid),
                               a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggtranstype, a.agginitval)
                ELSE pg_get_functiondef(p.oid) END) AS hash
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
WHERE ${inSchemas} AND ${notExtensionMember('pg_proc', 'p.oid')};
SELECT c.oid::int8 AS rel, n.nspname AS schema, c.relname AS table, g.tgname AS name,
       pg_get_triggerdef(g.oid) AS definition, g.tgenabled <> 'D' AS enabled
FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE NOT g.tgisinternal AND g.tgparentid = 0 AND ${inSchemas}
  AND ${notExtensionMember('pg_class', 'c.oid')}${only('c.oid')};`;
}
const snapshot_text = (row, column) => String(row[column] ?? '');
const optional = (row, column) => {
    const value = row[column];
    return value === null || value === undefined || value === '' ? undefined : String(value);
};
const snapshot_TABLE_KINDS = { r: 'table', p: 'partitioned table', f: 'foreign table' };
const ROUTINES = { f: 'function', p: 'procedure', a: 'aggregate', w: 'window function' };
/**
 * The schema of the user schemas (or of `schemas` only): one round trip. Run it inside the
 * rehearsal's transaction to see its uncommitted changes; it reads no user table and takes no
 * lock on user relations. With a `scope`, tables, columns, indexes, constraints, views and
 * triggers are read for its relations only (an index also when only its table is in scope).
 */
async function snapshotSchema(client, schemas, scope) {
    const filter = schemas
        ? `AND n.nspname = ANY(ARRAY[${schemas.map((s) => client.escapeLiteral(s)).join(', ') || 'NULL'}]::text[])`
        : '';
    // Several statements in one text: pg answers with one result per statement.
    const results = (await client.query(snapshotSql(filter, scopeFilter(scope))));
    const [spaces, extensions, tables, columns, indexes, constraints, enums, views, functions, triggers,] = results.map((r) => r.rows);
    const objects = [];
    const owners = new Map();
    const add = (object, r) => {
        objects.push(object);
        const oids = [r.rel, r.rel2].filter((v) => v !== undefined && v !== null).map(Number);
        owners.set(objectKey(object), oids);
    };
    for (const r of spaces ?? [])
        objects.push({ kind: 'schema', schema: snapshot_text(r, 'schema'), name: snapshot_text(r, 'schema') });
    for (const r of extensions ?? []) {
        objects.push({
            kind: 'extension',
            schema: snapshot_text(r, 'schema'),
            name: snapshot_text(r, 'name'),
            version: snapshot_text(r, 'version'),
        });
    }
    for (const r of tables ?? []) {
        const object = {
            kind: 'table',
            schema: snapshot_text(r, 'schema'),
            name: snapshot_text(r, 'name'),
            tableKind: snapshot_TABLE_KINDS[snapshot_text(r, 'kind')] ?? 'table',
            unlogged: r.unlogged === true,
            rowSecurity: r.rls === true,
        };
        const parent = optional(r, 'partition_of');
        if (parent !== undefined) {
            object.partitionOf = parent;
            object.bound = snapshot_text(r, 'bound');
        }
        add(object, r);
    }
    for (const r of columns ?? []) {
        const object = {
            kind: 'column',
            schema: snapshot_text(r, 'schema'),
            table: snapshot_text(r, 'table'),
            name: snapshot_text(r, 'name'),
            type: snapshot_text(r, 'type'),
            notNull: r.not_null === true,
        };
        const generated = optional(r, 'generated');
        const expression = optional(r, 'default');
        if (generated !== undefined)
            object.generated = expression ?? '';
        else if (expression !== undefined)
            object.default = expression;
        const identity = optional(r, 'identity');
        if (identity !== undefined)
            object.identity = identity === 'a' ? 'always' : 'by default';
        add(object, r);
    }
    for (const r of indexes ?? []) {
        add({
            kind: 'index',
            schema: snapshot_text(r, 'schema'),
            name: snapshot_text(r, 'name'),
            table: snapshot_text(r, 'table'),
            definition: snapshot_text(r, 'definition'),
            valid: r.valid === true,
        }, r);
    }
    for (const r of constraints ?? []) {
        add({
            kind: 'constraint',
            schema: snapshot_text(r, 'schema'),
            table: snapshot_text(r, 'table'),
            name: snapshot_text(r, 'name'),
            type: snapshot_text(r, 'type'),
            definition: snapshot_text(r, 'definition'),
        }, r);
    }
    for (const r of enums ?? []) {
        const labels = Array.isArray(r.labels) ? r.labels.map(String) : [];
        objects.push({ kind: 'enum', schema: snapshot_text(r, 'schema'), name: snapshot_text(r, 'name'), labels });
    }
    for (const r of views ?? []) {
        add({
            kind: 'view',
            schema: snapshot_text(r, 'schema'),
            name: snapshot_text(r, 'name'),
            materialized: r.materialized === true,
            definition: snapshot_text(r, 'definition'),
        }, r);
    }
    for (const r of functions ?? []) {
        objects.push({
            kind: 'function',
            schema: snapshot_text(r, 'schema'),
            name: snapshot_text(r, 'name'),
            args: snapshot_text(r, 'args'),
            routine: ROUTINES[snapshot_text(r, 'routine')] ?? 'function',
            result: snapshot_text(r, 'result'),
            hash: snapshot_text(r, 'hash'),
        });
    }
    for (const r of triggers ?? []) {
        add({
            kind: 'trigger',
            schema: snapshot_text(r, 'schema'),
            table: snapshot_text(r, 'table'),
            name: snapshot_text(r, 'name'),
            definition: snapshot_text(r, 'definition'),
            enabled: r.enabled === true,
        }, r);
    }
    return { objects: new Map(objects.map((o) => [objectKey(o), o])), owners };
}
/**
 * A whole snapshot brought up to date by a scoped one: `base`'s objects on relations outside
 * `scope`, and everything `scoped` read (tables and the like of the scope, and every schema,
 * extension, enum and function). Exact when nothing outside the scope changed since `base` was
 * read, as rehearsalScope makes sure for a scope read later in the same transaction.
 */
function overlaySnapshot(base, scoped, scope) {
    const inScope = new Set(scope.relations);
    const objects = new Map();
    const owners = new Map();
    for (const [key, object] of base.objects) {
        const oids = base.owners?.get(key);
        if (oids === undefined || oids.length === 0 || oids.some((oid) => inScope.has(oid)))
            continue;
        objects.set(key, object);
        owners.set(key, oids);
    }
    for (const [key, object] of scoped.objects) {
        objects.set(key, object);
        const oids = scoped.owners?.get(key);
        if (oids)
            owners.set(key, oids);
    }
    return { objects, owners };
}

;// CONCATENATED MODULE: ./lib/review/observe/tracer.js

// The backend's own relation locks; oids below 16384 are the catalogs our own queries read.
const OWN_LOCKS = `SELECT relation, array_agg(mode::text) AS modes FROM pg_locks
  WHERE pid = pg_backend_pid() AND locktype = 'relation' AND granted AND relation >= 16384
  GROUP BY relation`;
// A backend's counters can hold earlier transactions' counts not yet flushed: hence deltas.
const COUNTERS = (oid) => `
  pg_stat_get_xact_tuples_inserted(${oid})::float8 AS ins,
  pg_stat_get_xact_tuples_updated(${oid})::float8 AS upd,
  pg_stat_get_xact_tuples_deleted(${oid})::float8 AS del,
  pg_stat_get_xact_numscans(${oid})::float8 AS scans,
  pg_stat_get_xact_tuples_returned(${oid})::float8 AS read`;
// Once: the locks already held, and the relfilenode and counters of the relations asked for
// (those readRelations gave no relfilenode for) and of every table whose counters are not zero:
// the backend's counters of earlier transactions not yet flushed (an index's are never used).
// Every other table's counters are zero until the rehearsal touches it (the backend flushes its
// counters only outside a transaction, and touching a relation locks it), and a relation's
// relfilenode is the one readRelations read. A few rows, where 10,000 relations' cost 0.2 s.
const BASELINE_SQL = `WITH l AS MATERIALIZED (${OWN_LOCKS})
SELECT c.oid::int8 AS oid, c.relfilenode::int8 AS filenode, l.modes, ${COUNTERS('c.oid')}
FROM pg_class c LEFT JOIN l ON l.relation = c.oid
WHERE c.oid = ANY($1::oid[]) OR c.oid IN (SELECT relation FROM l)
  OR (c.relkind IN ('r', 'm') AND c.oid >= 16384
      AND (pg_stat_get_xact_tuples_inserted(c.oid) > 0 OR pg_stat_get_xact_tuples_updated(c.oid) > 0
        OR pg_stat_get_xact_tuples_deleted(c.oid) > 0 OR pg_stat_get_xact_numscans(c.oid) > 0
        OR pg_stat_get_xact_tuples_returned(c.oid) > 0))`;
// After each statement: only relations this transaction holds a lock on. Every statement that
// changes, scans or rewrites a relation locks it until the transaction ends (a rewrite takes
// ACCESS EXCLUSIVE), so the locked set covers every relation whose relfilenode or counters can
// have moved, also when the lock was taken by an earlier statement. It stays small where a scan
// of all relations' relfilenodes would not.
const STEP_SQL = `WITH l AS MATERIALIZED (${OWN_LOCKS})
SELECT l.relation::int8 AS oid, c.relfilenode::int8 AS filenode, l.modes, ${COUNTERS('l.relation')},
       age(c.xmin) <= 0 AS ours
FROM l LEFT JOIN pg_class c ON c.oid = l.relation`;
const STORAGE_TABLES = new Set(['r', 'm']);
const INDEXES = new Set(['i']);
/**
 * Starts tracing on the rehearsal's connection, inside its open transaction: one query reads the
 * baseline of `relations` (readRelations' map, with oids and relfilenodes). Locks held before
 * this call (an earlier file in the same transaction) never show as new, though the statement may
 * need them again.
 */
async function startTracing(client, relations) {
    const byOid = new Map();
    for (const [key, relation] of relations) {
        if (relation.oid !== undefined)
            byOid.set(String(relation.oid), { key, kind: relation.kind });
    }
    // Sequences, views and the like never rewrite nor count rows: no baseline to read for them.
    const traced = new Set([...byOid].filter(([, r]) => STORAGE_TABLES.has(r.kind) || INDEXES.has(r.kind)).map(([o]) => o));
    const filenodes = new Map();
    const counters = new Map();
    const held = new Set();
    // Relations whose relfilenode was read inside the transaction (the baseline, or a step).
    const readInside = new Set();
    const unread = [];
    for (const relation of relations.values()) {
        const oid = String(relation.oid);
        if (!traced.has(oid))
            continue;
        if (relation.filenode === undefined)
            unread.push(oid);
        else
            filenodes.set(oid, String(relation.filenode));
    }
    const { rows } = await client.query(BASELINE_SQL, [unread]);
    for (const row of rows) {
        if (row.filenode !== null)
            filenodes.set(row.oid, row.filenode);
        readInside.add(row.oid);
        counters.set(row.oid, row);
        for (const mode of row.modes ?? [])
            held.add(`${row.oid} ${mode}`);
    }
    let started = performance.now();
    return {
        async before() {
            started = performance.now();
        },
        async after() {
            const durationMs = performance.now() - started;
            const step = await client.query(STEP_SQL);
            const trace = {
                durationMs,
                locks: [],
                rewritten: [],
                rebuiltIndexes: [],
                dropped: [],
                tables: [],
            };
            for (const row of step.rows) {
                const relation = byOid.get(row.oid);
                if (!relation)
                    continue; // created during the rehearsal, or a rewrite's transient heap
                const fresh = (row.modes ?? []).filter((mode) => !held.has(`${row.oid} ${mode}`));
                fresh.sort((a, b) => lockStrength(b) - lockStrength(a));
                for (const mode of fresh) {
                    held.add(`${row.oid} ${mode}`);
                    trace.locks.push({ mode: lockModeName(mode), relation: relation.key });
                }
                const before = filenodes.get(row.oid);
                // First seen here, with a relfilenode from before the transaction: one that this
                // transaction did not write was changed by another session before this statement locked
                // the relation (a VACUUM FULL meanwhile), not rewritten by the statement.
                const outside = !readInside.has(row.oid) && row.ours === false;
                readInside.add(row.oid);
                if (row.filenode === null) {
                    if (filenodes.delete(row.oid))
                        trace.dropped.push(relation.key);
                }
                else if (outside) {
                    filenodes.set(row.oid, row.filenode);
                }
                else if (before !== undefined && before !== row.filenode) {
                    filenodes.set(row.oid, row.filenode);
                    if (STORAGE_TABLES.has(relation.kind))
                        trace.rewritten.push(relation.key);
                    else if (INDEXES.has(relation.kind))
                        trace.rebuiltIndexes.push(relation.key);
                }
                if (STORAGE_TABLES.has(relation.kind)) {
                    const delta = deltaOf(counters.get(row.oid), row);
                    counters.set(row.oid, row);
                    if (delta.inserted || delta.updated || delta.deleted || delta.seqScans) {
                        trace.tables.push({ relation: relation.key, ...delta });
                    }
                }
            }
            for (const list of [trace.rewritten, trace.rebuiltIndexes, trace.dropped])
                list.sort();
            trace.tables.sort((a, b) => a.relation.localeCompare(b.relation));
            trace.locks.sort((a, b) => a.relation.localeCompare(b.relation));
            return trace;
        },
    };
}
/**
 * Counter deltas, never negative: a TRUNCATE resets the transaction's insert, update and delete
 * counters of its table (pgstat_count_truncate), which would otherwise read as negative rows.
 */
function deltaOf(before, after) {
    const d = (key) => Math.max(0, after[key] - (before?.[key] ?? 0));
    return {
        inserted: d('ins'),
        updated: d('upd'),
        deleted: d('del'),
        seqScans: d('scans'),
        seqRowsRead: d('read'),
    };
}

;// CONCATENATED MODULE: ./lib/review/observe/observer.js






const SAVEPOINT = 'agoat_migrate_review';
/**
 * Runs a catalog read inside the rehearsal's transaction behind a savepoint: a read that fails
 * (a catalog the role may not read) must not abort the transaction and be blamed on the next
 * migration statement. Returns undefined, after writing its sentence to `notes`, when it failed.
 */
async function guarded(client, notes, read) {
    await client.query(`SAVEPOINT ${SAVEPOINT}`);
    try {
        const value = await read();
        await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
        return value;
    }
    catch (error) {
        await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
        notes.push((0,errors/* observeErrorSentence */.eL)(error) ??
            `The safety review could not read the catalog during the rehearsal (${error instanceof Error ? error.message : String(error)}); it reports what it predicted.`);
        return undefined;
    }
}
/**
 * The observer of one rehearsal. `relations` is what existed before (readRelations); `tracking`
 * (`schema.table`) is the action's own table, left out of the schema changes. Whatever it cannot
 * read becomes a sentence in `notes`, and the rehearsal goes on.
 */
function reviewObserver(client, relations, tracking, notes) {
    let tracer;
    let begun;
    let after;
    const observer = {
        observations: [],
        async start() {
            begun = await guarded(client, notes, () => readScopeStart(client));
            tracer = await guarded(client, notes, () => startTracing(client, relations));
        },
        async before() {
            await tracer?.before();
        },
        async after(migration, statement) {
            if (!tracer)
                return;
            const current = tracer;
            const trace = await guarded(client, notes, () => current.after());
            if (!trace) {
                tracer = undefined; // one sentence is enough: stop tracing
                return;
            }
            // A TRUNCATE gives its tables new storage too: that is not a rewrite of their rows.
            const truncate = /^truncate\b/i.test(statement.text);
            observer.observations.push({
                file: migration.name,
                line: statement.line,
                statement: statement.text,
                durationMs: Math.round(trace.durationMs),
                locks: trace.locks,
                rewritten: truncate ? [] : trace.rewritten,
                tables: trace.tables.map(({ relation, inserted, updated, deleted, seqScans }) => ({
                    relation,
                    inserted,
                    updated,
                    deleted,
                    seqScans,
                })),
            });
        },
        async finish() {
            // The schema after the rehearsal, of what it can have changed only (see rehearsalScope).
            const start = begun;
            if (!start)
                return;
            after = await guarded(client, notes, async () => {
                const scope = await rehearsalScope(client, start);
                return { scope, snapshot: await snapshotSchema(client, undefined, scope) };
            });
        },
        async rolledBack() {
            // The schema before, read after the rollback (the database is back as it was) with the
            // same scope: only what the rehearsal can have changed is read, on both sides.
            if (!after)
                return;
            let before;
            try {
                before = await snapshotSchema(client, undefined, after.scope);
            }
            catch (error) {
                notes.push((0,errors/* observeErrorSentence */.eL)(error) ??
                    `The safety review could not read the catalog after the rehearsal (${error instanceof Error ? error.message : String(error)}); it reports what it predicted.`);
                return;
            }
            const changes = diffSchemas(before, after.snapshot).filter((change) => tableOf(changedObject(change)) !== tracking);
            observer.schemaChanges = renderChanges(changes);
        },
    };
    return observer;
}

;// CONCATENATED MODULE: ./lib/review/observe/relations.js
/** Schemas that never hold the project's relations. */
const SYSTEM_SCHEMA_FILTER = `n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'`;
// Sizes come from pg_class's page counts (as of the last VACUUM or ANALYZE, like reltuples): a
// table's own pages, its TOAST table's and its indexes'. pg_total_relation_size would stat every
// file and briefly lock every relation (2.1 s against 0.06 s on 20,000 relations); measureSizes
// gives the exact size of the few relations a finding names.
const RELATIONS_SQL = `
WITH ix AS (
  SELECT x.indrelid, sum(greatest(ic.relpages, 0))::int8 AS pages
  FROM pg_index x JOIN pg_class ic ON ic.oid = x.indexrelid GROUP BY x.indrelid)
SELECT c.oid::int8 AS oid, c.relfilenode::int8 AS filenode, n.nspname AS schema, c.relname AS name, c.relkind::text AS kind,
       c.relpersistence::text AS persistence,
       tn.nspname AS table_schema, t.relname AS table_name,
       c.reltuples::float8 AS rows,
       ((greatest(c.relpages, 0) + coalesce(toast.relpages, 0) + coalesce(ix.pages, 0) + coalesce(tix.pages, 0))
         * current_setting('block_size')::int8)::float8 AS bytes,
       CASE WHEN c.relispartition THEN (SELECT inhparent FROM pg_inherits WHERE inhrelid = c.oid) END::int8 AS parent
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_class toast ON toast.oid = c.reltoastrelid
LEFT JOIN ix ON ix.indrelid = c.oid AND c.relkind IN ('r', 'm', 'p')
LEFT JOIN ix tix ON tix.indrelid = c.reltoastrelid
LEFT JOIN pg_index i ON i.indexrelid = c.oid
LEFT JOIN pg_class t ON t.oid = i.indrelid
LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
WHERE ${SYSTEM_SCHEMA_FILTER}
  AND ($1::text[] IS NULL OR n.nspname = ANY($1::text[]))`;
/** The key of a relation in readRelations' map. */
function relationKey(schema, name) {
    return `${schema}.${name}`;
}
/**
 * Every relation of the user schemas (or of `schemas` only), keyed by `schema.name`: kind, an
 * index's table, estimated rows and bytes (with its indexes and TOAST; a partitioned table's are
 * its partitions'). One query; it takes no lock on user relations.
 */
async function readRelations(client, schemas) {
    const { rows } = await client.query(RELATIONS_SQL, [schemas ?? null]);
    const relations = new Map();
    for (const row of rows) {
        const relation = {
            schema: row.schema,
            name: row.name,
            kind: row.kind,
            persistence: row.persistence,
            // reltuples is -1 for a table never vacuumed or analysed (PostgreSQL 14+): said as such.
            rows: row.rows < 0 ? -1 : row.rows,
            bytes: row.bytes,
            oid: Number(row.oid),
            filenode: Number(row.filenode),
        };
        if (row.table_schema !== null && row.table_name !== null) {
            relation.table = relationKey(row.table_schema, row.table_name);
        }
        relations.set(relationKey(row.schema, row.name), relation);
    }
    addPartitions(rows, relations);
    return relations;
}
/** A partitioned table has no storage of its own: its size is its partitions', at every level. */
function addPartitions(rows, relations) {
    const children = new Map();
    for (const row of rows) {
        if (row.parent === null)
            continue;
        const siblings = children.get(row.parent);
        if (siblings)
            siblings.push(row);
        else
            children.set(row.parent, [row]);
    }
    const total = (row) => {
        const own = relations.get(relationKey(row.schema, row.name));
        const sum = { rows: Math.max(0, own?.rows ?? 0), bytes: own?.bytes ?? 0 };
        if (row.kind !== 'p')
            return sum;
        // A parent's relpages is -1 or 0, and an analysed parent's reltuples already counts its partitions' rows.
        sum.rows = 0;
        sum.bytes = 0;
        for (const child of children.get(row.oid) ?? []) {
            const part = total(child);
            sum.rows += part.rows;
            sum.bytes += part.bytes;
        }
        return sum;
    };
    for (const row of rows) {
        if (row.kind !== 'p')
            continue;
        const relation = relations.get(relationKey(row.schema, row.name));
        if (relation)
            Object.assign(relation, total(row));
    }
}
/**
 * The exact total size (pg_total_relation_size, with a partitioned table's partitions) of the
 * relations named by `keys`, written into their entries of `relations`. It briefly takes an
 * ACCESS SHARE lock on each, so it waits (within lock_timeout) behind an exclusive lock.
 */
async function measureSizes(client, relations, keys) {
    const wanted = keys.map((key) => relations.get(key)).filter((r) => r?.oid !== undefined);
    if (wanted.length === 0)
        return;
    const { rows } = await client.query(`SELECT o::int8 AS oid, coalesce(
       (SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree(o) WHERE isleaf),
       pg_total_relation_size(o))::float8 AS bytes
     FROM unnest($1::oid[]) AS o`, [wanted.map((r) => r?.oid)]);
    const sizes = new Map(rows.map((row) => [Number(row.oid), row.bytes]));
    for (const relation of wanted) {
        const bytes = relation?.oid === undefined ? undefined : sizes.get(relation.oid);
        if (relation && bytes !== undefined)
            relation.bytes = bytes;
    }
}
/** A RelationLookup over readRelations' map. */
function lookupOf(relations) {
    return (schema, name) => relations.get(relationKey(schema, name));
}

// EXTERNAL MODULE: ./lib/files/stream.js
var stream = __webpack_require__(2783);
// EXTERNAL MODULE: ./lib/sql/splitter.js
var splitter = __webpack_require__(773);
// EXTERNAL MODULE: ./lib/review/allow.js
var allow = __webpack_require__(8177);
// EXTERNAL MODULE: ./lib/review/rules/parse.js + 1 modules
var parse = __webpack_require__(7108);
;// CONCATENATED MODULE: ./lib/review/rules/coercion.js

/** Internal and SQL-standard spellings to one name. */
const ALIASES = {
    int2: 'smallint',
    int4: 'integer',
    int: 'integer',
    int8: 'bigint',
    'character varying': 'varchar',
    character: 'bpchar',
    char: 'bpchar',
    decimal: 'numeric',
    'timestamp without time zone': 'timestamp',
    'timestamp with time zone': 'timestamptz',
    'time without time zone': 'time',
    'time with time zone': 'timetz',
    'bit varying': 'varbit',
    float8: 'double precision',
    float4: 'real',
    bool: 'boolean',
};
function canonical(base) {
    return ALIASES[base] ?? base;
}
/** The type an `ALTER COLUMN … TYPE` names. */
function typeOfNode(typeName) {
    const base = (0,rules_context/* names */.Dy)(typeName?.names).at(-1);
    if (!base)
        return undefined;
    const mods = (typeName?.typmods ?? []).map((m) => (0,rules_context/* nodeOf */.E7)(m, 'A_Const')?.ival?.ival ?? -1);
    return { base: canonical(base), mods, array: (typeName?.arrayBounds?.length ?? 0) > 0 };
}
/** A type as `format_type` spells it: `character varying(10)`, `timestamp(3) with time zone`, `integer[]`. */
function typeOfFormatted(formatted) {
    let text = formatted.trim().toLowerCase();
    const array = text.endsWith('[]');
    if (array)
        text = text.replace(/(\[\])+$/, '');
    const mods = [];
    text = text.replace(/\(([\d,\s]+)\)/, (_, list) => {
        for (const m of list.split(','))
            mods.push(Number(m.trim()));
        return '';
    });
    const base = text.replace(/\s+/g, ' ').trim();
    return { base: canonical(base.split('.').at(-1) ?? base), mods, array };
}
/** A new modifier at least as large as the old one, or none at all (unbounded). */
function widens(oldMod, newMod) {
    if (newMod === undefined)
        return true;
    return oldMod !== undefined && newMod >= oldMod;
}
const TEMPORAL = new Set(['timestamp', 'timestamptz', 'time', 'timetz']);
/** Types a binary-coercible change can end in (when the old type is not known). */
const COERCIBLE_TARGETS = new Set(['text', 'varchar', 'numeric', 'varbit', 'inet', ...TEMPORAL]);
/**
 * `false` when the change is known not to rewrite; `true` when it does or may. Follows
 * PostgreSQL's length-coercion support functions (varchar, numeric, varbit, timestamp/time) and
 * its binary-coercible casts (varchar ↔ text, cidr → inet).
 */
function typeChangeRewrites(oldType, newType, 
/** The session's time zone is UTC (a fixed zero offset): see {@link fixedUtc}. */
utc = false) {
    if (oldType.array || newType.array) {
        return !(oldType.array && newType.array && sameType(oldType, newType));
    }
    const [o, n] = [oldType.base, newType.base];
    if (sameType(oldType, newType))
        return false;
    if (o === 'varchar' && n === 'varchar')
        return !widens(oldType.mods[0], newType.mods[0]);
    if ((o === 'varchar' || o === 'text') && n === 'text')
        return false;
    if (o === 'text' && n === 'varchar')
        return newType.mods.length > 0;
    if (o === 'varbit' && n === 'varbit')
        return !widens(oldType.mods[0], newType.mods[0]);
    if (o === 'cidr' && n === 'inet')
        return false;
    if (o === 'numeric' && n === 'numeric') {
        if (newType.mods.length === 0)
            return false;
        // Same scale, precision not smaller (numeric_support).
        const [op, os = 0] = oldType.mods;
        const [np, ns = 0] = newType.mods;
        return op === undefined || np === undefined || np < op || ns !== os;
    }
    if (utc && !newType.array && isTimestampPair(o, n)) {
        // PostgreSQL 12+ (ATColumnChangeRequiresRewrite) skips timestamp <-> timestamptz when the
        // session's offset is fixed at zero; a new precision below 6 still coerces every value
        // (the coerced expression has no typmod for timestamp_support to compare with).
        const np = newType.mods[0];
        return !(np === undefined || np >= 6);
    }
    if (TEMPORAL.has(o) && o === n) {
        // No new precision, a precision not below the old one, or the maximum (6).
        const np = newType.mods[0];
        return !(np === undefined || np >= 6 || widens(oldType.mods[0], np));
    }
    return true;
}
function isTimestampPair(a, b) {
    return (a === 'timestamp' && b === 'timestamptz') || (a === 'timestamptz' && b === 'timestamp');
}
// Zones whose offset is zero and never changes: PostgreSQL's pg_get_timezone_offset succeeds for
// them (one time type), so a timestamp <-> timestamptz change needs no rewrite. Europe/London is
// at zero only in winter and does not count.
const UTC_ZONES = new Set([
    'utc',
    'uct',
    'gmt',
    'zulu',
    'universal',
    'greenwich',
    'gmt0',
    'gmt+0',
    'gmt-0',
    'etc/utc',
    'etc/uct',
    'etc/gmt',
    'etc/zulu',
    'etc/universal',
    'etc/greenwich',
    'etc/gmt0',
    'etc/gmt+0',
    'etc/gmt-0',
]);
/** The session's `TimeZone` setting has a fixed zero offset (UTC, Etc/UTC, GMT …). */
function fixedUtc(timeZone) {
    return timeZone !== undefined && UTC_ZONES.has(timeZone.toLowerCase());
}
function sameType(a, b) {
    return a.base === b.base && a.mods.join(',') === b.mods.join(',');
}
/** The new type could be reached without a rewrite from some old type (old type unknown). */
function mayBeCoercible(newType) {
    return !newType.array && COERCIBLE_TARGETS.has(newType.base);
}
/** A USING expression that leaves the values alone: the column itself, maybe cast. */
function usingIsPlain(using, column) {
    if (using === undefined)
        return true;
    const cast = (0,rules_context/* nodeOf */.E7)(using, 'TypeCast');
    const expr = cast ? cast.arg : using;
    const fields = (0,rules_context/* names */.Dy)((0,rules_context/* nodeOf */.E7)(expr, 'ColumnRef')?.fields);
    return fields.length === 1 && fields[0] === column;
}

;// CONCATENATED MODULE: ./lib/review/rules/volatility.js

/**
 * Built-in functions that are not volatile and commonly appear in defaults. Anything else
 * (user functions included) is treated as volatile: a predicted rewrite the rehearsal can
 * disprove is better than a missed one.
 */
const NOT_VOLATILE = new Set([
    'now',
    'transaction_timestamp',
    'statement_timestamp', // stable
    'current_date',
    'current_timestamp',
    'localtimestamp',
    'current_user',
    'current_schema',
    'lower',
    'upper',
    'length',
    'coalesce',
    'concat',
    'to_jsonb',
    'jsonb_build_object',
    'jsonb_build_array',
    'json_build_object',
    'json_build_array',
    'array_fill',
    'make_interval',
    'make_date',
    'to_timestamp',
    'to_date',
    'date_trunc',
    'abs',
    'round',
]);
/** A default expression whose value does not change per row. */
function isNonVolatile(expr) {
    if (expr === undefined)
        return true;
    if ((0,rules_context/* nodeOf */.E7)(expr, 'A_Const') || (0,rules_context/* nodeOf */.E7)(expr, 'SQLValueFunction'))
        return true;
    const cast = (0,rules_context/* nodeOf */.E7)(expr, 'TypeCast');
    if (cast)
        return isNonVolatile(cast.arg);
    const op = (0,rules_context/* nodeOf */.E7)(expr, 'A_Expr');
    if (op)
        return isNonVolatile(op.lexpr) && isNonVolatile(op.rexpr);
    const bool = (0,rules_context/* nodeOf */.E7)(expr, 'BoolExpr');
    if (bool)
        return (bool.args ?? []).every(isNonVolatile);
    const array = (0,rules_context/* nodeOf */.E7)(expr, 'A_ArrayExpr');
    if (array)
        return (array.elements ?? []).every(isNonVolatile);
    const coalesce = (0,rules_context/* nodeOf */.E7)(expr, 'CoalesceExpr');
    if (coalesce)
        return (coalesce.args ?? []).every(isNonVolatile);
    const call = (0,rules_context/* nodeOf */.E7)(expr, 'FuncCall');
    if (call) {
        const parts = (0,rules_context/* names */.Dy)(call.funcname);
        const name = parts.at(-1) ?? '';
        const builtin = parts.length === 1 || parts[0] === 'pg_catalog';
        return builtin && NOT_VOLATILE.has(name) && (call.args ?? []).every(isNonVolatile);
    }
    return false;
}

;// CONCATENATED MODULE: ./lib/review/rules/alter.js



/** Relation options whose change takes SHARE UPDATE EXCLUSIVE (AlterTableGetRelOptionsLockLevel). */
const LIGHT_OPTIONS = /^(fillfactor|toast_tuple_target|parallel_workers|autovacuum_.*|vacuum_.*|log_autovacuum_min_duration)$/;
/** The lock of one subcommand, as PostgreSQL's AlterTableGetLockLevel decides it. */
function lockOf(cmd) {
    switch (cmd.subtype) {
        case 'AT_AddConstraint': {
            const contype = (0,rules_context/* nodeOf */.E7)(cmd.def, 'Constraint')?.contype;
            return contype === 'CONSTR_FOREIGN' ? 'SHARE ROW EXCLUSIVE' : 'ACCESS EXCLUSIVE';
        }
        case 'AT_ValidateConstraint':
        case 'AT_SetStatistics':
        case 'AT_SetOptions':
        case 'AT_ResetOptions':
        case 'AT_ClusterOn':
        case 'AT_DropCluster':
        case 'AT_AttachPartition':
        case 'AT_DetachPartitionFinalize':
            return 'SHARE UPDATE EXCLUSIVE';
        case 'AT_DetachPartition':
            return (0,rules_context/* nodeOf */.E7)(cmd.def, 'PartitionCmd')?.concurrent
                ? 'SHARE UPDATE EXCLUSIVE'
                : 'ACCESS EXCLUSIVE';
        case 'AT_EnableTrig':
        case 'AT_EnableAlwaysTrig':
        case 'AT_EnableReplicaTrig':
        case 'AT_EnableTrigAll':
        case 'AT_EnableTrigUser':
        case 'AT_DisableTrig':
        case 'AT_DisableTrigAll':
        case 'AT_DisableTrigUser':
            return 'SHARE ROW EXCLUSIVE';
        case 'AT_SetRelOptions':
        case 'AT_ResetRelOptions': {
            const options = (0,rules_context/* nodeOf */.E7)(cmd.def, 'List')?.items ?? [];
            const light = options.every((o) => LIGHT_OPTIONS.test((0,rules_context/* nodeOf */.E7)(o, 'DefElem')?.defname ?? ''));
            return light ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
        }
        default:
            return 'ACCESS EXCLUSIVE';
    }
}
/** The column a `CHECK` proves NOT NULL: `col IS NOT NULL`, alone or in a top-level AND. */
function notNullColumnOf(expr) {
    const test = (0,rules_context/* nodeOf */.E7)(expr, 'NullTest');
    if (test?.nulltesttype === 'IS_NOT_NULL') {
        const fields = (0,rules_context/* names */.Dy)((0,rules_context/* nodeOf */.E7)(test.arg, 'ColumnRef')?.fields);
        return fields.length === 1 ? fields[0] : undefined;
    }
    const bool = (0,rules_context/* nodeOf */.E7)(expr, 'BoolExpr');
    if (bool?.boolop === 'AND_EXPR') {
        for (const arg of bool.args ?? []) {
            const column = notNullColumnOf(arg);
            if (column)
                return column;
        }
    }
    return undefined;
}
function predictAlterTable(state, stmt) {
    const target = (0,rules_context/* resolve */.hd)(state, stmt.relation);
    if (!target || stmt.objtype !== 'OBJECT_TABLE')
        return { findings: [], locks: [] };
    const findings = [];
    const partitions = [];
    let lock;
    for (const node of stmt.cmds ?? []) {
        const cmd = (0,rules_context/* nodeOf */.E7)(node, 'AlterTableCmd');
        if (!cmd)
            continue;
        lock = (0,rules_context/* strongest */.yX)(lock, lockOf(cmd));
        const partition = partitionClaim(state, cmd);
        if (partition)
            partitions.push(partition);
        rememberChecks(state, target, cmd);
        if ((0,rules_context/* isTable */.bI)(target.existing))
            findings.push(...subcommandFindings(state, target, cmd));
    }
    // One finding per rule: a statement that rewrites twice still rewrites once.
    const unique = findings.filter((f, i) => findings.findIndex((g) => g.rule === f.rule) === i);
    return { findings: unique, locks: [...(lock ? [{ target, mode: lock }] : []), ...partitions] };
}
/**
 * ATTACH and DETACH PARTITION lock the partition too: ATTACH takes ACCESS EXCLUSIVE on it (to
 * check its rows against the bound, while the parent gets SHARE UPDATE EXCLUSIVE); DETACH takes
 * ACCESS EXCLUSIVE from PostgreSQL 14 on (SHARE UPDATE EXCLUSIVE with CONCURRENTLY, and on 13).
 */
function partitionClaim(state, cmd) {
    if (cmd.subtype !== 'AT_AttachPartition' && cmd.subtype !== 'AT_DetachPartition')
        return undefined;
    const partitionCmd = (0,rules_context/* nodeOf */.E7)(cmd.def, 'PartitionCmd');
    const partition = (0,rules_context/* resolve */.hd)(state, partitionCmd?.name);
    if (!partition)
        return undefined;
    const light = cmd.subtype === 'AT_DetachPartition' &&
        (partitionCmd?.concurrent === true || state.context.serverVersionNum < 140000);
    return { target: partition, mode: light ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE' };
}
/** Records CHECK (col IS NOT NULL) constraints that later make SET NOT NULL skip its scan. */
function rememberChecks(state, target, cmd) {
    const { notNullProven, notValidChecks } = state.pending;
    if (cmd.subtype === 'AT_ValidateConstraint' && cmd.name) {
        const key = `${target.qualified}.${cmd.name}`;
        const column = notValidChecks.get(key);
        if (column)
            notNullProven.add(`${target.qualified}.${column}`);
        return;
    }
    const con = cmd.subtype === 'AT_AddConstraint' ? (0,rules_context/* nodeOf */.E7)(cmd.def, 'Constraint') : undefined;
    if (con?.contype !== 'CONSTR_CHECK' || con.is_enforced === false)
        return;
    const column = notNullColumnOf(con.raw_expr);
    if (!column)
        return;
    if (!con.skip_validation) {
        notNullProven.add(`${target.qualified}.${column}`);
        return;
    }
    // PostgreSQL names an unnamed one-column check <table>_<column>_check.
    const table = target.qualified.slice(target.qualified.indexOf('.') + 1);
    const name = con.conname ?? `${table}_${column}_check`;
    notValidChecks.set(`${target.qualified}.${name}`, column);
}
function subcommandFindings(state, target, cmd) {
    const t = target.qualified;
    const rewrite = (what, saferWay) => ({
        rule: 'table-rewrite',
        target,
        what,
        saferWay,
    });
    const scan = (what, saferWay) => ({
        rule: 'validating-scan',
        target,
        what,
        saferWay,
    });
    switch (cmd.subtype) {
        case 'AT_AddColumn':
            return addColumnFindings(target, (0,rules_context/* nodeOf */.E7)(cmd.def, 'ColumnDef'));
        case 'AT_AlterColumnType': {
            const finding = typeChangeFinding(state, target, cmd);
            return finding ? [finding] : [];
        }
        case 'AT_SetNotNull': {
            const column = cmd.name ?? '';
            if (notNullProven(state, t, column))
                return [];
            return [
                scan(`SET NOT NULL on ${t}.${column} scans the whole table under ACCESS EXCLUSIVE, blocking reads and writes.`, notNullSaferWay(state, t, column)),
            ];
        }
        case 'AT_AddConstraint':
            return constraintFindings(state, target, (0,rules_context/* nodeOf */.E7)(cmd.def, 'Constraint'));
        case 'AT_DropColumn':
            return [
                {
                    rule: 'breaking-change',
                    target,
                    what: `Dropping column ${t}.${cmd.name ?? ''} deletes its data and breaks running code that still reads or writes it.`,
                    saferWay: 'Deploy code that no longer uses the column first (expand/contract), then drop it in a later migration.',
                },
            ];
        case 'AT_SetLogged':
        case 'AT_SetUnLogged':
            // A table that has the persistence asked for already is left alone.
            if (target.existing?.persistence === (cmd.subtype === 'AT_SetLogged' ? 'p' : 'u'))
                return [];
            return [
                rewrite(`SET ${cmd.subtype === 'AT_SetLogged' ? 'LOGGED' : 'UNLOGGED'} rewrites ${t} and its indexes under ACCESS EXCLUSIVE.`, 'Do it in a maintenance window, or create a new table with the wanted persistence and copy the rows in batches.'),
            ];
        case 'AT_SetAccessMethod':
            return [
                rewrite(`SET ACCESS METHOD rewrites ${t} under ACCESS EXCLUSIVE.`, 'Do it in a maintenance window, or copy into a new table in batches and swap.'),
            ];
        case 'AT_SetTableSpace':
            return [
                rewrite(`SET TABLESPACE copies ${t} to new files under ACCESS EXCLUSIVE.`, 'Do it in a maintenance window, or use a tool such as pg_repack that moves the table online.'),
            ];
        default:
            return [];
    }
}
function notNullProven(state, table, column) {
    return (state.pending.notNullProven.has(`${table}.${column}`) ||
        (state.context.provenNotNull?.(table, column) ?? false));
}
function notNullSaferWay(state, table, column) {
    const name = `${table.slice(table.indexOf('.') + 1)}_${column}_not_null`;
    if (state.context.serverVersionNum >= 180000) {
        return `ALTER TABLE ${table} ADD CONSTRAINT ${name} NOT NULL ${column} NOT VALID; now, and ALTER TABLE ${table} VALIDATE CONSTRAINT ${name}; in a later migration (it scans under SHARE UPDATE EXCLUSIVE, which does not block reads or writes).`;
    }
    return `ALTER TABLE ${table} ADD CONSTRAINT ${name} CHECK (${column} IS NOT NULL) NOT VALID; now, then in a later migration VALIDATE CONSTRAINT ${name}, SET NOT NULL (PostgreSQL uses the valid check and skips the scan) and DROP CONSTRAINT ${name}.`;
}
const SERIAL = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);
function addColumnFindings(target, column) {
    if (!column)
        return [];
    const t = target.qualified;
    const name = column.colname ?? '';
    const findings = [];
    const backfill = `Add ${name} without the default (or with a constant one), set the default for new rows with ALTER COLUMN ${name} SET DEFAULT, then fill existing rows in batches in later migrations.`;
    const rewrite = (why) => findings.push({
        rule: 'table-rewrite',
        target,
        what: `ADD COLUMN ${name} ${why}, which rewrites ${t} and its indexes under ACCESS EXCLUSIVE.`,
        saferWay: backfill,
    });
    if (SERIAL.has((0,rules_context/* names */.Dy)(column.typeName?.names).at(-1) ?? ''))
        rewrite('is a serial column, filled from a sequence row by row');
    for (const node of column.constraints ?? []) {
        const con = (0,rules_context/* nodeOf */.E7)(node, 'Constraint');
        switch (con?.contype) {
            case 'CONSTR_DEFAULT':
                if (!isNonVolatile(con.raw_expr))
                    rewrite('has a volatile default, computed row by row');
                break;
            case 'CONSTR_IDENTITY':
                rewrite('is an identity column, filled row by row');
                break;
            case 'CONSTR_GENERATED':
                // Without STORED, PostgreSQL 18 makes the column VIRTUAL: computed when read, no rewrite.
                if (con.generated_kind === 's')
                    rewrite('is GENERATED … STORED, computed row by row');
                break;
            case 'CONSTR_FOREIGN':
            case 'CONSTR_CHECK':
            case 'CONSTR_PRIMARY':
            case 'CONSTR_UNIQUE':
                findings.push({
                    rule: 'validating-scan',
                    target,
                    what: `ADD COLUMN ${name} with an inline ${constraintWord(con.contype)} makes PostgreSQL scan ${t} to validate it under ACCESS EXCLUSIVE.`,
                    saferWay: `Add the column alone, then add the constraint as its own step: ${constraintSaferWay(t, con.contype)}`,
                });
                break;
            default:
                break;
        }
    }
    return findings;
}
function constraintWord(contype) {
    switch (contype) {
        case 'CONSTR_FOREIGN':
            return 'foreign key';
        case 'CONSTR_CHECK':
            return 'CHECK';
        case 'CONSTR_PRIMARY':
            return 'primary key';
        default:
            return 'unique constraint';
    }
}
function constraintSaferWay(table, contype) {
    if (contype === 'CONSTR_PRIMARY' || contype === 'CONSTR_UNIQUE') {
        const kind = contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE';
        return `CREATE UNIQUE INDEX CONCURRENTLY … ON ${table} in a -- migrate:no-transaction file, then ALTER TABLE ${table} ADD CONSTRAINT … ${kind} USING INDEX … in a later migration.`;
    }
    return `ALTER TABLE ${table} ADD CONSTRAINT … NOT VALID; now, and ALTER TABLE ${table} VALIDATE CONSTRAINT …; in a later migration (it scans under SHARE UPDATE EXCLUSIVE, without blocking writes).`;
}
function constraintFindings(state, target, con) {
    if (!con || con.is_enforced === false)
        return [];
    const t = target.qualified;
    const scan = (what) => [
        { rule: 'validating-scan', target, what, saferWay: constraintSaferWay(t, con.contype) },
    ];
    switch (con.contype) {
        case 'CONSTR_FOREIGN': {
            if (con.skip_validation)
                return [];
            const referenced = con.pktable ? (0,rules_context/* resolve */.hd)(state, con.pktable)?.qualified : undefined;
            return scan(`ADD FOREIGN KEY scans ${t} to validate it while holding SHARE ROW EXCLUSIVE on ${t}${referenced ? ` and ${referenced}` : ''}, blocking writes to both.`);
        }
        case 'CONSTR_CHECK':
            if (con.skip_validation)
                return [];
            return scan(`ADD CHECK scans ${t} to validate it under ACCESS EXCLUSIVE, blocking reads and writes.`);
        case 'CONSTR_PRIMARY':
        case 'CONSTR_UNIQUE':
            if (con.indexname)
                return [];
            return scan(`ADD ${con.contype === 'CONSTR_PRIMARY' ? 'PRIMARY KEY' : 'UNIQUE'} builds an index on ${t} under ACCESS EXCLUSIVE, blocking reads and writes for the whole build.`);
        case 'CONSTR_NOTNULL': {
            // A table constraint NOT NULL is PostgreSQL 18's: older servers reject the statement.
            if (state.context.serverVersionNum < 180000)
                return [];
            const column = (0,rules_context/* names */.Dy)(con.keys)[0] ?? '';
            if (con.skip_validation || notNullProven(state, t, column))
                return [];
            return [
                {
                    rule: 'validating-scan',
                    target,
                    what: `ADD CONSTRAINT … NOT NULL ${column} scans ${t} under ACCESS EXCLUSIVE, blocking reads and writes.`,
                    saferWay: notNullSaferWay(state, t, column),
                },
            ];
        }
        default:
            return [];
    }
}
function typeChangeFinding(state, target, cmd) {
    const t = target.qualified;
    const column = cmd.name ?? '';
    const def = (0,rules_context/* nodeOf */.E7)(cmd.def, 'ColumnDef');
    const newType = typeOfNode(def?.typeName);
    if (!newType)
        return undefined;
    const plain = usingIsPlain(def?.raw_default, column);
    const formatted = state.context.columnType?.(t, column);
    const saferWay = `Add a new column of the new type, write to both from the code, backfill it in batches, then switch reads and drop the old column (expand/contract).`;
    if (plain &&
        formatted !== undefined &&
        !typeChangeRewrites(typeOfFormatted(formatted), newType, fixedUtc(state.timeZone)))
        return undefined;
    const hedge = plain && formatted === undefined && mayBeCoercible(newType)
        ? ' (unless the old type is binary-coercible to it, e.g. varchar(10) to varchar(20); the rehearsal tells)'
        : '';
    return {
        rule: 'table-rewrite',
        target,
        what: `Changing the type of ${t}.${column} rewrites the table and rebuilds its indexes under ACCESS EXCLUSIVE${hedge}.`,
        saferWay,
    };
}

;// CONCATENATED MODULE: ./lib/review/rules/statements.js

const NONE = { findings: [], locks: [] };
const INDEXED_KINDS = new Set(['r', 'p', 'm']);
const RELATION_KINDS = new Set(['r', 'p', 'v', 'm', 'f']);
const NO_TRANSACTION_FILE = 'Move it to a migration file of its own that starts with -- migrate:no-transaction (one statement per file is safest: a failure leaves nothing half-done in between).';
function inTransaction(state, what, target) {
    if (state.context.noTransaction)
        return [];
    return [{ rule: 'concurrently-in-transaction', target, what, saferWay: NO_TRANSACTION_FILE }];
}
function predictCreateIndex(state, stmt) {
    const target = (0,rules_context/* resolve */.hd)(state, stmt.relation);
    if (!target)
        return NONE;
    // The index lives in its table's schema; later statements may drop or rename it freely.
    if (stmt.idxname)
        state.context.created.add(`${target.qualified.slice(0, target.qualified.indexOf('.'))}.${stmt.idxname}`);
    const t = target.qualified;
    if (stmt.concurrent) {
        return {
            findings: inTransaction(state, `CREATE INDEX CONCURRENTLY on ${t} cannot run inside a transaction block, so this migration fails.`, target),
            locks: [{ target, mode: 'SHARE UPDATE EXCLUSIVE' }],
        };
    }
    const locks = [{ target, mode: 'SHARE' }];
    const existing = target.existing;
    if (!existing || !INDEXED_KINDS.has(existing.kind))
        return { findings: [], locks };
    // CREATE INDEX ON ONLY a partitioned table builds nothing: an invalid parent index to attach to.
    if (existing.kind === 'p' && stmt.relation?.inh !== true)
        return { findings: [], locks };
    const saferWay = existing.kind === 'p'
        ? `A partitioned table cannot be indexed concurrently: CREATE INDEX … ON ONLY ${t} (instant), then CREATE INDEX CONCURRENTLY on each partition in -- migrate:no-transaction files, then ALTER INDEX … ATTACH PARTITION for each.`
        : `CREATE INDEX CONCURRENTLY … ON ${t} in a migration file of its own that starts with -- migrate:no-transaction.`;
    return {
        findings: [
            {
                rule: 'index-not-concurrent',
                target,
                what: `CREATE INDEX on ${t} holds a SHARE lock for the whole build, blocking every insert, update and delete.`,
                saferWay,
            },
        ],
        locks,
    };
}
/** The tables a CASCADE drops, largest first: three named, the rest counted. */
function cascadeList(tables) {
    if (tables.length === 0)
        return 'every table, view and function in it';
    const named = [...tables]
        .sort((a, b) => b.bytes - a.bytes)
        .slice(0, 3)
        .map((t) => `${t.schema}.${t.name}`);
    const more = tables.length - named.length;
    const list = more > 0 ? `${named.join(', ')} and ${more} more` : named.join(', ');
    return `every table in it with its data, ${tables.length === 1 ? 'the table' : `${tables.length} tables`}: ${list}; and every view and function`;
}
/** The schema's tables together, as the report's size sentence ("… has 1.2 M rows, 340 MB"). */
function schemaSize(tables) {
    const first = tables[0];
    if (first === undefined)
        return {};
    const rows = tables.every((t) => t.rows >= 0) ? tables.reduce((n, t) => n + t.rows, 0) : -1;
    const bytes = tables.reduce((n, t) => n + t.bytes, 0);
    // kind `n` (pg_namespace): only its size is read, by the report.
    return { existing: { schema: first.schema, name: first.schema, kind: 'n', rows, bytes } };
}
function predictDrop(state, stmt) {
    const findings = [];
    const locks = [];
    for (const object of stmt.objects ?? []) {
        switch (stmt.removeType) {
            case 'OBJECT_INDEX': {
                const index = (0,rules_context/* resolveList */.Nh)(state, (0,rules_context/* nodeOf */.E7)(object, 'List')?.items);
                const existing = index?.existing;
                if (!existing || (existing.kind !== 'i' && existing.kind !== 'I')) {
                    if (stmt.concurrent)
                        findings.push(...inTransaction(state, `DROP INDEX CONCURRENTLY cannot run inside a transaction block, so this migration fails.`, index));
                    continue;
                }
                const table = (0,rules_context/* tableOfIndex */.Eo)(state, existing);
                if (!table)
                    continue;
                const name = index?.qualified ?? '';
                if (stmt.concurrent) {
                    findings.push(...inTransaction(state, `DROP INDEX CONCURRENTLY ${name} cannot run inside a transaction block, so this migration fails.`, table));
                    locks.push({ target: table, mode: 'SHARE UPDATE EXCLUSIVE' });
                    continue;
                }
                locks.push({ target: table, mode: 'ACCESS EXCLUSIVE' });
                findings.push({
                    rule: 'index-not-concurrent',
                    target: table,
                    what: `DROP INDEX ${name} takes ACCESS EXCLUSIVE on ${table.qualified}, blocking reads and writes while it waits and runs.`,
                    saferWay: existing.kind === 'I'
                        ? `A partitioned index cannot be dropped concurrently: drop it in a quiet moment with a short lock_timeout.`
                        : `DROP INDEX CONCURRENTLY ${name} in a migration file of its own that starts with -- migrate:no-transaction.`,
                });
                break;
            }
            case 'OBJECT_TABLE': {
                const target = (0,rules_context/* resolveList */.Nh)(state, (0,rules_context/* nodeOf */.E7)(object, 'List')?.items);
                if (!target || !(0,rules_context/* isTable */.bI)(target.existing))
                    continue;
                locks.push({ target, mode: 'ACCESS EXCLUSIVE' });
                findings.push({
                    rule: 'breaking-change',
                    target,
                    what: `DROP TABLE ${target.qualified} deletes its data and breaks running code that still uses it.`,
                    saferWay: 'Deploy code that no longer uses the table first, keep it (or a backup) for a while, then drop it in a later migration.',
                });
                break;
            }
            case 'OBJECT_SCHEMA': {
                const schema = (0,rules_context/* nodeOf */.E7)(object, 'String')?.sval;
                if (!schema || state.context.created.has(schema))
                    continue;
                const cascade = stmt.behavior === 'DROP_CASCADE';
                const tables = cascade ? (state.context.tablesIn?.(schema) ?? []) : [];
                findings.push({
                    rule: 'breaking-change',
                    target: { qualified: schema, ...schemaSize(tables) },
                    what: `DROP SCHEMA ${schema} deletes what it holds${cascade ? ` (CASCADE: ${cascadeList(tables)})` : ''} and breaks running code that uses it.`,
                    saferWay: 'Deploy code that no longer uses the schema first, then drop it in a later migration, without CASCADE so that a forgotten object stops it.',
                });
                break;
            }
            case 'OBJECT_TRIGGER': {
                // DROP TRIGGER name ON table: the list is the table's name followed by the trigger's.
                const items = (0,rules_context/* nodeOf */.E7)(object, 'List')?.items ?? [];
                const target = (0,rules_context/* resolveList */.Nh)(state, items.slice(0, -1));
                if (target && (0,rules_context/* isTable */.bI)(target.existing))
                    locks.push({ target, mode: 'ACCESS EXCLUSIVE' });
                break;
            }
            default:
                break;
        }
    }
    return { findings, locks };
}
function predictTruncate(state, stmt) {
    const findings = [];
    const locks = [];
    for (const node of stmt.relations ?? []) {
        const target = (0,rules_context/* resolve */.hd)(state, (0,rules_context/* nodeOf */.E7)(node, 'RangeVar'));
        if (!target || !(0,rules_context/* isTable */.bI)(target.existing))
            continue;
        locks.push({ target, mode: 'ACCESS EXCLUSIVE' });
        findings.push({
            rule: 'breaking-change',
            target,
            what: `TRUNCATE ${target.qualified} deletes every row${stmt.behavior === 'DROP_CASCADE' ? ', and CASCADE empties the tables that reference it' : ''}.`,
            saferWay: 'Delete the rows the migration means to remove with DELETE … WHERE in batches, or keep a copy first.',
        });
    }
    return { findings, locks };
}
const RENAMED_RELATIONS = new Set([
    'OBJECT_TABLE',
    'OBJECT_VIEW',
    'OBJECT_MATVIEW',
    'OBJECT_FOREIGN_TABLE',
    'OBJECT_INDEX',
    'OBJECT_SEQUENCE',
]);
function predictRename(state, stmt) {
    const target = (0,rules_context/* resolve */.hd)(state, stmt.relation);
    if (!target || !stmt.newname)
        return NONE;
    const existing = target.existing;
    if (stmt.renameType === 'OBJECT_COLUMN') {
        if (!existing || !RELATION_KINDS.has(existing.kind))
            return NONE;
        return {
            findings: [
                {
                    rule: 'breaking-change',
                    target,
                    what: `Renaming column ${target.qualified}.${stmt.subname ?? ''} to ${stmt.newname} breaks running code that still uses the old name.`,
                    saferWay: 'Expand/contract: add the new column, write both and backfill, switch the code, then drop the old column later (or keep the old name and change only the code).',
                },
            ],
            locks: [{ target, mode: 'ACCESS EXCLUSIVE' }],
        };
    }
    // Renaming a table's constraint or trigger takes ACCESS EXCLUSIVE on the table; nothing breaks.
    if (stmt.renameType === 'OBJECT_TABCONSTRAINT' || stmt.renameType === 'OBJECT_TRIGGER') {
        return (0,rules_context/* isTable */.bI)(existing)
            ? { findings: [], locks: [{ target, mode: 'ACCESS EXCLUSIVE' }] }
            : NONE;
    }
    if (!RENAMED_RELATIONS.has(stmt.renameType ?? ''))
        return NONE;
    // Later statements name it by its new name, in the same schema.
    const renamed = `${target.qualified.slice(0, target.qualified.indexOf('.'))}.${stmt.newname}`;
    if (existing)
        state.pending.renamed.set(renamed, existing);
    else
        state.context.created.add(renamed);
    if (!existing || stmt.renameType === 'OBJECT_INDEX' || stmt.renameType === 'OBJECT_SEQUENCE')
        return NONE;
    return {
        findings: [
            {
                rule: 'breaking-change',
                target,
                what: `Renaming ${target.qualified} to ${stmt.newname} breaks running code that still uses the old name.`,
                saferWay: `Expand/contract: rename it and create a view with the old name (CREATE VIEW ${target.qualified} AS SELECT * FROM …${stmt.newname}) until no code uses the old name, then drop the view.`,
            },
        ],
        locks: [{ target, mode: 'ACCESS EXCLUSIVE' }],
    };
}
function predictVacuum(state, stmt) {
    const full = (stmt.options ?? []).some((o) => {
        const option = (0,rules_context/* nodeOf */.E7)(o, 'DefElem');
        if (option?.defname !== 'full')
            return false;
        const arg = option.arg;
        const value = (0,rules_context/* nodeOf */.E7)(arg, 'String')?.sval ?? (0,rules_context/* nodeOf */.E7)(arg, 'Boolean')?.boolval;
        return (arg === undefined ||
            value === true ||
            value === 'true' ||
            value === 'on' ||
            (0,rules_context/* nodeOf */.E7)(arg, 'Integer')?.ival === 1);
    });
    if (!stmt.is_vacuumcmd || !full)
        return NONE;
    const findings = [];
    const locks = [];
    for (const node of stmt.rels ?? []) {
        const target = (0,rules_context/* resolve */.hd)(state, (0,rules_context/* nodeOf */.E7)(node, 'VacuumRelation')?.relation);
        if (!target || !(0,rules_context/* isTable */.bI)(target.existing))
            continue;
        locks.push({ target, mode: 'ACCESS EXCLUSIVE' });
        findings.push({
            rule: 'table-rewrite',
            target,
            what: `VACUUM FULL rewrites ${target.qualified} and its indexes under ACCESS EXCLUSIVE.`,
            saferWay: 'Use pg_repack (online), or run VACUUM FULL by hand in a maintenance window rather than in a migration.',
        });
    }
    return { findings, locks };
}
function predictCluster(state, stmt) {
    const target = (0,rules_context/* resolve */.hd)(state, stmt.relation);
    if (!target || !(0,rules_context/* isTable */.bI)(target.existing))
        return NONE;
    return {
        findings: [
            {
                rule: 'table-rewrite',
                target,
                what: `CLUSTER rewrites ${target.qualified} and its indexes under ACCESS EXCLUSIVE.`,
                saferWay: 'Use pg_repack --order-by (online), or CLUSTER by hand in a maintenance window rather than in a migration.',
            },
        ],
        locks: [{ target, mode: 'ACCESS EXCLUSIVE' }],
    };
}
function predictRefresh(state, stmt) {
    const target = (0,rules_context/* resolve */.hd)(state, stmt.relation);
    if (target === undefined || target.existing?.kind !== 'm')
        return NONE;
    if (stmt.concurrent)
        return { findings: [], locks: [{ target, mode: 'EXCLUSIVE' }] };
    return {
        findings: [
            {
                rule: 'refresh-not-concurrent',
                target,
                what: `REFRESH MATERIALIZED VIEW ${target.qualified} holds ACCESS EXCLUSIVE while it recomputes, blocking every read of the view.`,
                saferWay: `REFRESH MATERIALIZED VIEW CONCURRENTLY ${target.qualified} (it needs a unique index on the view; reads go on meanwhile).`,
            },
        ],
        locks: [{ target, mode: 'ACCESS EXCLUSIVE' }],
    };
}
function predictReindex(state, stmt) {
    const concurrently = (stmt.params ?? []).some((p) => {
        const option = (0,rules_context/* nodeOf */.E7)(p, 'DefElem');
        return option?.defname === 'concurrently' && (0,rules_context/* nodeOf */.E7)(option.arg, 'Boolean')?.boolval !== false;
    });
    const target = (0,rules_context/* resolve */.hd)(state, stmt.relation);
    if (!concurrently) {
        // REINDEX TABLE takes SHARE on the table (ACCESS EXCLUSIVE on each index it rebuilds).
        const table = stmt.kind === 'REINDEX_OBJECT_TABLE' ? target : undefined;
        return { findings: [], locks: table ? [{ target: table, mode: 'SHARE' }] : [] };
    }
    return {
        findings: inTransaction(state, 'REINDEX … CONCURRENTLY cannot run inside a transaction block, so this migration fails.', target),
        locks: [],
    };
}
function predictLock(state, stmt) {
    const mode = rules_context/* LOCK_MODES */.bx[(stmt.mode ?? 8) - 1] ?? 'ACCESS EXCLUSIVE';
    const locks = [];
    for (const node of stmt.relations ?? []) {
        const target = (0,rules_context/* resolve */.hd)(state, (0,rules_context/* nodeOf */.E7)(node, 'RangeVar'));
        if (target && (0,rules_context/* isTable */.bI)(target.existing))
            locks.push({ target, mode });
    }
    return { findings: [], locks };
}
/** Records the relations and schemas a statement creates, so that later rules leave them alone. */
function rememberCreated(state, tree) {
    const created = state.context.created;
    const add = (target) => {
        if (target)
            created.add(target.qualified);
    };
    const create = (0,rules_context/* nodeOf */.E7)(tree, 'CreateStmt') ?? (0,rules_context/* nodeOf */.E7)(tree, 'CreateForeignTableStmt')?.base;
    if (create) {
        // CREATE TABLE … PARTITION OF an existing table takes ACCESS EXCLUSIVE on the parent.
        const parent = create.partbound
            ? (0,rules_context/* resolve */.hd)(state, (0,rules_context/* nodeOf */.E7)(create.inhRelations?.[0], 'RangeVar'))
            : undefined;
        add(resolveFresh(state, create.relation));
        return {
            findings: [],
            locks: parent && (0,rules_context/* isTable */.bI)(parent.existing) ? [{ target: parent, mode: 'ACCESS EXCLUSIVE' }] : [],
        };
    }
    add(resolveFresh(state, (0,rules_context/* nodeOf */.E7)(tree, 'CreateTableAsStmt')?.into?.rel));
    add(resolveFresh(state, (0,rules_context/* nodeOf */.E7)(tree, 'ViewStmt')?.view));
    add(resolveFresh(state, (0,rules_context/* nodeOf */.E7)(tree, 'CreateSeqStmt')?.sequence));
    add(resolveFresh(state, (0,rules_context/* nodeOf */.E7)(tree, 'SelectStmt')?.intoClause?.rel));
    const schema = (0,rules_context/* nodeOf */.E7)(tree, 'CreateSchemaStmt')?.schemaname;
    if (schema)
        created.add(schema);
    return NONE;
}
/** Where a CREATE puts a relation: its schema, or the first schema of the search path. */
function resolveFresh(state, rv) {
    if (!rv?.relname || rv.relpersistence === 't')
        return undefined;
    return { qualified: `${rv.schemaname ?? state.searchPath[0] ?? 'public'}.${rv.relname}` };
}

;// CONCATENATED MODULE: ./lib/review/rules/predict.js




/** Risks of one file's statements (in file order), as the parse trees and the target predict them. */
function predictRisks(statements, context) {
    return predictFile(statements, context).risks;
}
function predictFile(statements, context) {
    const base = (context.searchPath ?? ['public']).filter((s) => s !== '$user');
    const state = {
        context,
        pending: context.pending ?? (0,rules_context/* newPendingFacts */.nq)(),
        searchPath: base,
        timeZone: context.timeZone,
        lockTimeoutSet: false,
    };
    const risks = [];
    const lockWaitBounded = [];
    for (const statement of statements) {
        applySettings(state, statement.tree, base);
        const bounded = context.lockTimeoutInput || state.lockTimeoutSet;
        lockWaitBounded.push(bounded);
        const prediction = predictStatement(state, statement.tree);
        // The statement's lock on each relation: the strongest it claims there.
        const locks = new Map();
        for (const claim of prediction.locks) {
            locks.set(claim.target.qualified, (0,rules_context/* strongest */.yX)(locks.get(claim.target.qualified), claim.mode));
        }
        for (const finding of prediction.findings) {
            const lockMode = finding.rule === 'concurrently-in-transaction'
                ? undefined
                : locks.get(finding.target?.qualified ?? '');
            risks.push((0,rules_context/* makeRisk */.aq)(state, statement, { ...finding, lockMode }));
        }
        if (bounded)
            continue;
        const seen = new Set();
        for (const claim of prediction.locks) {
            const existing = claim.target.existing;
            const key = claim.target.qualified;
            if (locks.get(key) !== 'ACCESS EXCLUSIVE' || seen.has(key))
                continue;
            if (!(0,rules_context/* isTable */.bI)(existing) && existing?.kind !== 'm')
                continue;
            seen.add(key);
            risks.push((0,rules_context/* makeRisk */.aq)(state, statement, {
                rule: 'no-lock-timeout',
                target: claim.target,
                lockMode: 'ACCESS EXCLUSIVE',
                what: `The statement waits for ACCESS EXCLUSIVE on ${key} with no lock_timeout: queued behind a long query, it blocks every read and write of ${key} meanwhile.`,
                saferWay: `Set the action's lock-timeout input (e.g. 5s), or put SET lock_timeout = '5s'; before it in this file, so it gives up quickly instead of queueing everyone behind it.`,
            }));
        }
    }
    return { risks, lockWaitBounded };
}
function predictStatement(state, tree) {
    const alter = (0,rules_context/* nodeOf */.E7)(tree, 'AlterTableStmt');
    if (alter)
        return predictAlterTable(state, alter);
    const index = (0,rules_context/* nodeOf */.E7)(tree, 'IndexStmt');
    if (index)
        return predictCreateIndex(state, index);
    const drop = (0,rules_context/* nodeOf */.E7)(tree, 'DropStmt');
    if (drop)
        return predictDrop(state, drop);
    const truncate = (0,rules_context/* nodeOf */.E7)(tree, 'TruncateStmt');
    if (truncate)
        return predictTruncate(state, truncate);
    const rename = (0,rules_context/* nodeOf */.E7)(tree, 'RenameStmt');
    if (rename)
        return predictRename(state, rename);
    const vacuum = (0,rules_context/* nodeOf */.E7)(tree, 'VacuumStmt');
    if (vacuum)
        return predictVacuum(state, vacuum);
    const cluster = (0,rules_context/* nodeOf */.E7)(tree, 'ClusterStmt');
    if (cluster)
        return predictCluster(state, cluster);
    const refresh = (0,rules_context/* nodeOf */.E7)(tree, 'RefreshMatViewStmt');
    if (refresh)
        return predictRefresh(state, refresh);
    const reindex = (0,rules_context/* nodeOf */.E7)(tree, 'ReindexStmt');
    if (reindex)
        return predictReindex(state, reindex);
    const lock = (0,rules_context/* nodeOf */.E7)(tree, 'LockStmt');
    if (lock)
        return predictLock(state, lock);
    return rememberCreated(state, tree);
}
// ---------------------------------------------------------------------------------------------
// Session settings the file changes: lock_timeout, search_path and TimeZone (the action resets the session
// between migrations, so only earlier statements of the same file count)
function applySettings(state, tree, baseSearchPath) {
    const set = (0,rules_context/* nodeOf */.E7)(tree, 'VariableSetStmt');
    if (set) {
        // SET LOCAL outside a transaction block only warns: in a no-transaction file it does nothing.
        if (set.is_local && state.context.noTransaction)
            return;
        const values = (set.args ?? []).map(constantText);
        if (set.kind === 'VAR_RESET_ALL') {
            state.lockTimeoutSet = false;
            state.searchPath = baseSearchPath;
            state.timeZone = state.context.timeZone;
        }
        else if (set.name === 'lock_timeout') {
            state.lockTimeoutSet = set.kind === 'VAR_SET_VALUE' && !isZero(values[0]);
        }
        else if (set.name === 'timezone') {
            // SET TIME ZONE 'UTC' / SET timezone = 'UTC'; LOCAL, DEFAULT and intervals: not known.
            state.timeZone =
                set.kind === 'VAR_SET_VALUE'
                    ? values[0]
                    : set.kind === 'VAR_RESET'
                        ? state.context.timeZone
                        : undefined;
        }
        else if (set.name === 'search_path') {
            state.searchPath =
                set.kind === 'VAR_SET_VALUE'
                    ? values.filter((v) => v !== undefined && v !== '$user')
                    : baseSearchPath;
        }
        return;
    }
    // SELECT set_config('lock_timeout', '5s', is_local)
    for (const target of (0,rules_context/* nodeOf */.E7)(tree, 'SelectStmt')?.targetList ?? []) {
        const call = (0,rules_context/* nodeOf */.E7)((0,rules_context/* nodeOf */.E7)(target, 'ResTarget')?.val, 'FuncCall');
        const name = (call?.funcname ?? []).map((n) => (0,rules_context/* nodeOf */.E7)(n, 'String')?.sval).at(-1);
        if (name !== 'set_config')
            continue;
        const [setting, value, local] = (call?.args ?? []).map(constantText);
        if (setting !== 'lock_timeout')
            continue;
        if (local === 'true' && state.context.noTransaction)
            continue;
        state.lockTimeoutSet = !isZero(value);
    }
}
function constantText(node) {
    const c = (0,rules_context/* nodeOf */.E7)(node, 'A_Const');
    if (!c)
        return undefined;
    if (c.sval)
        return c.sval.sval ?? '';
    if (c.ival)
        return String(c.ival.ival ?? 0);
    if (c.fval)
        return c.fval.fval;
    if (c.boolval)
        return String(c.boolval.boolval ?? false);
    return undefined;
}
/** `0`, `'0'`, `'0ms'`, `'0s'`: no timeout at all. */
function isZero(value) {
    return value === undefined || /^\s*0*(\.0*)?\s*[a-z]*\s*$/i.test(value);
}

;// CONCATENATED MODULE: ./lib/review/pending.js





/**
 * First keywords of the statements a rule can concern. Data statements (INSERT, UPDATE, COPY…)
 * are not parsed: no rule is about them, and a data migration would cost the parser its size.
 */
const REVIEWED = new Set([
    'ALTER',
    'CREATE',
    'DROP',
    'TRUNCATE',
    'VACUUM',
    'CLUSTER',
    'REFRESH',
    'REINDEX',
    'SET',
    'RESET',
    'LOCK',
    // A DO block's own statements are read from PL/pgSQL's parse tree (rules/do-blocks.ts).
    'DO',
]);
/** `SELECT set_config('lock_timeout', …)` bounds lock waits as SET does: such a SELECT is parsed too. */
const SET_CONFIG = /\bset_config\b/i;
/** The statement text to parse and quote: without its `;`. */
function withoutSemicolon(text) {
    return text.endsWith(';') ? text.slice(0, -1).trimEnd() : text;
}
/**
 * Parses the reviewable statements of each pending file, split as the run splits them. A file
 * above the large-file size is not read (a data migration); it is named in `notes`.
 */
async function parsePending(pending) {
    const files = [];
    const notes = [];
    for (const { migration, allowances } of pending) {
        if ((0,stream/* isLarge */.sV)(migration)) {
            notes.push(`${migration.name} was not reviewed: it is larger than 4 MiB, which is read as a data migration.`);
            continue;
        }
        const sql = migration.sql;
        const chosen = (0,splitter/* splitSql */.b)(sql)
            .filter((s) => REVIEWED.has(s.keyword) ||
            (s.keyword === 'SELECT' && SET_CONFIG.test(sql.slice(s.start, s.end))))
            .map((s) => ({ text: withoutSemicolon(sql.slice(s.start, s.end)), line: s.line }));
        const statements = await (0,parse/* parseStatementTrees */.c)(chosen);
        const parsed = new Set(statements.map((s) => s.line));
        for (const { line } of chosen.filter((s) => !parsed.has(s.line))) {
            notes.push(`${migration.name} line ${line}: PostgreSQL's parser rejects this statement, so the review could not judge it (the rehearsal or the run will report the error).`);
        }
        files.push({ migration, statements, allowances });
    }
    return { files, notes };
}
/**
 * Predicts the risks of the pending files in order: a relation created by an earlier pending
 * statement can be changed freely, so the files share what they created.
 */
function predictPending(files, facts) {
    const created = new Set();
    const pending = (0,rules_context/* newPendingFacts */.nq)();
    const risks = [];
    const bounded = new Map();
    for (const { migration, statements } of files) {
        const prediction = predictFile(statements, {
            file: migration.name,
            noTransaction: migration.noTransaction,
            serverVersionNum: facts.serverVersionNum,
            relation: facts.relation,
            searchPath: facts.searchPath,
            timeZone: facts.timeZone,
            tablesIn: facts.tablesIn,
            lockTimeoutInput: facts.lockTimeoutInput,
            created,
            pending,
            columnType: facts.columnType,
            provenNotNull: facts.provenNotNull,
        });
        risks.push(...prediction.risks);
        statements.forEach((s, i) => {
            bounded.set(`${migration.name}\n${s.line}`, prediction.lockWaitBounded[i] ?? false);
        });
    }
    return {
        risks,
        lockWaitBounded: (file, line) => bounded.get(`${file}\n${line}`) ?? facts.lockTimeoutInput,
    };
}
/** The allow lines of the pending files, to acknowledge the final (predicted and observed) risks. */
function acknowledged(risks, files) {
    const acknowledgements = files.flatMap((f) => f.allowances ? [{ file: f.migration.name, ...f.allowances }] : []);
    return (0,allow/* acknowledge */.b0)(risks, acknowledgements);
}
/**
 * The existing tables the pending `ALTER TABLE`s name, resolved through the search path: the
 * tables whose column facts the predictions need.
 */
function alteredTables(files, relation, searchPath) {
    const found = new Map();
    for (const file of files) {
        for (const { tree } of file.statements) {
            const rv = 'AlterTableStmt' in tree ? tree.AlterTableStmt.relation : undefined;
            if (!rv?.relname)
                continue;
            const schemas = rv.schemaname ? [rv.schemaname] : searchPath;
            const schema = schemas.find((s) => relation(s, rv.relname));
            if (schema)
                found.set(`${schema}.${rv.relname}`, { schema, name: rv.relname });
        }
    }
    return [...found.values()];
}

;// CONCATENATED MODULE: ./lib/review/reversal.js





const reversal_SAVEPOINT = 'agoat_migrate_snapshot';
/**
 * A probe for the rehearsal. A snapshot that cannot be read (a catalog the role may not read)
 * is rolled back to its savepoint, so it never aborts the rehearsal; its sentence goes to
 * `notes` once, and the proof of that migration says it was not checked.
 *
 * The whole schema is read once, at the first snapshot; every later one reads only what the
 * rehearsal can have changed since its transaction began (rehearsalScope) and takes the rest
 * from that first one, so each is as exact as a whole snapshot, at the cost of a few relations.
 */
function reversalProbe(client, notes) {
    let told = false;
    let base;
    const read = async () => {
        if (!base) {
            const start = await readScopeStart(client);
            base = { snapshot: await snapshotSchema(client), start };
            return base.snapshot;
        }
        const scope = await rehearsalScope(client, base.start);
        if (!scope)
            return snapshotSchema(client);
        return overlaySnapshot(base.snapshot, await snapshotSchema(client, undefined, scope), scope);
    };
    return {
        async snapshot() {
            await client.query(`SAVEPOINT ${reversal_SAVEPOINT}`);
            try {
                const snapshot = await read();
                await client.query(`RELEASE SAVEPOINT ${reversal_SAVEPOINT}`);
                return snapshot;
            }
            catch (error) {
                await client.query(`ROLLBACK TO SAVEPOINT ${reversal_SAVEPOINT}`);
                if (!told) {
                    told = true;
                    notes.push((0,errors/* observeErrorSentence */.eL)(error) ??
                        `The rehearsal could not read the catalog to prove the down SQL (${error instanceof Error ? error.message : String(error)}).`);
                }
                return undefined;
            }
        },
        compare(beforeUp, afterDown) {
            if (!beforeUp || !afterDown)
                return 'down SQL not proven: the catalog could not be read';
            return describeRollback(compareRollback(beforeUp, afterDown));
        },
    };
}

;// CONCATENATED MODULE: ./lib/commands/review.js
// Wires the safety review of a dry run: what the target's catalog says, the predictions, and the rehearsal's observations merged into one review.









/**
 * Reads what the predictions need from the target (its relations, search path and the altered
 * tables' columns: three catalog queries, whatever the size of the schema), parses the pending
 * files and predicts. A catalog the role may not read is a note, and the review predicts from
 * what it has.
 */
async function startReview(context, plan) {
    const { client } = context.db;
    const notes = [];
    let relations = new Map();
    let searchPath = ['public'];
    let timeZone;
    try {
        relations = await readRelations(client);
        const session = await client.query("SELECT current_schemas(false)::text[] AS path, current_setting('TimeZone') AS zone");
        searchPath = session.rows[0]?.path.length ? session.rows[0].path : searchPath;
        timeZone = session.rows[0]?.zone;
    }
    catch (error) {
        notes.push((0,errors/* observeErrorSentence */.eL)(error) ??
            `The safety review could not read the target's catalog (${error instanceof Error ? error.message : String(error)}); every relation is treated as new.`);
    }
    const relation = lookupOf(relations);
    const { files, notes: parseNotes } = await parsePending(plan.pending.map((migration) => ({
        migration,
        allowances: plan.checks.get(migration.version)?.allowances,
    })));
    notes.push(...parseNotes);
    const columns = await readColumnFacts(client, alteredTables(files, relation, searchPath)).catch(() => undefined);
    const prediction = predictPending(files, {
        relation,
        serverVersionNum: (0,session/* serverVersionNum */.og)(context.db.serverVersion),
        searchPath,
        timeZone,
        tablesIn: (schema) => [...relations.values()].filter((r) => r.schema === schema && 'rpm'.includes(r.kind)),
        lockTimeoutInput: context.settings.lockTimeout !== undefined,
        columnType: columns?.columnType,
        provenNotNull: columns?.provenNotNull,
    });
    return { files, prediction, relations, notes };
}

/** An observer for the rehearsal that feeds this review. */
function observerFor(context, start) {
    const tracking = (0,table/* qualifiedName */.O)(context.tracking).replaceAll('"', '');
    return reviewObserver(context.db.client, start.relations, tracking, start.notes);
}
/** The review as the report shows it: predictions, merged with observations when rehearsed. */
function finishReview(context, start, observer) {
    const risks = observer
        ? mergeObservations(start.prediction.risks, observer.observations, lookupOf(start.relations), {
            lockWaitBounded: start.prediction.lockWaitBounded,
        })
        : start.prediction.risks;
    return {
        risks: (0,review/* ordered */.Sj)(acknowledged(risks, start.files)),
        schemaChanges: observer?.schemaChanges,
        notes: start.notes,
        observed: observer !== undefined && observer.observations.length > 0,
        serverVersion: context.db.serverVersion.split(' ')[0] ?? context.db.serverVersion,
        mode: context.settings.safety === 'fail' ? 'fail' : 'warn',
    };
}


/***/ }),

/***/ 1735:
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

/***/ 7108:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  c: () => (/* binding */ parseStatementTrees)
});

// UNUSED EXPORTS: parseFileStatements

// EXTERNAL MODULE: ./lib/sql/parser.js
var parser = __webpack_require__(9745);
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
    parse_parser ??= (0,parser/* loadSqlParser */.Ok)().then(() => __webpack_require__.e(/* import() */ 627).then(__webpack_require__.t.bind(__webpack_require__, 2627, 19)));
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
