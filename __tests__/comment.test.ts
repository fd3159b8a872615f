import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIST, runAction } from './support/action.js';
import { createDatabase } from './support/database.js';
import { workspaceWith } from './support/files.js';

// `pr-comment: true` end to end: the bundled action, run as the runner runs it, writes its comment
// through @actions/github's octokit to a fake GitHub REST API on loopback (GitHub itself is not
// reachable from the tests). The fake keeps comments per issue, authors them by token, paginates
// as GitHub does (a Link header with rel="next") and records every request.

const OWNER = 'agoat';
const REPO = 'demo';
const PR = 7;
const MARKER_PREFIX = '<!-- agoat/migrate-action:';
/** The token of the job's user: a personal token for which GET /user answers. */
const TOKEN = 'ghp_migrate_bot_token';
const LOGIN = 'migrate-bot';
/** A second person's token, to write a comment that the action must not touch. */
const OTHER_TOKEN = 'ghp_someone_else_token';
const OTHER_LOGIN = 'someone-else';
/** An installation token like GITHUB_TOKEN: GET /user is refused, comments are by the bot. */
const APP_TOKEN = 'ghs_installation_token';
const APP_LOGIN = 'github-actions[bot]';

interface FakeComment {
  id: number;
  issue: number;
  body: string;
  user: { login: string };
  html_url: string;
}

interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  pathname: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body: unknown;
}

/** A small GitHub REST API: just what upsertComment's octokit calls. */
class FakeGitHub {
  server: Server;
  port = 0;
  comments: FakeComment[] = [];
  requests: RecordedRequest[] = [];
  /** Status to answer POST …/comments with instead of creating (e.g. 403 for a fork's token). */
  failCreate: number | undefined;
  private nextId = 1000;
  private readonly users = new Map<string, string | null>([
    [TOKEN, LOGIN],
    [OTHER_TOKEN, OTHER_LOGIN],
    [APP_TOKEN, null],
  ]);

  constructor() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.send(res, 500, { message: String(error) });
      });
    });
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  reset(): void {
    this.comments = [];
    this.requests = [];
    this.failCreate = undefined;
  }

  /** Adds a comment as if `login` had written it; returns it. */
  seed(login: string, body: string, issue = PR): FakeComment {
    const id = this.nextId++;
    const comment = {
      id,
      issue,
      body,
      user: { login },
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${issue}#issuecomment-${id}`,
    };
    this.comments.push(comment);
    return comment;
  }

  /** Comments on the pull request that carry this action's marker. */
  ours(): FakeComment[] {
    return this.comments.filter((c) => c.issue === PR && c.body.startsWith(MARKER_PREFIX));
  }

  /** Requests with this method (and path matching `pattern`, when given). */
  sent(method: string, pattern?: RegExp): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === method && (!pattern || pattern.test(r.pathname)),
    );
  }

  private send(res: ServerResponse, status: number, body: unknown, headers = {}): void {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.base);
    const method = req.method ?? 'GET';
    this.requests.push({
      method,
      url: req.url ?? '',
      pathname: url.pathname,
      query: url.searchParams,
      authorization: req.headers.authorization,
      body: raw ? JSON.parse(raw) : undefined,
    });
    const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.users.has(token)) {
      this.send(res, 401, { message: 'Bad credentials' });
      return;
    }
    const login = this.users.get(token) ?? null;
    const author = login ?? APP_LOGIN;
    const repoPath = `/repos/${OWNER}/${REPO}`;

    if (method === 'GET' && url.pathname === '/user') {
      if (login === null) {
        this.send(res, 403, { message: 'Resource not accessible by integration' });
      } else {
        this.send(res, 200, { login, id: 1, type: 'User' });
      }
      return;
    }
    const list = new RegExp(`^${repoPath}/issues/(\\d+)/comments$`).exec(url.pathname);
    if (list) {
      const issue = Number(list[1]);
      if (method === 'GET') {
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? 30));
        const page = Number(url.searchParams.get('page') ?? 1);
        const all = this.comments.filter((c) => c.issue === issue);
        const pages = Math.max(1, Math.ceil(all.length / perPage));
        const link = (n: number) =>
          `<${this.base}${repoPath}/issues/${issue}/comments?per_page=${perPage}&page=${n}>`;
        const rels: string[] = [];
        if (page < pages) rels.push(`${link(page + 1)}; rel="next"`, `${link(pages)}; rel="last"`);
        if (page > 1) rels.push(`${link(1)}; rel="first"`, `${link(page - 1)}; rel="prev"`);
        this.send(
          res,
          200,
          all.slice((page - 1) * perPage, page * perPage),
          rels.length ? { link: rels.join(', ') } : {},
        );
        return;
      }
      if (method === 'POST') {
        if (this.failCreate) {
          this.send(res, this.failCreate, { message: 'Resource not accessible by integration' });
          return;
        }
        const body = (JSON.parse(raw) as { body: string }).body;
        this.send(res, 201, this.seed(author, body, issue));
        return;
      }
    }
    const one = new RegExp(`^${repoPath}/issues/comments/(\\d+)$`).exec(url.pathname);
    if (one && method === 'PATCH') {
      const comment = this.comments.find((c) => c.id === Number(one[1]));
      if (!comment) {
        this.send(res, 404, { message: 'Not Found' });
      } else if (comment.user.login !== author) {
        // GitHub refuses to edit another person's comment (without admin rights).
        this.send(res, 403, { message: 'Must have admin rights to Repository.' });
      } else {
        comment.body = (JSON.parse(raw) as { body: string }).body;
        this.send(res, 200, comment);
      }
      return;
    }
    this.send(res, 404, { message: 'Not Found' });
  }
}

