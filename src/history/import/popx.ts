// Ory popx's history: `schema_migration`, one row per applied version, the version as text.
// Reads only.
import { digitVersions } from './tables.js';

/**
 * popx's `schema_migration (version varchar(48), version_self int)` (pop's legacy table has only
 * `version`): a row per version applied, deleted when its down runs. popx keeps no checksum.
 * Ory's versions are 20 digits, beyond bigint, so the key stays the exact decimal. A 14-digit row
 * is a legacy version: popx counts a longer version whose first 14 digits it is as applied
 * (importedRows does too).
 */
export const readPopx = digitVersions('popx');
