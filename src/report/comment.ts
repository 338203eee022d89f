// The sticky comment: one comment per marker on a pull request, written by the token's own login, created
// once and then updated in place. Every API call goes through the `GitHubApi` handed in; nothing here
// throws: a read-only token (a pull request from a fork) or any API failure becomes a warning, and the
// caller still writes the job summary.
import type { GitHubApi, IssueComment } from '../adapters/github.js';
import { GitHubApiError } from '../adapters/github.js';

/** `comment` input: `on-change` comments only when the size moved, or updates a comment already there. */
export type CommentMode = 'always' | 'on-change' | 'never';

export interface StickyCommentRequest {
  readonly owner: string;
  readonly repo: string;
  /** The pull request (or issue) number. */
  readonly issue: number;
  /** The hidden marker; the body gets it as its first line if it lacks it. */
  readonly marker: string;
  readonly body: string;
  /** The token's login; asked of the API when absent. */
  readonly login?: string | undefined;
  readonly mode: CommentMode;
  /** Whether the size moved more than `comment-threshold` (see `hasSizeChanged`). */
  readonly changed: boolean;
}

export interface StickyCommentResult {
  readonly action: 'created' | 'updated' | 'skipped' | 'failed';
  /** The comment's id, when one exists. */
  readonly id?: number;
  readonly url?: string;
  /** Why nothing was written, for the log. */
  readonly reason?: string;
  /** For `failed`: one line for a warning annotation. */
  readonly warning?: string;
}

/** At 100 comments a page, 10,000 comments: a pull request with more is not searched to the end. */
const MAX_PAGES = 100;

/** Whether two logins are the same account: case-insensitive, with or without the `[bot]` suffix. */
export function sameLogin(a: string, b: string): boolean {
  const normal = (login: string): string =>
    login
      .trim()
      .toLowerCase()
      .replace(/\[bot\]$/, '');
  return normal(a) !== '' && normal(a) === normal(b);
}

/** The first comment that carries `marker` and was written by `login`; others' comments are ignored. */
export async function findStickyComment(
  api: GitHubApi,
  owner: string,
  repo: string,
  issue: number,
  marker: string,
  login: string,
): Promise<IssueComment | undefined> {
  let page: number | undefined = 1;
  for (let pages = 0; page !== undefined && pages < MAX_PAGES; pages++) {
    const result = await api.listIssueComments(owner, repo, issue, page);
    const found = result.comments.find(
      (comment) => sameLogin(comment.author, login) && comment.body.includes(marker),
    );
    if (found !== undefined) return found;
    page = result.nextPage;
  }
  return undefined;
}

export async function upsertStickyComment(
  api: GitHubApi,
  request: StickyCommentRequest,
): Promise<StickyCommentResult> {
  const { owner, repo, issue, marker, mode } = request;
  if (mode === 'never') return { action: 'skipped', reason: 'comment is never' };
  const body = request.body.includes(marker) ? request.body : `${marker}\n${request.body}`;
  try {
    const login = request.login ?? (await api.getAuthenticatedLogin());
    const previous = await findStickyComment(api, owner, repo, issue, marker, login);
    if (previous === undefined) {
      if (mode === 'on-change' && !request.changed) {
        return { action: 'skipped', reason: 'the size did not move beyond comment-threshold' };
      }
      const created = await api.createIssueComment(owner, repo, issue, body);
      return withUrl({ action: 'created', id: created.id }, created.htmlUrl);
    }
    if (previous.body === body) {
      return withUrl(
        { action: 'skipped', id: previous.id, reason: 'the comment is up to date' },
        previous.htmlUrl,
      );
    }
    const updated = await api.updateIssueComment(owner, repo, previous.id, body);
    return withUrl({ action: 'updated', id: updated.id }, updated.htmlUrl ?? previous.htmlUrl);
  } catch (error) {
    return { action: 'failed', warning: failureWarning(issue, error) };
  }
}

function withUrl(result: StickyCommentResult, url: string | undefined): StickyCommentResult {
  return url === undefined ? result : { ...result, url };
}

function failureWarning(issue: number, error: unknown): string {
  const what = `Could not write the size comment on pull request #${issue}`;
  const detail = error instanceof Error ? error.message : String(error);
  if (
    error instanceof GitHubApiError &&
    error.kind === 'http' &&
    (error.status === 403 || error.status === 404)
  ) {
    return (
      `${what}: the token may not write to it (a pull request from a fork gets a read-only GITHUB_TOKEN; ` +
      `otherwise grant \`permissions: pull-requests: write\`). The job summary has the report. (${detail})`
    );
  }
  return `${what}. The job summary has the report. (${detail})`;
}
