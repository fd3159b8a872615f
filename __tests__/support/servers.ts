// The throwaway PostgreSQL servers some test files start for themselves (samples: one per version).
import pg from 'pg';
import { type Binaries, startPostgres } from '../../scripts/postgres.mjs';

export type { Binaries };

/** A throwaway PostgreSQL server of its own, on a free port of 127.0.0.1, trusting local logins. */
export interface Server {
  port: number;
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  adminUrl: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

/** Starts a server from `binaries` (scripts/postgres.mjs does the work, as for the demo). */
export async function startServer(binaries: Binaries, label: string): Promise<Server> {
  const server = await startPostgres({ binaries, label });
  return {
    port: server.port,
    adminUrl: server.adminUrl,
    stop: () => server.stop(),
    async createDatabase(name) {
      const admin = new pg.Client({ connectionString: server.adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
      } finally {
        await admin.end();
      }
      return server.url(name);
    },
  };
}
