// Imports another tool's history into an empty tracking table: finds the tool's table, reads it
// (never writes it), and turns each migration it applied into a `baseline` row naming the tool.
import type pg from 'pg';
import { ConfigurationError } from '../../errors.js';
import { toolName } from '../../files/layouts/index.js';
import type { TrackingTable } from '../table.js';
import { readDbmate } from './dbmate.js';
import { readDiesel } from './diesel.js';
import { readFlyway } from './flyway.js';
import { readGolangMigrate } from './golang-migrate.js';
import { readGoose } from './goose.js';
import type { ForeignHistory, ImportTool } from './model.js';
import { readPopx } from './popx.js';
import { readPrisma } from './prisma.js';
import { columnsOf, TABLES, toolOfTable } from './tables.js';

export type { ForeignHistory, ImportTool } from './model.js';
export { IMPORT_TOOLS } from './model.js';
export { type Imported, importedRows } from './rows.js';

const READERS: Record<
  ImportTool,
  (client: pg.ClientBase, schema: string, table: string) => Promise<ForeignHistory>
> = {
  'golang-migrate': readGolangMigrate,
  dbmate: readDbmate,
  goose: readGoose,
  flyway: readFlyway,
  prisma: readPrisma,
  diesel: readDiesel,
  popx: readPopx,
};

/**
 * The other tool's history, when its table exists in the tracking table's schema: `tools` are
 * the ones to look for (one, or each for `import-history: auto`). The action's own table is never
 * one of them (its name is `table:`). Two tools' tables found by `auto` are an error naming both.
 */
export async function readForeignHistory(
  client: pg.ClientBase,
  tracking: TrackingTable,
  tools: readonly ImportTool[],
): Promise<ForeignHistory | undefined> {
  const names = tools.map((tool) => TABLES[tool]).filter((name) => name !== tracking.table);
  if (names.length === 0) return undefined;
  const found = await columnsOf(client, tracking.schema, names);
  const matches: { tool: ImportTool; table: string }[] = [];
  for (const [table, columns] of found) {
    const tool = toolOfTable(table, columns);
    if (tool !== undefined && tools.includes(tool)) matches.push({ tool, table });
  }
  const [first, second] = matches;
  if (second !== undefined && first !== undefined) {
    throw new ConfigurationError(
      `Both ${toolName(first.tool)}'s table ${tracking.schema}.${first.table} and ${toolName(second.tool)}'s table ${tracking.schema}.${second.table} exist: set import-history to the tool whose history this database follows, or to none.`,
    );
  }
  if (first === undefined) return undefined;
  return READERS[first.tool](client, tracking.schema, first.table);
}

/**
 * When the action's own table name holds another tool's table (golang-migrate and dbmate both
 * use `schema_migrations`), the sentence that says whose it is and what to do; else undefined.
 */
export async function clashWith(
  client: pg.ClientBase,
  tracking: TrackingTable,
): Promise<string | undefined> {
  const found = await columnsOf(client, tracking.schema, [tracking.table]);
  const columns = found.get(tracking.table);
  const tool = columns && toolOfTable(tracking.table, columns);
  if (tool === undefined) return undefined;
  return `The table ${tracking.schema}.${tracking.table} is ${tool}'s history table, not this action's: set table: to a new name (for example ${tracking.table}_action), and the first run imports ${tool}'s history from ${tracking.schema}.${tracking.table}, which it only reads.`;
}
