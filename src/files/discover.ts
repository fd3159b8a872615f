// Finds the migrations of a folder: names, versions, duplicates, unreadable files. Reads files, never the database.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigurationError, messageOf } from '../errors.js';
import type { Finding } from '../plan/findings.js';
import { checksumOf, normalizeContent } from './content.js';
import { readDirectives, readDirectivesInChunks } from './directives.js';
import { downTextWithFileLines, findDownSection } from './down.js';
import type { VersionOrder } from './keys.js';
import type { LayoutId } from './layouts/index.js';
import { type Migration, MigrationFile } from './migration.js';
import { byVersion, MAX_VERSION, versionOf } from './naming.js';
import type { FileScan } from './scan.js';
import { scanFile } from './scan-file.js';
import { LARGE_FILE, textChunks } from './stream.js';

export interface Discovery {
  migrations: Migration[];
  findings: Finding[];
  /** The folder's layout; absent means the plain one. */
  layout?: LayoutId;
  /**
   * How the layout orders versions, when not as plain numbers (Flyway, popx, diesel): the plan's
   * order. Absent: by `version`.
   */
  order?: VersionOrder;
}

/**
 * Reads every migration of a folder. Problems with single files are findings, so that one run
 * reports all of them; a folder that cannot be read at all is a ConfigurationError.
 */
