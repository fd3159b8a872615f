// The PostgreSQL the whole suite runs against, started once before the first test file.
import type { TestProject } from 'vitest/node';
import { freePort, startPostgres } from '../../scripts/postgres.mjs';

/** A free TCP port on loopback (scripts/postgres.mjs's, here for the tests that need one). */
export { freePort };

/**
 * The PostgreSQL every test runs against: TEST_DATABASE_URL when set; a testcontainers container
 * with TEST_PG=docker (machines with Docker, such as GitHub's runners); otherwise a throwaway
 * embedded server (scripts/postgres.mjs). TEST_PG_VERSION picks the major version of the last
 * two (embedded: 18, or 13 for the oldest supported). Each test file then creates a database of
 * its own on it.
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
  // The password makes the tests log in the way a CI secret would (scram-sha-256).
  const server = await startPostgres({
    version: process.env.TEST_PG_VERSION ?? 18,
    label: 'pg',
    password: 'postgres',
  });
  project.provide('adminUrl', server.adminUrl);
  return () => server.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
  }
}
