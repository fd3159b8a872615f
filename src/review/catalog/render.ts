// Schema changes and the rollback proof as report lines, e.g. `+ column posts.reading_minutes integer not null default 0`. Pure.
import type { RollbackComparison, SchemaChange } from './diff.js';
import type { SchemaObject } from './snapshot.js';

type Of<K extends SchemaObject['kind']> = Extract<SchemaObject, { kind: K }>;

/** The longest line rendered; a longer definition is cut with an ellipsis. */
const MAX_LINE = 200;

// format_type's long names, as people write them.
const SHORT_TYPES: [RegExp, string][] = [
  [/\bcharacter varying\b/g, 'varchar'],
  [/\bcharacter\b/g, 'char'],
  [/\btimestamp(\(\d+\))? with time zone\b/g, 'timestamptz$1'],
  [/\btimestamp(\(\d+\))? without time zone\b/g, 'timestamp$1'],
  [/\btime(\(\d+\))? with time zone\b/g, 'timetz$1'],
  [/\btime(\(\d+\))? without time zone\b/g, 'time$1'],
  [/\bbit varying\b/g, 'varbit'],
];

/** A type as people write it: `character varying(100)` → `varchar(100)`. */
export function shortType(type: string): string {
  return SHORT_TYPES.reduce((t, [pattern, short]) => t.replace(pattern, short), type);
}

/** A name qualified with its schema only when that is not `public`. */
function qualify(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}

/** `schema.table` as qualify writes it. */
function qualifyPath(path: string): string {
  return path.startsWith('public.') ? path.slice('public.'.length) : path;
}

