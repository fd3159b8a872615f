// Whether a column default is volatile (ADD COLUMN then rewrites the table on PostgreSQL 11+) or not (stored once as a "missing value"). Pure; an unknown function counts as volatile.
import type { Node } from 'libpg-query';
import { names, nodeOf } from './context.js';

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
export function isNonVolatile(expr: Node | undefined): boolean {
  if (expr === undefined) return true;
  if (nodeOf(expr, 'A_Const') || nodeOf(expr, 'SQLValueFunction')) return true;
  const cast = nodeOf(expr, 'TypeCast');
  if (cast) return isNonVolatile(cast.arg);
  const op = nodeOf(expr, 'A_Expr');
  if (op) return isNonVolatile(op.lexpr) && isNonVolatile(op.rexpr);
  const bool = nodeOf(expr, 'BoolExpr');
  if (bool) return (bool.args ?? []).every(isNonVolatile);
  const array = nodeOf(expr, 'A_ArrayExpr');
  if (array) return (array.elements ?? []).every(isNonVolatile);
  const coalesce = nodeOf(expr, 'CoalesceExpr');
  if (coalesce) return (coalesce.args ?? []).every(isNonVolatile);
  const call = nodeOf(expr, 'FuncCall');
  if (call) {
    const parts = names(call.funcname);
    const name = parts.at(-1) ?? '';
    const builtin = parts.length === 1 || parts[0] === 'pg_catalog';
    return builtin && NOT_VOLATILE.has(name) && (call.args ?? []).every(isNonVolatile);
  }
  return false;
}
