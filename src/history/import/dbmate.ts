// dbmate's history: one row per applied version, the version as text. Reads only.
import { digitVersions } from './tables.js';

/** dbmate's `schema_migrations (version varchar(128) primary key)`: one row per version applied. */
export const readDbmate = digitVersions('dbmate');
