// The action's own session: its application_name and the settings restored after each migration's RESET ALL. Pure.

/** What the run is called in pg_stat_activity. */
export const APPLICATION_NAME = 'agoat/migrate-action';

/**
 * Settings the action gives its own session, restored after each migration's RESET ALL. On 14+
 * the server checks during long statements that the runner is still there, so a vanished runner
 * does not keep its statement running and its lock held.
 */
export function sessionSettingsSql(serverMajor: number): string {
  return serverMajor >= 14 ? "SET client_connection_check_interval = '2s';" : '';
}
