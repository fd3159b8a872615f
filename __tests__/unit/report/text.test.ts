import { describe, expect, it } from 'vitest';
import type { Entry } from '../../../src/plan/plan.js';
import { renderTextTable } from '../../../src/report/text.js';

const CHECKSUM = 'fedcba9876543210'.repeat(4);

const entries: Entry[] = [
  { version: 1n, name: '001_initial_schema.sql', status: 'already applied', checksum: CHECKSUM },
  {
    version: 2n,
    name: '002_cognito_ciam_support.sql',
    status: 'applied',
    checksum: CHECKSUM,
    durationMs: 1234,
  },
  {
    version: 123456789012345678n,
    name: '123456789012345678_x.sql',
    status: 'failed',
    checksum: CHECKSUM,
    durationMs: 5,
    note: 'line 3: syntax error',
  },
  { version: 10n, name: '10_a.sql', status: 'pending', checksum: CHECKSUM },
];

/** The duration column of each entry above. */
const DURATIONS = ['', '1.2 s', '5 ms', ''];

describe('renderTextTable', () => {
  const text = renderTextTable(entries);
  const lines = text.split('\n');
  const header = lines[0] ?? '';
  const starts = ['VERSION', 'FILE', 'STATUS', 'CHECKSUM', 'DURATION', 'NOTE'].map((h) =>
    header.indexOf(h),
  );

  it('has a heading line and one line per entry, in the given order', () => {
    expect(lines).toHaveLength(entries.length + 1);
    expect(header).toMatch(/^VERSION +FILE +STATUS +CHECKSUM +DURATION +NOTE$/);
    expect(lines.slice(1).map((l) => l.split(/ {2,}/)[1])).toEqual(entries.map((e) => e.name));
  });

  it('starts every cell at its heading column', () => {
    expect(starts.every((s) => s >= 0)).toBe(true);
    for (const [row, entry] of entries.entries()) {
      const line = lines[row + 1] ?? '';
      const cells = [
        entry.version.toString(),
        entry.name,
        entry.status,
        CHECKSUM.slice(0, 12),
        DURATIONS[row] ?? '',
        entry.note ?? '',
      ];
      for (const [column, cell] of cells.entries()) {
        if (!cell) continue;
        expect(line.slice(starts[column], (starts[column] ?? 0) + cell.length), cell).toBe(cell);
      }
    }
  });

  it('separates columns by at least two spaces, sized by the widest cell', () => {
    // VERSION is as wide as the 18-digit version, FILE as the longest name.
    expect(starts[1]).toBe('123456789012345678'.length + 2);
    expect(starts[2]).toBe((starts[1] ?? 0) + '002_cognito_ciam_support.sql'.length + 2);
  });

  it('shows the first 12 hex digits of the checksum and formatted durations', () => {
    expect(text).toContain(CHECKSUM.slice(0, 12));
    expect(text).not.toContain(CHECKSUM.slice(0, 13));
    expect(lines[2]).toContain('1.2 s');
    expect(lines[3]).toContain('5 ms');
    expect(lines[3]).toContain('line 3: syntax error');
  });

  it('leaves no trailing spaces', () => {
    for (const line of lines) expect(line).toBe(line.trimEnd());
  });

  it('is only the heading without entries', () => {
    expect(renderTextTable([])).toBe('VERSION  FILE  STATUS  CHECKSUM  DURATION  NOTE');
  });
});
