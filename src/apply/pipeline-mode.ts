// pg's pipeline mode: queries go on the wire before the previous answer; how deep the action lets it go.
import type pg from 'pg';

/**
 * How many messages may be on the wire at once, and their bytes at most. Two is enough for the
 * server never to wait for the client between migrations (the client prepares the next message
 * in a fraction of the time the server takes to run one); more would only let more start after
 * a cancellation.
 */
export const PIPELINE_DEPTH = 2;
export const PIPELINE_BYTES = 1 << 20;

/**
 * Runs `work` with pg's pipeline mode on: queries go on the wire as they are made instead of
 * waiting for the previous answer, and are answered in order.
 */
export async function inPipelineMode<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  const pipelined = client as pg.ClientBase & { pipeline: boolean };
  pipelined.pipeline = true;
  try {
    return await work();
  } finally {
    pipelined.pipeline = false;
  }
}
