import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { startFakeGitHub, type FakeGitHub } from '../../__tests__/support/github-api.js';
import { createGitHubApi, type GitHubApi } from '../adapters/github.js';
import type { StickyCommentRequest } from './comment.js';
import { findStickyComment, sameLogin, upsertStickyComment } from './comment.js';
import { renderSizeMarker } from './comment-markdown.js';

const MARKER = renderSizeMarker({ dockerfile: '3f2a9c1d', target: 'runtime', platform: 'linux/amd64' });
const OTHER_TARGET = renderSizeMarker({ dockerfile: '3f2a9c1d', target: 'test', platform: 'linux/amd64' });
const BOT = 'github-actions[bot]';

let github: FakeGitHub;
let api: GitHubApi;

beforeEach(async () => {
  github = await startFakeGitHub();
  api = client();
});
afterEach(async () => {
  await github.close();
});

function client(timeoutMs = 2000): GitHubApi {
  return createGitHubApi({
    apiUrl: github.url,
    token: 'test-token',
    timeoutMs,
    maxAttempts: 3,
    sleep: async () => undefined,
  });
}

function request(overrides: Partial<StickyCommentRequest> = {}): StickyCommentRequest {
  return {
    owner: 'acme',
    repo: 'shop',
    issue: 42,
    marker: MARKER,
    body: `${MARKER}\n### Image size`,
    login: BOT,
    mode: 'always',
    changed: true,
    ...overrides,
  };
}

function add(body: string, login: string, issue = 42) {
  return github.addComment({ owner: 'acme', repo: 'shop', issue, body, login });
}

const writes = (): string[] =>
  github.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path} ${r.status}`);

describe('upsertStickyComment', () => {
  test('creates the comment when there is none', async () => {
    const result = await upsertStickyComment(api, request());
    expect(result).toEqual({
      action: 'created',
      id: 1000,
      url: 'https://github.com/acme/shop/pull/42#issuecomment-1000',
    });
    expect(github.comments('acme', 'shop', 42).map((c) => [c.login, c.body])).toEqual([
      [BOT, `${MARKER}\n### Image size`],
    ]);
  });

  test('updates its own comment in place, found past the first 100 comments', async () => {
    for (let i = 0; i < 150; i++) add(`chatter ${i}`, 'reviewer');
    const own = add(`${MARKER}\nold report`, BOT);
    for (let i = 0; i < 30; i++) add(`more ${i}`, 'reviewer');
    const result = await upsertStickyComment(api, request({ body: `${MARKER}\nnew report` }));
    expect(result).toMatchObject({ action: 'updated', id: own.id });
    expect(github.comments('acme', 'shop', 42)).toHaveLength(181);
    expect(github.comments('acme', 'shop', 42).find((c) => c.id === own.id)!.body).toBe(
      `${MARKER}\nnew report`,
    );
    expect(github.requests.filter((r) => r.method === 'GET').map((r) => r.query.get('page'))).toEqual([
      '1',
      '2',
    ]);
    expect(writes()).toEqual([`PATCH /repos/acme/shop/issues/comments/${own.id} 200`]);
  });

  test("ignores another user's comment carrying the same marker", async () => {
    const forged = add(`${MARKER}\nI copied your marker`, 'mallory');
    const result = await upsertStickyComment(api, request());
    expect(result.action).toBe('created');
    expect(result.id).not.toBe(forged.id);
    expect(github.comments('acme', 'shop', 42).find((c) => c.id === forged.id)!.body).toBe(
      `${MARKER}\nI copied your marker`,
    );
  });

  test("ignores its own comment for another target, and another pull request's", async () => {
    add(`${OTHER_TARGET}\nthe test target`, BOT);
    add(`${MARKER}\non another PR`, BOT, 41);
    expect((await upsertStickyComment(api, request())).action).toBe('created');
    expect(github.comments('acme', 'shop', 42)).toHaveLength(2);
  });

  test('the login matches with or without [bot], in any case', async () => {
    const own = add(`${MARKER}\nold`, BOT);
    expect(await upsertStickyComment(api, request({ login: 'GitHub-Actions' }))).toMatchObject({
      action: 'updated',
      id: own.id,
    });
  });

  test('asks the API for the login when not given (GITHUB_TOKEN: /user fails, GraphQL answers)', async () => {
    const own = add(`${MARKER}\nold`, BOT);
    expect(await upsertStickyComment(api, request({ login: undefined }))).toMatchObject({
      action: 'updated',
      id: own.id,
    });
    expect(github.requests.slice(0, 2).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'GET /user 403',
      'POST /graphql 200',
    ]);
  });

  test('an identical body is left alone', async () => {
    const own = add(`${MARKER}\n### Image size`, BOT);
    expect(await upsertStickyComment(api, request())).toMatchObject({
      action: 'skipped',
      id: own.id,
      reason: 'the comment is up to date',
    });
    expect(writes()).toEqual([]);
  });

  test('a body without the marker gets it on its first line', async () => {
    await upsertStickyComment(api, request({ body: 'report' }));
    expect(github.comments('acme', 'shop', 42)[0]!.body).toBe(`${MARKER}\nreport`);
  });
});

