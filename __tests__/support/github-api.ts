// An in-process stand-in for the GitHub REST routes stagecraft uses, on a real node:http server (nock and
// msw do not intercept every client; see ENVIRONMENT.md). Comments live in memory; faults (a read-only
// token, 500s, 429s, secondary rate limits, requests that never answer) are queued per test; every request
// is logged for assertions.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeComment {
  readonly id: number;
  readonly owner: string;
  readonly repo: string;
  readonly issue: number;
  body: string;
  readonly login: string;
  readonly createdAt: string;
  updatedAt: string;
}

export type FaultMode =
  /** 403 "Resource not accessible by integration" (a fork's GITHUB_TOKEN); by default on writes only. */
  | 'read-only'
  /** 500. */
  | 'server-error'
  /** 429 with `retry-after`. */
  | 'rate-limit'
  /** 403 with `x-ratelimit-remaining: 0`, `x-ratelimit-reset` and GitHub's secondary-limit message. */
  | 'secondary-rate-limit'
  /** Never answers (the connection closes when the server does). */
  | 'hang';

export interface Fault {
  readonly mode: FaultMode;
  /** How many matching requests it answers; default: all of them. */
  readonly times?: number;
  /** Which requests: default all, or POST and PATCH for `read-only`. */
  readonly methods?: readonly string[];
  readonly path?: RegExp;
  /** `retry-after` in seconds (`rate-limit`: default 1; `secondary-rate-limit`: none unless given). */
  readonly retryAfterSeconds?: number;
  /** `x-ratelimit-reset` relative to now, for `secondary-rate-limit`; default 1. */
  readonly resetInSeconds?: number;
}

export interface LoggedRequest {
  readonly method: string;
  /** Path without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly authorization: string | undefined;
  readonly body: unknown;
  /** The status answered; undefined for a request left hanging. */
  status: number | undefined;
}

export interface FakeGitHubOptions {
  /** The token requests must carry (`Bearer` or `token`); default `test-token`. */
  readonly token?: string;
  /** Who the token is; default `github-actions[bot]`. */
  readonly login?: string;
  /**
   * `installation` (default): GITHUB_TOKEN or an app token, for which `GET /user` is a 403 and GraphQL's
   * `viewer` answers. `user`: a personal token, for which `GET /user` answers.
   */
  readonly identity?: 'installation' | 'user';
  /** Answer `POST /graphql`; default true. */
  readonly graphql?: boolean;
}

