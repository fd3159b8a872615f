// Which file names are migrations, and their versions: identity and order. Pure.

/** PostgreSQL's `bigint` maximum: the tracking table's version column. */
export const MAX_VERSION = 9223372036854775807n;

const MIGRATION_NAME = /^(\d+)_([A-Za-z0-9_-]+)\.sql$/;

/** The numeric version of a migration file name, or undefined when the name is not one. */
export function versionOf(fileName: string): bigint | undefined {
  const match = MIGRATION_NAME.exec(fileName);
  return match?.[1] === undefined ? undefined : BigInt(match[1]);
}

/** Ascending version: the order of application. */
export function byVersion(a: { version: bigint }, b: { version: bigint }): number {
  return a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
}

/** A migration's exact identity as a string: its key when it has one, else its version. */
export function keyOf(migration: { version: bigint; key?: string }): string {
  return migration.key ?? String(migration.version);
}
