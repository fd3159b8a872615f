// Flyway's checksum of a migration file, computed as Flyway computes it, to compare with the one
// it stored in flyway_schema_history. Pure: takes the text, never reads a file.
import { crc32 } from 'node:zlib';

const utf8 = new TextDecoder('utf-8');

/**
 * Flyway's checksum (ChecksumCalculator): the file read line by line with Java's
 * BufferedReader.readLine, whose lines end at `\n`, `\r` or `\r\n` and come without their
 * terminator; a BOM dropped from the first line; each line's UTF-8 bytes fed to one CRC32; the
 * result as Java's signed 32-bit int. Feeding the lines one after another is the same as one CRC32
 * over the text with every `\r` and `\n` removed, so line endings never change it.
 */
export function flywayChecksum(content: string | Uint8Array): number {
  let text = typeof content === 'string' ? content : utf8.decode(content);
  // TextDecoder already drops a BOM; a string given by a caller may still start with one.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return crc32(Buffer.from(text.replace(/[\r\n]/g, ''), 'utf8')) | 0;
}
