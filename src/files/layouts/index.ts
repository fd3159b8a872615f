// The public face of src/files/layouts: detect a folder's layout, read another tool's migrations
// from its names, cut single-file migrations into sections, read per-migration settings. Pure: the
// folder is listed by files/folder.ts.
import { readDbmate } from './dbmate.js';
import { readDiesel } from './diesel.js';
import { readFlyway } from './flyway.js';
import { readGolangMigrate } from './golang-migrate.js';
import { readGoose } from './goose.js';
import type { FolderEntry, ForeignLayoutId, LayoutReading, ReadOptions } from './model.js';
import { readPopx } from './popx.js';
import { readPrisma } from './prisma.js';

export { dbmateSections } from './dbmate.js';
export { type Detection, type DetectOptions, detectLayout } from './detect.js';
export { flywayKey } from './flyway.js';
export { gooseSections } from './goose.js';
export * from './model.js';
export { compareKeys, sortable, toolName } from './order.js';
export { otherDialectsLine } from './popx.js';
export {
  type MigrationSettings,
  readDieselMetadata,
  readFlywayScriptConfig,
  readSettings,
} from './settings.js';

/**
 * The migrations of a folder in another tool's layout, in that tool's order, with the errors,
 * warnings and skipped files of the names. The plain layout is read by src/migrations.ts.
 */
export function migrationsOf(
  layout: ForeignLayoutId,
  entries: readonly FolderEntry[],
  options: ReadOptions = {},
): LayoutReading {
  switch (layout) {
    case 'golang-migrate':
      return readGolangMigrate(entries);
    case 'dbmate':
      return readDbmate(entries);
    case 'goose':
      return readGoose(entries, options);
    case 'flyway':
      return readFlyway(entries);
    case 'prisma':
      return readPrisma(entries);
    case 'diesel':
      return readDiesel(entries);
    case 'popx':
      return readPopx(entries, options);
  }
}
