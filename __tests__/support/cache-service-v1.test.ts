// The v1 cache service stand-in (BuildKit's `type=gha` backend talks to it) over plain HTTP: the calls in the
// order the go-actions-cache client makes them, the errors it tells apart, and the files it leaves.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { CacheServiceV1, jwtShapedToken } from './cache-service-v1.js';

const VERSION = 'v1-version';
let dir: string;
let service: CacheServiceV1;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'stagecraft-cache-v1-'));
  service = new CacheServiceV1({ dir: path.join(dir, 'store') });
  await service.start();
});
afterEach(async () => {
  await service.stop();
  rmSync(dir, { recursive: true, force: true });
});

function api(route: string): string {
  return `${service.url}_apis/artifactcache/${route}`;
}

function call(
  method: string,
  route: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(api(route), {
    method,
    headers: {
      authorization: `Bearer ${service.token}`,
      accept: 'application/json;api-version=6.0-preview.1',
      ...(body === undefined || Buffer.isBuffer(body) ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: Buffer.isBuffer(body) ? body : JSON.stringify(body) }),
  });
}

async function reserve(key: string, version = VERSION): Promise<number> {
  const response = await call('POST', 'caches', { key, version });
  expect(response.status).toBe(201);
  return ((await response.json()) as { cacheId: number }).cacheId;
}

async function patch(id: number, offset: number, data: Buffer): Promise<Response> {
  return call('PATCH', `caches/${id}`, data, {
    'content-type': 'application/octet-stream',
    'content-range': `bytes ${offset}-${offset + data.length - 1}/*`,
  });
}

async function save(key: string, data: Buffer, version = VERSION): Promise<number> {
  const id = await reserve(key, version);
  expect((await patch(id, 0, data)).status).toBe(204);
  expect((await call('POST', `caches/${id}`, { size: data.length })).status).toBe(204);
  return id;
}

async function lookup(keys: string, version = VERSION): Promise<Response> {
  return call('GET', `cache?keys=${encodeURIComponent(keys)}&version=${version}`);
}

