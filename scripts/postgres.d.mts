// Types of scripts/postgres.mjs, for the tests (TypeScript) that start servers through it.

/** A failure to start, as one sentence: print `message`, not the stack. */
export class StartError extends Error {}

export interface Binaries {
  initdb: string;
  postgres: string;
}

export interface Postgres {
  port: number;
  version: number | string;
  /** postgres://postgres[:password]@127.0.0.1:<port>/postgres */
  adminUrl: string;
  /** The URL of `database` for `login` (by default the superuser postgres with the password). */
  url(database?: string, login?: { user: string; password?: string }): string;
  /** Stops the server and removes its folder; safe to call twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** 18 (default) or 13; ignored when `binaries` is given. */
  version?: number | string;
  binaries?: Binaries;
  /** Part of the temporary folder's name. */
  label?: string;
  /** The superuser's password (scram-sha-256 over TCP); without it every local login is trusted. */
  password?: string;
  /** Server settings, passed as -c key=value. */
  settings?: Record<string, string>;
  /** Each chunk of the server's log. */
  onLog?: (text: string) => void;
  /** Called after initdb, before the server starts; `owner` is the server's user when root. */
  beforeStart?: (folder: {
    data: string;
    owner: { uid: number; gid: number } | undefined;
  }) => Promise<void>;
}

export function freePort(): Promise<number>;
export function binariesFor(version?: number | string): Promise<Binaries>;
export function startPostgres(options?: StartOptions): Promise<Postgres>;
