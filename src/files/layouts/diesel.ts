// diesel's folder: `<version>_<name>/up.sql`, `down.sql`, `metadata.toml`, one folder per
// migration. Pure; reads names only.
import { emptyReading, foldersOf } from './common.js';
import type { FolderEntry, LayoutMigration, LayoutReading } from './model.js';
import { finishReading } from './order.js';

/** diesel's version text (version_from_string): the name up to the first `_`, digits and dashes. */
const DIESEL_VERSION = /^[0-9][0-9-]*$/;

/**
 * The migrations of a diesel folder: each sub-folder holds `up.sql`, optionally `down.sql` and
 * `metadata.toml` (the settings file: `run_in_transaction = false`). The version is the name up
 * to the first `_` (`2024-02-12-120203-0000`); diesel compares it as text without the dashes, and
 * so does the key. Every sub-folder is a migration for diesel, so one without `up.sql` is an error.
 */
export function readDiesel(entries: readonly FolderEntry[]): LayoutReading {
  const reading = emptyReading();
  const migrations: LayoutMigration[] = [];
  for (const [folder, files] of foldersOf(entries, reading)) {
    const label = folder.split('_', 1)[0] ?? '';
    if (!DIESEL_VERSION.test(label)) {
      reading.errors.push(
        `${folder} is not a diesel migration folder name: <version>_<name>, the version digits ` +
          'and dashes, e.g. 2024-02-12-120203_create_users.',
      );
      continue;
    }
    if (!files.has('up.sql')) {
      reading.errors.push(`${folder} has no up.sql, which diesel needs in every folder.`);
      continue;
    }
    migrations.push({
      layout: 'diesel',
      label,
      key: label.replaceAll('-', ''),
      name: folder,
      upFile: `${folder}/up.sql`,
      ...(files.has('down.sql') ? { downFile: `${folder}/down.sql` } : {}),
      ...(files.has('metadata.toml') ? { settingsFile: `${folder}/metadata.toml` } : {}),
      noTransaction: false,
    });
  }
  return finishReading('diesel', migrations, reading);
}
