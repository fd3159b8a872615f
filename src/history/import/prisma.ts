// Prisma's history: `_prisma_migrations`, one row per attempt, with Prisma's checksum. Reads only.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { ConfigurationError } from '../../errors.js';
import type { ForeignHistory } from './model.js';
import { foreignTable } from './tables.js';

const LEADING_DIGITS = /^(\d+)/;

/**
 * A migration is applied when one of its rows is finished and not rolled back. A row neither
 * finished nor rolled back is a migration that failed or is running: Prisma itself refuses to go
 * on (P3009), and so does the import, naming it.
 */
export async function readPrisma(
  client: pg.ClientBase,
  schema: string,
  table: string,
): Promise<ForeignHistory> {
  const label = `${schema}.${table}`;
  const { rows } = await client.query<{ name: string; checksum: string; state: string }>(
    `SELECT migration_name AS name, checksum,
            CASE WHEN rolled_back_at IS NOT NULL THEN 'rolled back'
                 WHEN finished_at IS NULL THEN 'unfinished' ELSE 'applied' END AS state
       FROM ${foreignTable(schema, table)} ORDER BY started_at, migration_name`,
  );
  const unfinished = rows.find((row) => row.state === 'unfinished');
  if (unfinished !== undefined) {
    throw new ConfigurationError(
      `Prisma's table ${label} says ${unfinished.name} started but never finished and was not rolled back, so the database's state is unknown: check the database, then run prisma migrate resolve for it, before importing Prisma's history.`,
    );
  }
  const records = new Map<string, { key: string; name: string; prismaChecksum: string }>();
  for (const row of rows) {
    const key = LEADING_DIGITS.exec(row.name)?.[1];
    if (row.state !== 'applied' || key === undefined) continue;
    records.set(row.name, {
      key: key.replace(/^0+(?=\d)/, ''),
      name: row.name,
      prismaChecksum: row.checksum,
    });
  }
  return { tool: 'prisma', table: label, records: [...records.values()] };
}

/**
 * Whether a file's text (BOM dropped, LF line endings) matches Prisma's checksum: as Prisma, with
 * the file's line endings as LF or CRLF, and in Prisma's old format (hex without leading zeros).
 */
export function matchesPrismaChecksum(text: string, stored: string): boolean {
  for (const variant of [text, text.replaceAll('\n', '\r\n'), `\ufeff${text}`]) {
    const digest = createHash('sha256').update(variant, 'utf8').digest();
    const formatted =
      stored.length === 64
        ? digest.toString('hex')
        : [...digest].map((byte) => byte.toString(16)).join('');
    if (formatted === stored) return true;
  }
  return false;
}
