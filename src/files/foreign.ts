// Reads a folder in another tool's layout (golang-migrate, dbmate, goose, Flyway, Prisma, diesel,
// popx) into the migrations the rest of the run sees: the same model the plain layout gives. Reads
// files, never the database.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { messageOf } from '../errors.js';
import type { Finding } from '../plan/findings.js';
import { unwrapAtomic } from './atomic.js';
import { checksumOf, normalizeContent } from './content.js';
import type { Discovery } from './discover.js';
import { type Versioned, versionOfKey } from './keys.js';
import {
  type FolderEntry,
  type ForeignLayoutId,
  type LayoutMigration,
  MAX_INT64,
  migrationsOf,
  readSettings,
  type SkippedFile,
} from './layouts/index.js';
import { type DownSql, type Migration, MigrationFile } from './migration.js';
import { MAX_VERSION } from './naming.js';
import { scanFile } from './scan-file.js';

export interface ForeignDiscovery extends Discovery {
  /** Said in the log, and as warnings: e.g. where the tool's name order differs from ours. */
  warnings: string[];
  /** Files deliberately left out (Go migrations with skip-go-migrations), never silently. */
  skipped: SkippedFile[];
}

/** A whole-file migration of another layout: the plain layout's file, with its label and down. */
class LayoutFile extends MigrationFile {
  label?: string;
  key?: string;
}

/**
 * A section of a single-file migration (dbmate, goose): the up part is what runs and what the
 * checksum covers; the text is held, since cutting the sections needed it anyway.
 */
class SectionMigration implements Migration {
  private unwrapped: string | undefined;
  layout?: string;
  key?: string;
  constructor(
    readonly version: bigint,
    readonly name: string,
    readonly path: string,
    readonly checksum: string,
    private readonly up: string,
    readonly noTransaction: boolean,
    readonly label: string,
    readonly down?: DownSql,
  ) {}

  get sql(): string {
    if (this.noTransaction) return this.up;
    this.unwrapped ??= unwrapAtomic(this.up) ?? this.up;
    return this.unwrapped;
  }
}

/**
 * Reads the migrations of `entries` (the folder's listing) in `layout`: names and order from the
 * layout's reader, checksums over what runs (the up file, or the up section), the tool's
 * "no transaction" settings, and the down SQL for `rollback`. Problems are findings, as for the
 * plain layout, so one run reports all of them.
 */
