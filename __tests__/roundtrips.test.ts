import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from './support/action.js';
import { createDatabase } from './support/database.js';
import { workspaceWith } from './support/files.js';
import { RoundTripCounter } from './support/proxy.js';

// The regression guard of the performance work: round trips are counted, not timed. A run with
// nothing to do sends a fixed number whatever the number of migrations; an apply run sends at
// most one per migration plus a constant.
let url: string;
let drop: () => Promise<void>;
let proxy: RoundTripCounter;
let proxiedUrl: string;

beforeAll(async () => {
  ({ url, drop } = await createDatabase('roundtrips'));
  const target = new URL(url);
  proxy = new RoundTripCounter({ host: target.hostname, port: Number(target.port) });
  const port = await proxy.start();
  const proxied = new URL(url);
  proxied.port = String(port);
  // No TLS negotiation: the proxy reads the plain protocol.
  proxied.searchParams.set('sslmode', 'disable');
  proxiedUrl = proxied.toString();
});
afterAll(async () => {
  await proxy.stop();
  await drop();
});

function migrations(count: number, schema: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 1; i <= count; i++) {
    const name = `${String(i).padStart(4, '0')}_t${i}.sql`;
    files[name] =
      `CREATE TABLE ${schema}.t${i} (id int PRIMARY KEY, v text);\nINSERT INTO ${schema}.t${i} VALUES (1, 'x');\n`;
  }
  files['0000_schema.sql'] = `CREATE SCHEMA ${schema};`;
  return files;
}

async function counted(inputs: Record<string, string>, workspace: string) {
  proxy.count = 0;
  proxy.maxInFlight = 0;
  const run = await runAction({ 'database-url': proxiedUrl, ...inputs }, { workspace });
  expect(run.code, run.all).toBe(0);
  return { run, trips: proxy.count, maxInFlight: proxy.maxInFlight };
}

describe('round trips', () => {
  it('an apply run sends at most one per migration plus a constant, and a noop run a constant', async () => {
    const results: { n: number; apply: number; noop: number; inFlight: number }[] = [];
    for (const [n, schema] of [
      [10, 'rt10'],
      [60, 'rt60'],
    ] as const) {
      const { workspace } = await workspaceWith(migrations(n, schema));
      const inputs = { schema: `${schema}_m` };
      const apply = await counted(inputs, workspace);
      expect(apply.run.outputs['applied-count']).toBe(String(n + 1));
      const noop = await counted(inputs, workspace);
      expect(noop.run.outputs.result).toBe('up-to-date');
      results.push({ n: n + 1, apply: apply.trips, noop: noop.trips, inFlight: apply.maxInFlight });
    }
    const [small, large] = results as [(typeof results)[0], (typeof results)[0]];
    // Apply: each extra migration costs exactly one round trip.
    expect(large.apply - small.apply).toBe(large.n - small.n);
    expect(small.apply).toBeLessThanOrEqual(small.n + 10);
    // Noop: the same number whatever N is, and small.
    expect(large.noop).toBe(small.noop);
    expect(small.noop).toBeLessThanOrEqual(2);
    // Pipelined: the next migration is on the wire while the server runs one, never more.
    expect(large.inFlight).toBe(2);
  });

  it('transaction: all sends at most one per migration plus a constant', async () => {
    const { workspace } = await workspaceWith(migrations(30, 'rtall'));
    const { trips, run } = await counted({ schema: 'rtall_m', transaction: 'all' }, workspace);
    expect(run.outputs['applied-count']).toBe('31');
    expect(trips).toBeLessThanOrEqual(31 + 10);
  });
});