describe('modes', () => {
  test('never: no API call at all', async () => {
    expect(await upsertStickyComment(api, request({ mode: 'never' }))).toEqual({
      action: 'skipped',
      reason: 'comment is never',
    });
    expect(github.requests).toEqual([]);
  });

  test('on-change, size unmoved, no comment yet: nothing is written', async () => {
    expect(await upsertStickyComment(api, request({ mode: 'on-change', changed: false }))).toEqual({
      action: 'skipped',
      reason: 'the size did not move beyond comment-threshold',
    });
    expect(writes()).toEqual([]);
  });

  test('on-change, size unmoved, a comment already there: it is kept current', async () => {
    const own = add(`${MARKER}\nold`, BOT);
    expect(await upsertStickyComment(api, request({ mode: 'on-change', changed: false }))).toMatchObject({
      action: 'updated',
      id: own.id,
    });
  });

  test('on-change, size moved: created', async () => {
    expect((await upsertStickyComment(api, request({ mode: 'on-change', changed: true }))).action).toBe(
      'created',
    );
  });
});

describe('failures are warnings, never throws', () => {
  test('a read-only token (a fork): failed, with a warning that says why', async () => {
    github.fault({ mode: 'read-only' });
    const result = await upsertStickyComment(api, request());
    expect(result).toEqual({
      action: 'failed',
      warning:
        'Could not write the size comment on pull request #42: the token may not write to it (a pull request ' +
        'from a fork gets a read-only GITHUB_TOKEN; otherwise grant `permissions: pull-requests: write`). The ' +
        'job summary has the report. (GitHub API POST /repos/acme/shop/issues/42/comments: 403 Resource not ' +
        'accessible by integration)',
    });
  });

  test('a read-only token updating: failed too', async () => {
    add(`${MARKER}\nold`, BOT);
    github.fault({ mode: 'read-only' });
    expect((await upsertStickyComment(api, request())).action).toBe('failed');
    expect(writes()).toEqual(['PATCH /repos/acme/shop/issues/comments/1000 403']);
  });

  test('a server error that persists: failed after the retries', async () => {
    github.fault({ mode: 'server-error' });
    const result = await upsertStickyComment(api, request());
    expect(result.action).toBe('failed');
    expect(result.warning).toBe(
      'Could not write the size comment on pull request #42. The job summary has the report. ' +
        '(GitHub API GET /repos/acme/shop/issues/42/comments?per_page=100&page=1: 500 Server Error)',
    );
    expect(github.requests).toHaveLength(3);
  });

  test('429 then success: created', async () => {
    github.fault({ mode: 'rate-limit', times: 1, methods: ['POST'] });
    expect((await upsertStickyComment(api, request())).action).toBe('created');
    expect(writes()).toEqual([
      'POST /repos/acme/shop/issues/42/comments 429',
      'POST /repos/acme/shop/issues/42/comments 201',
    ]);
  });

  test('secondary rate limit while listing, then success: updated', async () => {
    const own = add(`${MARKER}\nold`, BOT);
    github.fault({ mode: 'secondary-rate-limit', times: 1, methods: ['GET'] });
    expect(await upsertStickyComment(api, request())).toMatchObject({ action: 'updated', id: own.id });
  });

  test('a timeout: failed, promptly', async () => {
    github.fault({ mode: 'hang' });
    const started = Date.now();
    const result = await upsertStickyComment(client(100), request());
    expect(result.action).toBe('failed');
    expect(result.warning).toContain('no response within 100 ms');
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test('an API that throws something else entirely: still a warning', async () => {
    const broken: GitHubApi = {
      listIssueComments: () => Promise.reject(new TypeError('boom')),
      createIssueComment: () => Promise.reject(new TypeError('boom')),
      updateIssueComment: () => Promise.reject(new TypeError('boom')),
      getAuthenticatedLogin: () => Promise.resolve(BOT),
    };
    expect(await upsertStickyComment(broken, request())).toEqual({
      action: 'failed',
      warning: 'Could not write the size comment on pull request #42. The job summary has the report. (boom)',
    });
  });
});

describe('findStickyComment and sameLogin', () => {
  test('the first matching comment wins', async () => {
    const first = add(`${MARKER}\none`, BOT);
    add(`${MARKER}\ntwo`, BOT);
    expect((await findStickyComment(api, 'acme', 'shop', 42, MARKER, BOT))?.id).toBe(first.id);
  });

  test.each([
    ['github-actions[bot]', 'github-actions[bot]', true],
    ['github-actions[bot]', 'github-actions', true],
    ['GitHub-Actions', 'github-actions[bot]', true],
    ['octocat', 'octocat[bot]', true],
    ['octocat', 'octocat2', false],
    ['', '', false],
    ['[bot]', '', false],
  ])('sameLogin(%j, %j) is %s', (a, b, expected) => {
    expect(sameLogin(a, b)).toBe(expected);
  });
});
