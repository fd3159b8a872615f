// The difference between two schema snapshots, and the rollback proof's verdict on it. Pure.
import type { ObjectKind, SchemaObject, SchemaSnapshot } from './snapshot.js';

type ColumnObject = Extract<SchemaObject, { kind: 'column' }>;

/** One difference: an object added (+), removed (-) or changed (~); enum values on their own. */
export type SchemaChange =
  | {
      op: '+';
      object: SchemaObject /** For an added table: its columns, which get no lines of their own. */;
      columns?: ColumnObject[];
    }
  | { op: '-'; object: SchemaObject }
  | { op: '~'; before: SchemaObject; after: SchemaObject }
  | { op: '+' | '-'; enumValue: string; object: Extract<SchemaObject, { kind: 'enum' }> };

/** The order kinds are listed in: containers first, then what hangs on tables, then the rest. */
export const KIND_ORDER: ObjectKind[] = [
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
export function changedObject(change: SchemaChange): SchemaObject {
  return 'object' in change ? change.object : change.after;
}

/** `schema.table` of the table an object hangs on (or is), if any. */
export function tableOf(object: SchemaObject): string | undefined {
  if (object.kind === 'table') return `${object.schema}.${object.name}`;
  if ('table' in object) return `${object.schema}.${object.table}`;
  return undefined;
}

function sameFacts(a: SchemaObject, b: SchemaObject): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortKey(change: SchemaChange): string {
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
export function diffSchemas(before: SchemaSnapshot, after: SchemaSnapshot): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const addedTables = new Set<string>();
  const removedTables = new Set<string>();
  const columnsOf = new Map<string, ColumnObject[]>();
  for (const object of after.objects.values()) {
    if (object.kind !== 'column') continue;
    const table = `${object.schema}.${object.table}`;
    const list = columnsOf.get(table);
    if (list) list.push(object);
    else columnsOf.set(table, [object]);
  }
  for (const [key, object] of after.objects) {
    const old = before.objects.get(key);
    if (!old) {
      if (object.kind === 'table') {
        const table = `${object.schema}.${object.name}`;
        addedTables.add(table);
        changes.push({ op: '+', object, columns: columnsOf.get(table) ?? [] });
      } else {
        changes.push({ op: '+', object });
      }
    } else if (object.kind === 'enum' && old.kind === 'enum') {
      changes.push(...enumChanges(old, object));
    } else if (!sameFacts(old, object)) {
      changes.push({ op: '~', before: old, after: object });
    }
  }
  for (const [key, object] of before.objects) {
    if (after.objects.has(key)) continue;
    if (object.kind === 'table') removedTables.add(`${object.schema}.${object.name}`);
    changes.push({ op: '-', object });
  }
  const kept = changes.filter((change) => {
    const object = changedObject(change);
    if (object.kind === 'table' || change.op === '~') return true;
    const table = tableOf(object);
    if (table === undefined) return true;
    if (change.op === '-') return !removedTables.has(table);
    return !(object.kind === 'column' && addedTables.has(table));
  });
  return kept.sort((a, b) => compare(sortKey(a), sortKey(b)));
}

function enumChanges(
  before: Extract<SchemaObject, { kind: 'enum' }>,
  after: Extract<SchemaObject, { kind: 'enum' }>,
): SchemaChange[] {
  const changes: SchemaChange[] = [];
  for (const label of after.labels) {
    if (!before.labels.includes(label)) changes.push({ op: '+', enumValue: label, object: after });
  }
  for (const label of before.labels) {
    if (!after.labels.includes(label)) changes.push({ op: '-', enumValue: label, object: before });
  }
  // The values both have, in a different order: the type changed in place.
  const common = (labels: string[], other: string[]) => labels.filter((l) => other.includes(l));
  if (
    common(before.labels, after.labels).join('\0') !==
    common(after.labels, before.labels).join('\0')
  ) {
    changes.push({ op: '~', before, after });
  }
  return changes;
}

/** Whether two snapshots describe the same schema. */
export function equalSchemas(a: SchemaSnapshot, b: SchemaSnapshot): boolean {
  return diffSchemas(a, b).length === 0;
}

/** The rollback proof: the schema after a migration's down compared with the schema before its up. */
export interface RollbackComparison {
  reversible: boolean;
  /** Present after the down, absent before the up. */
  leftBehind: SchemaChange[];
  /** Present before the up, absent after the down. */
  removedTooMuch: SchemaChange[];
  /** Present on both sides, but different. */
  notRestored: SchemaChange[];
}

/** Compares the schema before a migration's up with the schema after its down. */
export function compareRollback(
  beforeUp: SchemaSnapshot,
  afterDown: SchemaSnapshot,
): RollbackComparison {
  const changes = diffSchemas(beforeUp, afterDown);
  return {
    reversible: changes.length === 0,
    leftBehind: changes.filter((c) => c.op === '+'),
    removedTooMuch: changes.filter((c) => c.op === '-'),
    notRestored: changes.filter((c) => c.op === '~'),
  };
}
