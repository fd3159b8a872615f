// Wires the import of another tool's history: which tools to look for, the history as the plan
// sees it (the other tool's rows when the tracking table is empty), and writing those rows under
// the lock, in one transaction, before anything is applied.
import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { ConfigurationError } from '../errors.js';
import { normalizeContent } from '../files/content.js';
import { type LayoutId, toolName } from '../files/layouts/index.js';
import type { Migration } from '../files/migration.js';
import {
  clashWith,
  IMPORT_TOOLS,
  type Imported,
  type ImportTool,
  importedRows,
  readForeignHistory,
} from '../history/import/index.js';
import { type History, readHistory } from '../history/read.js';
import type { TrackingTable } from '../history/table.js';
import { readyForRowsSql } from '../history/version-key.js';
import { insertRowSql } from '../history/write.js';
import { plural } from '../report/model.js';
import type { Settings } from '../runner/inputs.js';

/** The tools whose tables `import-history` asks to look for, for a folder in `layout`. */
export function toolsToImport(setting: Settings['importHistory'], layout: LayoutId): ImportTool[] {
  if (setting === 'none') return [];
  if (setting !== 'auto') return [setting];
  // auto: the folder's own tool when it is another tool's layout; every tool for a plain folder.
  return layout === 'plain' ? [...IMPORT_TOOLS] : IMPORT_TOOLS.filter((tool) => tool === layout);
}

/**
 * The tracking table read, with the one sentence that explains a clash: golang-migrate and dbmate
 * keep their history in `schema_migrations` too, which does not fit the action's columns.
 */
export async function readHistoryExplained(
  client: pg.ClientBase,
  tracking: TrackingTable,
): Promise<History> {
  try {
    return await readHistory(client, tracking);
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    const clash = await clashWith(client, tracking).catch(() => undefined);
    throw clash === undefined ? error : new ConfigurationError(clash);
  }
}

/** The file's text as the other tool read it: the whole up file, before any unwrapping. */
function fileText(migration: Migration): string {
  return normalizeContent(readFileSync(migration.path));
}

/**
 * The import of one run. `history` is what the plan reads: the tracking table's rows, or, while
 * it is missing or empty, the rows the other tool's history turns into. Nothing is written until
 * `writeUnderLock`.
 */
export class Adoption {
  imported: Imported | undefined;

  constructor(
    private readonly client: pg.ClientBase,
    private readonly tracking: TrackingTable,
    private readonly tools: readonly ImportTool[],
    private readonly migrations: readonly Migration[],
  ) {}

  /** The history for the plan: the table's own rows, else what the other tool applied. */
  async history(read: History): Promise<History> {
    this.imported = await this.importFor(read);
    return this.imported === undefined ? read : { exists: read.exists, rows: this.imported.rows };
  }

  private async importFor(read: History): Promise<Imported | undefined> {
    if (read.rows.length > 0 || this.tools.length === 0) return undefined;
    const foreign = await readForeignHistory(this.client, this.tracking, this.tools);
    const nothing =
      foreign === undefined ||
      // Flyway's baseline alone (`flyway baseline` on an existing database) is a history too.
      (foreign.records.length === 0 && foreign.upTo !== true && foreign.baseline === undefined);
    if (nothing) {
      return undefined;
    }
    const imported = importedRows(foreign, this.migrations, fileText);
    return imported.rows.length === 0 ? undefined : imported;
  }

  /**
   * Under the migration lock, with the history re-read: when the table is still empty, the other
   * tool's table is read again and its rows written, with the table when missing, in one
   * transaction; then the history is read once more. Returns the history to plan from.
   */
  async writeUnderLock(
    locked: History,
    appliedBy: string,
    log: (line: string) => void,
  ): Promise<History> {
    const imported = await this.importFor(locked);
    this.imported = imported;
    if (imported === undefined) return locked;
    const setup = await readyForRowsSql(this.client, this.tracking, locked.exists, imported.rows);
    const by = `${appliedBy}; ${imported.note}`;
    const inserts = imported.rows.map(
      (row) => `${insertRowSql(this.tracking, { ...row, appliedBy: by }, '0')};`,
    );
    await this.client.query(`BEGIN;${setup}${inserts.join('')}COMMIT;`);
    log(
      `Imported ${plural(imported.rows.length, 'migration')} from ${toolName(imported.foreign.tool)}'s ${imported.foreign.table} as baseline.`,
    );
    return readHistory(this.client, this.tracking);
  }

  /** One line per row the import writes (or, in a dry run, would write), for the report. */
  changes(dryRun: boolean): string[] {
    const imported = this.imported;
    if (imported === undefined) return [];
    const verb = dryRun ? 'would record' : 'recorded';
    return imported.rows.map(
      (row) =>
        `${verb} ${row.name} (version ${row.key ?? row.version}) as baseline, ${imported.note}`,
    );
  }
}
