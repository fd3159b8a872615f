import { describe, expect, it } from 'vitest';
import { type Outcome, runWaves, type WaveOptions } from '../../../src/fleet/waves.js';

interface Target {
  name: string;
}

const targets = (count: number): Target[] =>
  Array.from({ length: count }, (_, i) => ({ name: `t${i + 1}` }));

/**
 * Work whose every call waits until the test finishes or fails it by name: the test decides the
 * order in which targets end, and nothing depends on time.
 */
function controlledWork() {
  const pending = new Map<string, { resolve: (v: string) => void; reject: (e: Error) => void }>();
  const started: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const work = (target: Target) =>
    new Promise<string>((resolve, reject) => {
      started.push(target.name);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      pending.set(target.name, { resolve, reject });
    }).finally(() => {
      inFlight--;
      pending.delete(target.name);
    });
  const take = (name: string) => {
    const call = pending.get(name);
    if (!call) throw new Error(`${name} is not running (running: ${[...pending.keys()]})`);
    return call;
  };
  return {
    work,
    started,
    running: () => [...pending.keys()],
    maxInFlight: () => maxInFlight,
    succeed: async (name: string) => {
      take(name).resolve(`done ${name}`);
      await drain();
    },
    fail: async (name: string) => {
      take(name).reject(new Error(`${name} broke`));
      await drain();
    },
  };
}

/**
 * Lets every promise reaction queued so far run: setImmediate fires only after the microtask
 * queue is empty, and this work has no I/O, so this waits for the scheduler and never for time.
 */
const drain = () => new Promise<void>((resolve) => setImmediate(resolve));

const summary = (outcomes: Outcome<Target, string>[]) =>
  outcomes.map((o) =>
    o.status === 'not started'
      ? `${o.target.name}: not started (${o.reason})`
      : `${o.target.name}: ${o.status}`,
  );

function start(count: number, options: Partial<WaveOptions<Target, string>>) {
  const fake = controlledWork();
  const run = runWaves(targets(count), fake.work, {
    concurrency: 1,
    canary: 0,
    onTargetFailure: 'stop',
    ...options,
  });
  return { ...fake, run };
}

