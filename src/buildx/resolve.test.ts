// Resolving image digests without pulling: the parsing on `imagetools inspect --raw` output recorded from this
// machine (testdata/record-resolve.sh), the error classes on its recorded messages, and the lookups through a
// fake exec (one inspect per image, none for pinned references, timeouts, aborts, a bounded pool).
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Exec, ExecOptions, ExecResult } from '../adapters/exec.js';
import {
  buildImagetoolsRawArgs,
  classifyInspectFailure,
  parseRawManifest,
  pinnedDigest,
  ResolveError,
  resolveImageDigests,
  resolveImagePlatforms,
  type ResolveFailure,
} from './resolve.js';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const fixture = (name: string): string => readFileSync(path.join(testdata, name), 'utf8');

const ONE_PLATFORM = fixture('imagetools-raw-index-one-platform-provenance-buildx-0.13.1.json');
const THREE_PLATFORMS = fixture('imagetools-raw-index-three-platforms-provenance-buildx-0.13.1.json');
const SINGLE_MANIFEST = fixture('imagetools-raw-manifest-docker-v2-no-provenance-buildx-0.13.1.json');

// Recorded with the fixtures (sha256 of the raw bytes, and the index entries); re-recording changes them.
const ONE_PLATFORM_INDEX = 'sha256:162f20c304a5548c14a34d4df8377d9755673d9fb50d511d0c2df65f7ab12029';
const THREE_PLATFORMS_INDEX = 'sha256:a6212d6d53428594db6b891f2d4ed8540466218fd94cf60dc19c0b29d553f9bf';
const SINGLE_MANIFEST_DIGEST = 'sha256:84dc9e3bd026777eec30dc223636e6905b927e34b8628a9876e5b3230389ed0f';
const AMD64 = 'sha256:9a6e5674bdc4826f4a58b14c6eb57b85d06a40dbab8601817e015c9a3c4a48fe';
const ARM64 = 'sha256:164ef4ed11e3bd42c31c86eb9ccdbba02c4c1c45ac11bea32ffcbd114e95ede3';
const ARM_V7 = 'sha256:2a28e85b13a80cd6bd67fab4b43f381c32295d0d675be289b104c9c14631e4a8';
const PINNED = `localhost:5000/base@${AMD64}`;

describe('parseRawManifest', () => {
  // prettier-ignore
  test.each([
    ['one platform, linux/amd64',       ONE_PLATFORM,    'linux/amd64',    AMD64,  ONE_PLATFORM_INDEX],
    ['three platforms, linux/amd64',    THREE_PLATFORMS, 'linux/amd64',    AMD64,  THREE_PLATFORMS_INDEX],
    ['three platforms, linux/arm64',    THREE_PLATFORMS, 'linux/arm64',    ARM64,  THREE_PLATFORMS_INDEX],
    ['three platforms, linux/arm64/v8', THREE_PLATFORMS, 'linux/arm64/v8', ARM64,  THREE_PLATFORMS_INDEX],
    ['three platforms, linux/arm (v7)', THREE_PLATFORMS, 'linux/arm',      ARM_V7, THREE_PLATFORMS_INDEX],
    ['three platforms, linux/arm/v7',   THREE_PLATFORMS, 'linux/arm/v7',   ARM_V7, THREE_PLATFORMS_INDEX],
    ['amd64/v3 runs the amd64 image',   THREE_PLATFORMS, 'linux/amd64/v3', AMD64,  THREE_PLATFORMS_INDEX],
    ['arm/v8 runs the arm/v7 image',    THREE_PLATFORMS, 'linux/arm/v8',   ARM_V7, THREE_PLATFORMS_INDEX],
  ])('%s', (_name, raw, platform, digest, indexDigest) => {
    expect(parseRawManifest(raw, platform, 'img')).toEqual({ digest, indexDigest });
  });

  test('a single manifest is its own digest, whatever the platform asked', () => {
    expect(parseRawManifest(SINGLE_MANIFEST, 'linux/arm64', 'img')).toEqual({
      digest: SINGLE_MANIFEST_DIGEST,
    });
  });

  test('a Platform object works as a string does', () => {
    expect(parseRawManifest(THREE_PLATFORMS, { os: 'linux', architecture: 'arm64' }, 'img').digest).toBe(
      ARM64,
    );
  });

  // prettier-ignore
  test.each([
    ['attestations are never images',       ONE_PLATFORM,    'linux/arm64',  'no-platform',      'img has no image for linux/arm64 (it has linux/amd64)'],
    ['arm/v6 cannot run arm/v7',            THREE_PLATFORMS, 'linux/arm/v6', 'no-platform',      'img has no image for linux/arm/v6 (it has linux/amd64, linux/arm64, linux/arm/v7)'],
    ['not JSON',                            'ERROR: nope',   'linux/amd64',  'invalid-manifest', "img: the registry's answer is not JSON"],
    ['a JSON array',                        '[]',            'linux/amd64',  'invalid-manifest', 'img: the manifest is not a JSON object'],
    ['schema 1',                            '{"schemaVersion":1,"name":"x","fsLayers":[]}', 'linux/amd64', 'invalid-manifest', 'img has a schema 1 manifest'],
    ['another media type',                  '{"schemaVersion":2,"mediaType":"application/vnd.oci.artifact.manifest.v1+json"}', 'linux/amd64', 'invalid-manifest', 'img has media type "application/vnd.oci.artifact.manifest.v1+json"'],
    ['an index entry without a digest',     '{"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"platform":{"os":"linux","architecture":"amd64"}}]}', 'linux/amd64', 'invalid-manifest', 'img: manifests[0]: an index entry without a sha256 digest'],
  ])('%s', (_name, raw, platform, failure, message) => {
    let thrown: unknown;
    try {
      parseRawManifest(raw, platform, 'img');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ResolveError);
    expect((thrown as ResolveError).failure).toBe(failure);
    expect((thrown as ResolveError).message).toContain(message);
  });

  test('an OCI index without mediaType is told by its manifests', () => {
    const raw = JSON.stringify({
      schemaVersion: 2,
      manifests: [{ digest: ARM64, size: 1, platform: { os: 'linux', architecture: 'arm64' } }],
    });
    expect(parseRawManifest(raw, 'linux/arm64', 'img').digest).toBe(ARM64);
  });
});

