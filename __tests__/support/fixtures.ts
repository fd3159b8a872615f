// The end-to-end tests of other tools' folders share this: a database and a workspace holding a
// copy of a fixture folder per test, both removed after the file's tests, and the action run on it.
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type pg from 'pg';
import { afterAll } from 'vitest';
import { type ActionRun, runAction } from './action.js';
import { createDatabase, withClient } from './database.js';

export interface FixtureRun {
  url: string;
  workspace: string;
  /** The copy of the fixture folder: the workspace's `migrations`. */
  dir: string;
}

/**
 * `setUp(fixture)` for the folders under `root`: a database named `<prefix>_<fixture>` and a
 * workspace with the fixture copied to `migrations`. Call it at the top of a test file: it
 * registers the clean-up of everything it made with `afterAll`, in the order of `drops` (a test
 * may add its own there).
 */
export function fixtureFolders(root: string, prefix: string) {
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
  });
  const setUp = async (fixture: string): Promise<FixtureRun> => {
    const { url, drop } = await createDatabase(`${prefix}_${fixture.replaceAll('-', '_')}`);
    drops.push(drop);
    const workspace = await mkdtemp(path.join(tmpdir(), `migrate-action-${prefix}-`));
    drops.push(() => rm(workspace, { recursive: true, force: true }));
    const dir = path.join(workspace, 'migrations');
    await cp(path.join(root, fixture), dir, { recursive: true });
    return { url, workspace, dir };
  };
  return { setUp, drops };
}

/** The bundled action on `url` with the workspace's `migrations` folder and `inputs`. */
export function act(
  url: string,
  workspace: string,
  inputs: Record<string, string> = {},
): Promise<ActionRun> {
  return runAction({ 'database-url': url, ...inputs }, { workspace });
}

/** The rows of one query on `url`. */
export async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  return withClient(url, async (c) => (await c.query<T>(sql)).rows);
}