describe('runWaves', () => {
  it('never has more than `concurrency` targets in flight, and reaches it', async () => {
    const fake = start(10, { concurrency: 3 });
    await drain();
    expect(fake.running()).toEqual(['t1', 't2', 't3']);
    await fake.succeed('t2');
    expect(fake.running()).toEqual(['t1', 't3', 't4']);
    // End them in an order unlike the start order until all are done.
    while (fake.running().length > 0) await fake.succeed(fake.running().at(-1) as string);
    const outcomes = await fake.run;
    expect(fake.maxInFlight()).toBe(3);
    expect(fake.started).toHaveLength(10);
    expect(outcomes.map((o) => o.target.name)).toEqual(targets(10).map((t) => t.name));
    expect(outcomes.every((o) => o.status === 'succeeded')).toBe(true);
    expect(outcomes[0]).toMatchObject({ status: 'succeeded', value: 'done t1' });
  });

  it('runs the canaries first, one at a time and alone, then the rest in parallel', async () => {
    const fake = start(6, { canary: 2, concurrency: 4 });
    await drain();
    expect(fake.running()).toEqual(['t1']);
    await fake.succeed('t1');
    expect(fake.running()).toEqual(['t2']);
    await fake.succeed('t2');
    expect(fake.running()).toEqual(['t3', 't4', 't5', 't6']);
    for (const name of ['t3', 't4', 't5', 't6']) await fake.succeed(name);
    expect(summary(await fake.run)).toEqual(
      ['t1', 't2', 't3', 't4', 't5', 't6'].map((n) => `${n}: succeeded`),
    );
  });

  it('starts no other target after a canary fails, even with on-target-failure continue', async () => {
    const fake = start(5, { canary: 2, concurrency: 4, onTargetFailure: 'continue' });
    await drain();
    await fake.fail('t1');
    const outcomes = await fake.run;
    expect(fake.started).toEqual(['t1']);
    expect(summary(outcomes)).toEqual([
      't1: failed',
      ...['t2', 't3', 't4', 't5'].map((n) => `${n}: not started (the canary target t1 failed)`),
    ]);
    expect(outcomes[0]).toMatchObject({ status: 'failed', error: new Error('t1 broke') });
  });

  it('treats every target as a canary when canary is more than the targets', async () => {
    const fake = start(2, { canary: 5, concurrency: 4 });
    await drain();
    expect(fake.running()).toEqual(['t1']);
    await fake.succeed('t1');
    expect(fake.running()).toEqual(['t2']);
    await fake.succeed('t2');
    expect(summary(await fake.run)).toEqual(['t1: succeeded', 't2: succeeded']);
  });

  it('under stop, starts nothing new after a failure and lets running targets finish', async () => {
    const fake = start(6, { concurrency: 2, onTargetFailure: 'stop' });
    await drain();
    await fake.fail('t1');
    expect(fake.running()).toEqual(['t2']);
    await fake.succeed('t2');
    const outcomes = await fake.run;
    expect(fake.started).toEqual(['t1', 't2']);
    expect(summary(outcomes)).toEqual([
      't1: failed',
      't2: succeeded',
      ...['t3', 't4', 't5', 't6'].map(
        (n) => `${n}: not started (t1 failed and on-target-failure is stop)`,
      ),
    ]);
  });

  it('under continue, runs every target after failures', async () => {
    const fake = start(4, { concurrency: 2, onTargetFailure: 'continue' });
    await drain();
    await fake.fail('t1');
    expect(fake.running()).toEqual(['t2', 't3']);
    await fake.fail('t3');
    await fake.succeed('t2');
    await fake.succeed('t4');
    expect(summary(await fake.run)).toEqual([
      't1: failed',
      't2: succeeded',
      't3: failed',
      't4: succeeded',
    ]);
  });

  it('counts a result that isFailure says failed as a failure', async () => {
    const fake = start(3, { isFailure: (value) => value === 'done t1' });
    await drain();
    await fake.succeed('t1');
    const outcomes = await fake.run;
    expect(outcomes[0]).toEqual({ target: { name: 't1' }, status: 'failed', value: 'done t1' });
    expect(fake.started).toEqual(['t1']);
  });

  it('starts nothing new once the signal is aborted, and lets running targets finish', async () => {
    const controller = new AbortController();
    const fake = start(5, { concurrency: 2, signal: controller.signal });
    await drain();
    controller.abort();
    await fake.succeed('t1');
    expect(fake.running()).toEqual(['t2']);
    await fake.succeed('t2');
    const outcomes = await fake.run;
    expect(summary(outcomes)).toEqual([
      't1: succeeded',
      't2: succeeded',
      ...['t3', 't4', 't5'].map((n) => `${n}: not started (the job was cancelled)`),
    ]);
  });

  it('starts nothing when the signal is already aborted, also no canary', async () => {
    const controller = new AbortController();
    controller.abort();
    const fake = start(3, { canary: 1, concurrency: 2, signal: controller.signal });
    const outcomes = await fake.run;
    expect(fake.started).toEqual([]);
    expect(outcomes.every((o) => o.status === 'not started')).toBe(true);
  });

  it('stops between canaries when the job is cancelled during one', async () => {
    const controller = new AbortController();
    const fake = start(4, { canary: 2, concurrency: 2, signal: controller.signal });
    await drain();
    controller.abort();
    await fake.succeed('t1');
    expect(summary(await fake.run)).toEqual([
      't1: succeeded',
      ...['t2', 't3', 't4'].map((n) => `${n}: not started (the job was cancelled)`),
    ]);
  });

  it('reports a target whose work throws at once as failed and goes on under continue', async () => {
    const outcomes = await runWaves(
      targets(2),
      (target) => {
        if (target.name === 't1') throw new Error('sync');
        return Promise.resolve('ok');
      },
      { concurrency: 1, canary: 0, onTargetFailure: 'continue' },
    );
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'succeeded']);
  });

  it('calls onOutcome as each target finishes, in the order they finish', async () => {
    const seen: string[] = [];
    const fake = start(3, {
      concurrency: 3,
      onOutcome: (o) => seen.push(`${o.target.name} ${o.status}`),
    });
    await drain();
    await fake.succeed('t3');
    await fake.fail('t1');
    await fake.succeed('t2');
    await fake.run;
    expect(seen).toEqual(['t3 succeeded', 't1 failed', 't2 succeeded']);
  });

  it('gives no outcomes for no targets and refuses a concurrency below 1', async () => {
    expect(
      await runWaves([], async () => 'x', { concurrency: 2, canary: 1, onTargetFailure: 'stop' }),
    ).toEqual([]);
    await expect(
      runWaves(targets(1), async () => 'x', { concurrency: 0, canary: 0, onTargetFailure: 'stop' }),
    ).rejects.toThrow('runWaves: concurrency must be a whole number of at least 1, not 0.');
  });
});