describe('jwtShapedToken', () => {
  test('three base64url parts; the payload has ac as a JSON string, nbf before now and exp after', () => {
    const token = jwtShapedToken('refs/heads/feature');
    const parts = token.split('.');
    expect(parts).toHaveLength(3);
    for (const part of parts) expect(part).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(parts[0]!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(typeof payload.ac).toBe('string');
    expect(JSON.parse(payload.ac as string)).toEqual([{ Scope: 'refs/heads/feature', Permission: 3 }]);
    const now = Date.now() / 1000;
    expect(payload.nbf).toBeLessThan(now);
    expect(payload.exp).toBeGreaterThan(now);
  });
});

describe('cache service v1 stand-in', () => {
  test('reserve, two chunks (the second first), commit; then exact and prefix lookups and downloads', async () => {
    const id = await reserve('buildkit-blob-1-sha256:aa');
    expect(id).toBe(1);
    expect((await patch(id, 5, Buffer.from(', chunks'))).status).toBe(204);
    expect((await patch(id, 0, Buffer.from('hello'))).status).toBe(204);
    // Not found until committed.
    expect((await lookup('buildkit-blob-1-sha256:aa')).status).toBe(204);
    expect((await call('POST', `caches/${id}`, { size: 13 })).status).toBe(204);

    const exact = await lookup('buildkit-blob-1-sha256:aa');
    expect(exact.status).toBe(200);
    const entry = (await exact.json()) as Record<string, string>;
    expect(entry).toMatchObject({
      cacheKey: 'buildkit-blob-1-sha256:aa',
      scope: 'refs/heads/main',
      cacheVersion: VERSION,
    });
    expect(entry.archiveLocation).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/blobs\/1\?/);

    // The download URL needs no token; a range from an offset is answered 206 with Content-Range.
    const whole = await fetch(entry.archiveLocation!);
    expect(whole.status).toBe(200);
    expect(await whole.text()).toBe('hello, chunks');
    const tail = await fetch(entry.archiveLocation!, { headers: { range: 'bytes=7-' } });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('content-range')).toBe('bytes 7-12/13');
    expect(await tail.text()).toBe('chunks');
    const middle = await fetch(entry.archiveLocation!, { headers: { range: 'bytes=2-4' } });
    expect(await middle.text()).toBe('llo');
    expect((await fetch(entry.archiveLocation!, { headers: { range: 'bytes=13-' } })).status).toBe(416);

    expect(service.counters()).toEqual({
      lookups: 2,
      hits: 1,
      downloads: 3,
      bytesDownloaded: 13 + 6 + 3,
      entriesReserved: 1,
      conflicts: 0,
      entriesCommitted: 1,
      bytesCommitted: 13,
      committedKeys: ['buildkit-blob-1-sha256:aa'],
    });
    service.resetCounters();
    expect(service.counters().lookups).toBe(0);
  });

  test('lookups: exact before prefix, the newest prefix match, keys in order, the same version only', async () => {
    await save('index-buildkit-1-abcd#1', Buffer.from('one'));
    await save('index-buildkit-1-abcd#2', Buffer.from('two'));
    await save('index-buildkit-1-abcd', Buffer.from('bare'));
    await save('other', Buffer.from('other'), 'another-version');

    const key = async (keys: string, version = VERSION) => {
      const response = await lookup(keys, version);
      return response.status === 204 ? undefined : ((await response.json()) as { cacheKey: string }).cacheKey;
    };
    expect(await key('index-buildkit-1-abcd')).toBe('index-buildkit-1-abcd');
    expect(await key('index-buildkit-1-abcd#')).toBe('index-buildkit-1-abcd#2');
    expect(await key('index-buildkit-1-abcd#1')).toBe('index-buildkit-1-abcd#1');
    expect(await key('nothing,index-buildkit-1-abcd#')).toBe('index-buildkit-1-abcd#2');
    expect(await key('other')).toBeUndefined();
    expect(await key('other', 'another-version')).toBe('other');

    const miss = await lookup('nothing');
    expect(miss.status).toBe(204);
    expect(await miss.text()).toBe('');
    expect(service.counters()).toMatchObject({ lookups: 7, hits: 5 });

    // The same choice without a request, and an entry's bytes (neither is counted).
    const newest = service.find('index-buildkit-1-abcd#');
    expect(newest?.key).toBe('index-buildkit-1-abcd#2');
    expect(service.content(newest!).toString()).toBe('two');
    expect(service.find('index-buildkit-1-abcd')?.key).toBe('index-buildkit-1-abcd');
    expect(service.find('nothing')).toBeUndefined();
    expect(service.counters()).toMatchObject({ lookups: 7, hits: 5, downloads: 0 });
  });

  test('a key that is reserved or committed is refused with 409 and an AlreadyExists error', async () => {
    await reserve('k');
    const reserved = await call('POST', 'caches', { key: 'k', version: VERSION });
    expect(reserved.status).toBe(409);
    expect(await reserved.json()).toMatchObject({
      typeKey: 'ArtifactCacheAlreadyExistsException',
      message: expect.stringContaining('already exists') as unknown as string,
    });
    await save('committed', Buffer.from('x'));
    expect((await call('POST', 'caches', { key: 'committed', version: VERSION })).status).toBe(409);
    // Another version of the key is another entry.
    expect((await call('POST', 'caches', { key: 'committed', version: 'other' })).status).toBe(201);
    expect(service.counters()).toMatchObject({ entriesReserved: 3, conflicts: 2, entriesCommitted: 1 });
  });

  test('a commit whose size the chunks do not cover, or a bad chunk, is refused', async () => {
    const id = await reserve('gap');
    expect((await patch(id, 4, Buffer.from('tail'))).status).toBe(204);
    const gap = await call('POST', `caches/${id}`, { size: 8 });
    expect(gap.status).toBe(400);
    expect(((await gap.json()) as { message: string }).message).toContain('0 contiguous bytes');
    const wrongLength = await call('PATCH', `caches/${id}`, Buffer.from('abc'), {
      'content-range': 'bytes 0-9/*',
    });
    expect(wrongLength.status).toBe(400);
    expect((await call('PATCH', `caches/${id}`, Buffer.from('abc'))).status).toBe(400);
    expect((await patch(999, 0, Buffer.from('x'))).status).toBe(404);
    expect((await lookup('gap')).status).toBe(204);
  });

  test('the list of entries under a key prefix, newest first', async () => {
    await save('a-1', Buffer.from('1'));
    await save('a-2', Buffer.from('22'));
    await save('b-1', Buffer.from('333'));
    await reserve('a-3');
    const listed = await call('GET', 'caches?key=a-');
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as { totalCount: number; artifactCaches: Record<string, string>[] };
    expect(body.totalCount).toBe(2);
    expect(body.artifactCaches.map((entry) => entry.cacheKey)).toEqual(['a-2', 'a-1']);
    expect(body.artifactCaches[0]).toMatchObject({ scope: 'refs/heads/main', cacheVersion: VERSION });
    const all = (await (await call('GET', 'caches')).json()) as { totalCount: number };
    expect(all.totalCount).toBe(3);
  });

  test('every API call needs the bearer token; errors are JSON', async () => {
    for (const token of [undefined, 'Bearer x', `Bearer ${jwtShapedToken()}x`]) {
      const response = await fetch(api('cache?keys=k&version=v'), {
        headers: token === undefined ? {} : { authorization: token },
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(await response.json()).toMatchObject({ typeKey: 'Unauthorized' });
    }
    expect((await call('DELETE', 'caches/1')).status).toBe(404);
  });

  test('entries live in its directory: a copy of it, put back later, is the state the server serves', async () => {
    await save('first', Buffer.from('first data'));
    const snapshot = path.join(dir, 'snapshot');
    cpSync(service.dir, snapshot, { recursive: true });
    await save('second', Buffer.from('second data'));
    expect(service.entries().map((e) => e.key)).toEqual(['first', 'second']);
    expect(existsSync(path.join(service.dir, 'uploads'))).toBe(true);

    rmSync(service.dir, { recursive: true, force: true });
    cpSync(snapshot, service.dir, { recursive: true });
    expect((await lookup('second')).status).toBe(204);
    const first = (await (await lookup('first')).json()) as { archiveLocation: string };
    expect(await (await fetch(first.archiveLocation)).text()).toBe('first data');
    const index = JSON.parse(readFileSync(path.join(service.dir, 'index.json'), 'utf8')) as {
      entries: { key: string; state: string; size: number }[];
    };
    expect(index.entries).toEqual([expect.objectContaining({ key: 'first', state: 'committed', size: 10 })]);
    // Ids keep counting from the snapshot's index.
    expect(await reserve('second')).toBe(2);
  });

  test('ghaCacheSpecs: the type=gha values for --cache-from and --cache-to', () => {
    const specs = service.ghaCacheSpecs({ scope: 'app', mode: 'max' });
    expect(specs.cacheFrom).toBe(`type=gha,url=${service.url},token=${service.token},scope=app`);
    expect(specs.cacheTo).toBe(`${specs.cacheFrom},mode=max`);
    expect(service.url).toMatch(/\/$/);
    expect(service.ghaCacheSpecs().cacheTo).toBe(`type=gha,url=${service.url},token=${service.token}`);
  });
});
