// Wires one run together: inputs, files and history, the command, then the report. The only place effects meet.
import { baseline } from './commands/baseline.js';
import type { Context } from './commands/context.js';
import { runFleet } from './commands/fleet.js';
import { Adoption, readHistoryExplained, toolsToImport } from './commands/import.js';
import { migrate } from './commands/migrate.js';
import { repair } from './commands/repair.js';
import { rollback } from './commands/rollback.js';
import { validate } from './commands/validate.js';
import { cancelRunning } from './db/cancel.js';
import { connect, type Database } from './db/connect.js';
import { messageOf } from './errors.js';
import { readFolder } from './files/folder.js';
import { otherDialectsLine } from './files/layouts/index.js';
import { renderFleetSummary } from './fleet/render.js';
import type { Report } from './report/model.js';
import { logTarget, publishFleet } from './runner/fleet-publish.js';
import { getSettings, type Settings } from './runner/inputs.js';
import { upsertComment, upsertRendered } from './runner/pr-comment.js';
import { annotate, log, setFailureOutputs, setOutputs, writeSummary } from './runner/publish.js';
import * as core from './runner/toolkit.js';

const COMMANDS: Record<Settings['command'], (context: Context) => Promise<Report>> = {
  migrate,
  validate,
  baseline,
  repair,
  rollback,
};

/** The action: inputs, files and history, the command, then the report. Never throws. */
export async function run(): Promise<void> {
  let settings: Settings | undefined;
  let db: Database | undefined;
  // A cancelled job gets SIGINT, then SIGTERM: cancel the running statement, start nothing new,
  // and let the run record and report the truth before it exits.
  const cancel = new AbortController();
  const onSignal = (signal: string) => {
    if (cancel.signal.aborted) return;
    core.warning(`Received ${signal}: cancelling the running statement; nothing new will start.`);
    cancel.abort();
    if (db && settings) void cancelRunning(settings.target, db.client);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    settings = getSettings();
    for (const name of settings.target.ignoredParameters) {
      core.warning(
        `The database URL parameter ${name} is not used by this action and was ignored.`,
      );
    }
    if (settings.fleet) {
      await runFleetStep(settings, cancel.signal);
      return;
    }
    const command = COMMANDS[settings.command];

    // The files are read while the connection is being opened, and the history is read as soon
    // as it is open: with thousands of files, the server answers while they are still being read.
    const connecting = connect(settings.target, settings.connectTimeoutSeconds, core.info);
    const tracking = { schema: settings.schema, table: settings.table };
    const read = connecting.then((d) => readHistoryExplained(d.client, tracking));
    // The command awaits it and reports its failure; this only keeps it from counting as unhandled.
    read.catch(() => undefined);
    const discovery = await readFolder(settings.migrationsDir, {
      layout: settings.layout,
      skipGo: settings.skipGoMigrations,
    }).catch((error: unknown) => {
      connecting.then(
        (d) => d.client.end(),
        () => undefined,
      );
      throw error;
    });
    const open = await connecting;
    db = open;
    const { target } = settings;
    if (discovery.layout !== 'plain' || settings.layout !== 'auto') {
      core.info(`Layout: ${discovery.layout} (${discovery.reason}).`);
    }
    for (const warning of discovery.warnings) core.warning(warning);
    const dialects = otherDialectsLine(discovery.skipped);
    if (dialects !== undefined) core.info(dialects);
    for (const file of discovery.skipped) {
      if (file.otherDialect === undefined) core.warning(`Skipped ${file.path}: ${file.reason}.`);
    }
    // migrate and validate see another tool's history in an empty tracking table (import-history).
    const tools = ['migrate', 'validate'].includes(settings.command)
      ? toolsToImport(settings.importHistory, discovery.layout)
      : [];
    const adoption =
      tools.length === 0
        ? undefined
        : new Adoption(open.client, tracking, tools, discovery.migrations);
    const history = adoption ? read.then((h) => adoption.history(h)) : read;
    history.catch(() => undefined);

    const report = await command({
      settings,
      db,
      discovery,
      tracking,
      history,
      log: core.info,
      warn: core.warning,
      signal: cancel.signal,
      cancelRunning: () => void cancelRunning(target, open.client),
      adoption,
    });
    log(report);
    annotate(report, settings.migrationsDirForAnnotations);
    setOutputs(report);
    writeSummary(report);
    if (settings.prComment) {
      await upsertComment(report, {
        token: settings.githubToken,
        target: `${settings.target.label}:${settings.target.port} ${settings.schema}.${settings.table}`,
        eventName: settings.eventName,
      });
    }
    if (report.result === 'failed' || report.result === 'drift') core.setFailed(report.verdict);
  } catch (error) {
    setFailureOutputs(settings?.dryRun);
    core.setFailed(messageOf(error));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await db?.client.end().catch(() => undefined);
  }
}

/**
 * Many databases in one step: every target checked, then migrated in waves, one group per target
 * in the log as it finishes, then one report for the fleet. Throws only before any target ran.
 */
async function runFleetStep(settings: Settings, signal: AbortSignal): Promise<void> {
  const fleet = await runFleet(settings, {
    log: core.info,
    warn: core.warning,
    onTarget: logTarget,
    signal,
  });
  const { kind, results } = fleet;
  const verdict = publishFleet(results, { kind, dryRun: settings.dryRun });
  if (settings.prComment) {
    const { source, shard } = settings.fleet ?? {};
    await upsertRendered(
      (budget) => renderFleetSummary(results, { kind, dryRun: settings.dryRun, budget }),
      {
        token: settings.githubToken,
        target: `fleet ${source?.kind} ${settings.target.label}:${settings.target.port} ${settings.schema}.${settings.table}${shard ? ` shard ${shard.index}/${shard.count}` : ''}`,
        eventName: settings.eventName,
      },
    );
  }
  if (results.some((r) => r.result === 'failed' || r.result === 'drift')) core.setFailed(verdict);
  else if (signal.aborted) core.setFailed(`The job was cancelled: ${verdict}`);
}
