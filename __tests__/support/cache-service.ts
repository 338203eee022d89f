// A stand-in for GitHub's cache service (v2), so that tests run the real `@actions/cache` against it.
//
// Twirp JSON calls, as the toolkit makes them (snake_case fields, 64-bit integers as strings, JSON errors):
//   POST /twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL
//        {key, restore_keys, version} → {ok, signed_download_url, matched_key}
//   POST .../CreateCacheEntry {key, version} → {ok, signed_upload_url} (ok false with a message when it exists)
//   POST .../FinalizeCacheEntryUpload {key, version, size_bytes} → {ok, entry_id}
// and a blob endpoint at the signed URLs: Azure "Put Blob" (one PUT with `x-ms-blob-type: BlockBlob`), "Put
// Block" (`?comp=block&blockid=…`) + "Put Block List" (`?comp=blocklist`), and plain GET downloads.
//
// Matching follows GitHub's cache: within the same version, the key exactly, then the newest entry whose key
// starts with it, then each restore key as a prefix (newest first).
//
// Point the toolkit at it with `service.env()`: ACTIONS_CACHE_SERVICE_V2, ACTIONS_RESULTS_URL,
// ACTIONS_RUNTIME_TOKEN (GITHUB_SERVER_URL must stay unset, or the toolkit falls back to the v1 protocol).
// @actions/cache 6 reads these when called, not when imported.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoopbackServer, readBody, sendJson } from './loopback-server.js';

export type CacheServiceCall =
  'GetCacheEntryDownloadURL' | 'CreateCacheEntry' | 'FinalizeCacheEntryUpload' | 'upload' | 'download';

export type CacheServiceFault =
  /** Answer HTTP 500 with a JSON Twirp error (the toolkit retries 500s with back-off). */
  | 'status-500'
  /** Answer HTTP 429 (rate limited; the toolkit gives up at once). */
  | 'status-429'
  /** Accept the request and never answer (until `stop()`). */
  | 'hang'
  /** Download only: send bytes that are not the archive (same length, so only extraction notices). */
  | 'corrupt-download';

export interface FaultRule {
  readonly fault: CacheServiceFault;
  /** Which call it hits (default: every call). */
  readonly on?: CacheServiceCall | 'any';
  /** How many requests it hits before it stops (default: all). */
  readonly times?: number;
  /** With status-429: the Retry-After header, in seconds. */
  readonly retryAfterSeconds?: number;
}

export interface StoredCacheEntry {
  readonly id: number;
  readonly key: string;
  readonly version: string;
  readonly createdAt: number;
  readonly data: Buffer;
}

interface PendingEntry {
  readonly id: number;
  readonly key: string;
  readonly version: string;
  data?: Buffer;
  readonly blocks: Map<string, Buffer>;
}

export interface CacheServiceCounters {
  readonly requests: Record<CacheServiceCall, number>;
  /** Request body bytes received on the blob endpoint (uploads). */
  bytesUp: number;
  /** Response body bytes sent from the blob endpoint (downloads). */
  bytesDown: number;
  /** The key of each lookup (GetCacheEntryDownloadURL), in order. */
  readonly lookedUp: string[];
}

const TWIRP_PREFIX = '/twirp/github.actions.results.api.v1.CacheService/';
const BLOB_PREFIX = '/devstoreaccount1/stagecraft-cache/';

function emptyCounters(): CacheServiceCounters {
  return {
    requests: {
      GetCacheEntryDownloadURL: 0,
      CreateCacheEntry: 0,
      FinalizeCacheEntryUpload: 0,
      upload: 0,
      download: 0,
    },
    bytesUp: 0,
    bytesDown: 0,
    lookedUp: [],
  };
}

function twirpError(response: ServerResponse, status: number, code: string, msg: string): void {
  sendJson(response, status, { code, msg });
}

/** Azure's answer to a successful Put Blob / Put Block / Put Block List. */
function azureCreated(response: ServerResponse): void {
  response.writeHead(201, {
    etag: `"0x${Date.now().toString(16).toUpperCase()}"`,
    'last-modified': new Date().toUTCString(),
    'x-ms-request-id': `stand-in-${Date.now()}`,
    'x-ms-version': '2024-11-04',
    'x-ms-request-server-encrypted': 'true',
    'content-length': '0',
  });
  response.end();
}

export class CacheServiceStandIn {
  private server: LoopbackServer | undefined;
  private readonly entries: StoredCacheEntry[] = [];
  private readonly pending = new Map<number, PendingEntry>();
  private faults: { rule: FaultRule; left: number }[] = [];
  private nextId = 1;
  private clock = 0;
  counters: CacheServiceCounters = emptyCounters();
  /** Every request line seen, for debugging a test: `POST /twirp/…/CreateCacheEntry`. */
  readonly log: string[] = [];
  private readonly hung = new Set<ServerResponse>();

