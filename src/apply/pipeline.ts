// Applies a run of small transactional migrations pipelined: the next message goes out while the server runs the current.
import type pg from 'pg';
import { migrationError } from './errors.js';
import { migrationMessage } from './message.js';
import type { ApplyOptions, MessageFlags, Outcome } from './model.js';
import { inPipelineMode, PIPELINE_BYTES, PIPELINE_DEPTH } from './pipeline-mode.js';
import { pausedForRetry } from './retry.js';

/** A message on the wire; `settled` never rejects. */
interface InFlight {
  outcome: Outcome;
  /** Its place in the run, where a retry starts again. */
  position: number;
  sentAt: number;
  settled: Promise<{ at: number; error?: unknown }>;
  text: string;
  prefixLength: number;
}

/**
 * Applies small transactional migrations, each in one message, with the next message sent while
 * the server runs the current one: the server never waits a round trip between migrations. This
 * is safe because nothing behind a failure can commit. An error leaves the transaction aborted,
 * and PostgreSQL refuses every later statement, COMMIT included, until the ROLLBACK sent here
 * once the failed message's answer is in. A message sent behind another also starts by checking
 * that the other's tracking row exists, which covers the one failure after which the session is
 * not left aborted: a COMMIT that fails (a deferred constraint). A migration that timed out on a
 * lock (55P03) is retried from where it failed, up to `lockRetries` times. Returns the failed
 * outcome, if any; the ones behind it stay `not attempted`.
 */
export async function applyPipelined(
  client: pg.ClientBase,
  run: Outcome[],
  firstIndex: number,
  options: ApplyOptions,
  flagsOf: (index: number) => MessageFlags,
): Promise<Outcome | undefined> {
  const inFlight: InFlight[] = [];
  let bytes = 0;
  let next = 0;
  let attempt = 1;
  let lastDone = performance.now();
  const send = (position: number) => {
    const outcome = run[position] as Outcome;
    const flags = flagsOf(firstIndex + position);
    // Within `transaction: all` nothing commits before the end, and an error aborts the one
    // transaction: only a message that commits on its own needs the check.
    const previous = flags.begin ? inFlight.at(-1)?.outcome.migration.version : undefined;
    const { text, prefixLength } = migrationMessage(outcome.migration, options, {
      ...flags,
      previous,
    });
    const sentAt = performance.now();
    const settled = client.query(text).then(
      () => ({ at: performance.now() }),
      (error: unknown) => ({ at: performance.now(), error }),
    );
    inFlight.push({ outcome, position, sentAt, settled, text, prefixLength });
    bytes += text.length;
  };
  return inPipelineMode(client, async () => {
    while (next < run.length || inFlight.length > 0) {
      while (
        next < run.length &&
        !options.signal?.aborted &&
        (inFlight.length === 0 ||
          (inFlight.length < PIPELINE_DEPTH &&
            bytes + (run[next]?.migration.size ?? 0) <= PIPELINE_BYTES))
      ) {
        send(next++);
      }
      const head = inFlight.shift();
      if (!head) break; // cancelled with nothing on the wire
      const { at, error } = await head.settled;
      bytes -= head.text.length;
      const { outcome } = head;
      outcome.durationMs = Math.round(at - Math.max(lastDone, head.sentAt));
      lastDone = at;
      if (!error) {
        outcome.status = 'applied';
        attempt = 1;
        options.log(`Applied ${outcome.migration.name} in ${outcome.durationMs} ms.`);
        // A message already sent would still run: ask the server to cancel it.
        if (options.signal?.aborted && inFlight.length > 0) options.cancelRunning?.();
        continue;
      }
      // Everything behind the failure was refused; then the transaction is rolled back.
      await Promise.all(inFlight.map((m) => m.settled));
      inFlight.length = 0;
      bytes = 0;
      await client.query('ROLLBACK').catch(() => undefined);
      const mapped = migrationError(
        error,
        outcome.migration,
        head.text,
        head.prefixLength,
        options.tracking,
      );
      const code = (error as pg.DatabaseError).code;
      if (await pausedForRetry(outcome.migration, mapped, code, attempt, options)) {
        attempt++;
        next = head.position;
        continue;
      }
      outcome.status = 'failed';
      outcome.error = mapped;
      return outcome;
    }
    return undefined;
  });
}