describe('classifyInspectFailure on recorded buildx 0.13.1 errors', () => {
  // prettier-ignore
  test.each([
    ['imagetools-error-tag-not-found-buildx-0.13.1.txt',                    'not-found',         /^localhost:5000\/stagecraft-resolve-record:absent-r\d+: not found$/],
    ['imagetools-error-connection-refused-buildx-0.13.1.txt',               'unreachable',       /^failed to do request: Head "http:\/\/localhost:5999\/v2\/.*connection refused$/],
    ['imagetools-error-local-only-image-no-such-host-buildx-0.13.1.txt',    'unreachable',       /registry-1\.docker\.io\/v2\/stagecraft-test\/busybox\/manifests\/1.*no such host$/],
    ['imagetools-error-invalid-reference-buildx-0.13.1.txt',                'invalid-reference', /^invalid reference format: repository name \(stagecraft-test\/Busybox\) must be lowercase$/],
    ['imagetools-error-unauthorized-hand-written-buildx-0.13.txt',          'unauthorized',      /401 Unauthorized$/],
  ])('%s', (file, failure, reason) => {
    const classified = classifyInspectFailure(1, fixture(file));
    expect(classified.failure).toBe(failure);
    expect(classified.reason).toMatch(reason);
  });

  test('silence: the exit code', () => {
    expect(classifyInspectFailure(137, '')).toEqual({
      failure: 'error',
      reason: 'docker buildx imagetools inspect exited with code 137',
    });
  });
});

describe('pinnedDigest and argv', () => {
  // prettier-ignore
  test.each([
    [PINNED,                                              AMD64],
    [`localhost:5000/base:1@${AMD64}`,                    AMD64],
    ['localhost:5000/base:1',                             undefined],
    ['base@sha256:abc',                                   undefined],
    [`base@sha512:${'a'.repeat(128)}`,                    undefined],
  ])('%s', (ref, digest) => {
    expect(pinnedDigest(ref)).toBe(digest);
  });

  test('imagetools inspect --raw, no shell', () => {
    expect(buildImagetoolsRawArgs('localhost:5000/a:1')).toEqual([
      'docker',
      'buildx',
      'imagetools',
      'inspect',
      '--raw',
      'localhost:5000/a:1',
    ]);
    expect(buildImagetoolsRawArgs('a', '/usr/bin/docker')[0]).toBe('/usr/bin/docker');
  });
});

/** A fake exec answering per reference; records calls and how many ran at once. */
function fakeExec(answers: Record<string, ExecResult | 'hang' | 'throw'>, delayMs = 0) {
  const calls: { argv: readonly string[]; options: ExecOptions | undefined }[] = [];
  let running = 0;
  let maxRunning = 0;
  const exec: Exec = async (argv, options) => {
    calls.push({ argv, options });
    running++;
    maxRunning = Math.max(maxRunning, running);
    try {
      const answer = answers[argv.at(-1)!];
      if (answer === 'hang') {
        return await new Promise<ExecResult>((_resolve, reject) => {
          options?.signal?.addEventListener('abort', () => reject(new Error('The operation was aborted')));
        });
      }
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (answer === 'throw') throw new Error('spawn docker ENOENT');
      if (answer === undefined) throw new Error(`unexpected call ${JSON.stringify(argv)}`);
      return answer;
    } finally {
      running--;
    }
  };
  return { exec, calls, maxRunning: () => maxRunning };
}

const ok = (stdout: string): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
const failed = (file: string): ExecResult => ({ exitCode: 1, stdout: '', stderr: fixture(file) });

describe('resolveImagePlatforms', () => {
  test('one inspect per image, pinned ones none, results in the order asked', async () => {
    const fake = fakeExec({
      'localhost:5000/base:1': ok(THREE_PLATFORMS),
      'stagecraft-test/busybox:1': failed('imagetools-error-local-only-image-no-such-host-buildx-0.13.1.txt'),
    });
    const results = await resolveImagePlatforms(fake.exec, [
      { image: 'localhost:5000/base:1', platform: 'linux/amd64' },
      { image: 'stagecraft-test/busybox:1', platform: 'linux/amd64' },
      { image: PINNED, platform: 'linux/amd64' },
      { image: 'localhost:5000/base:1', platform: { os: 'linux', architecture: 'arm64' } },
    ]);
    expect(fake.calls.map((call) => call.argv.at(-1))).toEqual([
      'localhost:5000/base:1',
      'stagecraft-test/busybox:1',
    ]);
    expect(fake.calls[0]!.options?.timeoutMs).toBe(30_000);
    expect(results).toEqual([
      {
        image: 'localhost:5000/base:1',
        platform: 'linux/amd64',
        status: 'resolved',
        digest: AMD64,
        indexDigest: THREE_PLATFORMS_INDEX,
        pinned: false,
      },
      {
        image: 'stagecraft-test/busybox:1',
        platform: 'linux/amd64',
        status: 'unresolved',
        failure: 'unreachable',
        reason: expect.stringContaining('no such host'),
      },
      { image: PINNED, platform: 'linux/amd64', status: 'resolved', digest: AMD64, pinned: true },
      {
        image: 'localhost:5000/base:1',
        platform: 'linux/arm64',
        status: 'resolved',
        digest: ARM64,
        indexDigest: THREE_PLATFORMS_INDEX,
        pinned: false,
      },
    ]);
  });

  test('a missing platform, a missing tag and a failing process are results, never throws', async () => {
    const fake = fakeExec({
      'localhost:5000/one:1': ok(ONE_PLATFORM),
      'localhost:5000/absent:1': failed('imagetools-error-tag-not-found-buildx-0.13.1.txt'),
      'localhost:5000/spawn:1': 'throw',
    });
    const results = await resolveImageDigests(
      fake.exec,
      ['localhost:5000/one:1', 'localhost:5000/absent:1', 'localhost:5000/spawn:1'],
      'linux/arm64',
    );
    const failures: (ResolveFailure | undefined)[] = results.map((r) =>
      r.status === 'unresolved' ? r.failure : undefined,
    );
    expect(failures).toEqual(['no-platform', 'not-found', 'error']);
    expect(results.map((r) => r.status)).toEqual(['unresolved', 'unresolved', 'unresolved']);
    expect(results[2]).toMatchObject({ reason: 'spawn docker ENOENT' });
  });

  test('a registry that does not answer times out per call', async () => {
    const fake = fakeExec({ 'localhost:5000/slow:1': 'hang', 'localhost:5000/base:1': ok(SINGLE_MANIFEST) });
    const results = await resolveImageDigests(
      fake.exec,
      ['localhost:5000/slow:1', 'localhost:5000/base:1'],
      'linux/amd64',
      { timeoutMs: 50 },
    );
    expect(results[0]).toMatchObject({
      status: 'unresolved',
      failure: 'timeout',
      reason: 'no answer within 0.05 s',
    });
    expect(results[1]).toMatchObject({ status: 'resolved', digest: SINGLE_MANIFEST_DIGEST });
    expect(fake.calls[0]!.options?.timeoutMs).toBe(50);
  });

  test("the caller's abort signal stops waiting", async () => {
    const fake = fakeExec({ 'localhost:5000/slow:1': 'hang' });
    const controller = new AbortController();
    const pending = resolveImageDigests(fake.exec, ['localhost:5000/slow:1'], 'linux/amd64', {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    expect((await pending)[0]).toMatchObject({ status: 'unresolved', failure: 'timeout', reason: 'aborted' });
    const again = await resolveImageDigests(fake.exec, ['localhost:5000/slow:1'], 'linux/amd64', {
      signal: controller.signal,
    });
    expect(again[0]).toMatchObject({ failure: 'timeout', reason: 'aborted' });
    expect(fake.calls).toHaveLength(1);
  });

  test('at most `concurrency` inspects at once', async () => {
    const images = Array.from({ length: 9 }, (_, i) => `localhost:5000/img${i}:1`);
    const fake = fakeExec(Object.fromEntries(images.map((image) => [image, ok(SINGLE_MANIFEST)])), 5);
    const results = await resolveImageDigests(fake.exec, images, 'linux/amd64', { concurrency: 3 });
    expect(results.every((r) => r.status === 'resolved')).toBe(true);
    expect(fake.calls).toHaveLength(9);
    expect(fake.maxRunning()).toBe(3);
  });

  test('debug lines show argv as JSON', async () => {
    const lines: string[] = [];
    const fake = fakeExec({ 'localhost:5000/base:1': ok(SINGLE_MANIFEST) });
    await resolveImageDigests(fake.exec, ['localhost:5000/base:1'], 'linux/amd64', {
      onDebug: (line) => lines.push(line),
    });
    expect(lines).toEqual([
      'resolve.fetchRaw: ["docker","buildx","imagetools","inspect","--raw","localhost:5000/base:1"]',
    ]);
  });
});
