// Test helpers for the safety review: a fake catalog of existing relations and a parse-then-predict shortcut (with the real parser).
import type { ExistingRelation, RelationLookup, Risk } from '../../../src/review/model.js';
import { parseFileStatements } from '../../../src/review/rules/parse.js';
import { type PredictContext, predictRisks } from '../../../src/review/rules/predict.js';

export function relation(
  qualified: string,
  kind = 'r',
  extra: Partial<ExistingRelation> = {},
): ExistingRelation {
  const [schema = '', name = ''] = qualified.split('.');
  return { schema, name, kind, rows: 1_000_000, bytes: 200_000_000, ...extra };
}

/** What the target holds before the pending migrations. */
export const CATALOG: ExistingRelation[] = [
  relation('public.posts'),
  relation('public.users', 'r', { rows: 40, bytes: 16_384 }),
  relation('public.pt', 'p', { rows: 0, bytes: 0 }),
  relation('public.pt_2024', 'r'),
  relation('public.posts_title_idx', 'i', { table: 'public.posts' }),
  relation('public.stats', 'm'),
  relation('app.accounts'),
];

export function lookupOf(relations: readonly ExistingRelation[]): RelationLookup {
  const byName = new Map(relations.map((r) => [`${r.schema}.${r.name}`, r]));
  return (schema, name) => byName.get(`${schema}.${name}`);
}

export type Options = Partial<PredictContext>;

export function contextOf(options: Options = {}): PredictContext {
  return {
    file: '002_change.sql',
    noTransaction: false,
    serverVersionNum: 180000,
    relation: lookupOf(CATALOG),
    lockTimeoutInput: true,
    created: new Set(),
    ...options,
  };
}

/** Parses `sql` with PostgreSQL's parser and predicts its risks. */
export async function predict(sql: string, options: Options = {}): Promise<Risk[]> {
  return predictRisks(await parseFileStatements(sql), contextOf(options));
}

/** `rule table` of each risk, for compact assertions. */
export function summary(risks: readonly Risk[]): string[] {
  return risks.map((r) => `${r.rule} ${r.table ?? '-'}`);
}
