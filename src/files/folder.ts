// Reads the migrations folder in its layout: the plain layout or another tool's, chosen by the
// `layout` input or recognised from the names (and the first lines of the files). Reads files,
// never the database.
import { closeSync, type Dirent, openSync, readdirSync, readSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigurationError } from '../errors.js';
import { type Discovery, folderError, readMigrations } from './discover.js';
import { readForeign, unsupportedLayout } from './foreign.js';
import {
  detectLayout,
  type FolderEntry,
  type LayoutId,
  type SkippedFile,
} from './layouts/index.js';

export interface FolderDiscovery extends Discovery {
  layout: LayoutId;
  /** Why this layout: said in the log. */
  reason: string;
  warnings: string[];
  skipped: SkippedFile[];
}

export interface FolderOptions {
  layout: LayoutId | 'auto';
  /** Go migrations (goose) are left out as skipped instead of stopping the run. */
  skipGo: boolean;
}

/**
 * The migrations of the folder in its layout. `plain` goes straight to the plain reader; `auto`
 * first lists the names (and, when dbmate, goose and plain names look alike, the files' first
 * lines) to choose. A folder mixing layouts, or one of a layout not read yet, is an error.
 */
export async function readFolder(dir: string, options: FolderOptions): Promise<FolderDiscovery> {
  if (options.layout === 'plain') {
    return { ...(await readMigrations(dir)), ...plain('set by the layout input') };
  }
  const entries = entriesOf(dir);
  const detection = detectLayout(entries, options.layout, {
    textOf: (file) => headOf(path.join(dir, file)),
  });
  if (!detection.ok) throw new ConfigurationError(detection.error);
  const { layout, reason } = detection;
  if (layout === 'plain') return { ...(await readMigrations(dir)), ...plain(reason) };
  if (layout === 'flyway' || layout === 'popx') {
    throw new ConfigurationError(unsupportedLayout(layout));
  }
  return { ...(await readForeign(dir, layout, entries, options)), layout, reason };
}

function plain(reason: string): Omit<FolderDiscovery, keyof Discovery> {
  return { layout: 'plain', reason, warnings: [], skipped: [] };
}

/**
 * The folder's entries and one level of its sub-folders (Prisma and diesel keep one folder per
 * migration), from the directory entries' own types: no stat per file, except for a symbolic
 * link, which counts as what it points to.
 */
function entriesOf(dir: string): FolderEntry[] {
  let listed: Dirent[];
  try {
    listed = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw folderError(dir, error);
  }
  const entries: FolderEntry[] = [];
  for (const entry of listed) {
    if (entry.name.startsWith('.')) continue;
    const isDirectory = isFolder(dir, entry);
    entries.push({ path: entry.name, isDirectory });
    if (!isDirectory) continue;
    const sub = path.join(dir, entry.name);
    for (const child of readdirSync(sub, { withFileTypes: true })) {
      if (child.name.startsWith('.')) continue;
      entries.push({ path: `${entry.name}/${child.name}`, isDirectory: isFolder(sub, child) });
    }
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function isFolder(dir: string, entry: Dirent): boolean {
  if (!entry.isSymbolicLink()) return entry.isDirectory();
  try {
    return statSync(path.join(dir, entry.name)).isDirectory();
  } catch {
    return false;
  }
}

const HEAD = Buffer.alloc(1024);

/** The first KiB of a file as text: where goose's and dbmate's markers sit. */
function headOf(file: string): string | undefined {
  try {
    const fd = openSync(file, 'r');
    try {
      const read = readSync(fd, HEAD, 0, HEAD.length, 0);
      return HEAD.toString('utf8', 0, read);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}
