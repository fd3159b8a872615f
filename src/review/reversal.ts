// The rehearsal's proof of down SQL: the schema before a migration's up against the schema after its down, read from the catalog inside the rolled-back transaction.
import type pg from 'pg';
import type { ReversalProbe } from '../apply/rehearse.js';
import { compareRollback } from './catalog/diff.js';
import { describeRollback } from './catalog/render.js';
import { readScopeStart, rehearsalScope, type ScopeStart } from './catalog/scope.js';
import { overlaySnapshot, type SchemaSnapshot, snapshotSchema } from './catalog/snapshot.js';
import { observeErrorSentence } from './observe/errors.js';

const SAVEPOINT = 'agoat_migrate_snapshot';

/**
 * A probe for the rehearsal. A snapshot that cannot be read (a catalog the role may not read)
 * is rolled back to its savepoint, so it never aborts the rehearsal; its sentence goes to
 * `notes` once, and the proof of that migration says it was not checked.
 *
 * The whole schema is read once, at the first snapshot; every later one reads only what the
 * rehearsal can have changed since its transaction began (rehearsalScope) and takes the rest
 * from that first one, so each is as exact as a whole snapshot, at the cost of a few relations.
 */
export function reversalProbe(
  client: pg.ClientBase,
  notes: string[],
): ReversalProbe<SchemaSnapshot | undefined> {
  let told = false;
  let base: { snapshot: SchemaSnapshot; start: ScopeStart } | undefined;
  const read = async (): Promise<SchemaSnapshot> => {
    if (!base) {
      const start = await readScopeStart(client);
      base = { snapshot: await snapshotSchema(client), start };
      return base.snapshot;
    }
    const scope = await rehearsalScope(client, base.start);
    if (!scope) return snapshotSchema(client);
    return overlaySnapshot(base.snapshot, await snapshotSchema(client, undefined, scope), scope);
  };
  return {
    async snapshot() {
      await client.query(`SAVEPOINT ${SAVEPOINT}`);
      try {
        const snapshot = await read();
        await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
        return snapshot;
      } catch (error) {
        await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
        if (!told) {
          told = true;
          notes.push(
            observeErrorSentence(error) ??
              `The rehearsal could not read the catalog to prove the down SQL (${error instanceof Error ? error.message : String(error)}).`,
          );
        }
        return undefined;
      }
    },
    compare(beforeUp, afterDown) {
      if (!beforeUp || !afterDown) return 'down SQL not proven: the catalog could not be read';
      return describeRollback(compareRollback(beforeUp, afterDown));
    },
  };
}
