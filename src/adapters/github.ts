// The few GitHub REST calls the size comment needs, over node's fetch. Every attempt has a timeout and an
// abort signal; rate limits (429, or 403 with `x-ratelimit-remaining: 0` or a secondary-limit message) are
// retried after the wait GitHub asks for, capped; server errors and timeouts are retried only where a repeat
// is harmless (GET, PATCH, GraphQL queries); other 4xx fail at once. The token never appears in messages.

export interface IssueComment {
  readonly id: number;
  readonly body: string;
  /** The author's login (`github-actions[bot]` for GITHUB_TOKEN); '' for a deleted account. */
  readonly author: string;
  readonly htmlUrl: string | undefined;
}

export interface CommentPage {
  readonly comments: readonly IssueComment[];
  /** The next page's number, or undefined on the last page. */
  readonly nextPage: number | undefined;
}

export interface GitHubApi {
  /** One page (1-based) of an issue's or pull request's comments, 100 per page, oldest first. */
  listIssueComments(owner: string, repo: string, issue: number, page: number): Promise<CommentPage>;
  createIssueComment(owner: string, repo: string, issue: number, body: string): Promise<IssueComment>;
  updateIssueComment(owner: string, repo: string, commentId: number, body: string): Promise<IssueComment>;
  /**
   * The login the token acts as. `GET /user` answers for user tokens; installation tokens (GITHUB_TOKEN,
   * GitHub Apps) get a 403 there, so GraphQL's `viewer` is asked next, and if that fails too the answer is
   * `github-actions[bot]`, GITHUB_TOKEN's login. Throws only for a token GitHub rejects (401) or an API
   * that cannot be reached.
   */
  getAuthenticatedLogin(): Promise<string>;
}

/** The login of GITHUB_TOKEN's comments in the REST API. */
export const GITHUB_ACTIONS_BOT_LOGIN = 'github-actions[bot]';

/** Why a call failed: an HTTP error status, a rate limit not waited out, no response, or the caller's abort. */
export type GitHubApiErrorKind =
  'http' | 'rate-limit' | 'timeout' | 'network' | 'invalid-response' | 'aborted';

export class GitHubApiError extends Error {
  override readonly name = 'GitHubApiError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly kind: GitHubApiErrorKind,
    /** The HTTP status; undefined when no response came. */
    readonly status: number | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`GitHub API ${method} ${path}: ${detail}`, options);
  }
}

export interface GitHubClientOptions {
  /** GITHUB_API_URL, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`. */
  readonly apiUrl: string;
  /** GITHUB_GRAPHQL_URL; derived from `apiUrl` when absent. */
  readonly graphqlUrl?: string | undefined;
  readonly token: string;
  readonly userAgent?: string | undefined;
  /** Per attempt, including reading the body. Default 15 s. */
  readonly timeoutMs?: number | undefined;
  /** Attempts per call, the first included. Default 4. */
  readonly maxAttempts?: number | undefined;
  /** First backoff wait; doubles per retry. Default 1 s. */
  readonly baseDelayMs?: number | undefined;
  /** The longest single wait. A rate limit that resets later than this is not waited for. Default 60 s. */
  readonly maxDelayMs?: number | undefined;
  /** Aborts every call (and any wait between attempts). */
  readonly signal?: AbortSignal | undefined;
  readonly fetch?: typeof fetch | undefined;
  readonly sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined;
  /** Milliseconds since the epoch, for `x-ratelimit-reset`. */
  readonly now?: (() => number) | undefined;
  readonly debug?: ((message: string) => void) | undefined;
}

/** GitHub's GraphQL endpoint for a REST API URL: `…/api/v3` → `…/api/graphql`, else `<api>/graphql`. */
export function graphqlUrlFor(apiUrl: string): string {
  const base = apiUrl.replace(/\/+$/, '');
  return /\/api\/v3$/.test(base) ? base.replace(/\/v3$/, '/graphql') : `${base}/graphql`;
}

