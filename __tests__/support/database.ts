import pg from 'pg';
import { inject } from 'vitest';

let counter = 0;

/** A new, empty database on the test server, named after the test file. */
export async function createDatabase(
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = inject('adminUrl');
  const name = `${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${process.pid}_${counter++}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

/** Runs `fn` with a connected client and closes it. */
export async function withClient<T>(
  url: string,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The test server's major version (13, 14, …), for tests of features newer than 13. */
export async function serverMajor(): Promise<number> {
  return withClient(inject('adminUrl'), async (c) => {
    const r = await c.query('SHOW server_version_num');
    return Math.floor(Number(r.rows[0].server_version_num) / 10_000);
  });
}

/**
 * Whether the test server checks passwords: false for a server that trusts every login (a
 * TEST_DATABASE_URL may name one), where no password is wrong.
 */
export async function checksPasswords(): Promise<boolean> {
  const url = new URL(inject('adminUrl'));
  url.password = 'not-the-password';
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    return false;
  } catch {
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}
