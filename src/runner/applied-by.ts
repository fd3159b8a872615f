// Who applied a migration, for the tracking row: on Actions the repository, run and commit.
export function appliedBy(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) {
    const attempt = env.GITHUB_RUN_ATTEMPT ? `/${env.GITHUB_RUN_ATTEMPT}` : '';
    const sha = env.GITHUB_SHA ? ` at ${env.GITHUB_SHA.slice(0, 12)}` : '';
    return `${env.GITHUB_REPOSITORY} run ${env.GITHUB_RUN_ID}${attempt}${sha}`;
  }
  return `agoat/migrate-action by ${env.USER ?? 'unknown user'} outside GitHub Actions`;
}
