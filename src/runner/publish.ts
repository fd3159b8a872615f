// Publishes a report to the runner: outputs, the job summary file, the log table and annotations.
import { appendFileSync } from 'node:fs';
import * as path from 'node:path';
import { isDrift } from '../plan/findings.js';
import { appliedVersions, pendingVersions, type Report } from '../report/model.js';
import { ordered, renderReviewText, risksOutput, whatHappens } from '../report/review.js';
import { renderSummary } from '../report/summary.js';
import { renderTextTable } from '../report/text.js';
import * as core from './toolkit.js';

/** GitHub shows at most 10 annotations of one type per step. */
const MAX_ANNOTATIONS = 10;

export function setOutputs(report: Report): void {
  const applied = appliedVersions(report.entries);
  const pending = pendingVersions(report.entries);
  core.setOutput('result', report.result);
  core.setOutput('applied', JSON.stringify(applied));
  core.setOutput('applied-count', String(applied.length));
  core.setOutput('pending', JSON.stringify(pending));
  core.setOutput('pending-count', String(pending.length));
  core.setOutput('drift', String(report.drift));
  core.setOutput('dry-run', String(report.dryRun));
  if (report.review) core.setOutput('risks', risksOutput(report.review));
}

/** Outputs for a run that failed before it could report: nothing was applied. */
export function setFailureOutputs(dryRun: boolean | undefined): void {
  core.setOutput('result', 'failed');
  core.setOutput('applied', '[]');
  core.setOutput('applied-count', '0');
  core.setOutput('pending', '[]');
  core.setOutput('pending-count', '0');
  core.setOutput('drift', 'false');
  core.setOutput('dry-run', String(dryRun ?? false));
}

interface Annotation {
  level: 'error' | 'warning' | 'notice';
  message: string;
  file?: string;
  line?: number;
}

function annotationsOf(report: Report, folder: string): Annotation[] {
  const fileOf = (name?: string) => (name ? path.join(folder, name) : undefined);
  const list: Annotation[] = report.findings.map((f) => ({
    level: f.stops ? 'error' : 'warning',
    message: f.message,
    // A missing migration has no file to point at.
    file: f.kind === 'missing' ? undefined : fileOf(f.file),
    line: f.line ?? (isDrift(f) ? 1 : undefined),
  }));
  if (report.failure) {
    const { file, line, message, hint } = report.failure;
    list.push({
      level: 'error',
      message: `${message}${hint ? ` (hint: ${hint})` : ''}`,
      file: fileOf(file),
      line,
    });
  }
  // The review's open findings at each statement's line, dangers first: a danger is an error
  // when it fails the run (safety: fail), else a warning; a warning-level finding is a notice.
  for (const risk of ordered(report.review?.risks ?? [])) {
    if (risk.acknowledged !== undefined) continue;
    list.push({
      level:
        risk.level === 'warning' ? 'notice' : report.review?.mode === 'fail' ? 'error' : 'warning',
      message: `${risk.rule}: ${whatHappens(risk)} Safer: ${risk.saferWay}`,
      file: fileOf(risk.file),
      line: risk.line,
    });
  }
  return list;
}

/** Annotations where the reviewer looks; past GitHub's ten per type, the last one counts the rest. */
export function annotate(report: Report, folder: string): void {
  // A failing run's verdict is an error annotation too (setFailed): it keeps one of the ten.
  const failing = report.result === 'failed' || report.result === 'drift';
  for (const level of ['error', 'warning', 'notice'] as const) {
    const room = MAX_ANNOTATIONS - (level === 'error' && failing ? 1 : 0);
    const list = annotationsOf(report, folder).filter((a) => a.level === level);
    const shown = list.length > room ? list.slice(0, room - 1) : list;
    const write = level === 'error' ? core.error : level === 'warning' ? core.warning : core.notice;
    for (const a of shown) write(a.message, a.file ? { file: a.file, startLine: a.line } : {});
    if (shown.length < list.length) {
      write(`${list.length - shown.length} more ${level}s: see the job summary.`);
    }
  }
}

/** The log: the verdict, the findings, and the whole status table as plain text. */
export function log(report: Report): void {
  core.info(report.verdict);
  if (report.entries.length > 0) {
    core.startGroup(`Status of ${report.entries.length} migrations`);
    core.info(renderTextTable(report.entries));
    core.endGroup();
  }
  for (const finding of report.findings) core.info(`Finding: ${finding.message}`);
  for (const change of report.changes) core.info(`Changed: ${change}`);
  if (report.review) {
    core.startGroup('Safety review');
    for (const line of renderReviewText(report.review)) core.info(line);
    core.endGroup();
  }
  if (report.failure?.detail) core.info(`DETAIL: ${report.failure.detail}`);
  if (report.failure?.hint) core.info(`HINT: ${report.failure.hint}`);
}

/** Appends the summary to $GITHUB_STEP_SUMMARY, when the step has one. */
export function writeSummary(report: Report): void {
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  appendFileSync(file, `${renderSummary(report)}\n`);
}
