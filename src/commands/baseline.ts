// command: baseline: records the migrations up to baseline-version as applied without running them.

import { ConfigurationError } from '../errors.js';
import { readVersionInput } from '../files/keys.js';
import { readHistory } from '../history/read.js';
import { readyForRowsSql } from '../history/version-key.js';
import { insertRowSql } from '../history/write.js';
import { type Entry, makePlan, type Plan, shownVersion } from '../plan/plan.js';
import { plural, type Report } from '../report/model.js';
import { appliedBy } from '../runner/applied-by.js';
import { type Context, orderOf, report, stoppedReport, underLock } from './context.js';

/**
 * `baseline`: for a database that already has the schema, records every migration up to and
 * including `baseline-version` as `baseline` without running it. Only on a tracking table with
 * no rows, so it can never rewrite a history.
 */
export async function baseline(context: Context): Promise<Report> {
  const { settings, discovery, db, tracking } = context;
  if (settings.baselineVersion === undefined) {
    throw new ConfigurationError(
      'command: baseline needs baseline-version: the highest migration version the database already has, for example 3.',
    );
  }
  const target = readVersionInput(
    discovery.layout ?? 'plain',
    'baseline-version',
    settings.baselineVersion,
  );
  const version = target.label;
  const order = orderOf(discovery);
  if (!discovery.migrations.some((m) => order(m, target) === 0)) {
    throw new ConfigurationError(
      `No migration file has version ${version}: set baseline-version to the version of one of the files in ${settings.migrationsDirForAnnotations}.`,
    );
  }
  const history = await context.history;
  refuseIfRecorded(context, history.rows.length);
  const plan = makePlan(discovery, [], {
    onDrift: settings.onDrift,
    allowOutOfOrder: true,
    transaction: 'per-migration',
  });
  if (plan.stops) return stoppedReport(context, plan);
  const toRecord = plan.pending.filter((m) => order(m, target) <= 0);
  const upTo = (e: Entry) => order(e, target) <= 0;

  if (settings.dryRun) {
    return report(context, marked(plan, upTo, 'pending', 'would be recorded as baseline'), {
      result: 'pending',
      verdict: `Dry run: ${plural(toRecord.length, 'migration')} up to version ${version} would be recorded as baseline; nothing was written.`,
    });
  }
  return underLock(context, async () => {
    const locked = await readHistory(db.client, tracking);
    refuseIfRecorded(context, locked.rows.length);
    const setup = await readyForRowsSql(db.client, tracking, locked.exists, toRecord);
    const by = appliedBy();
    const inserts = toRecord.map(
      (m) =>
        `${insertRowSql(tracking, { version: m.version, key: m.key, name: m.name, checksum: m.checksum, status: 'baseline', appliedBy: by }, '0')};`,
    );
    await db.client.query(`BEGIN;${setup}${inserts.join('')}COMMIT;`);
    return {
      ...report(context, marked(plan, upTo, 'baseline'), {
        result: 'applied',
        verdict: `Recorded ${plural(toRecord.length, 'migration')} up to version ${version} as baseline; a following migrate applies what comes after.`,
      }),
      changes: toRecord.map((m) => `recorded ${m.name} (version ${shownVersion(m)}) as baseline`),
    };
  });
}

function refuseIfRecorded(context: Context, rows: number): void {
  if (rows === 0) return;
  const { schema, table } = context.tracking;
  throw new ConfigurationError(
    `The tracking table ${schema}.${table} already has ${plural(rows, 'row')}: baseline is only for a database this action has never migrated; run migrate instead.`,
  );
}

/** The plan's entries with every version up to the baseline (`upTo`) given `status`. */
function marked(
  plan: Plan,
  upTo: (entry: Entry) => boolean,
  status: 'baseline' | 'pending',
  note?: string,
): Plan {
  const entries = plan.entries.map((e) => (upTo(e) ? { ...e, status, note } : e));
  return { ...plan, entries };
}
