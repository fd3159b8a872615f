// What a run reports: result, verdict, the status rows and findings, and the small formatting helpers. Pure.
import type { Finding } from '../plan/findings.js';
import type { Entry, Result } from '../plan/plan.js';
import type { Review } from '../review/model.js';
import type { Command } from '../runner/inputs.js';

/** Everything the summary, the log, the outputs and the annotations say about one run. */
export interface Report {
  command: Command;
  /** `database on host`. */
  target: string;
  dryRun: boolean;
  result: Result;
  /** One line that says what happened. */
  verdict: string;
  entries: Entry[];
  findings: Finding[];
  drift: boolean;
  /** Rows written or deleted by `baseline` and `repair`, one sentence each. */
  changes: string[];
  /** The migration that failed in this run, if one did. */
  failure?: Failure;
  /** The safety review of the pending migrations, when it ran (dry runs with `safety` not `off`). */
  review?: Review;
}

export interface Failure {
  file: string;
  line?: number;
  message: string;
  code?: string;
  /** DETAIL can carry row data: it goes to the log only. */
  detail?: string;
  hint?: string;
}

const NOT_PENDING = new Set([
  'applied',
  'already applied',
  'baseline',
  'modified',
  'missing',
  'would roll back',
]);

/**
 * Versions as the outputs give them: the numeric version without leading zeros, or, for a version
 * the tracking table keeps under a stand-in (Flyway's `1.7`), the file's own label (never the
 * stand-in's negative number).
 */
export function appliedVersions(entries: Entry[]): string[] {
  return entries.filter((e) => e.status === 'applied').map(outputVersion);
}

/** Versions without an applied or baseline row after the run. */
export function pendingVersions(entries: Entry[]): string[] {
  return entries.filter((e) => !NOT_PENDING.has(e.status)).map(outputVersion);
}

function outputVersion(entry: Entry): string {
  return entry.key === undefined ? entry.version.toString() : versionLabel(entry);
}

/**
 * The version as the file writes it (`00003`, another tool's label), else the exact version the
 * row recorded (`version_key`), else the number.
 */
export function versionLabel(entry: Entry): string {
  return entry.migration?.label ?? entry.key ?? entry.version.toString();
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}
