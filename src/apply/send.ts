// Sends one transactional migration: whole in one message, or a large file in statement-aligned pieces.
import type pg from 'pg';
import type { Migration } from '../files/migration.js';
import { isLarge, lineAtIndex, type Piece, statementPieces } from '../files/stream.js';
import { indexOfPosition } from '../sql/lines.js';
import { describeError, MigrationFailed, migrationError } from './errors.js';
import { closingSql, migrationMessage, openingSql } from './message.js';
import type { ApplyOptions, MessageFlags } from './model.js';
import { inPipelineMode, PIPELINE_DEPTH } from './pipeline-mode.js';

/** One attempt at a small file: the whole migration and its row in one message. */
async function sendWhole(
  client: pg.ClientBase,
  migration: Migration,
  options: ApplyOptions,
  flags: MessageFlags,
): Promise<void> {
  const { text, prefixLength } = migrationMessage(migration, options, flags);
  try {
    await client.query(text);
  } catch (error) {
    const mapped = migrationError(error, migration, text, prefixLength, options.tracking);
    throw new MigrationFailed(mapped, (error as { code?: string }).code);
  }
}

/**
 * One attempt at a large file: the same transaction, timeouts and bookkeeping as sendWhole, but
 * the file goes in statement-aligned pieces of about 64 KiB, read as they are sent, so the file
 * is never held whole.
 */
async function sendInPieces(
  client: pg.ClientBase,
  migration: Migration,
  options: ApplyOptions,
  flags: MessageFlags,
): Promise<void> {
  const started = performance.now();
  const fail = (error: unknown, line?: number): never => {
    throw new MigrationFailed(describeError(error, line), (error as pg.DatabaseError).code);
  };
  const opening = openingSql(options, flags);
  if (opening) await client.query(opening).catch((error: unknown) => fail(error));
  // PIPELINE_DEPTH pieces are on the wire at a time, and the next is read and split meanwhile:
  // the server never waits for the client. After an error the server refuses the piece behind
  // it (the transaction is aborted), so nothing runs past the failure.
  const pieces = statementPieces(migration.path);
  const inFlight: { piece: Piece; settled: Promise<unknown> }[] = [];
  await inPipelineMode(client, async () => {
    for (let done = false; !done || inFlight.length > 0; ) {
      if (!done) {
        const next = await pieces.next();
        done = next.done === true;
        if (next.value) {
          const piece = next.value;
          const settled = client.query(piece.text).then(
            () => undefined,
            (error: unknown) => error ?? new Error('query failed'),
          );
          inFlight.push({ piece, settled });
        }
      }
      if (inFlight.length < PIPELINE_DEPTH && !done) continue;
      const head = inFlight.shift();
      if (!head) break;
      const error = await head.settled;
      if (!error) continue;
      await Promise.all(inFlight.map((m) => m.settled));
      await pieces.return(undefined);
      const position = (error as pg.DatabaseError).position;
      const index = position ? indexOfPosition(head.piece.text, Number(position)) : undefined;
      fail(
        error,
        index === undefined
          ? undefined
          : await lineAtIndex(migration.path, head.piece.start + index),
      );
    }
  });
  const elapsed = String(Math.round(performance.now() - started));
  await client
    .query(closingSql(migration, options, flags, elapsed))
    .catch((error: unknown) => fail(error));
}

/** Sends one migration in its transaction, whole or in pieces by its size. */
export function sendMigration(
  client: pg.ClientBase,
  migration: Migration,
  options: ApplyOptions,
  flags: MessageFlags,
): Promise<void> {
  const send = isLarge(migration) ? sendInPieces : sendWhole;
  return send(client, migration, options, flags);
}
