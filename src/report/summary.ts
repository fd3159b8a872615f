// Renders the job summary (and PR comment body) as HTML-escaped Markdown within its budget. Pure.
import type { Entry } from '../plan/plan.js';
import { escapeHtml } from './html.js';
import { formatDuration, plural, type Report, versionLabel } from './model.js';
import { renderReviewSection } from './review.js';

/** GitHub refuses a step summary over 1 MiB; the rest is the margin for everything else. */
export const SUMMARY_BUDGET = 900 * 1024;
/** Applied rows kept before the long run of older ones is collapsed into a count. */
const RECENT_APPLIED = 10;

const PROBLEMS = new Set(['failed', 'modified', 'missing', 'out of order']);
const WAITING = new Set([
  'would apply',
  'pending',
  'not attempted',
  'rehearsed',
  'not rehearsed',
  'rolled back',
  'would roll back',
]);
const DONE = new Set(['applied', 'already applied', 'baseline']);

const ICONS: Record<string, string> = {
  applied: '✅',
  'already applied': '✔️',
  baseline: '📌',
  'would apply': '📝',
  rehearsed: '🧪',
  'not rehearsed': '⏭️',
  pending: '⏳',
  modified: '❌',
  missing: '❌',
  'out of order': '❌',
  failed: '❌',
  'not attempted': '⏭️',
  'rolled back': '↩️',
  'would roll back': '📝',
};