export async function readForeign(
  dir: string,
  layout: ForeignLayoutId,
  entries: readonly FolderEntry[],
  options: {
    skipGo: boolean;
    /** Files already read whole (by layout detection), by path in the folder: not read again. */
    whole?: ReadonlyMap<string, Buffer>;
  },
): Promise<ForeignDiscovery> {
  const reading = migrationsOf(layout, entries, { skipGo: options.skipGo });
  const findings: Finding[] = reading.errors.map((message) => ({
    kind: 'misnamed',
    message,
    stops: true,
  }));
  const migrations: Migration[] = [];
  for (const [index, migration] of reading.migrations.entries()) {
    // Let the connection being opened meanwhile keep its handshake going (as discover.ts).
    if (index % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
    // Flyway's dotted versions and popx's beyond bigint get a stand-in version and keep their key;
    // the other tools' versions are numbers the tracking table holds as they are.
    const keyed = layout === 'flyway' || layout === 'popx';
    if (!keyed && tooLarge(migration.key)) {
      findings.push({
        kind: 'version-too-large',
        file: migration.upFile,
        message: `${migration.upFile} has version ${migration.label}, above PostgreSQL's bigint maximum ${MAX_VERSION}, which the tracking table cannot hold.`,
        stops: true,
      });
      continue;
    }
    const versioned = keyed ? versionOfKey(migration.key) : { version: BigInt(migration.key) };
    const read =
      migration.sections === undefined
        ? readWhole(dir, layout, migration, versioned, findings)
        : readSections(dir, migration, versioned, findings, options.whole);
    if (read) {
      // The tool's own markers (goose's `-- +goose Up`) are read by its layout, not refused.
      read.layout = layout;
      if (versioned.key !== undefined) read.key = versioned.key;
      migrations.push(read);
    }
  }
  return { migrations, findings, warnings: reading.warnings, skipped: reading.skipped };
}

/** A number above PostgreSQL's bigint, as a canonical decimal. */
function tooLarge(key: string): boolean {
  return key.length > 19 || (key.length === 19 && key > MAX_INT64);
}

function readWhole(
  dir: string,
  layout: ForeignLayoutId,
  migration: LayoutMigration,
  { version }: Versioned,
  findings: Finding[],
): Migration | undefined {
  const filePath = path.join(dir, migration.upFile);
  let scan: ReturnType<typeof scanFile>;
  try {
    scan = scanFile(filePath);
  } catch (error) {
    findings.push(unreadable(migration.upFile, version, `${messageOf(error)}; check the file`));
    return undefined;
  }
  if (!scan.utf8) {
    findings.push(unreadable(migration.upFile, version, 'it is not valid UTF-8; save it as UTF-8'));
    return undefined;
  }
  const file = new LayoutFile(version, migration.upFile, filePath, scan.checksum, scan.size);
  file.label = migration.label;
  let noTransaction = migration.noTransaction;
  if (migration.settingsFile !== undefined) {
    const settingsPath = path.join(dir, migration.settingsFile);
    const settings = readSettings(
      layout,
      readFileSync(settingsPath, 'utf8'),
      migration.settingsFile,
    );
    noTransaction = settings.noTransaction;
    for (const message of settings.errors) {
      findings.push({
        kind: 'directive',
        file: migration.settingsFile,
        version,
        message,
        stops: true,
      });
    }
  }
  file.noTransaction = noTransaction;
  if (migration.downFile !== undefined) {
    file.down = downFile(dir, migration.downFile, migration.downNoTransaction ?? noTransaction);
  }
  return file;
}

/** A down file, read only when `rollback` asks for its text. */
function downFile(dir: string, file: string, noTransaction: boolean): DownSql {
  let text: string | undefined;
  return {
    get sql() {
      text ??= normalizeContent(readFileSync(path.join(dir, file)));
      return text;
    },
    file,
    line: 1,
    noTransaction,
  };
}

function readSections(
  dir: string,
  migration: LayoutMigration,
  { version }: Versioned,
  findings: Finding[],
  whole?: ReadonlyMap<string, Buffer>,
): Migration | undefined {
  const filePath = path.join(dir, migration.upFile);
  let text: string;
  try {
    text = normalizeContent(whole?.get(migration.upFile) ?? readFileSync(filePath));
  } catch (error) {
    const why =
      error instanceof TypeError ? 'it is not valid UTF-8; save it as UTF-8' : messageOf(error);
    findings.push(unreadable(migration.upFile, version, why));
    return undefined;
  }
  const sections = migration.sections?.(text);
  if (sections === undefined) return undefined;
  for (const { line, message } of sections.errors) {
    findings.push({
      kind: 'directive',
      file: migration.upFile,
      version,
      line,
      message: `${migration.upFile} line ${line}: ${message}`,
      stops: true,
    });
  }
  const down: DownSql | undefined =
    sections.down === undefined
      ? undefined
      : {
          sql: sections.down.text,
          file: migration.upFile,
          line: sections.down.line,
          noTransaction: sections.downNoTransaction,
        };
  return new SectionMigration(
    version,
    migration.upFile,
    filePath,
    checksumOf(sections.up.text),
    sections.up.text,
    sections.noTransaction,
    migration.label,
    down,
  );
}

function unreadable(file: string, version: bigint, why: string): Finding {
  return {
    kind: 'unreadable',
    file,
    version,
    message: `${file} cannot be read: ${why}.`,
    stops: true,
  };
}
