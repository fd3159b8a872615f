// Whether ALTER COLUMN … TYPE rewrites the table: PostgreSQL skips the rewrite when the old type is binary-coercible to the new one (no USING, or a USING that is the column itself). Pure.
import type { Node, TypeName } from 'libpg-query';
import { names, nodeOf } from './context.js';

/** A column type reduced to what decides coercibility: base name, type modifiers, array. */
export interface ColumnType {
  base: string;
  mods: number[];
  array: boolean;
}

/** Internal and SQL-standard spellings to one name. */
const ALIASES: Record<string, string> = {
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

function canonical(base: string): string {
  return ALIASES[base] ?? base;
}

/** The type an `ALTER COLUMN … TYPE` names. */
export function typeOfNode(typeName: TypeName | undefined): ColumnType | undefined {
  const base = names(typeName?.names).at(-1);
  if (!base) return undefined;
  const mods = (typeName?.typmods ?? []).map((m) => nodeOf(m, 'A_Const')?.ival?.ival ?? -1);
  return { base: canonical(base), mods, array: (typeName?.arrayBounds?.length ?? 0) > 0 };
}

/** A type as `format_type` spells it: `character varying(10)`, `timestamp(3) with time zone`, `integer[]`. */
export function typeOfFormatted(formatted: string): ColumnType {
  let text = formatted.trim().toLowerCase();
  const array = text.endsWith('[]');
  if (array) text = text.replace(/(\[\])+$/, '');
  const mods: number[] = [];
  text = text.replace(/\(([\d,\s]+)\)/, (_, list: string) => {
    for (const m of list.split(',')) mods.push(Number(m.trim()));
    return '';
  });
  const base = text.replace(/\s+/g, ' ').trim();
  return { base: canonical(base.split('.').at(-1) ?? base), mods, array };
}

/** A new modifier at least as large as the old one, or none at all (unbounded). */
function widens(oldMod: number | undefined, newMod: number | undefined): boolean {
  if (newMod === undefined) return true;
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
export function typeChangeRewrites(
  oldType: ColumnType,
  newType: ColumnType,
  /** The session's time zone is UTC (a fixed zero offset): see {@link fixedUtc}. */
  utc = false,
): boolean {
  if (oldType.array || newType.array) {
    return !(oldType.array && newType.array && sameType(oldType, newType));
  }
  const [o, n] = [oldType.base, newType.base];
  if (sameType(oldType, newType)) return false;
  if (o === 'varchar' && n === 'varchar') return !widens(oldType.mods[0], newType.mods[0]);
  if ((o === 'varchar' || o === 'text') && n === 'text') return false;
  if (o === 'text' && n === 'varchar') return newType.mods.length > 0;
  if (o === 'varbit' && n === 'varbit') return !widens(oldType.mods[0], newType.mods[0]);
  if (o === 'cidr' && n === 'inet') return false;
  if (o === 'numeric' && n === 'numeric') {
    if (newType.mods.length === 0) return false;
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

function isTimestampPair(a: string, b: string): boolean {
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
export function fixedUtc(timeZone: string | undefined): boolean {
  return timeZone !== undefined && UTC_ZONES.has(timeZone.toLowerCase());
}

function sameType(a: ColumnType, b: ColumnType): boolean {
  return a.base === b.base && a.mods.join(',') === b.mods.join(',');
}

/** The new type could be reached without a rewrite from some old type (old type unknown). */
export function mayBeCoercible(newType: ColumnType): boolean {
  return !newType.array && COERCIBLE_TARGETS.has(newType.base);
}

/** A USING expression that leaves the values alone: the column itself, maybe cast. */
export function usingIsPlain(using: Node | undefined, column: string): boolean {
  if (using === undefined) return true;
  const cast = nodeOf(using, 'TypeCast');
  const expr = cast ? cast.arg : using;
  const fields = names(nodeOf(expr, 'ColumnRef')?.fields);
  return fields.length === 1 && fields[0] === column;
}
