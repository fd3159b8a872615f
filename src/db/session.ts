// The action's own session: its application_name and the settings restored after each migration's RESET ALL. Pure.

/** What the run is called in pg_stat_activity. */
export const APPLICATION_NAME = 'agoat/migrate-action';

/**
 * Settings the action gives its own session, restored after each migration's RESET ALL (which
 * would bring back the database's or role's own values).
 *
 * `standard_conforming_strings = on`: the splitter that refuses `COMMIT` and finds where
 * statements end reads `'...'` as PostgreSQL does with this setting on (a backslash is an
 * ordinary character). A database configured `off` would read `'a\', '; commit; select '\''`
 * as a string, a COMMIT and another string, and commit half a migration; with the setting on,
 * the server reads every file as the splitter did.
 *
 * On 14+ the server checks during long statements that the runner is still there, so a vanished
 * runner does not keep its statement running and its lock held.
 */
export function sessionSettingsSql(serverMajor: number): string {
  const strings = 'SET standard_conforming_strings = on;';
  return serverMajor >= 14 ? `${strings}SET client_connection_check_interval = '2s';` : strings;
}

/**
 * server_version_num from server_version (`18.4` → 180004, `13.23` → 130023; a beta or a
 * distribution's suffix is ignored), without a round trip.
 */
export function serverVersionNum(serverVersion: string): number {
  const [major = 0, minor = 0] = (/^(\d+)(?:\.(\d+))?/.exec(serverVersion) ?? [])
    .slice(1)
    .map((part) => Number(part ?? 0));
  return major * 10000 + minor;
}
