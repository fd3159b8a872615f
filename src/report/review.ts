// Renders the safety review: the summary's section (HTML, escaped, within its budget) and the log's lines. Pure.
import type { Review, Risk } from '../review/model.js';
import { escapeHtml } from './html.js';
import { formatDuration, plural } from './model.js';

/** The statement as the report quotes it: its first line, cut where it stops being readable. */
const STATEMENT_CHARS = 120;

/** `1.2 M rows, 340 MB`: the size that turns a lock into a decision. */
export function formatSize(size: { rows: number; bytes: number } | undefined): string {
  if (!size) return '';
  const rows =
    size.rows < 0
      ? 'never analysed'
      : size.rows >= 1e6
        ? `${(size.rows / 1e6).toFixed(1)} M rows`
        : size.rows >= 1e4
          ? `${Math.round(size.rows / 1e3)} k rows`
          : `${Math.round(size.rows).toLocaleString('en-US')} ${Math.round(size.rows) === 1 ? 'row' : 'rows'}`;
  const units = ['bytes', 'kB', 'MB', 'GB', 'TB'];
  let value = size.bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const bytes =
    unit === 0 ? `${value} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
  return `${rows}, ${bytes}`;
}

/** What happens, as one sentence: the fact, where it comes from, the lock and the table's size. */
export function whatHappens(risk: Risk): string {
  // The lock is named once: most rules' sentences already say which one they take.
  const lock =
    risk.lockMode && risk.table && !risk.what.includes(risk.lockMode)
      ? ` Takes ${risk.lockMode} on ${risk.table}.`
      : '';
  const size = risk.size ? ` ${risk.table ?? 'The table'} has ${formatSize(risk.size)}.` : '';
  const took =
    risk.durationMs === undefined
      ? ''
      : ` It took ${formatDuration(risk.durationMs)} in the rehearsal.`;
  return `${risk.source}: ${risk.what}${lock}${size}${took}`;
}

function cut(text: string, limit: number): string {
  const first = text.split('\n', 1)[0] ?? '';
  return first.length > limit || first !== text.trimEnd() ? `${first.slice(0, limit)}…` : first;
}

const LEVEL_ICON = { danger: '🛑', warning: '⚠️' } as const;

function riskRow(risk: Risk): string {
  const cells = [
    `${LEVEL_ICON[risk.level]} ${risk.level}`,
    `<code>${escapeHtml(risk.rule)}</code>`,
    `<code>${escapeHtml(risk.file)}</code> line ${risk.line}`,
    `<code>${escapeHtml(cut(risk.statement, STATEMENT_CHARS))}</code>`,
    escapeHtml(whatHappens(risk)),
    risk.acknowledged === undefined
      ? escapeHtml(risk.saferWay)
      : `acknowledged: ${escapeHtml(risk.acknowledged)}`,
  ];
  return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>\n`;
}

/** Dangers first, then warnings; acknowledged ones after the open ones of their level. */
export function ordered(risks: readonly Risk[]): Risk[] {
  const rank = (r: Risk) => (r.level === 'danger' ? 0 : 2) + (r.acknowledged === undefined ? 0 : 1);
  return [...risks].sort(
    (a, b) => rank(a) - rank(b) || a.file.localeCompare(b.file) || a.line - b.line,
  );
}

/** One line that counts what the review found. */
export function reviewHeadline(review: Review): string {
  const open = review.risks.filter((r) => r.acknowledged === undefined);
  const dangers = open.filter((r) => r.level === 'danger').length;
  const warnings = open.length - dangers;
  const acknowledged = review.risks.length - open.length;
  const found =
    open.length === 0
      ? 'no open finding'
      : [dangers ? plural(dangers, 'danger') : '', warnings ? plural(warnings, 'warning') : '']
          .filter(Boolean)
          .join(', ');
  const ack = acknowledged > 0 ? ` (${acknowledged} acknowledged)` : '';
  const basis = review.observed
    ? `predicted from PostgreSQL's parse tree for PostgreSQL ${review.serverVersion} and observed in the rehearsal`
    : `predicted from PostgreSQL's parse tree for PostgreSQL ${review.serverVersion}; rehearse: true adds what the target really does`;
  return `Safety review: ${found}${ack}, ${basis}.`;
}

/**
 * The summary's "Safety review" section within `budget` bytes: the headline, the table of
 * findings (dangers first; what does not fit is counted), what the review could not do, and the
 * schema changes.
 */
export function renderReviewSection(review: Review, budget: number): string {
  const head = `<h4>Safety review</h4>\n<p>${escapeHtml(reviewHeadline(review))}</p>\n`;
  const notes =
    review.notes.length > 0
      ? `<ul>\n${review.notes.map((n) => `<li>⚠️ ${escapeHtml(n)}</li>`).join('\n')}\n</ul>\n`
      : '';
  let left = budget - Buffer.byteLength(head) - Buffer.byteLength(notes) - 300;
  let table = '';
  if (review.risks.length > 0) {
    const rows: string[] = [];
    const all = ordered(review.risks);
    for (const risk of all) {
      const row = riskRow(risk);
      const size = Buffer.byteLength(row);
      if (size > left / 2 && rows.length > 0) break;
      rows.push(row);
      left -= size;
    }
    const more =
      rows.length < all.length
        ? `<p>${plural(all.length - rows.length, 'more finding')} in the log of this step.</p>\n`
        : '';
    table = `<table>\n<tr><th>Level</th><th>Rule</th><th>Where</th><th>Statement</th><th>What happens</th><th>Safer way</th></tr>\n${rows.join('')}</table>\n${more}`;
  }
  let changes = '';
  if (review.schemaChanges && review.schemaChanges.length > 0) {
    const lines: string[] = [];
    for (const line of review.schemaChanges) {
      const size = Buffer.byteLength(line) + 1;
      if (size > left) break;
      lines.push(escapeHtml(line));
      left -= size;
    }
    const rest = review.schemaChanges.length - lines.length;
    if (rest > 0) lines.push(`… ${plural(rest, 'more change')} in the log`);
    changes = `<details open><summary>Schema changes (${plural(review.schemaChanges.length, 'change')})</summary>\n<pre>${lines.join('\n')}</pre>\n</details>\n`;
  }
  return `${head}${notes}${table}${changes}`;
}

/** The review as plain lines for the log: everything, nothing cut. */
export function renderReviewText(review: Review): string[] {
  const lines = [reviewHeadline(review)];
  for (const risk of ordered(review.risks)) {
    const ack = risk.acknowledged === undefined ? '' : ` [acknowledged: ${risk.acknowledged}]`;
    lines.push(
      `  ${risk.level} ${risk.rule} ${risk.file}:${risk.line}${ack}: ${cut(risk.statement, STATEMENT_CHARS)}`,
      `    ${whatHappens(risk)}`,
    );
    if (risk.acknowledged === undefined) lines.push(`    Safer: ${risk.saferWay}`);
  }
  for (const note of review.notes) lines.push(`  note: ${note}`);
  if (review.schemaChanges?.length) {
    lines.push('Schema changes:');
    for (const change of review.schemaChanges) lines.push(`  ${change}`);
  }
  return lines;
}

/** The `risks` output: what a later step can act on. */
export function risksOutput(review: Review): string {
  return JSON.stringify(
    ordered(review.risks).map((r) => ({
      rule: r.rule,
      level: r.level,
      file: r.file,
      line: r.line,
      table: r.table ?? null,
      acknowledged: r.acknowledged !== undefined,
    })),
  );
}
