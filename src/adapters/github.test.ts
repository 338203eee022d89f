import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { startFakeGitHub, type FakeGitHub } from '../../__tests__/support/github-api.js';
import type { GitHubClientOptions } from './github.js';
import {
  createGitHubApi,
  GITHUB_ACTIONS_BOT_LOGIN,
  GitHubApiError,
  graphqlUrlFor,
  parseNextPage,
  rateLimitWaitMs,
} from './github.js';

let github: FakeGitHub;
let waits: number[];

beforeEach(async () => {
  github = await startFakeGitHub();
  waits = [];
});
afterEach(async () => {
  await github.close();
});

function api(options: Partial<GitHubClientOptions> = {}) {
  return createGitHubApi({
    apiUrl: github.url,
    token: 'test-token',
    timeoutMs: 2000,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<GitHubApiError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(GitHubApiError);
    return error as GitHubApiError;
  }
  throw new Error('expected the call to fail');
}

function seed(count: number, login = 'someone'): void {
  for (let i = 0; i < count; i++) {
    github.addComment({ owner: 'acme', repo: 'shop', issue: 7, body: `comment ${i}`, login });
  }
}

describe('listIssueComments', () => {
  test('100 a page, following the Link header to the last page', async () => {
    seed(250);
    const client = api();
    const pages = [];
    for (let page: number | undefined = 1; page !== undefined;) {
      const result = await client.listIssueComments('acme', 'shop', 7, page);
      pages.push(result.comments.length);
      page = result.nextPage;
    }
    expect(pages).toEqual([100, 100, 50]);
    expect(github.requests.map((r) => `${r.method} ${r.path}?${r.query.toString()}`)).toEqual([
      'GET /repos/acme/shop/issues/7/comments?per_page=100&page=1',
      'GET /repos/acme/shop/issues/7/comments?per_page=100&page=2',
      'GET /repos/acme/shop/issues/7/comments?per_page=100&page=3',
    ]);
    expect(github.requests[0]!.authorization).toBe('Bearer test-token');
  });

  test('maps comments: id, body, author, url', async () => {
    github.addComment({ owner: 'acme', repo: 'shop', issue: 7, body: 'hi', login: 'github-actions[bot]' });
    const page = await api().listIssueComments('acme', 'shop', 7, 1);
    expect(page).toEqual({
      comments: [
        {
          id: 1000,
          body: 'hi',
          author: 'github-actions[bot]',
          htmlUrl: 'https://github.com/acme/shop/pull/7#issuecomment-1000',
        },
      ],
      nextPage: undefined,
    });
  });

  test('without a Link header, a full page means there may be another', async () => {
    seed(100);
    const stripLink: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const headers = new Headers(response.headers);
      headers.delete('link');
      return new Response(await response.text(), { status: response.status, headers });
    };
    const client = api({ fetch: stripLink });
    expect((await client.listIssueComments('acme', 'shop', 7, 1)).nextPage).toBe(2);
    expect((await client.listIssueComments('acme', 'shop', 7, 2)).nextPage).toBeUndefined();
  });

  test('owner and repo are path-encoded', async () => {
    await api().listIssueComments('a b', 'c/d', 1, 1);
    expect(github.requests[0]!.path).toBe('/repos/a%20b/c%2Fd/issues/1/comments');
  });
});

