// Against the real BuildKit (scripts/setup-buildkit): testdata/two-stages (FROM stagecraft-test/busybox:1, a RUN
// writing 1 MiB of random bytes, a COPY in the target) is built with a fresh NONCE and loaded, measured in the
// image store, checked against an independent reading of `docker save` (the manifest's layer sizes, each layer
// gunzipped and counted) and `docker image inspect`; then pushed to localhost:5000 and measured there without
// pulling: the same numbers. Skips loudly where docker or the registry is missing, unless
// STAGECRAFT_REQUIRE_BUILDKIT=1. Uses unique image names and no build cache across tests.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

import { execProcess } from '../adapters/exec.js';
import { MemoryStore } from '../cache/memory-store.js';
import { parseDockerfile } from '../dockerfile/index.js';
import { planStages } from '../plan/index.js';
import { parseStages } from '../stages/index.js';
import {
  baselineFromImage,
  buildSizeReport,
  findBaseline,
  measureLocalImage,
  measureRegistryImage,
  readImageDiffIds,
  resolveStageChain,
  saveBaseline,
  SizeMeasureError,
  type SizeReport,
  type StageChain,
} from './index.js';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const BASE_IMAGE = 'stagecraft-test/busybox:1';
const REGISTRY = 'localhost:5000';
const required = process.env.STAGECRAFT_REQUIRE_BUILDKIT === '1';
const CREATED = '2026-12-01T15:00:00.000Z';

async function docker(...argv: string[]) {
  return execProcess(['docker', ...argv], { timeoutMs: 300_000 });
}

