import { describe, expect, it } from 'vitest';
import {
  FLEET_SUMMARY_BUDGET,
  renderFleetLog,
  renderFleetSummary,
} from '../../../src/fleet/render.js';
import type { TargetResult } from '../../../src/fleet/report.js';

const upToDate = (name: string, version = '42'): TargetResult => ({
  name,
  result: 'up-to-date',
  applied: [],
  pending: [],
  version,
});

const failed = (name: string, error: string, detail?: string[]): TargetResult => ({
  name,
  result: 'failed',
  applied: ['41'],
  pending: ['42', '43'],
  version: '41',
  error,
  detail,
});

/** The table rows of a summary. */
const rowsOf = (html: string) => html.split('\n').filter((line) => line.startsWith('<tr><td>'));

describe('renderFleetSummary', () => {
  it('collapses targets with the same outcome into one row that lists a few names', () => {
    const targets = Array.from({ length: 200 }, (_, i) => upToDate(`tenant_${i}`));
    const html = renderFleetSummary(targets, { kind: 'database' });
    expect(html).toContain('<h3>PostgreSQL migrations: 200 databases</h3>');
    expect(html).toContain('<p><strong>200 databases: 200 up to date</strong></p>');
    expect(rowsOf(html)).toEqual([
      '<tr><td>✔️ up-to-date</td><td>200</td><td><code>tenant_0</code>, <code>tenant_1</code>, <code>tenant_2</code>, <code>tenant_3</code>, <code>tenant_4</code> and 195 more</td><td>up to date at version 42</td></tr>',
    ]);
  });

  it('puts problems first with their detail, then the other outcomes, each kept apart', () => {
    const targets: TargetResult[] = [
      upToDate('a'),
      upToDate('b', '41'),
      { name: 'c', result: 'applied', applied: ['42', '43'], pending: [], version: '43' },
      {
        name: 'd',
        result: 'drift',
        applied: [],
        pending: [],
        version: '42',
        error: '042_x.sql was modified after it was applied.',
      },
      failed('e', '042_y.sql failed at line 3: division by zero.', ['SQLSTATE 22012']),
      {
        name: 'f',
        result: 'not started',
        applied: [],
        pending: ['43'],
        version: '42',
        error: 'e failed and on-target-failure is stop',
      },
      upToDate('g'),
    ];
    const rows = rowsOf(renderFleetSummary(targets, { kind: 'database' }));
    expect(rows).toEqual([
      '<tr><td>❌ failed</td><td>1</td><td><code>e</code></td><td>failed: 042_y.sql failed at line 3: division by zero. (applied 41 first; at version 41)<br>SQLSTATE 22012</td></tr>',
      '<tr><td>⚠️ drift</td><td>1</td><td><code>d</code></td><td>drift: 042_x.sql was modified after it was applied. (at version 42)</td></tr>',
      '<tr><td>⏭️ not started</td><td>1</td><td><code>f</code></td><td>not started: e failed and on-target-failure is stop; 1 pending migration: 43</td></tr>',
      '<tr><td>✅ applied</td><td>1</td><td><code>c</code></td><td>applied 42, 43; now at version 43</td></tr>',
      '<tr><td>✔️ up-to-date</td><td>2</td><td><code>a</code>, <code>g</code></td><td>up to date at version 42</td></tr>',
      '<tr><td>✔️ up-to-date</td><td>1</td><td><code>b</code></td><td>up to date at version 41</td></tr>',
    ]);
  });

  it('escapes names, errors and detail, so none can break the table', () => {
    const html = renderFleetSummary(
      [failed('x<y>|z', 'bad <b>"quote"</b> & pipe |', ['<script>alert(1)</script>'])],
      { kind: 'schema' },
    );
    expect(html).toContain('<code>x&lt;y&gt;&#124;z</code>');
    expect(html).toContain('bad &lt;b&gt;&quot;quote&quot;&lt;/b&gt; &amp; pipe &#124;');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
  });

  it('keeps targets apart whose version lists differ but read the same when shortened', () => {
    const one = { name: 'a', result: 'applied' as const, pending: [], version: '20' };
    const rows = rowsOf(
      renderFleetSummary(
        [
          { ...one, applied: ['10', '11', '12', '13', '14', '15', '20'] },
          { ...one, name: 'b', applied: ['10', '12', '13', '14', '15', '16', '20'] },
        ],
        { kind: 'database' },
      ),
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('applied 10 to 20 (7); now at version 20');
  });

  it('lists up to 20 names of failed targets with the same failure', () => {
    const targets = Array.from({ length: 25 }, (_, i) => failed(`t${i}`, 'could not connect.'));
    const [row] = rowsOf(renderFleetSummary(targets, { kind: 'database' }));
    expect(row?.match(/<code>/g)).toHaveLength(20);
    expect(row).toContain('<code>t19</code> and 5 more</td>');
  });

  it('cuts one very long error so it cannot take the budget', () => {
    const [row] = rowsOf(
      renderFleetSummary([failed('a', 'x'.repeat(100_000))], { kind: 'database' }),
    );
    expect(row?.length).toBeLessThan(2000);
    expect(row).toContain('x…');
  });

  it('stays within 900 KiB for 10,000 targets that all failed differently', () => {
    const targets = Array.from({ length: 10_000 }, (_, i) =>
      failed(
        `tenant_${String(i).padStart(5, '0')}`,
        `042_add_index_${i}.sql failed at line ${i}: could not create unique index "idx_${i}" <key> & more.`,
        [`DETAIL: Key (email)=(user${i}@example.com) is duplicated.`, `SQLSTATE 23505`],
      ),
    );
    const html = renderFleetSummary(targets, { kind: 'database' });
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(FLEET_SUMMARY_BUDGET);
    expect(Buffer.byteLength(html)).toBeGreaterThan(FLEET_SUMMARY_BUDGET * 0.9);
    const rows = rowsOf(html);
    expect(rows[0]).toContain('<code>tenant_00000</code>');
    const hidden = 10_000 - rows.length;
    expect(hidden).toBeGreaterThan(0);
    expect(html).toContain(
      `<p>${hidden.toLocaleString('en-US')} more rows (${hidden.toLocaleString('en-US')} databases) did not fit in the summary: the log of this step lists every target.</p>`,
    );
    expect(
      html.endsWith('did not fit in the summary: the log of this step lists every target.</p>\n'),
    ).toBe(true);
  });

  it('keeps room for the other outcomes when thousands of targets failed', () => {
    const targets = [
      ...Array.from({ length: 10_000 }, (_, i) =>
        failed(`f${i}`, `failure number ${i}: ${'x'.repeat(200)}.`),
      ),
      ...Array.from({ length: 500 }, (_, i) => upToDate(`u${i}`)),
    ];
    const html = renderFleetSummary(targets, { kind: 'database' });
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(FLEET_SUMMARY_BUDGET);
    expect(rowsOf(html).at(-1)).toContain('<td>500</td>');
  });

  it('stays within the budget for 10,000 distinct outcomes that are not problems, also a small one', () => {
    const targets = Array.from({ length: 10_000 }, (_, i) => ({
      name: `t${i}`,
      result: 'applied' as const,
      applied: [String(i)],
      pending: [],
      version: String(i),
    }));
    for (const budget of [FLEET_SUMMARY_BUDGET, 4096]) {
      const html = renderFleetSummary(targets, { kind: 'database', budget });
      expect(Buffer.byteLength(html)).toBeLessThanOrEqual(budget);
      expect(html).toContain('did not fit in the summary');
    }
  });

  it('says there is nothing to migrate for no targets, and marks a dry run', () => {
    expect(renderFleetSummary([], { kind: 'schema', dryRun: true })).toBe(
      '<h3>PostgreSQL migrations: 0 schemas (dry run)</h3>\n<p><strong>0 schemas: nothing to migrate</strong></p>\n',
    );
  });
});

describe('renderFleetLog', () => {
  it('lists every target in order, columns lined up, detail indented below', () => {
    const text = renderFleetLog(
      [
        upToDate('a'),
        failed('tenant_b', 'it broke.', ['SQLSTATE 22012']),
        {
          name: 'c',
          result: 'applied',
          applied: ['1', '2', '3', '4', '5', '6'],
          pending: [],
          version: '6',
        },
      ],
      'database',
    );
    expect(text).toBe(
      [
        '3 databases: 1 up to date, 1 applied 6 migrations, 1 failed',
        'TARGET    RESULT      VERSION  APPLIED     PENDING  NOTE',
        'a         up-to-date  42',
        'tenant_b  failed      41       41          42, 43   it broke.',
        '    SQLSTATE 22012',
        'c         applied     6        1 to 6 (6)',
      ].join('\n'),
    );
  });
});
