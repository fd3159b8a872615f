import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/plan/findings.js';
import type { Entry, Status } from '../../../src/plan/plan.js';
import { escapeHtml } from '../../../src/report/html.js';
import type { Report } from '../../../src/report/model.js';
import { renderSummary, SUMMARY_BUDGET } from '../../../src/report/summary.js';

const CHECKSUM = '0123456789abcdef'.repeat(4);

function entry(version: number, status: Status, fields: Partial<Entry> = {}): Entry {
  return {
    version: BigInt(version),
    name: `${String(version).padStart(4, '0')}_migration_${version}.sql`,
    status,
    checksum: CHECKSUM,
    ...fields,
  };
}

function report(fields: Partial<Report> = {}): Report {
  return {
    command: 'migrate',
    target: 'app on db.example.com',
    dryRun: false,
    result: 'applied',
    verdict: 'Applied 1 migration in 12 ms.',
    entries: [],
    findings: [],
    drift: false,
    changes: [],
    ...fields,
  };
}

/** The migration rows of a summary (not the heading row, not the collapsed count row). */
function rowsOf(html: string): string[] {
  return html.split('\n').filter((line) => line.startsWith('<tr><td>'));
}

/** The names of the files listed in the table. */
function namesOf(html: string): string[] {
  return rowsOf(html).map((row) => /<code>([^<]*)<\/code>/.exec(row)?.[1] ?? '');
}

/** The number in the "… did not fit" line, or 0 without it. */
function leftOut(html: string): number {
  const match = /<p>(\d+) more rows? did not fit/.exec(html);
  return match ? Number(match[1]) : 0;
}

/** The number in the collapsed "older applied" row, or 0 without it. */
function collapsed(html: string): number {
  const match = /(\d+) older applied migrations? not listed/.exec(html);
  return match ? Number(match[1]) : 0;
}

