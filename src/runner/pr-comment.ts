// Creates or updates the one pull-request comment with the summary, through the GitHub API.
import { createHash } from 'node:crypto';
import { messageOf } from '../errors.js';
import type { Report } from '../report/model.js';
import { renderSummary } from '../report/summary.js';
import * as core from './toolkit.js';

/** GitHub refuses a comment over 65,536 characters; the summary budget counts bytes, which is more. */
export const COMMENT_BUDGET = 60_000;
const PR_EVENTS = new Set(['pull_request', 'pull_request_target']);

/**
 * The hidden marker of this action's comment for one database: two jobs against two databases
 * keep two comments. The target is hashed so that nothing in it can end the HTML comment.
 */
export function commentMarker(target: string): string {
  const id = createHash('sha256').update(target).digest('hex').slice(0, 16);
  return `<!-- agoat/migrate-action:${id} -->`;
}

export function commentBody(report: Report, target: string): string {
  const marker = commentMarker(target);
  return `${marker}\n${renderSummary(report, COMMENT_BUDGET - marker.length - 1)}`;
}

/**
 * Creates or updates this action's one comment on the pull request. Best effort: a fork's
 * read-only token or a workflow without `pull-requests: write` gives a warning, never a failure.
 * `@actions/github` is loaded only here, so runs without a comment start fast.
 */
export function upsertComment(
  report: Report,
  options: { token: string; target: string; eventName: string },
): Promise<void> {
  return upsertRendered((budget) => renderSummary(report, budget), options);
}

/** Like `upsertComment`, with the body rendered within the budget it is given (a fleet's summary). */
export async function upsertRendered(
  render: (budget: number) => string,
  { token, target, eventName }: { token: string; target: string; eventName: string },
): Promise<void> {
  if (!PR_EVENTS.has(eventName)) {
    core.info(
      `pr-comment: ${eventName || 'this event'} is not a pull request; no comment written.`,
    );
    return;
  }
  if (!token) {
    core.warning('pr-comment is true but github-token is empty: no comment written.');
    return;
  }
  try {
    const { context, getOctokit } = await import('@actions/github');
    const number = context.payload.pull_request?.number;
    if (!number) {
      core.warning('pr-comment: the event has no pull request number; no comment written.');
      return;
    }
    const octokit = getOctokit(token);
    const { owner, repo } = context.repo;
    const marker = commentMarker(target);
    const body = `${marker}\n${render(COMMENT_BUDGET - marker.length - 1)}`;
    // Only comments written by this token's user count, so nobody else's comment is edited.
    const login = await octokit.rest.users
      .getAuthenticated()
      .then((r) => r.data.login)
      .catch(() => 'github-actions[bot]');
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner,
      repo,
      issue_number: number,
      per_page: 100,
    });
    const mine = comments.find((c) => c.user?.login === login && c.body?.startsWith(marker));
    if (mine) {
      await octokit.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
      core.info(`Updated the pull request comment ${mine.html_url}`);
    } else {
      const created = await octokit.rest.issues.createComment({
        owner,
        repo,
        issue_number: number,
        body,
      });
      core.info(`Commented on the pull request: ${created.data.html_url}`);
    }
  } catch (error) {
    const status = (error as { status?: number }).status;
    const why =
      status === 403 || status === 404
        ? 'the token may not write to pull requests (a fork, or no `permissions: pull-requests: write`)'
        : messageOf(error);
    core.warning(`pr-comment: the pull request comment was not written: ${why}.`);
  }
}
