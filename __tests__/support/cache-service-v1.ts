// A stand-in for GitHub's retired v1 cache service, the one BuildKit's own `type=gha` cache backend speaks in
// docker 26.1 / buildx 0.13 (BuildKit 0.13 with the tonistiigi/go-actions-cache client of February 2024).
//
// Everything is under `{url}_apis/artifactcache/` and needs `Authorization: Bearer <token>` (the token this
// service was made with; its signature is not checked):
//   GET   cache?keys=K1,K2&version=V   → 200 {cacheKey, scope, cacheVersion, creationTime, archiveLocation},
//                                        or 204 (no body) on a miss. Per key in order: that key exactly, else
//                                        the newest committed entry whose key starts with it; same version.
//   POST  caches {key, version, cacheSize?} → 201 {cacheId}; 409 when the key+version is committed or reserved
//                                        (a JSON error whose typeKey says AlreadyExists, which the client
//                                        recognises).
//   PATCH caches/{id}  `Content-Range: bytes a-b/*`, octet-stream body → 204; the chunk lands at offset a.
//   POST  caches/{id} {size}           → 204 once the chunks cover 0..size-1 exactly; the entry is then found.
//   GET   caches?key=K                 → 200 {totalCount, artifactCaches: [...]}: committed entries whose key
//                                        starts with K (every entry without K), newest first, in the shape of
//                                        the toolkit's ArtifactCacheList. BuildKit's client never calls it.
// `archiveLocation` points back at this server (`{url}blobs/{id}`, no token needed, like a signed URL): plain
// GET, and `Range: bytes=a-` / `bytes=a-b` → 206 with Content-Range, which the client checks when it reads
// from an offset (it downloads lazily, only the blobs and ranges the build reads).
// Error bodies are JSON `{message, typeName, typeKey, errorCode}`, as the service's were.
//
// The service keeps nothing in memory that matters: entries are files under the directory given to the
// constructor (`index.json`, `blobs/<id>`, `uploads/<id>/<offset>` while an upload is open), read on every
// request, so a caller may copy the directory away and back (the benchmark resets its stores that way, with
// hard links) while the server runs. No file is ever changed in place: the index is replaced through a
// rename, chunks and blobs are new files.
import { createHmac } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { LoopbackServer, readBody, sendJson } from './loopback-server.js';

const API_PREFIX = '/_apis/artifactcache/';
const BLOB_PREFIX = '/blobs/';

/** A committed or reserved entry, as `index.json` holds it. */
export interface V1CacheEntry {
  readonly id: number;
  readonly key: string;
  readonly version: string;
  /** The write scope of the token that reserved it. */
  readonly scope: string;
  readonly state: 'reserved' | 'committed';
  /** Bytes, once committed; the announced `cacheSize` (or 0) while reserved. */
  readonly size: number;
  readonly createdAt: string;
  /** Commit order (1, 2, …): "newest" in lookups and listings. */
  readonly sequence: number;
}

interface IndexFile {
  nextId: number;
  sequence: number;
  entries: V1CacheEntry[];
}

export interface V1CacheCounters {
  /** `GET cache` requests. */
  lookups: number;
  /** Lookups answered 200. */
  hits: number;
  /** Downloads served (`GET blobs/{id}`, whole or a satisfiable range). */
  downloads: number;
  /** Response body bytes sent by downloads. */
  bytesDownloaded: number;
  /** `POST caches` answered 201. */
  entriesReserved: number;
  /** `POST caches` answered 409. */
  conflicts: number;
  /** `POST caches/{id}` answered 204. */
  entriesCommitted: number;
  /** The sizes of the entries committed. */
  bytesCommitted: number;
  /** The keys committed, in order. */
  committedKeys: string[];
}

function emptyCounters(): V1CacheCounters {
  return {
    lookups: 0,
    hits: 0,
    downloads: 0,
    bytesDownloaded: 0,
    entriesReserved: 0,
    conflicts: 0,
    entriesCommitted: 0,
    bytesCommitted: 0,
    committedKeys: [],
  };
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * A token shaped like ACTIONS_RUNTIME_TOKEN: an HS256 JWT whose payload has `ac` (a JSON *string* listing
 * scopes with read+write permission), `nbf` and `exp` an hour either side of now. BuildKit decodes the payload
 * (and needs all three) but does not check the signature; the key here is made up.
 */
export function jwtShapedToken(scope = 'refs/heads/main'): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(
    JSON.stringify({
      ac: JSON.stringify([{ Scope: scope, Permission: 3 }]),
      iat: now,
      nbf: now - 3600,
      exp: now + 3600,
    }),
  );
  const signature = createHmac('sha256', 'stagecraft-stand-in').update(`${header}.${payload}`).digest();
  return `${header}.${payload}.${base64url(signature)}`;
}

