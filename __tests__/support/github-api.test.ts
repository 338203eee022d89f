// The fake GitHub API answers as GitHub does for the routes stagecraft uses, so the client tests mean
// something. Plain fetch here, no client code.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { startFakeGitHub, type FakeGitHub } from './github-api.js';

let github: FakeGitHub;
const auth = { authorization: 'Bearer test-token' };

beforeEach(async () => {
  github = await startFakeGitHub();
});
afterEach(async () => {
  await github.close();
});

function get(path: string, headers: Record<string, string> = auth): Promise<Response> {
  return fetch(`${github.url}${path}`, { headers });
}

function send(method: string, path: string, body: unknown): Promise<Response> {
  return fetch(`${github.url}${path}`, {
    method,
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

describe('fake GitHub API', () => {
  test('pagination: Link headers as GitHub writes them, none on a single page', async () => {
    for (let i = 0; i < 5; i++)
      github.addComment({ owner: 'o', repo: 'r', issue: 1, body: `c${i}`, login: 'u' });
    const first = await get('/repos/o/r/issues/1/comments?per_page=2');
    expect(first.headers.get('link')).toBe(
      `<${github.url}/repos/o/r/issues/1/comments?per_page=2&page=2>; rel="next", ` +
        `<${github.url}/repos/o/r/issues/1/comments?per_page=2&page=3>; rel="last"`,
    );
    const middle = await get('/repos/o/r/issues/1/comments?per_page=2&page=2');
    expect(middle.headers.get('link')).toBe(
      `<${github.url}/repos/o/r/issues/1/comments?per_page=2&page=1>; rel="prev", ` +
        `<${github.url}/repos/o/r/issues/1/comments?per_page=2&page=3>; rel="next", ` +
        `<${github.url}/repos/o/r/issues/1/comments?per_page=2&page=3>; rel="last", ` +
        `<${github.url}/repos/o/r/issues/1/comments?per_page=2&page=1>; rel="first"`,
    );
    expect(((await middle.json()) as { body: string }[]).map((c) => c.body)).toEqual(['c2', 'c3']);
    const all = await get('/repos/o/r/issues/1/comments?per_page=100');
    expect(all.headers.get('link')).toBeNull();
    expect(await all.json()).toHaveLength(5);
    expect(await (await get('/repos/o/r/issues/1/comments?per_page=500')).json()).toHaveLength(5);
  });

  test('create and update answer with the comment; a bot login has type Bot', async () => {
    const created = await send('POST', '/repos/o/r/issues/3/comments', { body: 'hello' });
    expect(created.status).toBe(201);
    const json = (await created.json()) as { id: number; user: { login: string; type: string } };
    expect(json.user).toMatchObject({ login: 'github-actions[bot]', type: 'Bot' });
    const updated = await send('PATCH', `/repos/o/r/issues/comments/${json.id}`, { body: 'again' });
    expect(updated.status).toBe(200);
    expect(github.comments('o', 'r', 3).map((c) => c.body)).toEqual(['again']);
  });

  test('validation: empty and too-long bodies, unknown comments, bad JSON, unknown routes', async () => {
    expect((await send('POST', '/repos/o/r/issues/3/comments', { body: '' })).status).toBe(422);
    const long = await send('POST', '/repos/o/r/issues/3/comments', { body: 'x'.repeat(65_537) });
    expect(long.status).toBe(422);
    expect(JSON.stringify(await long.json())).toContain('body is too long (maximum is 65536 characters)');
    expect((await send('POST', '/repos/o/r/issues/3/comments', { body: 'x'.repeat(65_536) })).status).toBe(
      201,
    );
    expect((await send('PATCH', '/repos/o/r/issues/comments/1', { body: 'x' })).status).toBe(404);
    const bad = await fetch(`${github.url}/repos/o/r/issues/3/comments`, {
      method: 'POST',
      headers: auth,
      body: '{',
    });
    expect(bad.status).toBe(400);
    expect((await get('/nowhere')).status).toBe(404);
  });

  test('a wrong or missing token is a 401', async () => {
    expect((await get('/user', {})).status).toBe(401);
    expect((await get('/user', { authorization: 'Bearer nope' })).status).toBe(401);
    expect((await get('/user', { authorization: 'token test-token' })).status).toBe(403);
  });

  test('identity: an installation token gets 403 from /user and a login from GraphQL viewer', async () => {
    expect(await (await get('/user')).json()).toMatchObject({
      message: 'Resource not accessible by integration',
    });
    const viewer = await send('POST', '/graphql', { query: 'query { viewer { login } }' });
    expect(await viewer.json()).toEqual({ data: { viewer: { login: 'github-actions[bot]' } } });
  });

  test('faults: matched by method and path, consumed in order, logged', async () => {
    github.fault({ mode: 'read-only' });
    github.fault({ mode: 'rate-limit', times: 1, retryAfterSeconds: 7, path: /comments$/ });
    github.fault({ mode: 'secondary-rate-limit', times: 1, resetInSeconds: 60 });
    github.fault({ mode: 'server-error', times: 1 });

    const limited = await get('/repos/o/r/issues/1/comments');
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '7']);
    const secondary = await get('/repos/o/r/issues/1/comments');
    expect(secondary.status).toBe(403);
    expect(secondary.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Number(secondary.headers.get('x-ratelimit-reset'));
    expect(reset - Date.now() / 1000).toBeGreaterThan(55);
    expect(((await secondary.json()) as { message: string }).message).toMatch(/secondary rate limit/);
    expect((await get('/repos/o/r/issues/1/comments')).status).toBe(500);
    expect((await get('/repos/o/r/issues/1/comments')).status).toBe(200);
    expect((await send('POST', '/repos/o/r/issues/1/comments', { body: 'x' })).status).toBe(403);
    expect((await send('POST', '/repos/o/r/issues/1/comments', { body: 'x' })).status).toBe(403);
    github.clearFaults();
    expect((await send('POST', '/repos/o/r/issues/1/comments', { body: 'x' })).status).toBe(201);
    expect(github.requests.map((r) => r.status)).toEqual([429, 403, 500, 200, 403, 403, 201]);
  });

  test('hang: no answer until the client gives up', async () => {
    github.fault({ mode: 'hang', times: 1 });
    await expect(
      fetch(`${github.url}/user`, { headers: auth, signal: AbortSignal.timeout(100) }),
    ).rejects.toThrow();
    expect(github.requests[0]!.status).toBeUndefined();
    expect((await get('/user')).status).toBe(403);
  });
});
