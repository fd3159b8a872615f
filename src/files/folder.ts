// Reads the migrations folder in its layout: the plain layout or another tool's, chosen by the
// `layout` input or recognised from the names (and the first lines of the files). Reads files,
// never the database.
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigurationError } from '../errors.js';
import { type Discovery, folderError, readMigrations } from './discover.js';
import { readForeign } from './foreign.js';
import { versionOrder } from './keys.js';
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
 * lines) to choose. A folder mixing layouts is an error. Flyway, popx and diesel give the order
 * of their versions (`order`), which the plan follows.
 */
export async function readFolder(dir: string, options: FolderOptions): Promise<FolderDiscovery> {
  if (options.layout === 'plain') {
    return { ...(await readMigrations(dir)), ...plain('set by the layout input') };
  }
  const entries = folderEntries(dir);
  // A file that detection read whole (most migrations are shorter than HEAD) is not read again
  // when its sections are cut: dbmate's and goose's files are otherwise read twice. Up to
  // WHOLE_BYTES in all, so that a folder of thousands of files holds a bounded amount.
  const whole = new Map<string, Buffer>();
  let held = 0;
  const keep = (file: string, bytes: Buffer) => {
    if (held + bytes.length > WHOLE_BYTES) return;
    held += bytes.length;
    whole.set(file, bytes);
  };
  const detection = detectLayout(entries, options.layout, {
    textOf: (file) => headOf(path.join(dir, file), (bytes) => keep(file, bytes)),
  });
  if (!detection.ok) throw new ConfigurationError(detection.error);
  const { layout, reason } = detection;
  if (layout === 'plain') {
    const sql = entries.filter((e) => !e.path.includes('/') && e.path.endsWith('.sql'));
    return {
      ...(await readMigrations(
        dir,
        sql.map((e) => e.path),
      )),
      ...plain(reason),
    };
  }
  const order = versionOrder(layout);
  return {
    ...(await readForeign(dir, layout, entries, { ...options, whole })),
    layout,
    reason,
    ...(order && { order }),
  };
}

function plain(reason: string): Omit<FolderDiscovery, 'migrations' | 'findings'> {
  return { layout: 'plain', reason, warnings: [], skipped: [] };
}

/**
 * The folder's entries and one level of its sub-folders (Prisma and diesel keep one folder per
 * migration). Names only, as the plain layout lists them: a name with an extension is taken for a
 * file (a sub-folder named `*.sql` is recognised when it is read), and only the others are asked
 * whether they are folders, so a folder of 10,000 files costs no stat and no Dirent per file.
 */
export function folderEntries(dir: string): FolderEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (error) {
    throw folderError(dir, error);
  }
  const entries: FolderEntry[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const children = name.includes('.') ? undefined : childrenOf(path.join(dir, name));
    entries.push({ path: name, isDirectory: children !== undefined });
    if (children === undefined) continue;
    const sub = path.join(dir, name);
    for (const child of children) {
      if (child.startsWith('.')) continue;
      const nested = !child.includes('.') && isFolder(path.join(sub, child));
      entries.push({ path: `${name}/${child}`, isDirectory: nested });
    }
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * The names in a sub-folder, or undefined when the name is not a folder (a file without an
 * extension, a dangling link): one readdir instead of a stat and a readdir, which for diesel's and
 * Prisma's folder per migration halves the calls.
 */
function childrenOf(sub: string): string[] | undefined {
  try {
    return readdirSync(sub);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOTDIR' || code === 'ENOENT') return undefined;
    throw folderError(sub, error);
  }
}

function isFolder(filePath: string): boolean {
  try {
    return statSync(filePath).isDirectory();
  } catch {
    return false;
  }
}

const HEAD = Buffer.alloc(16 * 1024);
/** The most bytes of files read whole during detection that are kept for reading them. */
const WHOLE_BYTES = 16 * 2 ** 20;

/**
 * The first 16 KiB of a file as text: where goose's and dbmate's markers sit. A file shorter than
 * that has been read whole: its bytes go to `whole`, so that it is not read a second time.
 */
function headOf(file: string, whole: (bytes: Buffer) => void): string | undefined {
  try {
    const fd = openSync(file, 'r');
    try {
      const read = readSync(fd, HEAD, 0, HEAD.length, 0);
      if (read < HEAD.length) whole(Buffer.from(HEAD.subarray(0, read)));
      return HEAD.toString('utf8', 0, read);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}
