import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** A workspace with a migrations folder holding the given files (name → content). */
export async function workspaceWith(
  files: Record<string, string | Uint8Array>,
  folder = 'migrations',
): Promise<{
  workspace: string;
  dir: string;
  write: (name: string, content: string | Uint8Array) => Promise<void>;
}> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'migrate-action-ws-'));
  const dir = path.join(workspace, folder);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(dir, { recursive: true });
  const write = (name: string, content: string | Uint8Array) =>
    writeFile(path.join(dir, name), content);
  for (const [name, content] of Object.entries(files)) await write(name, content);
  return { workspace, dir, write };
}