const github = new FakeGitHub();
let url: string;
let drop: () => Promise<void>;
let scratch: string;
let pullRequestEvent: string;
let pushEvent: string;

beforeAll(async () => {
  await github.start();
  ({ url, drop } = await createDatabase('comment'));
  scratch = await mkdtemp(path.join(tmpdir(), 'migrate-action-comment-'));
  const repository = {
    id: 1,
    name: REPO,
    full_name: `${OWNER}/${REPO}`,
    owner: { login: OWNER, type: 'Organization' },
  };
  pullRequestEvent = path.join(scratch, 'pull_request.json');
  await writeFile(
    pullRequestEvent,
    JSON.stringify({
      action: 'synchronize',
      number: PR,
      pull_request: { number: PR, head: { ref: 'feature' }, base: { ref: 'main' } },
      repository,
    }),
  );
  pushEvent = path.join(scratch, 'push.json');
  await writeFile(pushEvent, JSON.stringify({ ref: 'refs/heads/main', repository }));
});
afterAll(async () => {
  await github.stop();
  await drop();
  await rm(scratch, { recursive: true, force: true });
  for (const workspace of workspaces) await rm(workspace, { recursive: true, force: true });
});
beforeEach(() => github.reset());

/** The environment of a job on a pull request, with the API pointed at the fake. */
function prEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    GITHUB_API_URL: github.base,
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: pullRequestEvent,
    GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
    GITHUB_SERVER_URL: 'https://github.com',
    ...extra,
  };
}

/**
 * A tracking schema of its own per test and one pending file, never run (dry runs only). Its SQL
 * is kept trivial on purpose: parsing DDL makes V8 optimise the WebAssembly SQL parser in the
 * background, which holds the process's exit for seconds (see the report) and would make this
 * file slow; what the file holds does not matter to the comment.
 */
let counter = 0;
const workspaces: string[] = [];
async function pendingWorkspace(): Promise<{ workspace: string; schema: string; file: string }> {
  const n = counter++;
  const file = `001_check_c${n}.sql`;
  const { workspace } = await workspaceWith({ [file]: `SELECT 'c${n}' AS migration;\n` });
  workspaces.push(workspace);
  return { workspace, schema: `c${n}_m`, file };
}

/** A dry run with `pr-comment: true` on the pull request. */
function dryRun(
  workspace: string,
  schema: string,
  options: { token?: string; databaseUrl?: string; env?: Record<string, string> } = {},
) {
  return runAction(
    {
      'database-url': options.databaseUrl ?? url,
      schema,
      'dry-run': 'true',
      'pr-comment': 'true',
      'github-token': options.token ?? TOKEN,
    },
    { workspace, env: prEnv(options.env) },
  );
}