describe('create and update', () => {
  test('create, then update in place', async () => {
    const client = api();
    const created = await client.createIssueComment('acme', 'shop', 7, 'first');
    expect(created).toMatchObject({ body: 'first', author: 'github-actions[bot]' });
    const updated = await client.updateIssueComment('acme', 'shop', created.id, 'second');
    expect(updated).toMatchObject({ id: created.id, body: 'second' });
    expect(github.comments('acme', 'shop', 7).map((c) => c.body)).toEqual(['second']);
    expect(github.requests.map((r) => [r.method, r.body])).toEqual([
      ['POST', { body: 'first' }],
      ['PATCH', { body: 'second' }],
    ]);
  });

  test('a read-only token: 403, not retried', async () => {
    github.fault({ mode: 'read-only' });
    const error = await failure(api().createIssueComment('acme', 'shop', 7, 'x'));
    expect(error).toMatchObject({ kind: 'http', status: 403 });
    expect(error.message).toBe(
      'GitHub API POST /repos/acme/shop/issues/7/comments: 403 Resource not accessible by integration',
    );
    expect(github.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  test('a 422 is not retried and says why', async () => {
    const error = await failure(api().createIssueComment('acme', 'shop', 7, 'x'.repeat(70_000)));
    expect(error).toMatchObject({ kind: 'http', status: 422 });
    expect(github.requests).toHaveLength(1);
  });

  test('updating a comment that is gone: 404', async () => {
    const error = await failure(api().updateIssueComment('acme', 'shop', 4242, 'x'));
    expect(error).toMatchObject({ kind: 'http', status: 404 });
  });
});

describe('retries', () => {
  test('429: waits for retry-after, then succeeds', async () => {
    github.fault({ mode: 'rate-limit', times: 2, retryAfterSeconds: 3 });
    const created = await api().createIssueComment('acme', 'shop', 7, 'x');
    expect(created.body).toBe('x');
    expect(waits).toEqual([3000, 3000]);
    expect(github.requests.map((r) => r.status)).toEqual([429, 429, 201]);
  });

  test('secondary rate limit (403, x-ratelimit-remaining: 0): waits until x-ratelimit-reset', async () => {
    github.fault({ mode: 'secondary-rate-limit', times: 1, resetInSeconds: 30 });
    const now = Date.now();
    const page = await api({ now: () => now }).listIssueComments('acme', 'shop', 7, 1);
    expect(page.comments).toEqual([]);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(29_000);
    expect(waits[0]).toBeLessThanOrEqual(32_000);
  });

  test('a rate limit that resets later than the cap fails at once', async () => {
    github.fault({ mode: 'secondary-rate-limit', resetInSeconds: 3600 });
    const error = await failure(api().listIssueComments('acme', 'shop', 7, 1));
    expect(error.kind).toBe('rate-limit');
    expect(error.message).toMatch(
      /rate limited \(You have exceeded a secondary rate limit\..*\); GitHub asks to wait 36\d\d s, more than the 60 s allowed$/,
    );
    expect(waits).toEqual([]);
    expect(github.requests).toHaveLength(1);
  });

  test('a rate limit that never lifts gives up after maxAttempts', async () => {
    github.fault({ mode: 'rate-limit', retryAfterSeconds: 1 });
    const error = await failure(api({ maxAttempts: 3 }).createIssueComment('acme', 'shop', 7, 'x'));
    expect(error).toMatchObject({ kind: 'rate-limit', status: 429 });
    expect(error.message).toBe(
      'GitHub API POST /repos/acme/shop/issues/7/comments: rate limited (API rate limit exceeded) after 3 attempts',
    );
    expect(waits).toEqual([1000, 1000]);
  });

  test('500 on a GET: retried with exponential backoff, then the error', async () => {
    github.fault({ mode: 'server-error' });
    const error = await failure(
      api({ maxAttempts: 4, baseDelayMs: 100 }).listIssueComments('acme', 'shop', 7, 1),
    );
    expect(error).toMatchObject({ kind: 'http', status: 500 });
    expect(waits).toEqual([100, 200, 400]);
    expect(github.requests).toHaveLength(4);
  });

  test('500 once on a PATCH: retried and succeeds', async () => {
    const comment = github.addComment({ owner: 'acme', repo: 'shop', issue: 7, body: 'a', login: 'x' });
    github.fault({ mode: 'server-error', times: 1 });
    expect((await api().updateIssueComment('acme', 'shop', comment.id, 'b')).body).toBe('b');
    expect(github.requests.map((r) => r.status)).toEqual([500, 200]);
  });

  test('500 on a POST: not repeated (the comment may exist)', async () => {
    github.fault({ mode: 'server-error', times: 1 });
    const error = await failure(api().createIssueComment('acme', 'shop', 7, 'x'));
    expect(error.status).toBe(500);
    expect(github.requests).toHaveLength(1);
  });
});

describe('timeouts and aborts', () => {
  test('a GET that never answers times out and is retried', async () => {
    github.fault({ mode: 'hang', times: 1 });
    const started = Date.now();
    const page = await api({ timeoutMs: 200 }).listIssueComments('acme', 'shop', 7, 1);
    expect(page.comments).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(github.requests.map((r) => r.status)).toEqual([undefined, 200]);
    expect(waits).toEqual([1000]);
  });

  test('a POST that never answers fails with a timeout and is not repeated', async () => {
    github.fault({ mode: 'hang' });
    const error = await failure(api({ timeoutMs: 200 }).createIssueComment('acme', 'shop', 7, 'x'));
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe(
      'GitHub API POST /repos/acme/shop/issues/7/comments: no response within 200 ms',
    );
    expect(github.requests).toHaveLength(1);
  });

  test('every attempt times out: the last timeout is the error', async () => {
    github.fault({ mode: 'hang' });
    const error = await failure(
      api({ timeoutMs: 100, maxAttempts: 2 }).listIssueComments('acme', 'shop', 7, 1),
    );
    expect(error.kind).toBe('timeout');
    expect(github.requests).toHaveLength(2);
  });

  test("the caller's signal aborts a request in flight, without retrying", async () => {
    github.fault({ mode: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await failure(
      api({ signal: controller.signal, timeoutMs: 10_000 }).listIssueComments('acme', 'shop', 7, 1),
    );
    expect(error.kind).toBe('aborted');
    expect(github.requests).toHaveLength(1);
  });

  test("the caller's signal aborts the wait between attempts (real sleep)", async () => {
    github.fault({ mode: 'rate-limit', retryAfterSeconds: 30 });
    const controller = new AbortController();
    const client = createGitHubApi({ apiUrl: github.url, token: 'test-token', signal: controller.signal });
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const error = await failure(client.listIssueComments('acme', 'shop', 7, 1));
    expect(error.kind).toBe('aborted');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a server that is not there: a network error, retried for a GET', async () => {
    const url = github.url;
    await github.close();
    github = await startFakeGitHub();
    const error = await failure(api({ apiUrl: url, maxAttempts: 2 }).listIssueComments('acme', 'shop', 7, 1));
    expect(error.kind).toBe('network');
    expect(waits).toEqual([1000]);
  });
});

describe('getAuthenticatedLogin', () => {
  test('an installation token (GITHUB_TOKEN): /user is a 403, GraphQL viewer answers', async () => {
    const client = api();
    expect(await client.getAuthenticatedLogin()).toBe('github-actions[bot]');
    expect(await client.getAuthenticatedLogin()).toBe('github-actions[bot]');
    expect(github.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /user 403',
      'POST /graphql 200',
    ]);
  });

  test('a user token: /user answers', async () => {
    await github.close();
    github = await startFakeGitHub({ identity: 'user', login: 'octocat' });
    expect(await api().getAuthenticatedLogin()).toBe('octocat');
    expect(github.requests).toHaveLength(1);
  });

  test('neither answers: GITHUB_TOKEN is assumed', async () => {
    await github.close();
    github = await startFakeGitHub({ graphql: false, login: 'my-app[bot]' });
    expect(await api().getAuthenticatedLogin()).toBe(GITHUB_ACTIONS_BOT_LOGIN);
  });

  test('a bad token is an error, not a guess, and is not remembered', async () => {
    const client = api({ token: 'wrong' });
    const error = await failure(client.getAuthenticatedLogin());
    expect(error).toMatchObject({ kind: 'http', status: 401 });
    expect(error.message).not.toContain('wrong');
    await failure(client.getAuthenticatedLogin());
    expect(github.requests).toHaveLength(2);
  });
});

describe('pure helpers', () => {
  test.each([
    ['https://api.github.com', 'https://api.github.com/graphql'],
    ['https://api.github.com/', 'https://api.github.com/graphql'],
    ['https://ghe.example.com/api/v3', 'https://ghe.example.com/api/graphql'],
    ['https://ghe.example.com/api/v3/', 'https://ghe.example.com/api/graphql'],
    ['http://127.0.0.1:4000', 'http://127.0.0.1:4000/graphql'],
  ])('graphqlUrlFor(%s)', (apiUrl, expected) => {
    expect(graphqlUrlFor(apiUrl)).toBe(expected);
  });

  test.each([
    [
      '<https://api.github.com/x?page=2&per_page=100>; rel="next", <https://api.github.com/x?page=5>; rel="last"',
      2,
    ],
    ['<https://api.github.com/x?page=1>; rel="prev", <https://api.github.com/x?page=3>; rel="next"', 3],
    [
      '<https://api.github.com/x?page=1>; rel="first", <https://api.github.com/x?page=4>; rel="prev"',
      undefined,
    ],
    ['<https://api.github.com/x?per_page=100&page=7>; rel="next last"', 7],
    ['<https://api.github.com/x?page=abc>; rel="next"', undefined],
    ['garbage', undefined],
  ])('parseNextPage(%s)', (link, expected) => {
    expect(parseNextPage(link)).toBe(expected);
  });

  test('rateLimitWaitMs', () => {
    const now = Date.parse('2025-06-01T00:00:00Z');
    expect(rateLimitWaitMs(new Headers({ 'retry-after': '5' }), now)).toBe(5000);
    expect(rateLimitWaitMs(new Headers({ 'retry-after': 'Sun, 01 Jun 2025 00:00:10 GMT' }), now)).toBe(
      10_000,
    );
    expect(
      rateLimitWaitMs(
        new Headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 20) }),
        now,
      ),
    ).toBe(21_000);
    expect(
      rateLimitWaitMs(
        new Headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 - 5) }),
        now,
      ),
    ).toBe(1000);
    expect(
      rateLimitWaitMs(new Headers({ 'x-ratelimit-remaining': '10', 'x-ratelimit-reset': '1' }), now),
    ).toBeUndefined();
    expect(rateLimitWaitMs(new Headers(), now)).toBeUndefined();
  });
});