export async function readMigrations(dir: string, listed?: readonly string[]): Promise<Discovery> {
  let names: readonly string[];
  try {
    // Names only: a Dirent per file costs more than the rare sub-folder named `*.sql`, which the
    // read below recognises (EISDIR) and skips. A caller that listed the folder already passes
    // its `.sql` names.
    names = listed ?? readdirSync(dir).filter((name) => name.endsWith('.sql'));
  } catch (error) {
    throw folderError(dir, error);
  }

  if (names.length === 0) refuseNestedLayout(dir);
  const findings: Finding[] = [];
  const migrations: Migration[] = [];
  // Synchronous reads into one shared buffer: for thousands of small files they take a tenth of
  // the time of the promise API (measured: 37 ms against 296 ms for 1,000 files). Every 64 files
  // the event loop gets a turn, so the connection being opened meanwhile keeps its handshake going.
  for (const [index, name] of names.entries()) {
    if (index % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
    const version = versionOf(name);
    if (version === undefined) {
      if (isFolder(`${dir}${path.sep}${name}`)) continue;
      findings.push({
        kind: 'misnamed',
        file: name,
        message: `${name} is not named <version>_<description>.sql (for example 001_create_users.sql): rename it, or move it out of the migrations folder.`,
        stops: true,
      });
    } else if (version > MAX_VERSION) {
      findings.push({
        kind: 'version-too-large',
        file: name,
        message: `${name} has version ${version}, above PostgreSQL's bigint maximum ${MAX_VERSION}: use a smaller version.`,
        stops: true,
      });
    } else {
      // Only a large file with directives is read asynchronously: an await per file would cost
      // thousands of turns of the event loop in a run with nothing to do.
      const reading = readMigration(dir, name, version);
      const read = reading instanceof Promise ? await reading : reading;
      if (read instanceof MigrationFile) {
        migrations.push(read);
        if (read.directiveFindings) findings.push(...read.directiveFindings);
      } else if (read) findings.push(read);
    }
  }
  migrations.sort(byVersion);
  findings.push(...duplicates(migrations));
  return { migrations, findings };
}

/**
 * A folder without a single .sql file whose sub-folders hold some is another tool's layout
 * (Prisma's `<version>_<name>/migration.sql`, diesel's `<version>_<name>/up.sql`): reporting it
 * up to date would pass a deploy that applied nothing.
 */
function refuseNestedLayout(dir: string): void {
  let folders: string[];
  try {
    folders = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return;
  }
  for (const folder of folders) {
    let files: string[];
    try {
      files = readdirSync(`${dir}${path.sep}${folder}`).filter((name) => name.endsWith('.sql'));
    } catch {
      continue;
    }
    if (files.length === 0) continue;
    const layout = files.includes('migration.sql')
      ? "Prisma's layout (<version>_<name>/migration.sql)"
      : files.includes('up.sql')
        ? "diesel's layout (<version>_<name>/up.sql and down.sql)"
        : 'a layout of one folder per migration';
    const example = `${folder}/${files.includes('migration.sql') ? 'migration.sql' : files.includes('up.sql') ? 'up.sql' : files[0]}`;
    throw new ConfigurationError(
      `The migrations folder ${dir} holds no .sql file, but its sub-folders do (${example}), which looks like ${layout}: this action applies <version>_<description>.sql files placed directly in migrations-dir, so move or convert the migrations into such files, or point migrations-dir at the folder that holds them.`,
    );
  }
}

function isFolder(filePath: string): boolean {
  try {
    return statSync(filePath).isDirectory();
  } catch {
    return false;
  }
}

type Read = MigrationFile | Finding | undefined;

/** The file, a finding when it cannot be read, or undefined for a sub-folder named `*.sql`. */
function readMigration(dir: string, name: string, version: bigint): Read | Promise<Read> {
  const filePath = `${dir}${path.sep}${name}`;
  let scan: FileScan;
  try {
    scan = scanFile(filePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') return undefined;
    return unreadable(name, version, `${messageOf(error)}; check the file and its permissions`);
  }
  if (!scan.utf8) return unreadable(name, version, 'it is not valid UTF-8; save it as UTF-8');
  if (!scan.mentionsDirective) {
    return new MigrationFile(version, name, filePath, scan.checksum, scan.size);
  }
  if (scan.size > LARGE_FILE) return readLargeWithDirectives(filePath, name, version, scan);
  return readWithDirectives(filePath, name, version, scan);
}

/**
 * A large file's directives are read in chunks: holding its text would hold it for the whole run.
 * Only a large file with a down section is held, to cut its up part.
 */
async function readLargeWithDirectives(
  filePath: string,
  name: string,
  version: bigint,
  scan: FileScan,
): Promise<Read> {
  const { noTransaction, findings, down } = await readDirectivesInChunks(
    textChunks(filePath),
    name,
  );
  if (down) return readWithDirectives(filePath, name, version, scan);
  const migration = new MigrationFile(version, name, filePath, scan.checksum, scan.size);
  migration.noTransaction = noTransaction;
  if (findings.length > 0) migration.directiveFindings = findings;
  return migration;
}

/**
 * A file that mentions `migrate:` is read as text: its directives, and its down section, whose up
 * part alone is what the checksum covers.
 */
function readWithDirectives(
  filePath: string,
  name: string,
  version: bigint,
  scan: FileScan,
): MigrationFile {
  const text = normalizeContent(readFileSync(filePath));
  const cut = findDownSection(text);
  const checksum = cut ? checksumOf(text.slice(0, cut.upEnd)) : scan.checksum;
  const migration = new MigrationFile(version, name, filePath, checksum, scan.size, text);
  const { noTransaction, findings } = readDirectives(cut ? text.slice(0, cut.upEnd) : text, name);
  migration.noTransaction = noTransaction;
  if (cut) {
    const down = readDirectives(downTextWithFileLines(text.slice(cut.downStart), cut.line), name);
    findings.push(...down.findings);
    migration.cutAt(cut.upEnd, cut.downStart, cut.line, noTransaction || down.noTransaction);
  }
  if (findings.length > 0) migration.directiveFindings = findings;
  return migration;
}

function unreadable(name: string, version: bigint, why: string): Finding {
  return {
    kind: 'unreadable',
    file: name,
    version,
    message: `${name} cannot be read: ${why}.`,
    stops: true,
  };
}

/** Two files with one numeric version (`001_a.sql` and `1_b.sql`) cannot both be applied. */
function duplicates(sorted: Migration[]): Finding[] {
  const findings: Finding[] = [];
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1];
    const current = sorted[i];
    if (previous && current && previous.version === current.version) {
      findings.push({
        kind: 'duplicate',
        version: current.version,
        file: current.name,
        message: `${previous.name} and ${current.name} have the same version ${current.version}: give one of them a new version.`,
        stops: true,
      });
    }
  }
  return findings;
}

/** The one sentence for a migrations folder that cannot be listed. */
export function folderError(dir: string, error: unknown): ConfigurationError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new ConfigurationError(
      `The migrations folder ${dir} does not exist: set migrations-dir to the folder that holds your .sql files.`,
    );
  }
  return new ConfigurationError(
    `The migrations folder ${dir} cannot be read (${messageOf(error)}): check its permissions.`,
  );
}
