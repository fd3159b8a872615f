// The order in which a fleet's targets are migrated: canaries, then bounded parallel waves (pure scheduling: no database, no logs).

export type FailurePolicy = 'stop' | 'continue';

export interface WaveOptions<T, R> {
  /** Targets in flight at once after the canaries; 1 or more. */
  concurrency: number;
  /** The first `canary` targets run first, one at a time and alone; 0 or more. */
  canary: number;
  /** `stop`: after a failure no new target starts (those running finish); `continue`: all run. */
  onTargetFailure: FailurePolicy;
  /** Once aborted, no new target starts; running targets see the same signal through `work`. */
  signal?: AbortSignal;
  /** A result `work` resolved with that still counts as a failure (a migration that failed). */
  isFailure?: (value: R) => boolean;
  /** Called as each started target finishes, for progress in the log; must not throw. */
  onOutcome?: (outcome: Outcome<T, R>) => void;
}

export type Outcome<T, R> =
  | { target: T; status: 'succeeded'; value: R }
  /** `value` when `work` resolved with a failure, `error` when it threw. */
  | { target: T; status: 'failed'; value?: R; error?: unknown }
  /** Why it never started: a canary failed, a failure under `stop`, or the job was cancelled. */
  | { target: T; status: 'not started'; reason: string };

function check(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(
      `runWaves: ${name} must be a whole number of at least ${min}, not ${value}.`,
    );
  }
}

/**
 * Runs `work` for every target and returns one outcome per target, in the targets' order.
 *
 * The first `canary` targets run one at a time, each alone: a canary proves the migrations on one
 * real database before any other is touched, and one at a time means a second canary does not
 * start after the first failed. If a canary fails, no other target starts, whatever
 * `onTargetFailure` says. The rest then run with at most `concurrency` in flight, in order.
 * A failure under `stop`, or an aborted signal, starts nothing new; running targets are never
 * interrupted here (cancelling their statements is `work`'s part, through the same signal).
 */
export async function runWaves<T extends { name: string }, R>(
  targets: readonly T[],
  work: (target: T) => Promise<R>,
  options: WaveOptions<T, R>,
): Promise<Outcome<T, R>[]> {
  check('concurrency', options.concurrency, 1);
  check('canary', options.canary, 0);
  const outcomes = new Array<Outcome<T, R> | undefined>(targets.length);
  // The first reason to start nothing more wins: it is the one the report gives.
  let stopReason: string | undefined;
  const onAbort = () => {
    stopReason ??= 'the job was cancelled';
  };
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const runOne = async (index: number, isCanary: boolean): Promise<void> => {
    const target = targets[index] as T;
    let outcome: Outcome<T, R>;
    try {
      const value = await work(target);
      outcome = options.isFailure?.(value)
        ? { target, status: 'failed', value }
        : { target, status: 'succeeded', value };
    } catch (error) {
      outcome = { target, status: 'failed', error };
    }
    outcomes[index] = outcome;
    if (outcome.status === 'failed') {
      if (isCanary) stopReason ??= `the canary target ${target.name} failed`;
      else if (options.onTargetFailure === 'stop') {
        stopReason ??= `${target.name} failed and on-target-failure is stop`;
      }
    }
    options.onOutcome?.(outcome);
  };

  try {
    const canaries = Math.min(options.canary, targets.length);
    for (let index = 0; index < canaries && stopReason === undefined; index++) {
      await runOne(index, true);
    }
    // Each lane takes the next target when its last one finished: at most `concurrency` in flight.
    let next = canaries;
    const lane = async () => {
      while (stopReason === undefined && next < targets.length) await runOne(next++, false);
    };
    const lanes = Math.min(options.concurrency, targets.length - canaries);
    await Promise.all(Array.from({ length: lanes }, lane));
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }

  return targets.map(
    (target, index) =>
      outcomes[index] ?? {
        target,
        status: 'not started',
        reason: stopReason ?? 'the run ended before it started',
      },
  );
}
