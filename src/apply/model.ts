// What applying works with: the options of a run, the flags of one message, the outcome of each migration. Types only.
import type { Migration } from '../files/migration.js';
import type { TrackingTable } from '../history/table.js';
import type { Statement } from '../sql/parser.js';

/** What PostgreSQL said when a migration failed. DETAIL can carry row data: log only. */
export interface MigrationError {
  message: string;
  code?: string;
  detail?: string;
  hint?: string;
  /** 1-based line of the file where PostgreSQL places the error, when it says. */
  line?: number;
}

export interface Outcome {
  migration: Migration;
  status: 'applied' | 'failed' | 'not attempted' | 'rolled back';
  durationMs?: number;
  error?: MigrationError;
  /** Indexes a failed `no-transaction` file left INVALID (a failed CREATE INDEX CONCURRENTLY). */
  invalidIndexes?: string[];
}

export interface ApplyOptions {
  tracking: TrackingTable;
  transaction: 'per-migration' | 'all';
  lockTimeout?: string;
  statementTimeout?: string;
  appliedBy: string;
  /** SQL that restores the action's own session settings after a migration's RESET ALL. */
  sessionSql: string;
  /** SQL to run in the first transaction before the first migration (creating the table). */
  setupSql: string;
  lockRetries?: number;
  /**
   * The statements of each `no-transaction` file, split by PostgreSQL's parser; a file without
   * an entry (too large for the parser) is split by the streaming splitter as it runs.
   */
  statements?: Map<bigint, Statement[]>;
  /** Versions whose `rolled back` row the migration's own row replaces (applied again). */
  rolledBack?: ReadonlySet<bigint>;
  /** Aborted when the job is cancelled: no further migration starts. */
  signal?: AbortSignal;
  /** SQL that fails unless this session holds the migration lock (see lock.ts). */
  lockCheckSql?: string;
  /** Asks the server to cancel the running statement (a message sent before a cancellation). */
  cancelRunning?: () => void;
  log: (message: string) => void;
}

export type MessageFlags = {
  begin: boolean;
  commit: boolean;
  setup: string;
  record?: boolean;
  /** The version whose row must exist before this migration runs (a message sent behind it). */
  previous?: bigint;
};