describe('pr-comment', () => {
  it('creates one comment with the marker and the summary on the first run, and updates that same comment on the second', async () => {
    const { workspace, schema, file } = await pendingWorkspace();
    const first = await dryRun(workspace, schema);
    expect(first.code, first.all).toBe(0);
    expect(first.outputs.result).toBe('pending');
    expect(first.all).not.toContain('::warning::');
    const posts = github.sent('POST');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.pathname).toBe(`/repos/${OWNER}/${REPO}/issues/${PR}/comments`);
    expect(posts[0]?.authorization).toMatch(new RegExp(`^(token|bearer) ${TOKEN}$`, 'i'));
    expect(github.sent('PATCH')).toHaveLength(0);
    expect(github.comments).toHaveLength(1);
    const comment = github.comments[0];
    expect(comment?.user.login).toBe(LOGIN);
    expect(comment?.body.startsWith(MARKER_PREFIX)).toBe(true);
    expect(comment?.body).toMatch(/^<!-- agoat\/migrate-action:[^\n]*-->\n/);
    expect(comment?.body).toContain('Dry run: 1 migration would be applied; nothing was written.');
    expect(comment?.body).toContain(file);
    expect(comment?.body).not.toContain(url);
    expect(first.all).toContain(comment?.html_url);

    const second = await dryRun(workspace, schema);
    expect(second.code, second.all).toBe(0);
    expect(github.sent('POST')).toHaveLength(1);
    const patches = github.sent('PATCH');
    expect(patches).toHaveLength(1);
    expect(patches[0]?.pathname).toBe(`/repos/${OWNER}/${REPO}/issues/comments/${comment?.id}`);
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]?.id).toBe(comment?.id);
    expect(github.comments[0]?.body).toContain(file);
  });

  it('with a GITHUB_TOKEN-like token (GET /user refused) finds its comment as github-actions[bot] and updates it', async () => {
    const { workspace, schema } = await pendingWorkspace();
    const first = await dryRun(workspace, schema, { token: APP_TOKEN });
    expect(first.code, first.all).toBe(0);
    expect(github.sent('GET', /^\/user$/)).toHaveLength(1);
    expect(github.comments.map((c) => c.user.login)).toEqual([APP_LOGIN]);
    const second = await dryRun(workspace, schema, { token: APP_TOKEN });
    expect(second.code, second.all).toBe(0);
    expect(github.sent('POST')).toHaveLength(1);
    expect(github.sent('PATCH')).toHaveLength(1);
    expect(github.comments).toHaveLength(1);
  });

  it('finds its comment on page 3 of the comments (after two full pages of others) and updates it instead of adding one', async () => {
    const { workspace, schema } = await pendingWorkspace();
    const first = await dryRun(workspace, schema);
    expect(first.code, first.all).toBe(0);
    const mine = github.comments[0];
    expect(mine?.user.login).toBe(LOGIN);
    // Two full pages of other people's comments now come before it, then one after it.
    github.comments = [];
    for (let i = 0; i < 200; i++) github.seed(i % 2 ? OTHER_LOGIN : 'reviewer', `LGTM ${i}`);
    if (mine) github.comments.push(mine);
    github.seed('reviewer', 'one more after it');
    github.requests = [];

    const second = await dryRun(workspace, schema);
    expect(second.code, second.all).toBe(0);
    const pages = github
      .sent('GET', /\/issues\/7\/comments$/)
      .map((r) => [r.query.get('per_page'), r.query.get('page') ?? '1']);
    expect(pages).toEqual([
      ['100', '1'],
      ['100', '2'],
      ['100', '3'],
    ]);
    expect(github.sent('POST')).toHaveLength(0);
    expect(github.sent('PATCH').map((r) => r.pathname)).toEqual([
      `/repos/${OWNER}/${REPO}/issues/comments/${mine?.id}`,
    ]);
    expect(github.comments).toHaveLength(202);
    expect(github.ours()).toHaveLength(1);
  });

  it("never edits another user's comment that carries the same marker: it creates its own", async () => {
    const { workspace, schema } = await pendingWorkspace();
    // Someone else's token writes a comment with exactly this database's marker (a copy, or a
    // run with another token).
    const theirs = await dryRun(workspace, schema, { token: OTHER_TOKEN });
    expect(theirs.code, theirs.all).toBe(0);
    const other = github.comments[0];
    expect(other?.user.login).toBe(OTHER_LOGIN);
    const theirBody = `${other?.body}\n\n(edited by ${OTHER_LOGIN})`;
    if (other) other.body = theirBody;
    github.requests = [];

    const run = await dryRun(workspace, schema);
    expect(run.code, run.all).toBe(0);
    expect(github.sent('PATCH')).toHaveLength(0);
    expect(github.sent('POST')).toHaveLength(1);
    expect(github.comments).toHaveLength(2);
    expect(github.comments[0]?.body).toBe(theirBody);
    const mine = github.comments[1];
    expect(mine?.user.login).toBe(LOGIN);
    // The same marker: the same database and table.
    expect(mine?.body.split('\n')[0]).toBe(other?.body.split('\n')[0]);
  });

  it('keeps two comments for two runs against two different databases', async () => {
    const second = await createDatabase('comment_two');
    try {
      const { workspace, schema } = await pendingWorkspace();
      for (const databaseUrl of [url, second.url]) {
        const run = await dryRun(workspace, schema, { databaseUrl });
        expect(run.code, run.all).toBe(0);
      }
      expect(github.sent('POST')).toHaveLength(2);
      expect(github.sent('PATCH')).toHaveLength(0);
      const [a, b] = github.ours();
      expect(github.ours()).toHaveLength(2);
      expect(a?.body.split('\n')[0]).not.toBe(b?.body.split('\n')[0]);
      // Re-runs update each its own comment.
      for (const databaseUrl of [second.url, url]) {
        const run = await dryRun(workspace, schema, { databaseUrl });
        expect(run.code, run.all).toBe(0);
      }
      expect(github.sent('POST')).toHaveLength(2);
      expect(github.sent('PATCH').map((r) => r.pathname)).toEqual([
        `/repos/${OWNER}/${REPO}/issues/comments/${b?.id}`,
        `/repos/${OWNER}/${REPO}/issues/comments/${a?.id}`,
      ]);
      expect(github.ours()).toHaveLength(2);
    } finally {
      await second.drop();
    }
  });

  it('turns a 403 on creating the comment (a fork, a read-only token) into a warning: exit 0 with the normal outputs', async () => {
    const { workspace, schema } = await pendingWorkspace();
    github.failCreate = 403;
    const run = await dryRun(workspace, schema);
    expect(run.code, run.all).toBe(0);
    expect(github.sent('POST')).toHaveLength(1);
    expect(github.comments).toHaveLength(0);
    expect(run.stdout).toMatch(/^::warning::pr-comment: .*not written.*$/m);
    expect(run.all).not.toContain('::error');
    expect(run.outputs).toMatchObject({
      result: 'pending',
      applied: '[]',
      'applied-count': '0',
      pending: '["1"]',
      'pending-count': '1',
      drift: 'false',
      'dry-run': 'true',
    });
    expect(run.summary).toContain('Dry run: 1 migration would be applied');
  });

  it('sends no request at all without pr-comment, nor with pr-comment on a push event (only an info line)', async () => {
    const { workspace, schema } = await pendingWorkspace();
    const off = await runAction(
      { 'database-url': url, schema, 'dry-run': 'true', 'github-token': TOKEN },
      { workspace, env: prEnv() },
    );
    expect(off.code, off.all).toBe(0);
    expect(off.outputs.result).toBe('pending');
    expect(off.all).not.toContain('pr-comment');
    expect(github.requests).toEqual([]);

    const push = await dryRun(workspace, schema, {
      env: { GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: pushEvent },
    });
    expect(push.code, push.all).toBe(0);
    expect(push.outputs.result).toBe('pending');
    expect(push.stdout).toMatch(/^pr-comment: push is not a pull request; no comment written\.$/m);
    expect(push.all).not.toContain('::warning::');
    expect(github.requests).toEqual([]);
  });

  it('keeps the comment within 60,000 characters with the marker first and the table closed, for 3,000 pending files and for 2,000 misnamed files', async () => {
    const pending: Record<string, string> = {};
    for (let i = 1; i <= 3000; i++) {
      const version = String(i).padStart(4, '0');
      pending[`${version}_add_a_rather_long_descriptive_name_for_table_${i}.sql`] =
        `SELECT ${i} AS version, '<&>|' AS note;\n`;
    }
    const misnamed: Record<string, string> = { '001_fine.sql': 'SELECT 1;\n' };
    for (let i = 0; i < 2000; i++) {
      misnamed[`create-table-${i}-with-a-name-that-is-not-ours-${'x'.repeat(40)}.sql`] =
        'SELECT 1;\n';
    }
    const cases = [
      { files: pending, result: 'pending', code: 0 },
      { files: misnamed, result: 'failed', code: 1 },
    ];
    for (const [i, { files, result, code }] of cases.entries()) {
      github.reset();
      const { workspace } = await workspaceWith(files);
      try {
        const run = await dryRun(workspace, `huge${i}_m`);
        expect(run.code, run.all.slice(-2000)).toBe(code);
        expect(run.outputs.result).toBe(result);
        expect(github.sent('POST')).toHaveLength(1);
        const body = github.comments[0]?.body ?? '';
        expect(body.length).toBeGreaterThan(20_000);
        expect(body.length).toBeLessThanOrEqual(60_000);
        expect([...body].length).toBeLessThanOrEqual(60_000);
        expect(body.startsWith(MARKER_PREFIX)).toBe(true);
        expect(body.indexOf('<!--')).toBe(0);
        expect(body.match(/<!--/g)).toHaveLength(1);
        expect(body).toContain('</table>');
        // Every element the summary opens is closed: nothing was cut in the middle.
        for (const tag of ['table', 'tr', 'td', 'th', 'ul', 'li', 'details', 'summary', 'pre']) {
          const opened = body.match(new RegExp(`<${tag}[ >]`, 'g'))?.length ?? 0;
          const closed = body.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0;
          expect(closed, `<${tag}>`).toBe(opened);
        }
        // What did not fit is counted and pointed to the log.
        expect(body).toMatch(/(more rows? did not fit|more findings? in the log)/);
      } finally {
        await rm(workspace, { recursive: true, force: true });
      }
    }
  });

  it('loads @actions/github only when a comment is written', async () => {
    // The bundle's chunk that holds @actions/github (octokit), found by content.
    const distDir = path.dirname(DIST);
    const chunks = readdirSync(distDir).filter(
      (f) =>
        /^\d+\.index\.js$/.test(f) &&
        readFileSync(path.join(distDir, f), 'utf8').includes('octokit'),
    );
    expect(chunks).toHaveLength(1);
    const githubChunk = chunks[0] ?? '';
    const hook = path.resolve(import.meta.dirname, 'support/record-loads.mjs');
    const { workspace, schema } = await pendingWorkspace();

    const loadedBy = async (
      inputs: Record<string, string>,
      env: Record<string, string>,
    ): Promise<string[]> => {
      const log = path.join(scratch, `loads-${counter++}.txt`);
      await writeFile(log, '');
      const run = await runAction(
        { 'database-url': url, schema, 'dry-run': 'true', 'github-token': TOKEN, ...inputs },
        { workspace, env: { ...env, RECORD_LOADS_TO: log }, nodeArgs: ['--import', hook] },
      );
      expect(run.code, run.all).toBe(0);
      const loaded = (await readFile(log, 'utf8')).split('\n').filter(Boolean);
      // The hook sees the entry; that it also sees chunks imported on demand is shown by the
      // last run below, which must load the @actions/github chunk.
      expect(loaded.some((u) => u.endsWith('/index.js'))).toBe(true);
      return loaded.map((u) => path.basename(new URL(u).pathname));
    };

    expect(await loadedBy({}, prEnv())).not.toContain(githubChunk);
    expect(github.requests).toEqual([]);
    expect(
      await loadedBy(
        { 'pr-comment': 'true' },
        prEnv({ GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: pushEvent }),
      ),
    ).not.toContain(githubChunk);
    expect(github.requests).toEqual([]);
    expect(await loadedBy({ 'pr-comment': 'true' }, prEnv())).toContain(githubChunk);
    expect(github.sent('POST')).toHaveLength(1);
  });
});
