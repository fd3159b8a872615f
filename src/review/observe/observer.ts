// Watches a rehearsal for the safety review: traces each statement inside the rolled-back transaction, and snapshots the schema after it (before the rollback) and before it (after the rollback).
import type pg from 'pg';
import type { RehearsalObserver } from '../../apply/rehearse.js';
import { changedObject, diffSchemas, tableOf } from '../catalog/diff.js';
import { renderChanges } from '../catalog/render.js';
import {
  readScopeStart,
  rehearsalScope,
  type ScopeStart,
  type SnapshotScope,
} from '../catalog/scope.js';
import { type SchemaSnapshot, snapshotSchema } from '../catalog/snapshot.js';
import type { ExistingRelation, Observation } from '../model.js';
import { observeErrorSentence } from './errors.js';
import { startTracing, type Tracer } from './tracer.js';

/** A rehearsal observer that collects the review's observations and schema changes. */
export interface ReviewObserver extends RehearsalObserver {
  readonly observations: Observation[];
  /** The schema difference the rehearsed migrations made, as report lines; set by finish(). */
  schemaChanges?: string[];
}

const SAVEPOINT = 'agoat_migrate_review';

/**
 * Runs a catalog read inside the rehearsal's transaction behind a savepoint: a read that fails
 * (a catalog the role may not read) must not abort the transaction and be blamed on the next
 * migration statement. Returns undefined, after writing its sentence to `notes`, when it failed.
 */
async function guarded<T>(
  client: pg.ClientBase,
  notes: string[],
  read: () => Promise<T>,
): Promise<T | undefined> {
  await client.query(`SAVEPOINT ${SAVEPOINT}`);
  try {
    const value = await read();
    await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    return value;
  } catch (error) {
    await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    notes.push(
      observeErrorSentence(error) ??
        `The safety review could not read the catalog during the rehearsal (${error instanceof Error ? error.message : String(error)}); it reports what it predicted.`,
    );
    return undefined;
  }
}

/**
 * The observer of one rehearsal. `relations` is what existed before (readRelations); `tracking`
 * (`schema.table`) is the action's own table, left out of the schema changes. Whatever it cannot
 * read becomes a sentence in `notes`, and the rehearsal goes on.
 */
export function reviewObserver(
  client: pg.ClientBase,
  relations: Map<string, ExistingRelation>,
  tracking: string,
  notes: string[],
): ReviewObserver {
  let tracer: Tracer | undefined;
  let begun: ScopeStart | undefined;
  let after: { scope: SnapshotScope | undefined; snapshot: SchemaSnapshot } | undefined;
  const observer: ReviewObserver = {
    observations: [],
    async start() {
      begun = await guarded(client, notes, () => readScopeStart(client));
      tracer = await guarded(client, notes, () => startTracing(client, relations));
    },
    async before() {
      await tracer?.before();
    },
    async after(migration, statement) {
      if (!tracer) return;
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
      if (!start) return;
      after = await guarded(client, notes, async () => {
        const scope = await rehearsalScope(client, start);
        return { scope, snapshot: await snapshotSchema(client, undefined, scope) };
      });
    },
    async rolledBack() {
      // The schema before, read after the rollback (the database is back as it was) with the
      // same scope: only what the rehearsal can have changed is read, on both sides.
      if (!after) return;
      let before: SchemaSnapshot;
      try {
        before = await snapshotSchema(client, undefined, after.scope);
      } catch (error) {
        notes.push(
          observeErrorSentence(error) ??
            `The safety review could not read the catalog after the rehearsal (${error instanceof Error ? error.message : String(error)}); it reports what it predicted.`,
        );
        return;
      }
      const changes = diffSchemas(before, after.snapshot).filter(
        (change) => tableOf(changedObject(change)) !== tracking,
      );
      observer.schemaChanges = renderChanges(changes);
    },
  };
  return observer;
}
