// Lists a migrations folder and one level of its sub-folders for the layout readers: the only
// module of src/layouts that touches the file system (it reads names, never contents).
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { FolderEntry } from './model.js';

/**
 * The folder's entries and those of its sub-folders, one level down, sorted by path (code-unit
 * order, so every machine lists alike). Entries starting with `.` are left out, as every tool here
 * does (`.keep`, `.DS_Store`, diesel's dot-folders). A symbolic link counts as what it points to.
 */
export function listFolder(dir: string): FolderEntry[] {
  const entries: FolderEntry[] = [];
  for (const name of readdirSync(dir)) {
    if (name.startsWith('.')) continue;
    const isDirectory = isDirectoryAt(path.join(dir, name));
    entries.push({ path: name, isDirectory });
    if (!isDirectory) continue;
    for (const child of readdirSync(path.join(dir, name))) {
      if (child.startsWith('.')) continue;
      entries.push({
        path: `${name}/${child}`,
        isDirectory: isDirectoryAt(path.join(dir, name, child)),
      });
    }
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function isDirectoryAt(file: string): boolean {
  // statSync follows symbolic links; a dangling link is a file, and reading it fails later with
  // the reader's own message naming it.
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
