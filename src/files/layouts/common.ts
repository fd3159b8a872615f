// Small pieces the layout readers share: an empty reading, Go migrations, folder-per-migration
// listings. Pure.
import {
  baseName,
  type FolderEntry,
  type ForeignLayoutId,
  type LayoutReading,
  type ReadOptions,
} from './model.js';
import { toolName } from './order.js';

export type Reading = Omit<LayoutReading, 'migrations'>;

export function emptyReading(): Reading {
  return { errors: [], warnings: [], skipped: [] };
}

/** A Go migration file name as goose writes it (`00002_rename_root.go`); `_test.go` is not one. */
const GO_MIGRATION = /^\d+_.*\.go$/;

export function isGoMigration(name: string): boolean {
  return GO_MIGRATION.test(name) && !name.endsWith('_test.go');
}

/**
 * A migration written in Go cannot run here: an error naming it, or, with `skipGo`, a skipped
 * file (never a silent one), so the team decides what the versions it holds mean.
 */
export function refuseGo(
  layout: ForeignLayoutId,
  path: string,
  options: ReadOptions,
  reading: Reading,
): void {
  if (options.skipGo === true) {
    reading.skipped.push({
      path,
      reason: `a ${toolName(layout)} migration written in Go, left out because skip-go-migrations is true`,
    });
    return;
  }
  reading.errors.push(
    `${path} is a ${toolName(layout)} migration written in Go, which the action cannot run; ` +
      'rewrite it in SQL, or set skip-go-migrations: true to leave Go migrations out.',
  );
}

/** Each top-level folder with the names of the files in it; top-level `.sql` files skipped. */
export function foldersOf(
  entries: readonly FolderEntry[],
  reading: Reading,
): Map<string, Set<string>> {
  const folders = new Map<string, Set<string>>();
  for (const entry of entries) {
    const slash = entry.path.indexOf('/');
    if (slash < 0) {
      if (entry.isDirectory) folders.set(entry.path, folders.get(entry.path) ?? new Set());
      else if (entry.path.endsWith('.sql')) {
        reading.skipped.push({ path: entry.path, reason: 'a file outside any migration folder' });
      }
      continue;
    }
    if (entry.isDirectory) continue;
    const folder = entry.path.slice(0, slash);
    const files = folders.get(folder) ?? new Set();
    files.add(baseName(entry.path));
    folders.set(folder, files);
  }
  return folders;
}