describe('escapeHtml', () => {
  it('escapes &, <, >, quotes and the table pipe', () => {
    expect(escapeHtml(`<a href="x">Tom & Jerry's | table</a>`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s &#124; table&lt;/a&gt;',
    );
  });

  it('escapes & first, so entities are not double-unescaped', () => {
    expect(escapeHtml('&lt;')).toBe('&amp;lt;');
  });

  it('leaves other text alone', () => {
    expect(escapeHtml('001_initial_schema.sql 😀 é')).toBe('001_initial_schema.sql 😀 é');
  });
});

describe('renderSummary', () => {
  it('names the target as database on host in the heading, without user or password', () => {
    const html = renderSummary(report({ entries: [entry(1, 'applied')] }));
    expect(html).toMatch(/^<h3>[^\n]*app on db\.example\.com[^\n]*<\/h3>/);
  });

  it('says dry run in the heading of a dry run', () => {
    const html = renderSummary(report({ dryRun: true, entries: [entry(1, 'would apply')] }));
    expect(html.split('\n')[0]).toContain('dry run');
    const real = renderSummary(report({ entries: [entry(1, 'applied')] }));
    expect(real.split('\n')[0]).not.toContain('dry run');
  });

  it('has the verdict as one line after the heading', () => {
    const html = renderSummary(report({ entries: [entry(1, 'applied')] }));
    expect(html.split('\n')[1]).toBe('<p><strong>Applied 1 migration in 12 ms.</strong></p>');
  });

  it('lists version, file, status, short checksum, duration and note', () => {
    const html = renderSummary(
      report({ entries: [entry(3, 'applied', { durationMs: 1500, note: 'a note' })] }),
    );
    expect(html).toContain('<th>Version</th><th>File</th><th>Status</th><th>Checksum</th>');
    const [row] = rowsOf(html);
    expect(row).toContain('<td>3</td>');
    expect(row).toContain('<code>0003_migration_3.sql</code>');
    expect(row).toContain('applied');
    expect(row).toContain(`<code>${CHECKSUM.slice(0, 12)}</code>`);
    expect(row).not.toContain(CHECKSUM.slice(0, 13));
    expect(row).toContain('1.5 s');
    expect(row).toContain('a note');
  });

  it('shows versions without leading zeros and exactly', () => {
    const html = renderSummary(
      report({ entries: [{ ...entry(1, 'applied'), version: 123456789012345678n }] }),
    );
    expect(rowsOf(html)[0]).toContain('<td>123456789012345678</td>');
  });

  it('escapes file names, notes, the target, the verdict, findings and changes', () => {
    const evil = `<img src=x onerror="alert('x')">|&`;
    const html = renderSummary(
      report({
        target: `db<1> on h&"s"`,
        verdict: `${evil} failed`,
        entries: [
          entry(1, 'failed', {
            name: `001_a.sql`,
            note: `line 2: syntax error at or near "<" | ${evil}`,
          }),
          entry(2, 'pending', { name: evil }),
        ],
        findings: [
          {
            kind: 'modified',
            message: `${evil} was changed`,
            recordedChecksum: `<r>`,
            currentChecksum: `<c>`,
            stops: true,
          },
        ],
        changes: [`deleted ${evil}`],
      }),
    );
    expect(html).not.toContain('<img');
    expect(html).not.toContain("'x'");
    expect(html).not.toContain('"<"');
    expect(html).not.toContain('<r>');
    expect(html).not.toContain('<c>');
    expect(html).not.toContain('db<1>');
    expect(html).not.toMatch(/&(?!(amp|lt|gt|quot|#39|#124|nbsp);)/);
    expect(html).toContain('db&lt;1&gt; on h&amp;&quot;s&quot;');
    expect(html).toContain(escapeHtml(evil));
    expect(html).toContain('syntax error at or near &quot;&lt;&quot; &#124;');
    // No raw pipe is left that could break a Markdown table.
    expect(html).not.toContain('|');
  });

  it('lists findings with recorded and current checksums', () => {
    const finding: Finding = {
      kind: 'modified',
      file: '0001_migration_1.sql',
      message: '0001_migration_1.sql was changed after it was applied',
      recordedChecksum: 'a'.repeat(64),
      currentChecksum: 'b'.repeat(64),
      stops: true,
    };
    const html = renderSummary(
      report({ entries: [entry(1, 'modified')], findings: [finding], result: 'drift' }),
    );
    expect(html).toContain('0001_migration_1.sql was changed after it was applied');
    expect(html).toContain('a'.repeat(64));
    expect(html).toContain('b'.repeat(64));
  });

  it('says so when there are no migrations at all', () => {
    const html = renderSummary(report({ result: 'up-to-date', verdict: 'Up to date.' }));
    expect(html).toContain('No migration files');
    expect(rowsOf(html)).toEqual([]);
  });

  it('lists every row, without a count line, when everything fits', () => {
    const entries = [
      ...Array.from({ length: 5 }, (_, i) => entry(i + 1, 'already applied')),
      entry(6, 'applied'),
      entry(7, 'pending'),
    ];
    const html = renderSummary(report({ entries }));
    expect(rowsOf(html)).toHaveLength(7);
    expect(leftOut(html)).toBe(0);
    expect(collapsed(html)).toBe(0);
    expect(html).not.toContain('did not fit');
  });

  it('lists the rows in version order', () => {
    const entries = [entry(1, 'already applied'), entry(2, 'modified'), entry(3, 'pending')];
    const html = renderSummary(report({ entries }));
    expect(namesOf(html)).toEqual(entries.map((e) => e.name));
  });

  it('collapses old already applied rows into one count row, keeping the ten most recent', () => {
    const entries = [
      ...Array.from({ length: 100 }, (_, i) => entry(i + 1, 'already applied')),
      entry(101, 'pending'),
    ];
    const html = renderSummary(report({ entries }));
    expect(collapsed(html)).toBe(90);
    expect(html).toContain('90 older applied migrations not listed');
    expect(namesOf(html)).toEqual(entries.slice(90).map((e) => e.name));
    expect(leftOut(html)).toBe(0);
  });

  it('never collapses problem, pending or just-applied rows', () => {
    const entries = [
      entry(1, 'modified'),
      entry(2, 'missing'),
      ...Array.from({ length: 50 }, (_, i) => entry(i + 3, 'already applied')),
      entry(60, 'out of order'),
      ...Array.from({ length: 20 }, (_, i) => entry(i + 100, 'applied')),
      entry(200, 'failed'),
      entry(201, 'not attempted'),
    ];
    const html = renderSummary(report({ entries }));
    const names = namesOf(html);
    for (const e of entries.filter((e) => e.status !== 'already applied')) {
      expect(names).toContain(e.name);
    }
    expect(collapsed(html)).toBe(40);
  });

  it('stays under a small budget with thousands of entries', () => {
    const entries = [
      ...Array.from({ length: 5000 }, (_, i) => entry(i + 1, 'already applied')),
      ...Array.from({ length: 1000 }, (_, i) => entry(i + 5001, 'modified')),
      ...Array.from({ length: 2000 }, (_, i) => entry(i + 6001, 'pending')),
    ];
    for (const budget of [3_000, 20_000, 100_000]) {
      const html = renderSummary(report({ entries, result: 'drift' }), budget);
      expect(Buffer.byteLength(html), `budget ${budget}`).toBeLessThanOrEqual(budget);
      expect(leftOut(html)).toBeGreaterThan(0);
    }
  });

  it('stays under the default 900 KiB budget with twenty thousand entries', () => {
    const entries = Array.from({ length: 20_000 }, (_, i) =>
      entry(i + 1, i % 2 === 0 ? 'modified' : 'pending', { note: 'n'.repeat(40) }),
    );
    const html = renderSummary(report({ entries, result: 'drift' }));
    // SPEC's budget, not the constant's: a larger constant must fail here.
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(900 * 1024);
    expect(leftOut(html)).toBe(20_000 - rowsOf(html).length);
  });

  it('keeps problem rows first, then pending rows, then recent applied rows', () => {
    const entries = [
      ...Array.from({ length: 200 }, (_, i) => entry(i + 1, 'already applied')),
      ...Array.from({ length: 20 }, (_, i) => entry(i + 201, 'modified')),
      ...Array.from({ length: 200 }, (_, i) => entry(i + 301, 'pending')),
    ];
    const rowBytes = Buffer.byteLength(`${rowsOf(renderSummary(report({ entries })))[0]}\n`);
    // Room for the problems and some of the pending rows, not for all of them.
    const head = renderSummary(report({ entries: [] }));
    const budget = Buffer.byteLength(head) + 500 + rowBytes * 60;
    const html = renderSummary(report({ entries, result: 'drift' }), budget);
    const names = new Set(namesOf(html));
    const problems = entries.filter((e) => e.status === 'modified');
    const pending = entries.filter((e) => e.status === 'pending');
    const applied = entries.filter((e) => e.status === 'already applied');
    expect(problems.every((e) => names.has(e.name))).toBe(true);
    const pendingShown = pending.filter((e) => names.has(e.name)).length;
    expect(pendingShown).toBeGreaterThan(0);
    expect(pendingShown).toBeLessThan(pending.length);
    expect(applied.some((e) => names.has(e.name))).toBe(false);
    // The lowest pending versions are the ones kept.
    expect(pending.slice(0, pendingShown).every((e) => names.has(e.name))).toBe(true);
  });

  it('keeps the most recent applied rows when only some of them fit', () => {
    const entries = Array.from({ length: 50 }, (_, i) => entry(i + 1, 'already applied'));
    const rowBytes = Buffer.byteLength(`${rowsOf(renderSummary(report({ entries })))[0]}\n`);
    const head = renderSummary(report({ entries: [] }));
    const budget = Buffer.byteLength(head) + 500 + rowBytes * 4 + rowBytes / 2;
    const html = renderSummary(report({ entries, result: 'up-to-date' }), budget);
    const names = namesOf(html);
    expect(names.length).toBeGreaterThan(0);
    expect(names.length).toBeLessThan(10);
    expect(names).toEqual(entries.slice(50 - names.length).map((e) => e.name));
  });

  it('counts exactly the rows left out in the last line', () => {
    const entries = [
      ...Array.from({ length: 3000 }, (_, i) => entry(i + 1, 'already applied')),
      ...Array.from({ length: 300 }, (_, i) => entry(i + 3001, 'out of order')),
      ...Array.from({ length: 700 }, (_, i) => entry(i + 3301, 'would apply')),
    ];
    for (const budget of [5_000, 30_000, 80_000]) {
      const html = renderSummary(report({ entries, dryRun: true, result: 'failed' }), budget);
      const shown = rowsOf(html).length;
      expect(collapsed(html)).toBe(2990);
      expect(leftOut(html), `budget ${budget}`).toBe(entries.length - shown - 2990);
      expect(leftOut(html)).toBeGreaterThan(0);
      expect(html).toContain('the log of this step lists every migration');
    }
  });

  it('stays under the budget when thousands of migrations are modified, findings included', () => {
    const entries: Entry[] = [];
    const findings: Finding[] = [];
    for (let i = 1; i <= 6000; i++) {
      const e = entry(i, 'modified');
      entries.push(e);
      findings.push({
        kind: 'modified',
        version: e.version,
        file: e.name,
        message: `${e.name} was changed after it was applied (recorded checksum aaaaaaaaaaaa, now bbbbbbbbbbbb): restore the applied content and put the change in a new migration, or run command: repair if the edit is harmless.`,
        recordedChecksum: 'a'.repeat(64),
        currentChecksum: 'b'.repeat(64),
        stops: true,
      });
    }
    const html = renderSummary(report({ entries, findings, result: 'drift', drift: true }));
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(SUMMARY_BUDGET);
  });
});
