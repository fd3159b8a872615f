// command: validate: the findings and the status table, read only: no lock, no writes.
import { plural, type Report } from '../report/model.js';
import { type Context, planOf, report, stoppedReport } from './context.js';

/** `validate`: the findings and the status table; read only, no lock, never creates the table. */
export async function validate(context: Context): Promise<Report> {
  const history = await context.history;
  const plan = await planOf(context, history.rows, { underLock: false });
  if (plan.stops) return stoppedReport(context, plan);
  const count = plan.pending.length;
  return report(context, plan, {
    result: count > 0 ? 'pending' : 'up-to-date',
    verdict:
      count > 0
        ? `Valid: ${plural(count, 'migration')} pending, no problem found.`
        : `Valid and up to date: ${plural(plan.entries.length, 'migration')} applied.`,
  });
}