function row(entry: Entry): string {
  const cells = [
    escapeHtml(versionLabel(entry)),
    `<code>${escapeHtml(entry.name)}</code>`,
    `${ICONS[entry.status] ?? ''} ${escapeHtml(entry.status)}`,
    `<code>${escapeHtml(entry.checksum.slice(0, 12))}</code>`,
    escapeHtml(formatDuration(entry.durationMs)),
    escapeHtml(entry.note ?? ''),
  ];
  return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>\n`;
}

/**
 * Chooses the rows that fit: problem rows first, then those still to do, then the most recent
 * applied; the long run of older applied rows becomes one counted row.
 */
function chooseRows(entries: Entry[], budget: number): { rows: string[]; left: number } {
  const done = entries.filter((e) => DONE.has(e.status) && e.status !== 'applied');
  const collapsed = new Set(done.slice(0, Math.max(0, done.length - RECENT_APPLIED)));
  const priority = [
    ...entries.filter((e) => PROBLEMS.has(e.status)),
    ...entries.filter((e) => WAITING.has(e.status) || e.status === 'applied'),
    ...done.filter((e) => !collapsed.has(e)).reverse(),
  ];
  const chosen = new Set<Entry>();
  let used = 0;
  for (const entry of priority) {
    const size = Buffer.byteLength(row(entry));
    if (used + size > budget) break;
    chosen.add(entry);
    used += size;
  }
  const rows: string[] = [];
  if (collapsed.size > 0) {
    rows.push(
      `<tr><td colspan="6">… ${plural(collapsed.size, 'older applied migration')} not listed (see the log)</td></tr>\n`,
    );
  }
  for (const entry of entries) if (chosen.has(entry)) rows.push(row(entry));
  const left = entries.length - chosen.size - collapsed.size;
  return { rows, left };
}

/** Items of a list, as many as fit in `budget` bytes, then a line counting the rest. */
function fitList(items: string[], budget: number, rest: (n: number) => string): string[] {
  const shown: string[] = [];
  let used = 0;
  for (const item of items) {
    const size = Buffer.byteLength(item) + 1;
    if (used + size > budget) break;
    shown.push(item);
    used += size;
  }
  if (shown.length < items.length) shown.push(`<li>${rest(items.length - shown.length)}</li>`);
  return shown;
}

function findingsSection(report: Report, budget: number): string {
  if (report.findings.length === 0) return '';
  const items = report.findings.map((f) => {
    const checksums =
      f.recordedChecksum || f.currentChecksum
        ? `<br>recorded <code>${escapeHtml(f.recordedChecksum ?? '—')}</code><br>current&nbsp;&nbsp;<code>${escapeHtml(f.currentChecksum ?? '—')}</code>`
        : '';
    const level = f.stops ? '❌' : '⚠️';
    return `<li>${level} ${escapeHtml(f.message)}${checksums}</li>`;
  });
  const shown = fitList(items, budget, (n) => `${plural(n, 'more finding')} in the log`);
  return `<h4>Findings</h4>\n<ul>\n${shown.join('\n')}\n</ul>\n`;
}

function changesSection(report: Report, budget: number): string {
  if (report.changes.length === 0) return '';
  const items = report.changes.map((c) => `<li>${escapeHtml(c)}</li>`);
  const shown = fitList(items, budget, (n) => `${plural(n, 'more change')} in the log`);
  return `<h4>Changes to the tracking table</h4>\n<ul>\n${shown.join('\n')}\n</ul>\n`;
}

/** Most of one file's SQL shown in the summary, so a reviewer can read a pending migration. */
const SQL_PREVIEW = 8 * 1024;
const WILL_RUN = new Set(['would apply', 'rehearsed', 'not rehearsed', 'pending', 'failed']);

/** The SQL of the migrations that would run, each in a collapsed block, cut at a readable size. */
function sqlSection(report: Report, budget: number): string {
  const blocks: string[] = [];
  let used = 0;
  for (const entry of report.entries) {
    if (!entry.migration || entry.row || !WILL_RUN.has(entry.status)) continue;
    // Only the head of the file is read: a 50 MB data migration is never loaded for a preview.
    const { migration } = entry;
    const head = migration.preview?.(SQL_PREVIEW + 1) ?? migration.sql.slice(0, SQL_PREVIEW + 1);
    const cut = head.length > SQL_PREVIEW;
    const text = cut ? `${head.slice(0, SQL_PREVIEW)}\n…` : head;
    const total = migration.size ?? Buffer.byteLength(migration.sql);
    const note = cut
      ? ` (first ${SQL_PREVIEW / 1024} K characters of ${Math.ceil(total / 1024)} KiB)`
      : '';
    const block = `<details><summary>SQL of ${escapeHtml(entry.name)}${note}</summary>\n<pre>${escapeHtml(text)}</pre>\n</details>\n`;
    const size = Buffer.byteLength(block);
    if (used + size > budget) break;
    blocks.push(block);
    used += size;
  }
  return blocks.join('');
}

/**
 * The job summary: heading, verdict, status table, findings, changes and the SQL that would run.
 * Every inserted value is escaped, and the whole stays within `budget` bytes: findings take at
 * most a third, the table what it needs of the rest, the SQL previews what is left.
 */
export function renderSummary(report: Report, budget = SUMMARY_BUDGET): string {
  const mode = report.dryRun ? ' (dry run)' : '';
  const command = report.command === 'migrate' ? '' : ` · ${report.command}`;
  const head = `<h3>PostgreSQL migrations: ${escapeHtml(report.target)}${command}${mode}</h3>\n<p><strong>${escapeHtml(report.verdict)}</strong></p>\n`;
  const margin = 400; // the "did not fit" line and the table's frame
  let left = budget - Buffer.byteLength(head) - margin;
  const findings = findingsSection(report, Math.floor(left / 3));
  left -= Buffer.byteLength(findings);
  const changes = changesSection(report, Math.floor(left / 3));
  left -= Buffer.byteLength(changes);
  const review = report.review ? renderReviewSection(report.review, Math.floor(left / 3)) : '';
  left -= Buffer.byteLength(review);
  if (report.entries.length === 0) {
    return `${head}<p>No migration files and no recorded migrations.</p>\n${findings}${changes}${review}`;
  }
  const tableHead =
    '<table>\n<tr><th>Version</th><th>File</th><th>Status</th><th>Checksum</th><th>Duration</th><th>Note</th></tr>\n';
  const tableTail = '</table>\n';
  const { rows, left: notShown } = chooseRows(report.entries, Math.max(0, left));
  left -= rows.reduce((sum, row) => sum + Buffer.byteLength(row), 0);
  const more =
    notShown > 0
      ? `<p>${plural(notShown, 'more row')} did not fit in the summary: the log of this step lists every migration.</p>\n`
      : '';
  const sql = sqlSection(report, Math.max(0, left));
  return `${head}${tableHead}${rows.join('')}${tableTail}${more}${findings}${review}${changes}${sql}`;
}
