// Prisma's folder: `<timestamp>_<name>/migration.sql` (and `migration_lock.toml`), one folder per
// migration. Pure; reads names only.
import { emptyReading, foldersOf } from './common.js';
import {
  canonicalDigits,
  type FolderEntry,
  type LayoutMigration,
  type LayoutReading,
} from './model.js';
import { finishReading } from './order.js';

/** A Prisma folder name with its leading version: `20240212120203_init`, `0_init`. */
const PRISMA_FOLDER = /^(\d+)(?:_.*)?$/;

/**
 * The migrations of a Prisma folder: each sub-folder holds `migration.sql` (and, if the team wrote
 * one, the `down.sql` Prisma's documentation suggests). `migration_lock.toml` is Prisma's own.
 * Prisma applies folders in the text order of their names; the action orders the leading
 * timestamps as numbers, and warns where the two differ. Prisma has no "no transaction" setting.
 */
export function readPrisma(entries: readonly FolderEntry[]): LayoutReading {
  const reading = emptyReading();
  const migrations: LayoutMigration[] = [];
  for (const [folder, files] of foldersOf(entries, reading)) {
    const match = PRISMA_FOLDER.exec(folder);
    if (match === null) {
      reading.errors.push(
        `${folder} is not a Prisma migration folder name: <timestamp>_<name>, e.g. ` +
          '20240212120203_init.',
      );
      continue;
    }
    if (!files.has('migration.sql')) {
      reading.errors.push(`${folder} has no migration.sql, which Prisma needs in every folder.`);
      continue;
    }
    const version = match[1] ?? '';
    migrations.push({
      layout: 'prisma',
      label: version,
      key: canonicalDigits(version),
      name: folder,
      upFile: `${folder}/migration.sql`,
      ...(files.has('down.sql') ? { downFile: `${folder}/down.sql` } : {}),
      noTransaction: false,
    });
  }
  return finishReading('prisma', migrations, reading, (migration) => migration.name);
}
