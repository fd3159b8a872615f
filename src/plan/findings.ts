// What can be wrong with the files or the history: the kinds of finding. Types only.
/**
 * What is wrong with the files or the history. Every finding is found before anything is written;
 * one that `stops` the run means nothing is written at all.
 */
export type FindingKind =
  | 'modified' // an applied migration's file has another checksum now
  | 'missing' // an applied migration has no file any more
  | 'out-of-order' // a pending version lower than the highest applied
  | 'failed' // a row left `failed` (or `running` with nobody holding the lock)
  | 'duplicate' // two files with one numeric version
  | 'misnamed' // a .sql file that does not follow <version>_<description>.sql
  | 'unreadable' // a file that cannot be read or is not UTF-8
  | 'version-too-large' // above PostgreSQL's bigint
  | 'directive' // a `-- migrate:` line that is not a known directive in the header
  | 'transaction-control' // BEGIN, COMMIT, … at the top level of a pending file
  | 'unterminated' // a pending file ends inside a string, quoted identifier, dollar quote or comment
  | 'psql' // psql's COPY … FROM stdin data or a meta-command (\i, \set) in a pending file
  | 'other-tool' // a goose or sql-migrate marker line (-- +goose Down) in a pending file
  | 'tracking-table' // a pending file names the tracking table
  | 'no-transaction-in-all' // a `no-transaction` file with `transaction: all`
  | 'to-version' // `to-version` names no file (migrate)
  | 'rollback'; // what `rollback` refuses: no down SQL, a changed file, data loss not allowed

export interface Finding {
  kind: FindingKind;
  /** One sentence for the log and the summary. */
  message: string;
  version?: bigint;
  /** File name inside the migrations folder. */
  file?: string;
  line?: number;
  recordedChecksum?: string;
  currentChecksum?: string;
  /** False only for drift under `on-drift: warn`. */
  stops: boolean;
}

/** Drift is a *modified* or *missing* migration: the only findings `on-drift: warn` softens. */
export function isDrift(finding: Finding): boolean {
  return finding.kind === 'modified' || finding.kind === 'missing';
}