export interface FakeGitHub {
  /** The API URL (GITHUB_API_URL). */
  readonly url: string;
  readonly requests: LoggedRequest[];
  readonly login: string;
  /** Adds a comment as if `login` had written it. */
  addComment(comment: {
    owner: string;
    repo: string;
    issue: number;
    body: string;
    login: string;
  }): FakeComment;
  comments(owner: string, repo: string, issue: number): FakeComment[];
  /** Queues a fault; the first queued fault that matches a request answers it. */
  fault(fault: Fault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

const NOT_ACCESSIBLE = {
  message: 'Resource not accessible by integration',
  documentation_url: 'https://docs.github.com/rest',
  status: '403',
};

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const token = options.token ?? 'test-token';
  const login = options.login ?? 'github-actions[bot]';
  const identity = options.identity ?? 'installation';
  const requests: LoggedRequest[] = [];
  const store: FakeComment[] = [];
  const faults: { fault: Fault; left: number }[] = [];
  let nextId = 1000;
  let url = '';

  const addComment: FakeGitHub['addComment'] = (comment) => {
    const now = new Date(Date.UTC(2025, 0, 1, 0, 0, nextId - 1000)).toISOString();
    const stored: FakeComment = { ...comment, id: nextId++, createdAt: now, updatedAt: now };
    store.push(stored);
    return stored;
  };

  const toJson = (comment: FakeComment): object => ({
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url: `${url}/repos/${comment.owner}/${comment.repo}/issues/comments/${comment.id}`,
    html_url: `https://github.com/${comment.owner}/${comment.repo}/pull/${comment.issue}#issuecomment-${comment.id}`,
    body: comment.body,
    user: { login: comment.login, id: 41898282, type: comment.login.endsWith('[bot]') ? 'Bot' : 'User' },
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: 'NONE',
  });

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { message: String(error) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = new URL(req.url ?? '/', 'http://fake.invalid');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    let badJson = false;
    if (raw !== '') {
      try {
        body = JSON.parse(raw);
      } catch {
        badJson = true;
      }
    }
    const method = req.method ?? 'GET';
    const entry: LoggedRequest = {
      method,
      path: parsed.pathname,
      query: parsed.searchParams,
      authorization: req.headers.authorization,
      body,
      status: undefined,
    };
    requests.push(entry);
    const reply = (status: number, data: unknown, headers: Record<string, string> = {}): void => {
      entry.status = status;
      send(res, status, data, headers);
    };

    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${token}` && auth !== `token ${token}`) {
      reply(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
      return;
    }

    const fault = takeFault(method, parsed.pathname);
    if (fault !== undefined) {
      switch (fault.mode) {
        case 'hang':
          return; // the socket is destroyed by close()
        case 'read-only':
          reply(403, NOT_ACCESSIBLE);
          return;
        case 'server-error':
          reply(500, { message: 'Server Error' });
          return;
        case 'rate-limit':
          reply(
            429,
            { message: 'API rate limit exceeded' },
            { 'retry-after': String(fault.retryAfterSeconds ?? 1) },
          );
          return;
        case 'secondary-rate-limit': {
          const reset = Math.floor(Date.now() / 1000) + (fault.resetInSeconds ?? 1);
          reply(
            403,
            {
              message:
                'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
              documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
            },
            {
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': String(reset),
              ...(fault.retryAfterSeconds === undefined
                ? {}
                : { 'retry-after': String(fault.retryAfterSeconds) }),
            },
          );
          return;
        }
        default: {
          const never: never = fault.mode;
          throw new Error(`unknown fault ${String(never)}`);
        }
      }
    }
    if (badJson) {
      reply(400, { message: 'Problems parsing JSON' });
      return;
    }

    const path = parsed.pathname;
    if (method === 'GET' && path === '/user') {
      if (identity === 'user') reply(200, { login, id: 1, type: 'User' });
      else reply(403, NOT_ACCESSIBLE);
      return;
    }
    if (method === 'POST' && path === '/graphql' && options.graphql !== false) {
      const query =
        typeof body === 'object' && body !== null ? (body as { query?: unknown }).query : undefined;
      if (typeof query === 'string' && /\bviewer\s*\{\s*login\s*\}/.test(query)) {
        reply(200, { data: { viewer: { login } } });
      } else {
        reply(200, { errors: [{ message: 'unsupported query' }] });
      }
      return;
    }
    let match = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(path);
    if (match !== null) {
      const [owner, repo, issue] = [
        decodeURIComponent(match[1]!),
        decodeURIComponent(match[2]!),
        Number(match[3]),
      ];
      if (method === 'GET') {
        const perPage = Math.min(100, Math.max(1, Number(parsed.searchParams.get('per_page') ?? 30) || 30));
        const page = Math.max(1, Number(parsed.searchParams.get('page') ?? 1) || 1);
        const all = store.filter((c) => c.owner === owner && c.repo === repo && c.issue === issue);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const headers: Record<string, string> = {};
        if (last > 1) {
          const link = (p: number, rel: string): string =>
            `<${url}${path}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
          const links: string[] = [];
          if (page > 1) links.push(link(page - 1, 'prev'));
          if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
          if (page > 1) links.push(link(1, 'first'));
          headers.link = links.join(', ');
        }
        reply(200, all.slice((page - 1) * perPage, page * perPage).map(toJson), headers);
        return;
      }
      if (method === 'POST') {
        const text =
          typeof body === 'object' && body !== null ? (body as { body?: unknown }).body : undefined;
        if (!validBody(text, reply)) return;
        reply(201, toJson(addComment({ owner, repo, issue, body: text, login })));
        return;
      }
    }
    match = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(path);
    if (match !== null && method === 'PATCH') {
      const [owner, repo, id] = [
        decodeURIComponent(match[1]!),
        decodeURIComponent(match[2]!),
        Number(match[3]),
      ];
      const comment = store.find((c) => c.owner === owner && c.repo === repo && c.id === id);
      if (comment === undefined) {
        reply(404, { message: 'Not Found' });
        return;
      }
      const text = typeof body === 'object' && body !== null ? (body as { body?: unknown }).body : undefined;
      if (!validBody(text, reply)) return;
      comment.body = text;
      comment.updatedAt = new Date().toISOString();
      reply(200, toJson(comment));
      return;
    }
    reply(404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  }

  function validBody(text: unknown, reply: (status: number, data: unknown) => void): text is string {
    if (typeof text !== 'string' || text === '') {
      reply(422, { message: 'Invalid request.\n\n"body" wasn\'t supplied.' });
      return false;
    }
    if (text.length > 65_536) {
      reply(422, {
        message: 'Validation Failed',
        errors: [
          {
            resource: 'IssueComment',
            code: 'custom',
            field: 'body',
            message: 'body is too long (maximum is 65536 characters)',
          },
        ],
      });
      return false;
    }
    return true;
  }

  function takeFault(method: string, path: string): Fault | undefined {
    for (const slot of faults) {
      if (slot.left <= 0) continue;
      const methods = slot.fault.methods ?? (slot.fault.mode === 'read-only' ? ['POST', 'PATCH'] : undefined);
      if (methods !== undefined && !methods.includes(method)) continue;
      if (slot.fault.path !== undefined && !slot.fault.path.test(path)) continue;
      slot.left--;
      return slot.fault;
    }
    return undefined;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    requests,
    login,
    addComment,
    comments: (owner, repo, issue) =>
      store.filter((c) => c.owner === owner && c.repo === repo && c.issue === issue),
    fault: (fault) => faults.push({ fault, left: fault.times ?? Number.POSITIVE_INFINITY }),
    clearFaults: () => faults.splice(0),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error === undefined ? resolve() : reject(error)));
        server.closeAllConnections();
      }),
  };
}

function send(
  res: ServerResponse,
  status: number,
  data: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(data);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    ...headers,
  });
  res.end(text);
}
