// Publishes a fleet run to the runner: one log group per target, the fleet table, the outputs, the summary and annotations.
import { appendFileSync } from 'node:fs';
import { renderFleetLog, renderFleetSummary } from '../fleet/render.js';
import { fleetOutputs, fleetVerdict, type TargetKind, type TargetResult } from '../fleet/report.js';
import type { Report } from '../report/model.js';
import { log } from './publish.js';
import * as core from './toolkit.js';

/** GitHub shows at most 10 error annotations per step; the failing verdict takes one. */
const MAX_TARGET_ANNOTATIONS = 9;

/** A target's detail in the log: one group, the single-database log inside it. */
export function logTarget(result: TargetResult, report?: Report): void {
  core.startGroup(`${result.name}: ${result.result}${result.error ? ` (${result.error})` : ''}`);
  if (report) log(report);
  else if (result.error) core.info(result.error);
  core.endGroup();
}

/** The fleet's outputs: SPEC's `result`, counts, unions, `targets`, and drift and dry-run. */
export function setFleetOutputs(results: readonly TargetResult[], dryRun: boolean): void {
  const outputs = fleetOutputs(results);
  core.setOutput('result', outputs.result);
  core.setOutput('applied', JSON.stringify(outputs.applied));
  core.setOutput('applied-count', String(outputs.appliedCount));
  core.setOutput('pending', JSON.stringify(outputs.pending));
  core.setOutput('pending-count', String(outputs.pendingCount));
  core.setOutput('drift', String(results.some((r) => r.result === 'drift')));
  core.setOutput('dry-run', String(dryRun));
  core.setOutput('targets', outputs.targets);
}

/**
 * The fleet in the log (every target on a line), the summary, and an error annotation for the
 * first problem targets. Returns the fleet's verdict.
 */
export function publishFleet(
  results: readonly TargetResult[],
  { kind, dryRun }: { kind: TargetKind; dryRun: boolean },
): string {
  core.info(renderFleetLog(results, kind));
  const file = process.env.GITHUB_STEP_SUMMARY;
  if (file) appendFileSync(file, `${renderFleetSummary(results, { kind, dryRun })}\n`);
  const problems = results.filter((r) => r.result === 'failed' || r.result === 'drift');
  for (const problem of problems.slice(0, MAX_TARGET_ANNOTATIONS)) {
    core.error(`${problem.name}: ${problem.error ?? problem.result}`, { title: problem.name });
  }
  if (problems.length > MAX_TARGET_ANNOTATIONS) {
    core.error(
      `${problems.length - MAX_TARGET_ANNOTATIONS} more targets failed or drifted: see the job summary.`,
    );
  }
  setFleetOutputs(results, dryRun);
  return fleetVerdict(results, kind);
}
