// Builds folder listings for the layout tests: files by path, their folders added as folderEntries (src/files/folder.ts) would.
import type { FolderEntry } from '../../../../src/files/layouts/index.js';

export function listing(...paths: string[]): FolderEntry[] {
  const entries = new Map<string, FolderEntry>();
  for (const path of paths) {
    const slash = path.indexOf('/');
    if (slash >= 0)
      entries.set(path.slice(0, slash), { path: path.slice(0, slash), isDirectory: true });
    entries.set(path, { path, isDirectory: path.endsWith('/') });
  }
  return [...entries.values()]
    .map((entry) => ({ ...entry, path: entry.path.replace(/\/$/, '') }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
}
