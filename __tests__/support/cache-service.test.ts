// The cache service stand-in itself, over raw HTTP: the parts @actions/cache does not reach in the store tests
// (Put Block + Put Block List, errors, fault counting).
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';

import { CacheServiceStandIn } from './cache-service.js';

const TWIRP = 'twirp/github.actions.results.api.v1.CacheService';
let service: CacheServiceStandIn;

beforeEach(async () => {
  service = new CacheServiceStandIn();
  await service.start();
});
afterEach(async () => {
  await service.stop();
});

async function twirp(
  method: string,
  body: unknown,
  token = 'stand-in-token',
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${service.url}${TWIRP}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('cache service stand-in', () => {
  test('an upload in blocks (Put Block + Put Block List), finalized, then found and downloaded', async () => {
    const created = await twirp('CreateCacheEntry', { key: 'k-1', version: 'v' });
    expect(created).toMatchObject({ status: 200, json: { ok: true } });
    const url = String(created.json.signed_upload_url);
    const blocks = [Buffer.from('hello, '), Buffer.from('blocks')];
    const ids = ['YmxvY2stMA==', 'YmxvY2stMQ=='];
    for (const [i, block] of blocks.entries()) {
      const put = await fetch(`${url}&comp=block&blockid=${encodeURIComponent(ids[i]!)}`, {
        method: 'PUT',
        body: block,
      });
      expect(put.status).toBe(201);
    }
    const list = `<?xml version="1.0" encoding="utf-8"?><BlockList>${ids.map((id) => `<Latest>${id}</Latest>`).join('')}</BlockList>`;
    expect((await fetch(`${url}&comp=blocklist`, { method: 'PUT', body: list })).status).toBe(201);
    expect(await twirp('FinalizeCacheEntryUpload', { key: 'k-1', version: 'v', size_bytes: '13' })).toEqual({
      status: 200,
      json: { ok: true, entry_id: '1' },
    });
    const hit = await twirp('GetCacheEntryDownloadURL', { key: 'k-2', restore_keys: ['k-'], version: 'v' });
    expect(hit.json).toMatchObject({ ok: true, matched_key: 'k-1' });
    const download = await fetch(String(hit.json.signed_download_url));
    expect(await download.text()).toBe('hello, blocks');
    expect(service.counters).toEqual({
      requests: {
        GetCacheEntryDownloadURL: 1,
        CreateCacheEntry: 1,
        FinalizeCacheEntryUpload: 1,
        upload: 3,
        download: 1,
      },
      bytesUp: 13 + Buffer.byteLength(list),
      bytesDown: 13,
      lookedUp: ['k-2'],
    });
    // Another version of the same key is another entry.
    expect((await twirp('GetCacheEntryDownloadURL', { key: 'k-1', version: 'other' })).json).toEqual({
      ok: false,
    });
  });

  test('finalizing with the wrong size, or nothing uploaded, is refused', async () => {
    await twirp('CreateCacheEntry', { key: 'k', version: 'v' });
    expect(
      (await twirp('FinalizeCacheEntryUpload', { key: 'k', version: 'v', size_bytes: '1' })).json,
    ).toEqual({
      ok: false,
      message: 'stand-in: nothing uploaded for k',
    });
  });

  test('errors are JSON: a wrong token, an unknown method', async () => {
    expect(await twirp('GetCacheEntryDownloadURL', { key: 'k', version: 'v' }, 'wrong')).toEqual({
      status: 401,
      json: { code: 'unauthenticated', msg: 'stand-in: missing or wrong bearer token' },
    });
    expect(await twirp('DeleteCacheEntry', {})).toEqual({
      status: 404,
      json: { code: 'bad_route', msg: 'no such method: DeleteCacheEntry' },
    });
  });

  test('faults: 500 and 429 as JSON, counted down by `times`', async () => {
    service.inject({ fault: 'status-500', on: 'CreateCacheEntry', times: 1 });
    service.inject({ fault: 'status-429', on: 'GetCacheEntryDownloadURL', retryAfterSeconds: 7 });
    expect(await twirp('CreateCacheEntry', { key: 'k', version: 'v' })).toEqual({
      status: 500,
      json: { code: 'internal', msg: 'stand-in: internal error' },
    });
    expect((await twirp('CreateCacheEntry', { key: 'k', version: 'v' })).status).toBe(200);
    const limited = await fetch(`${service.url}${TWIRP}/GetCacheEntryDownloadURL`, {
      method: 'POST',
      headers: { authorization: 'Bearer stand-in-token' },
      body: '{}',
    });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    service.clearFaults();
    expect((await twirp('GetCacheEntryDownloadURL', { key: 'k', version: 'v' })).status).toBe(200);
  });

  test('a hanging request is answered by releaseHung (and by stop)', async () => {
    service.inject({ fault: 'hang', on: 'GetCacheEntryDownloadURL', times: 1 });
    const pending = twirp('GetCacheEntryDownloadURL', { key: 'k', version: 'v' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(service.releaseHung()).toBe(1);
    expect(await pending).toEqual({
      status: 400,
      json: { code: 'canceled', msg: 'stand-in: hanging request released' },
    });
  });
});
