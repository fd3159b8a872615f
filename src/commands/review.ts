// Wires the safety review of a dry run: what the target's catalog says, the predictions, and the rehearsal's observations merged into one review.

import { serverVersionNum } from '../db/session.js';
import type { Migration } from '../files/migration.js';
import { qualifiedName } from '../history/table.js';
import { ordered } from '../report/review.js';
import { mergeObservations } from '../review/merge.js';
import type { ExistingRelation, Review, Risk } from '../review/model.js';
import { readColumnFacts } from '../review/observe/columns.js';
import { observeErrorSentence } from '../review/observe/errors.js';
import { type ReviewObserver, reviewObserver } from '../review/observe/observer.js';
import { lookupOf, readRelations } from '../review/observe/relations.js';
import {
  acknowledged,
  alteredTables,
  type ParsedFile,
  type Prediction,
  parsePending,
  predictPending,
} from '../review/pending.js';
import type { CheckedPlan, Context } from './context.js';

/** The static half of the review, ready to merge what a rehearsal observes. */
export interface ReviewStart {
  files: ParsedFile[];
  prediction: Prediction;
  relations: Map<string, ExistingRelation>;
  notes: string[];
}

/**
 * Reads what the predictions need from the target (its relations, search path and the altered
 * tables' columns: three catalog queries, whatever the size of the schema), parses the pending
 * files and predicts. A catalog the role may not read is a note, and the review predicts from
 * what it has.
 */
export async function startReview(context: Context, plan: CheckedPlan): Promise<ReviewStart> {
  const { client } = context.db;
  const notes: string[] = [];
  let relations = new Map<string, ExistingRelation>();
  let searchPath = ['public'];
  let timeZone: string | undefined;
  try {
    relations = await readRelations(client);
    const session = await client.query<{ path: string[]; zone: string }>(
      "SELECT current_schemas(false)::text[] AS path, current_setting('TimeZone') AS zone",
    );
    searchPath = session.rows[0]?.path.length ? session.rows[0].path : searchPath;
    timeZone = session.rows[0]?.zone;
  } catch (error) {
    notes.push(
      observeErrorSentence(error) ??
        `The safety review could not read the target's catalog (${error instanceof Error ? error.message : String(error)}); every relation is treated as new.`,
    );
  }
  const relation = lookupOf(relations);
  const { files, notes: parseNotes } = await parsePending(
    plan.pending.map((migration: Migration) => ({
      migration,
      allowances: plan.checks.get(migration.version)?.allowances,
    })),
  );
  notes.push(...parseNotes);
  const columns = await readColumnFacts(client, alteredTables(files, relation, searchPath)).catch(
    () => undefined,
  );
  const prediction = predictPending(files, {
    relation,
    serverVersionNum: serverVersionNum(context.db.serverVersion),
    searchPath,
    timeZone,
    tablesIn: (schema) =>
      [...relations.values()].filter((r) => r.schema === schema && 'rpm'.includes(r.kind)),
    lockTimeoutInput: context.settings.lockTimeout !== undefined,
    columnType: columns?.columnType,
    provenNotNull: columns?.provenNotNull,
  });
  return { files, prediction, relations, notes };
}

export { reversalProbe } from '../review/reversal.js';

/** An observer for the rehearsal that feeds this review. */
export function observerFor(context: Context, start: ReviewStart): ReviewObserver {
  const tracking = qualifiedName(context.tracking).replaceAll('"', '');
  return reviewObserver(context.db.client, start.relations, tracking, start.notes);
}

/** The review as the report shows it: predictions, merged with observations when rehearsed. */
export function finishReview(
  context: Context,
  start: ReviewStart,
  observer?: ReviewObserver,
): Review {
  const risks: Risk[] = observer
    ? mergeObservations(start.prediction.risks, observer.observations, lookupOf(start.relations), {
        lockWaitBounded: start.prediction.lockWaitBounded,
      })
    : start.prediction.risks;
  return {
    risks: ordered(acknowledged(risks, start.files)),
    schemaChanges: observer?.schemaChanges,
    notes: start.notes,
    observed: observer !== undefined && observer.observations.length > 0,
    serverVersion: context.db.serverVersion.split(' ')[0] ?? context.db.serverVersion,
    mode: context.settings.safety === 'fail' ? 'fail' : 'warn',
  };
}