  async start(): Promise<void> {
    this.server = await LoopbackServer.start(
      (request, response) => this.handle(request, response),
      (response, error) => twirpError(response, 500, 'internal', error.message),
    );
  }

  /**
   * Answers every request left hanging with HTTP 400 (a JSON error, which no client retries), so that a client
   * that gave up waiting finishes too instead of retrying in the background.
   */
  releaseHung(): number {
    const count = this.hung.size;
    for (const response of this.hung)
      twirpError(response, 400, 'canceled', 'stand-in: hanging request released');
    this.hung.clear();
    return count;
  }

  /** Answers hanging requests (see `releaseHung`), then closes the server and every connection. */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    this.releaseHung();
    await server.stop();
  }

  get url(): string {
    if (this.server === undefined) throw new Error('the cache service stand-in is not started');
    return this.server.url;
  }

  /** The environment that points `@actions/cache` at this service. */
  env(): Record<string, string> {
    return {
      ACTIONS_CACHE_SERVICE_V2: 'true',
      ACTIONS_RESULTS_URL: this.url,
      ACTIONS_RUNTIME_TOKEN: 'stand-in-token',
    };
  }

  inject(rule: FaultRule): void {
    this.faults.push({ rule, left: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clearFaults(): void {
    this.faults = [];
  }

  resetCounters(): void {
    this.counters = emptyCounters();
  }

  /** Finalized entries, oldest first. */
  list(): readonly StoredCacheEntry[] {
    return [...this.entries];
  }

  /** Removes finalized entries whose key satisfies `match` (as eviction would). */
  evict(match: (key: string) => boolean): number {
    let removed = 0;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (match(this.entries[i]!.key)) {
        this.entries.splice(i, 1);
        removed += 1;
      }
    }
    return removed;
  }

  private takeFault(call: CacheServiceCall): FaultRule | undefined {
    for (const slot of this.faults) {
      const on = slot.rule.on ?? 'any';
      if ((on === 'any' || on === call) && slot.left > 0) {
        if (slot.rule.fault === 'corrupt-download' && call !== 'download') continue;
        slot.left -= 1;
        return slot.rule;
      }
    }
    return undefined;
  }

  /** Applies a status or hang fault; true when the request was answered (or left hanging) by it. */
  private applyFault(fault: FaultRule | undefined, response: ServerResponse): boolean {
    if (fault === undefined || fault.fault === 'corrupt-download') return false;
    if (fault.fault === 'hang') {
      this.hung.add(response);
      response.on('close', () => this.hung.delete(response));
      return true;
    }
    if (fault.fault === 'status-429') {
      const text = JSON.stringify({ code: 'resource_exhausted', msg: 'stand-in: rate limited' });
      response.writeHead(429, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        ...(fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) }),
      });
      response.end(text);
      return true;
    }
    twirpError(response, 500, 'internal', 'stand-in: internal error');
    return true;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    this.log.push(`${request.method} ${url.pathname}${url.search}`);
    if (url.pathname.startsWith(TWIRP_PREFIX) && request.method === 'POST') {
      const method = url.pathname.slice(TWIRP_PREFIX.length);
      if (
        method !== 'GetCacheEntryDownloadURL' &&
        method !== 'CreateCacheEntry' &&
        method !== 'FinalizeCacheEntryUpload'
      ) {
        twirpError(response, 404, 'bad_route', `no such method: ${method}`);
        return;
      }
      this.counters.requests[method] += 1;
      const body = await readBody(request);
      if (this.applyFault(this.takeFault(method), response)) return;
      if (request.headers.authorization !== 'Bearer stand-in-token') {
        twirpError(response, 401, 'unauthenticated', 'stand-in: missing or wrong bearer token');
        return;
      }
      let input: Record<string, unknown>;
      try {
        input = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
      } catch {
        twirpError(response, 400, 'malformed', 'stand-in: body is not JSON');
        return;
      }
      if (method === 'GetCacheEntryDownloadURL') this.getDownloadUrl(input, response);
      else if (method === 'CreateCacheEntry') this.createEntry(input, response);
      else this.finalize(input, response);
      return;
    }
    if (url.pathname.startsWith(BLOB_PREFIX)) {
      const id = Number(url.pathname.slice(BLOB_PREFIX.length));
      if (request.method === 'PUT') await this.upload(id, url, request, response);
      else if (request.method === 'GET') this.download(id, response);
      else twirpError(response, 405, 'bad_route', `stand-in: ${request.method} not supported`);
      return;
    }
    twirpError(response, 404, 'bad_route', `stand-in: no route for ${request.method} ${url.pathname}`);
  }

  private getDownloadUrl(input: Record<string, unknown>, response: ServerResponse): void {
    const key = String(input.key ?? '');
    this.counters.lookedUp.push(key);
    const version = String(input.version ?? '');
    const restoreKeys = Array.isArray(input.restore_keys) ? input.restore_keys.map(String) : [];
    const sameVersion = this.entries.filter((e) => e.version === version);
    const newestWithPrefix = (prefix: string): StoredCacheEntry | undefined =>
      sameVersion.filter((e) => e.key.startsWith(prefix)).sort((a, b) => b.createdAt - a.createdAt)[0];
    const found =
      sameVersion.find((e) => e.key === key) ??
      newestWithPrefix(key) ??
      restoreKeys.map(newestWithPrefix).find((e) => e !== undefined);
    if (found === undefined) {
      sendJson(response, 200, { ok: false });
      return;
    }
    sendJson(response, 200, {
      ok: true,
      signed_download_url: `${this.url.replace(/\/$/, '')}${BLOB_PREFIX}${found.id}?sig=stand-in`,
      matched_key: found.key,
    });
  }

  private createEntry(input: Record<string, unknown>, response: ServerResponse): void {
    const key = String(input.key ?? '');
    const version = String(input.version ?? '');
    if (this.entries.some((e) => e.key === key && e.version === version)) {
      sendJson(response, 200, { ok: false, message: `stand-in: cache entry ${key} already exists` });
      return;
    }
    const id = this.nextId++;
    this.pending.set(id, { id, key, version, blocks: new Map() });
    sendJson(response, 200, {
      ok: true,
      signed_upload_url: `${this.url.replace(/\/$/, '')}${BLOB_PREFIX}${id}?sig=stand-in`,
    });
  }

  private finalize(input: Record<string, unknown>, response: ServerResponse): void {
    const key = String(input.key ?? '');
    const version = String(input.version ?? '');
    const size = Number(input.size_bytes ?? '0');
    const pending = [...this.pending.values()].find((p) => p.key === key && p.version === version);
    if (pending?.data === undefined) {
      sendJson(response, 200, { ok: false, message: `stand-in: nothing uploaded for ${key}` });
      return;
    }
    if (pending.data.length !== size) {
      sendJson(response, 200, {
        ok: false,
        message: `stand-in: ${key}: uploaded ${pending.data.length} bytes, finalize says ${size}`,
      });
      return;
    }
    this.pending.delete(pending.id);
    this.clock += 1;
    this.entries.push({ id: pending.id, key, version, createdAt: this.clock, data: pending.data });
    sendJson(response, 200, { ok: true, entry_id: String(pending.id) });
  }

  private async upload(
    id: number,
    url: URL,
    request: IncomingMessage,
    response: ServerResponse,
  ): Promise<void> {
    this.counters.requests.upload += 1;
    const body = await readBody(request);
    this.counters.bytesUp += body.length;
    if (this.applyFault(this.takeFault('upload'), response)) return;
    const pending = this.pending.get(id);
    if (pending === undefined) {
      twirpError(response, 404, 'not_found', `stand-in: no upload ${id}`);
      return;
    }
    const comp = url.searchParams.get('comp');
    if (comp === 'block') {
      const blockId = url.searchParams.get('blockid');
      if (blockId === null) {
        twirpError(response, 400, 'malformed', 'stand-in: Put Block without blockid');
        return;
      }
      pending.blocks.set(blockId, body);
    } else if (comp === 'blocklist') {
      const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map(
        (m) => m[1]!,
      );
      const parts = ids.map((blockId) => pending.blocks.get(blockId));
      if (parts.some((part) => part === undefined)) {
        twirpError(response, 400, 'malformed', 'stand-in: Put Block List names a block never put');
        return;
      }
      pending.data = Buffer.concat(parts as Buffer[]);
    } else if (comp === null) {
      if (request.headers['x-ms-blob-type'] !== 'BlockBlob') {
        twirpError(response, 400, 'malformed', 'stand-in: Put Blob needs x-ms-blob-type: BlockBlob');
        return;
      }
      pending.data = body;
    } else {
      twirpError(response, 400, 'malformed', `stand-in: comp=${comp} not supported`);
      return;
    }
    azureCreated(response);
  }

  private download(id: number, response: ServerResponse): void {
    this.counters.requests.download += 1;
    const fault = this.takeFault('download');
    if (this.applyFault(fault, response)) return;
    const entry = this.entries.find((e) => e.id === id);
    if (entry === undefined) {
      twirpError(response, 404, 'not_found', `stand-in: no blob ${id}`);
      return;
    }
    const data =
      fault?.fault === 'corrupt-download'
        ? Buffer.alloc(entry.data.length, 0x5a) /* "ZZZ…": not an archive */
        : entry.data;
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': data.length });
    response.end(data);
    this.counters.bytesDown += data.length;
  }
}