/** Why this machine cannot run the suite, or undefined when it can. */
async function unavailable(): Promise<string | undefined> {
  try {
    const version = await docker('buildx', 'version');
    if (version.exitCode !== 0) return `docker buildx does not run: ${version.stderr.trim()}`;
    const info = await docker('info', '--format', '{{json .DriverStatus}}');
    if (info.exitCode !== 0) return `no Docker engine: ${info.stderr.trim().split('\n')[0]}`;
    if (!info.stdout.includes('io.containerd.snapshotter'))
      return 'the engine does not use the containerd image store';
    const base = await docker('image', 'inspect', BASE_IMAGE);
    if (base.exitCode !== 0) return `no ${BASE_IMAGE}; run scripts/setup-buildkit`;
    const registry = await fetch(`http://${REGISTRY}/v2/`, { signal: AbortSignal.timeout(5000) }).catch(
      () => undefined,
    );
    if (registry?.status !== 200) return `no registry on ${REGISTRY}; run scripts/setup-buildkit`;
    return undefined;
  } catch (error) {
    return `docker is not installed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

const missing = await unavailable();
if (missing !== undefined && !required) {
  console.warn(
    `\n*** measure.itg.test.ts SKIPPED: ${missing}.\n` +
      '*** Run scripts/setup-buildkit, or set STAGECRAFT_REQUIRE_BUILDKIT=1 to make this a failure. ***\n',
  );
}
const suite = missing === undefined || required ? describe : describe.skip;

function chainFor(dir: string): StageChain {
  const staged = parseStages(parseDockerfile(readFileSync(path.join(testdata, dir, 'Dockerfile'))));
  const amd64 = { os: 'linux', architecture: 'amd64' };
  const plan = planStages(staged, {
    buildArgs: new Map(),
    buildContexts: new Map(),
    targetPlatform: amd64,
    buildPlatform: amd64,
  });
  return resolveStageChain(plan, staged);
}

/** What `docker save` holds, read independently of measure.ts: tar(1), JSON.parse and gunzip. */
async function readSavedImage(image: string, workdir: string) {
  const dir = path.join(workdir, 'saved');
  const archive = path.join(workdir, 'saved.tar');
  expect((await docker('image', 'save', '--output', archive, image)).exitCode).toBe(0);
  expect((await execProcess(['mkdir', '-p', dir])).exitCode).toBe(0);
  expect((await execProcess(['tar', '-xf', archive, '-C', dir])).exitCode).toBe(0);
  const blob = (digest: string) =>
    readFileSync(path.join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)));
  type Desc = { digest: string; size: number; platform?: { os: string; architecture: string } };
  const top = (JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as { manifests: Desc[] })
    .manifests[0]!;
  const index = JSON.parse(blob(top.digest).toString()) as { manifests: Desc[] };
  const chosen = index.manifests.find(
    (m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64',
  )!;
  const manifest = JSON.parse(blob(chosen.digest).toString()) as { config: Desc; layers: Desc[] };
  return {
    index: top,
    manifest: chosen,
    config: manifest.config,
    layers: manifest.layers.map((l) => ({ ...l, unpacked: gunzipSync(blob(l.digest)).length })),
  };
}

suite('measuring a real image', () => {
  const nonce = `${Date.now()}${process.pid}`;
  const tag = `stagecraft-size-itg:${nonce}`;
  const pushed = `${REGISTRY}/stagecraft-size-itg:${nonce}`;
  let workdir = '';
  let metadata: { 'containerimage.digest'?: string } = {};
  let local: SizeReport;

  beforeAll(async () => {
    if (missing !== undefined) throw new Error(`STAGECRAFT_REQUIRE_BUILDKIT=1 but ${missing}`);
    workdir = mkdtempSync(path.join(tmpdir(), 'stagecraft-size-itg-'));
    const metadataFile = path.join(workdir, 'metadata.json');
    const build = await docker(
      'buildx',
      'build',
      '--progress=plain',
      '--build-arg',
      `NONCE=${nonce}`,
      '--load',
      '--tag',
      tag,
      '--metadata-file',
      metadataFile,
      path.join(testdata, 'two-stages'),
    );
    if (build.exitCode !== 0) throw new Error(`build failed: ${build.stderr.slice(-2000)}`);
    metadata = JSON.parse(readFileSync(metadataFile, 'utf8')) as typeof metadata;
  }, 300_000);

  afterAll(async () => {
    await docker('image', 'rm', '--force', tag, pushed);
    if (workdir !== '') rmSync(workdir, { recursive: true, force: true });
  });

  test('a loaded image: compressed = the manifest’s layer sizes, uncompressed = the gunzipped layers, lines mapped', async () => {
    const image = await measureLocalImage(execProcess, tag, 'linux/amd64', { tempDir: workdir });
    const baseDiffIds = await readImageDiffIds(execProcess, BASE_IMAGE);
    expect(baseDiffIds).toHaveLength(1);
    local = buildSizeReport({
      image,
      chain: chainFor('two-stages'),
      base: { diffIds: baseDiffIds! },
      commit: 'f'.repeat(40),
      createdAt: CREATED,
    });

    const saved = await readSavedImage(tag, workdir);
    expect(local.compressedBytes).toBe(saved.layers.reduce((sum, l) => sum + l.size, 0));
    expect(local.uncompressedBytes).toBe(saved.layers.reduce((sum, l) => sum + l.unpacked, 0));
    const layers = local.layers.filter((l) => !l.emptyLayer);
    expect(layers.map((l) => [l.digest, l.compressedBytes, l.uncompressedBytes])).toEqual(
      saved.layers.map((l) => [l.digest, l.size, l.unpacked]),
    );
    expect(layers.map((l) => l.uncompressedMethod)).toEqual([
      'gzip-trailer',
      'gzip-trailer',
      'gzip-trailer',
      'gzip-trailer',
    ]);
    expect(local.image).toEqual({
      ref: tag,
      digest: saved.manifest.digest,
      configDigest: saved.config.digest,
      indexDigest: metadata['containerimage.digest'],
    });

    // `docker image inspect` Size, with the containerd store of docker 26.1, is the platform's packed blobs:
    // layers, config, manifest and index. It is not an uncompressed size, and there is none to compare with.
    const inspected = await docker('image', 'inspect', '--format', '{{.Size}}', tag);
    expect(Number(inspected.stdout.trim())).toBe(
      local.compressedBytes + saved.config.size + saved.manifest.size + saved.index.size,
    );

    // The RUN's 1 MiB of random bytes does not compress.
    const run = local.layers.find((l) => l.createdBy.startsWith('RUN '))!;
    expect(run.compressedBytes).toBeGreaterThan(1024 * 1024);
    expect(run.uncompressedBytes).toBeGreaterThan(1024 * 1024);
    expect(local.warnings).toBeUndefined();
    expect(
      local.layers.map((l) => (l.origin.kind === 'base' ? 'base' : `${l.origin.stage}:${l.origin.line}`)),
    ).toEqual(['base', 'base:3', 'base:4', 'base:5', 'final:8', 'final:9', 'final:10']);
    expect(run.origin).toEqual({
      kind: 'stage',
      stage: 'base',
      line: 4,
      instruction: 'RUN head -c 1048576 /dev/urandom > /big.bin && echo "$NONCE" > /nonce.txt',
    });
  }, 300_000);

  test('the same image pushed: measured in the registry without pulling, the same numbers', async () => {
    expect((await docker('tag', tag, pushed)).exitCode).toBe(0);
    const push = await docker('push', pushed);
    expect(push.exitCode === 0 ? 'pushed' : push.stderr).toBe('pushed');
    expect((await docker('image', 'rm', pushed)).exitCode).toBe(0);

    const image = await measureRegistryImage(execProcess, pushed, 'linux/amd64');
    const remote = buildSizeReport({
      image,
      chain: chainFor('two-stages'),
      commit: 'f'.repeat(40),
      createdAt: CREATED,
    });
    expect(remote).toEqual({ ...local, image: { ...local.image, ref: pushed }, source: 'registry' });
    // Nothing was pulled.
    expect((await docker('image', 'inspect', pushed)).exitCode).not.toBe(0);
  }, 300_000);

  test('baseline-image: the pushed image as a baseline; a missing one is no baseline, with the reason', async () => {
    const found = await baselineFromImage(execProcess, pushed, 'linux/amd64', {
      target: 'final',
      chain: chainFor('two-stages'),
      now: () => new Date(CREATED),
    });
    expect(found).toEqual({
      found: true,
      source: 'image',
      from: pushed,
      report: { ...local, image: { ...local.image, ref: pushed }, source: 'registry', commit: undefined },
    });
    const gone = await baselineFromImage(execProcess, `${pushed}-gone`, 'linux/amd64', { target: 'final' });
    expect(gone).toEqual({
      found: false,
      reason: expect.stringContaining(
        `the baseline image ${pushed}-gone cannot be measured: docker buildx imagetools inspect failed`,
      ),
    });
  }, 300_000);

  test('a platform the image lacks is an error in both places', async () => {
    await expect(measureLocalImage(execProcess, tag, 'linux/arm64', { tempDir: workdir })).rejects.toThrow(
      new SizeMeasureError(`the image ${tag} has no manifest for linux/arm64 (it has linux/amd64)`),
    );
    await expect(measureRegistryImage(execProcess, pushed, 'linux/arm64')).rejects.toThrow(
      new SizeMeasureError(`the image ${pushed} has no manifest for linux/arm64 (it has linux/amd64)`),
    );
  }, 300_000);

  test('the measured report is a baseline that a pull request finds again', async () => {
    const store = new MemoryStore();
    await saveBaseline(
      store,
      'd0c4e7f1',
      local,
      { branch: 'main', commit: local.commit! },
      { tempDir: workdir },
    );
    const found = await findBaseline(
      store,
      { dockerfile: 'd0c4e7f1', target: 'final', platform: 'linux/amd64' },
      { branch: 'main', commit: 'e'.repeat(40) },
      { tempDir: workdir },
    );
    expect(found).toMatchObject({
      found: true,
      source: 'base-branch',
      report: { ...local, ref: 'refs/heads/main' },
    });
  });
});
