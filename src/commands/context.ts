import type { Database } from '../database.js';
import type { HistoryRow, TrackingTable } from '../history.js';
import type { Settings } from '../inputs.js';
import type { Discovery } from '../migrations.js';
import { makePlan, type Plan } from '../plan.js';
import { plural, type Report } from '../report/model.js';

/** What every command gets: the checked settings, the open database and the files read. */
export interface Context {
  settings: Settings;
  db: Database;
  discovery: Discovery;
  tracking: TrackingTable;
  log: (message: string) => void;
}

/** The report of a run that stopped on its findings before writing anything. */
export function stoppedReport(context: Context, plan: Plan): Report {
  const stopping = plan.findings.filter((f) => f.stops);
  const drift = stopping.some((f) => f.kind === 'modified' || f.kind === 'missing');
  const first = stopping[0]?.message ?? '';
  const others = stopping.length > 1 ? ` (and ${plural(stopping.length - 1, 'more problem')})` : '';
  return report(context, plan, {
    result: drift ? 'drift' : 'failed',
    verdict: `Stopped before writing anything: ${first}${others}`,
  });
}

export function planOf(context: Context, rows: HistoryRow[]): Plan {
  const { settings } = context;
  return makePlan(context.discovery, rows, {
    onDrift: settings.onDrift,
    allowOutOfOrder: settings.allowOutOfOrder,
    transaction: settings.transaction,
  });
}

/** A report of the plan as it stands, with the result and verdict given. */
export function report(
  context: Context,
  plan: Plan,
  fields: Pick<Report, 'result' | 'verdict'>,
): Report {
  return {
    command: context.settings.command,
    target: context.settings.target.label,
    dryRun: context.settings.dryRun,
    entries: plan.entries,
    findings: plan.findings,
    drift: plan.drift,
    changes: [],
    ...fields,
  };
}