/** The scope with write permission in a JWT-shaped token's `ac` claim, or '' when there is none. */
function writeScope(token: string): string {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      ac?: unknown;
    };
    const scopes = JSON.parse(String(payload.ac)) as { Scope?: string; Permission?: number }[];
    return scopes.find((s) => ((s.Permission ?? 0) & 2) !== 0)?.Scope ?? '';
  } catch {
    return '';
  }
}

/** v1 answers name their charset. */
function sendV1Json(response: ServerResponse, status: number, body: unknown): void {
  sendJson(response, status, body, 'application/json; charset=utf-8');
}

function sendEmpty(response: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  response.writeHead(status, headers);
  response.end();
}

/** The service's error shape; `typeKey` is what the client tests for "already exists". */
function sendError(response: ServerResponse, status: number, typeKey: string, message: string): void {
  sendV1Json(response, status, {
    message: `stand-in: ${message}`,
    typeName: `StagecraftStandIn.${typeKey}`,
    typeKey,
    errorCode: 0,
  });
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface GhaCacheSpecOptions {
  /** BuildKit's `scope=` attribute (default: BuildKit's own default, `buildkit`). */
  readonly scope?: string;
  /** `mode=` of the export (default min, BuildKit's default). */
  readonly mode?: 'min' | 'max';
}

export class CacheServiceV1 {
  private server: LoopbackServer | undefined;
  private counts: V1CacheCounters = emptyCounters();
  /** Every request line seen since the last `resetCounters()`: `PATCH /_apis/artifactcache/caches/3`. */
  readonly log: string[] = [];
  readonly dir: string;
  readonly token: string;

  constructor(options: { readonly dir: string; readonly token?: string }) {
    this.dir = options.dir;
    this.token = options.token ?? jwtShapedToken();
  }

  async start(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    this.server = await LoopbackServer.start(
      (request, response) => this.handle(request, response),
      (response, error) => sendError(response, 500, 'InternalError', error.message),
    );
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    await server?.stop();
  }

  /** The base URL, with the trailing slash the client needs (it appends `_apis/artifactcache/`). */
  get url(): string {
    if (this.server === undefined) throw new Error('the cache service stand-in is not started');
    return this.server.url;
  }

  /** `--cache-from` / `--cache-to` values for `docker buildx build` that point BuildKit's gha backend here. */
  ghaCacheSpecs(options: GhaCacheSpecOptions = {}): { cacheFrom: string; cacheTo: string } {
    const common = `type=gha,url=${this.url},token=${this.token}${options.scope === undefined ? '' : `,scope=${options.scope}`}`;
    return {
      cacheFrom: common,
      cacheTo: `${common}${options.mode === undefined ? '' : `,mode=${options.mode}`}`,
    };
  }

  /** What was asked of this server since the last reset (a copy). */
  counters(): V1CacheCounters {
    return { ...this.counts, committedKeys: [...this.counts.committedKeys] };
  }

  resetCounters(): void {
    this.counts = emptyCounters();
    this.log.length = 0;
  }

  /** Every entry in the directory, committed and reserved, oldest first. */
  entries(): readonly V1CacheEntry[] {
    return this.readIndex().entries;
  }

  /** The committed entry a lookup of `prefix` would find (exactly, else the newest under it), if any. */
  find(prefix: string): V1CacheEntry | undefined {
    const committed = this.entries()
      .filter((e) => e.state === 'committed')
      .sort((a, b) => b.sequence - a.sequence);
    return committed.find((e) => e.key === prefix) ?? committed.find((e) => e.key.startsWith(prefix));
  }

  /** A committed entry's bytes (not counted as a download). */
  content(entry: V1CacheEntry): Buffer {
    return readFileSync(this.blobFile(entry.id));
  }

  // -------------------------------------------------------------------------------------------------------
  // Storage: read on every request, replaced through a rename.

  private readIndex(): IndexFile {
    const file = path.join(this.dir, 'index.json');
    if (!existsSync(file)) return { nextId: 1, sequence: 0, entries: [] };
    return JSON.parse(readFileSync(file, 'utf8')) as IndexFile;
  }

  /** Reads, changes and writes the index in one synchronous step, so requests never interleave in it. */
  private updateIndex<T>(change: (index: IndexFile) => T): T {
    const index = this.readIndex();
    const result = change(index);
    mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, 'index.json');
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(index, null, 1)}\n`);
    renameSync(temp, file);
    return result;
  }

  private blobFile(id: number): string {
    return path.join(this.dir, 'blobs', String(id));
  }

  private uploadDir(id: number): string {
    return path.join(this.dir, 'uploads', String(id));
  }

  private downloadUrl(id: number): string {
    return `${this.url.replace(/\/$/, '')}${BLOB_PREFIX}${id}?sig=stand-in`;
  }

  private describe(entry: V1CacheEntry): Record<string, unknown> {
    return {
      cacheKey: entry.key,
      scope: entry.scope,
      cacheVersion: entry.version,
      creationTime: entry.createdAt,
      archiveLocation: this.downloadUrl(entry.id),
    };
  }

  // -------------------------------------------------------------------------------------------------------
  // Requests

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    this.log.push(`${request.method} ${url.pathname}${url.search}`);
    if (url.pathname.startsWith(BLOB_PREFIX) && (request.method === 'GET' || request.method === 'HEAD')) {
      this.download(Number(url.pathname.slice(BLOB_PREFIX.length)), request, response);
      return;
    }
    if (!url.pathname.startsWith(API_PREFIX)) {
      sendError(response, 404, 'NotFound', `no route for ${request.method} ${url.pathname}`);
      return;
    }
    const body = await readBody(request);
    if (request.headers.authorization !== `Bearer ${this.token}`) {
      sendError(response, 401, 'Unauthorized', 'missing or wrong bearer token');
      return;
    }
    const route = url.pathname.slice(API_PREFIX.length);
    const id = /^caches\/(\d+)$/.exec(route)?.[1];
    if (route === 'cache' && request.method === 'GET') this.lookup(url, response);
    else if (route === 'caches' && request.method === 'GET') this.list(url, response);
    else if (route === 'caches' && request.method === 'POST') this.reserve(body, response);
    else if (id !== undefined && request.method === 'PATCH')
      this.uploadChunk(Number(id), request, body, response);
    else if (id !== undefined && request.method === 'POST') this.commit(Number(id), body, response);
    else sendError(response, 404, 'NotFound', `no route for ${request.method} ${url.pathname}`);
  }

  private lookup(url: URL, response: ServerResponse): void {
    this.counts.lookups += 1;
    const keys = (url.searchParams.get('keys') ?? '').split(',').filter((key) => key !== '');
    const version = url.searchParams.get('version');
    if (keys.length === 0 || version === null) {
      sendError(response, 400, 'ArgumentException', 'keys and version are required');
      return;
    }
    const candidates = this.readIndex()
      .entries.filter((e) => e.state === 'committed' && e.version === version)
      .sort((a, b) => b.sequence - a.sequence);
    for (const key of keys) {
      const found = candidates.find((e) => e.key === key) ?? candidates.find((e) => e.key.startsWith(key));
      if (found !== undefined) {
        this.counts.hits += 1;
        sendV1Json(response, 200, this.describe(found));
        return;
      }
    }
    sendEmpty(response, 204);
  }

  private list(url: URL, response: ServerResponse): void {
    const prefix = url.searchParams.get('key') ?? '';
    const found = this.readIndex()
      .entries.filter((e) => e.state === 'committed' && e.key.startsWith(prefix))
      .sort((a, b) => b.sequence - a.sequence);
    sendV1Json(response, 200, {
      totalCount: found.length,
      artifactCaches: found.map((e) => this.describe(e)),
    });
  }

  private reserve(body: Buffer, response: ServerResponse): void {
    const input = parseJson(body);
    const key = input?.key;
    const version = input?.version;
    if (typeof key !== 'string' || key === '' || typeof version !== 'string' || version === '') {
      sendError(response, 400, 'ArgumentException', 'key and version are required');
      return;
    }
    const scope = writeScope(this.token);
    const id = this.updateIndex((index) => {
      if (index.entries.some((e) => e.key === key && e.version === version)) return undefined;
      const entry: V1CacheEntry = {
        id: index.nextId++,
        key,
        version,
        scope,
        state: 'reserved',
        size: typeof input?.cacheSize === 'number' ? input.cacheSize : 0,
        createdAt: new Date().toISOString(),
        sequence: 0,
      };
      index.entries.push(entry);
      return entry.id;
    });
    if (id === undefined) {
      this.counts.conflicts += 1;
      sendError(
        response,
        409,
        'ArtifactCacheAlreadyExistsException',
        `Cache already exists. Scope: ${scope}, Key: ${key}, Version: ${version}`,
      );
      return;
    }
    this.counts.entriesReserved += 1;
    sendV1Json(response, 201, { cacheId: id });
  }

  private reserved(id: number): V1CacheEntry | undefined {
    return this.readIndex().entries.find((e) => e.id === id && e.state === 'reserved');
  }

  private uploadChunk(id: number, request: IncomingMessage, body: Buffer, response: ServerResponse): void {
    const range = /^bytes (\d+)-(\d+)\/(?:\*|\d+)$/.exec(String(request.headers['content-range'] ?? ''));
    if (range === null) {
      sendError(response, 400, 'ArgumentException', 'Content-Range: bytes a-b/* is required');
      return;
    }
    const start = Number(range[1]);
    const end = Number(range[2]);
    if (end - start + 1 !== body.length) {
      sendError(response, 400, 'ArgumentException', `range ${start}-${end} but ${body.length} bytes sent`);
      return;
    }
    if (this.reserved(id) === undefined) {
      sendError(response, 404, 'ArtifactCacheNotFoundException', `no open upload ${id}`);
      return;
    }
    // Each chunk is a file of its own (a new file every time, never one changed in place).
    const dir = this.uploadDir(id);
    mkdirSync(dir, { recursive: true });
    const temp = path.join(dir, `.${start}.tmp`);
    writeFileSync(temp, body);
    renameSync(temp, path.join(dir, String(start)));
    sendEmpty(response, 204);
  }

  private commit(id: number, body: Buffer, response: ServerResponse): void {
    const size = parseJson(body)?.size;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
      sendError(response, 400, 'ArgumentException', 'size is required');
      return;
    }
    if (this.reserved(id) === undefined) {
      sendError(response, 404, 'ArtifactCacheNotFoundException', `no open upload ${id}`);
      return;
    }
    const dir = this.uploadDir(id);
    const offsets = (existsSync(dir) ? readdirSync(dir) : [])
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .sort((a, b) => a - b);
    let covered = 0;
    for (const offset of offsets) {
      const length = statSync(path.join(dir, String(offset))).size;
      if (offset !== covered) break;
      covered += length;
    }
    if (covered !== size) {
      sendError(
        response,
        400,
        'ArgumentException',
        `upload ${id}: ${covered} contiguous bytes, commit says ${size}`,
      );
      return;
    }
    const blob = this.blobFile(id);
    mkdirSync(path.dirname(blob), { recursive: true });
    const temp = `${blob}.tmp`;
    writeFileSync(temp, Buffer.concat(offsets.map((offset) => readFileSync(path.join(dir, String(offset))))));
    renameSync(temp, blob);
    rmSync(dir, { recursive: true, force: true });
    const entry = this.updateIndex((index) => {
      const at = index.entries.findIndex((e) => e.id === id);
      const committed: V1CacheEntry = {
        ...index.entries[at]!,
        state: 'committed',
        size,
        sequence: ++index.sequence,
      };
      index.entries[at] = committed;
      return committed;
    });
    this.counts.entriesCommitted += 1;
    this.counts.bytesCommitted += size;
    this.counts.committedKeys.push(entry.key);
    sendEmpty(response, 204);
  }

  private download(id: number, request: IncomingMessage, response: ServerResponse): void {
    const entry = this.readIndex().entries.find((e) => e.id === id && e.state === 'committed');
    if (entry === undefined || !existsSync(this.blobFile(id))) {
      sendError(response, 404, 'BlobNotFound', `no blob ${id}`);
      return;
    }
    const total = entry.size;
    let start = 0;
    let end = total - 1;
    let status = 200;
    const headers: Record<string, string | number> = {
      'content-type': 'application/octet-stream',
      'accept-ranges': 'bytes',
    };
    const rangeHeader = request.headers.range;
    if (rangeHeader !== undefined) {
      const range = /^bytes=(\d+)-(\d*)$/.exec(rangeHeader);
      if (range === null || Number(range[1]) >= total) {
        sendEmpty(response, 416, { 'content-range': `bytes */${total}` });
        return;
      }
      start = Number(range[1]);
      if (range[2] !== '') end = Math.min(end, Number(range[2]));
      status = 206;
      headers['content-range'] = `bytes ${start}-${end}/${total}`;
    }
    this.counts.downloads += 1;
    headers['content-length'] = Math.max(0, end - start + 1);
    response.writeHead(status, headers);
    if (request.method === 'HEAD' || end < start) {
      response.end();
      return;
    }
    const stream = createReadStream(this.blobFile(id), { start, end });
    stream.on('data', (chunk) => (this.counts.bytesDownloaded += chunk.length));
    stream.on('error', () => response.destroy());
    response.on('close', () => stream.destroy());
    stream.pipe(response);
  }
}