function cut(line: string): string {
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE - 1)}…` : line;
}

function columnFacts(c: Of<'column'>): string {
  const parts = [shortType(c.type)];
  if (c.notNull) parts.push('not null');
  if (c.identity) parts.push(`generated ${c.identity} as identity`);
  if (c.generated !== undefined) parts.push(`generated always as (${c.generated}) stored`);
  if (c.default !== undefined) parts.push(`default ${c.default}`);
  return parts.join(' ');
}

/** `CREATE UNIQUE INDEX x ON public.t USING btree (a)` → `unique index x on t using btree (a)`. */
function indexFacts(i: Of<'index'>): string {
  const match = /^CREATE (UNIQUE )?INDEX \S+ ON (?:ONLY )?\S+ (USING .*)$/s.exec(i.definition);
  const what = `${match?.[1] ? 'unique ' : ''}index ${qualify(i.schema, i.name)}`;
  const how = match?.[2]
    ? `on ${qualify(i.schema, i.table)} ${match[2].replace(/^USING/, 'using')}`
    : i.definition;
  return `${what} ${how}${i.valid ? '' : ' (invalid)'}`;
}

function name(object: SchemaObject): string {
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

function added(change: Exclude<SchemaChange, { op: '~' }>): string {
  const o = change.object;
  if ('enumValue' in change) return `+ enum value ${qualify(o.schema, o.name)}.${change.enumValue}`;
  switch (o.kind) {
    case 'table': {
      const columns = ('columns' in change ? (change.columns ?? []) : []).map(
        (c) => `${c.name} ${columnFacts(c)}`,
      );
      const partition = o.partitionOf
        ? [`partition of ${qualifyPath(o.partitionOf)} ${o.bound ?? ''}`.trim()]
        : [];
      const inside = [...partition, ...columns].join(', ');
      return `+ ${name(o)}${inside ? ` (${inside})` : ''}`;
    }
    case 'column':
      return `+ ${name(o)} ${columnFacts(o)}`;
    case 'index':
      return `+ ${indexFacts(o)}`;
    case 'constraint':
      return `+ ${name(o)}: ${o.definition}`;
    case 'enum':
      return `+ ${name(o)} (${o.labels.join(', ')})`;
    case 'extension':
      return `+ ${name(o)} ${o.version}`;
    case 'function':
      return `+ ${name(o)}${o.routine === 'procedure' ? '' : ` returns ${o.result}`}`;
    default:
      return `+ ${name(o)}`;
  }
}

/** What differs between two versions of one object, as `before → after` parts. */
function differences(before: SchemaObject, after: SchemaObject): string[] {
  const parts: string[] = [];
  const pair = (label: string, a: string, b: string) => {
    if (a !== b) parts.push(`${label}${label ? ' ' : ''}${a} → ${b}`);
  };
  if (before.kind === 'column' && after.kind === 'column') {
    pair('', shortType(before.type), shortType(after.type));
    pair('', before.notNull ? 'not null' : 'nullable', after.notNull ? 'not null' : 'nullable');
    pair('default', before.default ?? 'none', after.default ?? 'none');
    pair('identity', before.identity ?? 'none', after.identity ?? 'none');
    pair('generated', before.generated ?? 'none', after.generated ?? 'none');
  } else if (before.kind === 'table' && after.kind === 'table') {
    pair('', before.tableKind, after.tableKind);
    pair('', before.unlogged ? 'unlogged' : 'logged', after.unlogged ? 'unlogged' : 'logged');
    pair('row level security', before.rowSecurity ? 'on' : 'off', after.rowSecurity ? 'on' : 'off');
    const partition = (t: Of<'table'>) =>
      t.partitionOf
        ? `partition of ${qualifyPath(t.partitionOf)} ${t.bound ?? ''}`.trim()
        : 'not a partition';
    pair('', partition(before), partition(after));
  } else if (before.kind === 'index' && after.kind === 'index') {
    if (before.definition !== after.definition)
      parts.push(`${indexFacts(before)} → ${indexFacts(after)}`);
    pair('', before.valid ? 'valid' : 'invalid', after.valid ? 'valid' : 'invalid');
  } else if (before.kind === 'constraint' && after.kind === 'constraint') {
    pair('', before.definition, after.definition);
  } else if (before.kind === 'enum' && after.kind === 'enum') {
    pair('order', before.labels.join(', '), after.labels.join(', '));
  } else if (before.kind === 'view' && after.kind === 'view') {
    pair(
      '',
      before.materialized ? 'materialized' : 'plain',
      after.materialized ? 'materialized' : 'plain',
    );
    if (before.definition !== after.definition) parts.push('definition changed');
  } else if (before.kind === 'function' && after.kind === 'function') {
    pair('returns', before.result, after.result);
    pair('', before.routine, after.routine);
    if (parts.length === 0 && before.hash !== after.hash) parts.push('definition changed');
  } else if (before.kind === 'trigger' && after.kind === 'trigger') {
    if (before.definition !== after.definition) parts.push('definition changed');
    pair('', before.enabled ? 'enabled' : 'disabled', after.enabled ? 'enabled' : 'disabled');
  } else if (before.kind === 'extension' && after.kind === 'extension') {
    pair('', before.version, after.version);
    pair('schema', before.schema, after.schema);
  }
  return parts;
}

/** One line for one change. */
export function renderChange(change: SchemaChange): string {
  if (change.op === '~') {
    const parts = differences(change.before, change.after);
    const separator = change.after.kind === 'column' ? ' ' : ': ';
    return cut(`~ ${name(change.after)}${parts.length ? `${separator}${parts.join(', ')}` : ''}`);
  }
  if (change.op === '+') return cut(added(change));
  const o = change.object;
  if ('enumValue' in change)
    return cut(`- enum value ${qualify(o.schema, o.name)}.${change.enumValue}`);
  return cut(`- ${o.kind === 'index' ? `index ${qualify(o.schema, o.name)}` : name(o)}`);
}

/** The lines of `changes` (already sorted by diffSchemas), at most `limit`, then how many more. */
export function renderChanges(changes: SchemaChange[], limit = 100): string[] {
  const lines = changes.slice(0, limit).map(renderChange);
  const rest = changes.length - lines.length;
  if (rest > 0) lines.push(`… and ${rest} more schema change${rest === 1 ? '' : 's'}`);
  return lines;
}

/** The rollback proof in one sentence: `reversible`, or what the down SQL leaves behind, removes or does not restore. */
export function describeRollback(comparison: RollbackComparison, limit = 5): string {
  if (comparison.reversible) return 'reversible';
  const list = (changes: SchemaChange[]) => {
    const names = changes.slice(0, limit).map((c) => renderChange(c).slice(2));
    const rest = changes.length - names.length;
    return `${names.join('; ')}${rest > 0 ? `; and ${rest} more` : ''}`;
  };
  const parts: string[] = [];
  if (comparison.leftBehind.length) parts.push(`leaves behind ${list(comparison.leftBehind)}`);
  if (comparison.removedTooMuch.length)
    parts.push(`removes too much: ${list(comparison.removedTooMuch)}`);
  if (comparison.notRestored.length) parts.push(`does not restore ${list(comparison.notRestored)}`);
  return `not reversible: the down SQL ${parts.join('; it ')}`;
}