/** The `page` of the `rel="next"` link in a `Link` header, if there is one. */
export function parseNextPage(link: string): number | undefined {
  for (const part of link.split(',')) {
    const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (match === null || !/\brel\s*=\s*"?([^"]*\s)?next[\s"]/.test(`${match[2]!} `)) continue;
    try {
      const page = Number(new URL(match[1]!, 'http://link.invalid').searchParams.get('page'));
      return Number.isSafeInteger(page) && page > 0 ? page : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * How long GitHub asks us to wait before retrying a rate-limited request, in ms: `retry-after` (seconds or
 * an HTTP date), else `x-ratelimit-reset` when `x-ratelimit-remaining` is 0, else undefined.
 */
export function rateLimitWaitMs(headers: Headers, now: number): number | undefined {
  const retryAfter = headers.get('retry-after');
  if (retryAfter !== null) {
    const seconds = Number(retryAfter);
    if (retryAfter.trim() !== '' && Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (headers.get('x-ratelimit-remaining') === '0' && headers.get('x-ratelimit-reset') !== null) {
    if (Number.isFinite(reset)) return Math.max(1000, reset * 1000 - now + 1000);
  }
  return undefined;
}

const SECONDARY_LIMIT_WAIT_MS = 60_000;

interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly data: unknown;
}

interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PATCH';
  /** For messages: the path below the API URL, or `graphql`. */
  readonly path: string;
  readonly url: string;
  readonly body?: unknown;
  /** Safe to repeat after a timeout or a 5xx: the first try may have done its work. */
  readonly idempotent: boolean;
}

export function createGitHubApi(options: GitHubClientOptions): GitHubApi {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const graphqlUrl = options.graphqlUrl ?? graphqlUrlFor(apiUrl);
  const timeoutMs = options.timeoutMs ?? 15_000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 4);
  const baseDelayMs = options.baseDelayMs ?? 1000;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? abortableSleep;
  const now = options.now ?? Date.now;
  const debug = options.debug ?? (() => undefined);
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${options.token}`,
    'user-agent': options.userAgent ?? 'stagecraft',
    'x-github-api-version': '2022-11-28',
  };

  async function attempt(spec: RequestSpec): Promise<ApiResponse> {
    const controller = new AbortController();
    const outer = options.signal;
    const onAbort = (): void => controller.abort(outer?.reason);
    outer?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new Error('timeout')), timeoutMs);
    try {
      const response = await doFetch(spec.url, {
        method: spec.method,
        headers:
          spec.body === undefined
            ? headers
            : { ...headers, 'content-type': 'application/json; charset=utf-8' },
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        signal: controller.signal,
        redirect: 'follow',
      });
      const text = await response.text();
      let data: unknown = undefined;
      if (text !== '') {
        try {
          data = JSON.parse(text);
        } catch {
          data = text;
        }
      }
      return { status: response.status, headers: response.headers, data };
    } catch (error) {
      const [kind, detail]: [GitHubApiErrorKind, string] =
        outer?.aborted === true
          ? ['aborted', 'aborted']
          : controller.signal.aborted
            ? ['timeout', `no response within ${timeoutMs} ms`]
            : ['network', `request failed: ${error instanceof Error ? error.message : String(error)}`];
      throw new GitHubApiError(spec.method, spec.path, kind, undefined, detail, { cause: error });
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    }
  }

  async function request(spec: RequestSpec): Promise<ApiResponse> {
    for (let n = 1; ; n++) {
      if (options.signal?.aborted === true) {
        throw new GitHubApiError(spec.method, spec.path, 'aborted', undefined, 'aborted');
      }
      const started = now();
      let response: ApiResponse;
      try {
        response = await attempt(spec);
      } catch (error) {
        const aborted = error instanceof GitHubApiError && error.kind === 'aborted';
        if (aborted || !spec.idempotent || n >= maxAttempts) throw error;
        const wait = Math.min(maxDelayMs, baseDelayMs * 2 ** (n - 1));
        debug(
          `github.request: ${spec.method} ${spec.path}: ${(error as Error).message}; retry ${n} of ${maxAttempts - 1} in ${wait} ms`,
        );
        await pause(spec, wait);
        continue;
      }
      debug(`github.request: ${spec.method} ${spec.path} → ${response.status} (${now() - started} ms)`);
      if (response.status >= 200 && response.status < 300) return response;

      const message = errorMessage(response);
      const limited =
        response.status === 429 ||
        (response.status === 403 &&
          (response.headers.get('x-ratelimit-remaining') === '0' ||
            response.headers.get('retry-after') !== null ||
            /rate limit/i.test(message)));
      if (limited) {
        const asked = rateLimitWaitMs(response.headers, now());
        const wait =
          asked ??
          (response.status === 403
            ? SECONDARY_LIMIT_WAIT_MS
            : Math.min(maxDelayMs, baseDelayMs * 2 ** (n - 1)));
        if (wait > maxDelayMs) {
          throw new GitHubApiError(
            spec.method,
            spec.path,
            'rate-limit',
            response.status,
            `rate limited (${message}); GitHub asks to wait ${Math.ceil(wait / 1000)} s, more than the ${Math.ceil(maxDelayMs / 1000)} s allowed`,
          );
        }
        if (n >= maxAttempts) {
          throw new GitHubApiError(
            spec.method,
            spec.path,
            'rate-limit',
            response.status,
            `rate limited (${message}) after ${n} attempts`,
          );
        }
        debug(
          `github.request: ${spec.method} ${spec.path}: rate limited; retry ${n} of ${maxAttempts - 1} in ${wait} ms`,
        );
        await pause(spec, wait);
        continue;
      }
      if (response.status >= 500 && spec.idempotent && n < maxAttempts) {
        const wait = Math.min(maxDelayMs, baseDelayMs * 2 ** (n - 1));
        debug(
          `github.request: ${spec.method} ${spec.path}: ${response.status}; retry ${n} of ${maxAttempts - 1} in ${wait} ms`,
        );
        await pause(spec, wait);
        continue;
      }
      throw new GitHubApiError(
        spec.method,
        spec.path,
        'http',
        response.status,
        `${response.status} ${message}`,
      );
    }
  }

  async function pause(spec: RequestSpec, ms: number): Promise<void> {
    try {
      await sleep(ms, options.signal);
    } catch (error) {
      throw new GitHubApiError(spec.method, spec.path, 'aborted', undefined, 'aborted', { cause: error });
    }
  }

  function rest(method: RequestSpec['method'], path: string, body?: unknown): Promise<ApiResponse> {
    return request({ method, path, url: `${apiUrl}${path}`, body, idempotent: method !== 'POST' });
  }

  const repoPath = (owner: string, repo: string): string =>
    `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;

  let login: Promise<string> | undefined;

  async function authenticatedLogin(): Promise<string> {
    try {
      const user = await rest('GET', '/user');
      const name = field(user.data, 'login');
      if (typeof name === 'string' && name !== '') return name;
    } catch (error) {
      if (
        !(error instanceof GitHubApiError) ||
        error.kind !== 'http' ||
        (error.status !== 403 && error.status !== 404)
      ) {
        throw error;
      }
    }
    try {
      const viewer = await request({
        method: 'POST',
        path: 'graphql',
        url: graphqlUrl,
        body: { query: 'query { viewer { login } }' },
        idempotent: true,
      });
      const name = field(field(field(viewer.data, 'data'), 'viewer'), 'login');
      if (typeof name === 'string' && name !== '') return name;
    } catch (error) {
      debug(`github.getAuthenticatedLogin: ${(error as Error).message}`);
    }
    return GITHUB_ACTIONS_BOT_LOGIN;
  }

  return {
    async listIssueComments(owner, repo, issue, page) {
      const path = `${repoPath(owner, repo)}/issues/${issue}/comments?per_page=100&page=${page}`;
      const response = await rest('GET', path);
      if (!Array.isArray(response.data)) {
        throw new GitHubApiError(
          'GET',
          path,
          'invalid-response',
          response.status,
          'expected a JSON array of comments',
        );
      }
      const comments = response.data.map((item: unknown) => toComment(item, 'GET', path));
      const link = response.headers.get('link');
      const nextPage = link === null ? (comments.length >= 100 ? page + 1 : undefined) : parseNextPage(link);
      return { comments, nextPage: nextPage !== undefined && nextPage > page ? nextPage : undefined };
    },
    async createIssueComment(owner, repo, issue, body) {
      const path = `${repoPath(owner, repo)}/issues/${issue}/comments`;
      return toComment((await rest('POST', path, { body })).data, 'POST', path);
    },
    async updateIssueComment(owner, repo, commentId, body) {
      const path = `${repoPath(owner, repo)}/issues/comments/${commentId}`;
      return toComment((await rest('PATCH', path, { body })).data, 'PATCH', path);
    },
    getAuthenticatedLogin() {
      login ??= authenticatedLogin();
      login.catch(() => {
        login = undefined; // a failure is not remembered
      });
      return login;
    },
  };
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

function toComment(value: unknown, method: string, path: string): IssueComment {
  const id = field(value, 'id');
  if (typeof id !== 'number') {
    throw new GitHubApiError(method, path, 'invalid-response', undefined, 'expected a comment with an id');
  }
  const body = field(value, 'body');
  const author = field(field(value, 'user'), 'login');
  const htmlUrl = field(value, 'html_url');
  return {
    id,
    body: typeof body === 'string' ? body : '',
    author: typeof author === 'string' ? author : '',
    htmlUrl: typeof htmlUrl === 'string' ? htmlUrl : undefined,
  };
}

function errorMessage(response: ApiResponse): string {
  const message = field(response.data, 'message');
  const text = typeof message === 'string' ? message : typeof response.data === 'string' ? response.data : '';
  return text.replace(/\s+/g, ' ').trim().slice(0, 300) || 'no message';
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
