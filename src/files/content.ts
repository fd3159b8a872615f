// A migration's content and checksum as defined: UTF-8, BOM dropped, CRLF as LF, SHA-256. Pure.
import { hash } from 'node:crypto';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The text of a file as the action sees it. The BOM is dropped and CRLF becomes LF, so a checkout
 * with Windows line endings has the same checksum as one with Unix endings: line endings are the
 * checkout's choice (core.autocrlf), not the author's change.
 */
export function normalizeContent(bytes: Uint8Array): string {
  // TextDecoder drops a leading BOM itself (ignoreBOM: false) and throws on invalid UTF-8.
  return utf8.decode(bytes).replaceAll('\r\n', '\n');
}

export function checksumOf(normalized: string): string {
  // One-shot: a Hash object per file costs more (and more garbage) than the hashing itself.
  return hash('sha256', normalized, 'hex');
}
