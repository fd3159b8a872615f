// Renders the status table as plain text for the log. Pure.
import type { Entry } from '../plan/plan.js';
import { formatDuration, versionLabel } from './model.js';

const HEADINGS = ['VERSION', 'FILE', 'STATUS', 'CHECKSUM', 'DURATION', 'NOTE'];

function cells(entry: Entry): string[] {
  return [
    versionLabel(entry),
    entry.name,
    entry.status,
    entry.checksum.slice(0, 12),
    formatDuration(entry.durationMs),
    entry.note ?? '',
  ];
}

/** The status table as plain text for the log: every row, columns padded to line up. */
export function renderTextTable(entries: Entry[]): string {
  const rows = [HEADINGS, ...entries.map(cells)];
  const widths = HEADINGS.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
