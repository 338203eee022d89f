// BuildKit's own `type=gha` cache backend (what build-push-action users run) against the v1 cache service
// stand-in: the real client in the engine reserves, uploads and commits one entry per layer blob plus an
// index entry, and a later build reads the index back. The shared builder is not pruned here (other work uses
// the engine), so the second build is CACHED locally; it still looks the index up and writes the next one.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BASE_IMAGE, describeWithBuildKit } from './support/buildkit.js';
import { CacheServiceV1 } from './support/cache-service-v1.js';

const describeGha = describeWithBuildKit(
  "BuildKit's gha cache backend against the v1 stand-in (__tests__/cache-service-v1.itg.test.ts)",
);

/** The build runs while this process serves the cache: it must not block the event loop (no spawnSync). */
function docker(args: readonly string[], cwd: string): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? 1, output }));
  });
}

describeGha('cache: BuildKit type=gha through the v1 cache service stand-in', () => {
  const unique = randomBytes(6).toString('hex');
  const tag = `stagecraft-itg/gha-v1:${unique}`;
  const scope = `itg-${unique}`;
  let temp: string;
  let context: string;
  let service: CacheServiceV1;

  beforeAll(async () => {
    temp = mkdtempSync(path.join(tmpdir(), 'stagecraft-gha-v1-'));
    context = path.join(temp, 'context');
    service = new CacheServiceV1({ dir: path.join(temp, 'entries') });
    await service.start();
    spawnSync('mkdir', ['-p', context]);
    // A marker unique to this run, so no earlier build (in this engine's cache) made these layers.
    writeFileSync(
      path.join(context, 'Dockerfile'),
      [
        `FROM ${BASE_IMAGE} AS build`,
        `RUN echo ${unique} > /marker && head -c 300000 /dev/urandom > /data.bin`,
        '',
        `FROM ${BASE_IMAGE} AS runtime`,
        'COPY --from=build /marker /marker',
        'CMD ["cat", "/marker"]',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await service.stop();
    spawnSync('docker', ['image', 'rm', '-f', tag], { encoding: 'utf8' });
    rmSync(temp, { recursive: true, force: true });
  });

  function build(): Promise<{ exitCode: number; output: string }> {
    const { cacheFrom, cacheTo } = service.ghaCacheSpecs({ scope, mode: 'max' });
    return docker(
      [
        'buildx',
        'build',
        '--progress=plain',
        '--cache-from',
        cacheFrom,
        '--cache-to',
        cacheTo,
        '--tag',
        tag,
        '--load',
        '.',
      ],
      context,
    );
  }

  test('a first build commits one entry per layer blob and an index that names them', async () => {
    const run = await build();
    expect({ exitCode: run.exitCode, tail: run.exitCode === 0 ? '' : run.output.slice(-3000) }).toEqual({
      exitCode: 0,
      tail: '',
    });
    const counters = service.counters();
    // The importer looked for the index (a miss), the exporter for every blob before writing it.
    expect(counters.lookups).toBeGreaterThanOrEqual(3);
    const blobKeys = counters.committedKeys.filter((key) => key.startsWith('buildkit-blob-1-sha256:'));
    const indexKeys = counters.committedKeys.filter((key) => key.startsWith(`index-${scope}-1-`));
    // mode=max: the RUN layer of the build stage and the COPY layer of the runtime stage (at least).
    expect(blobKeys.length).toBeGreaterThanOrEqual(2);
    expect(indexKeys).toEqual([expect.stringMatching(new RegExp(`^index-${scope}-1-[0-9a-f]{8}#1$`))]);
    expect(counters.entriesCommitted).toBe(blobKeys.length + 1);
    // The RUN layer holds 300 kB of random bytes, which do not compress.
    expect(counters.bytesCommitted).toBeGreaterThan(300_000);

    const index = service.entries().find((entry) => entry.key === indexKeys[0]);
    expect(index).toMatchObject({ state: 'committed', scope: 'refs/heads/main' });
    const config = JSON.parse(service.content(index!).toString('utf8')) as { layers: { blob: string }[] };
    expect(config.layers.map((layer) => `buildkit-blob-1-${layer.blob}`).sort()).toEqual(
      [...blobKeys].sort(),
    );

    const ran = spawnSync('docker', ['run', '--rm', tag], { encoding: 'utf8' });
    expect(ran.stdout.trim()).toBe(unique);
  });

  test('a second build reads the index back, writes no blob again and commits the next index', async () => {
    const before = service.entries().length;
    service.resetCounters();
    const run = await build();
    expect({ exitCode: run.exitCode, tail: run.exitCode === 0 ? '' : run.output.slice(-3000) }).toEqual({
      exitCode: 0,
      tail: '',
    });
    const counters = service.counters();
    expect(counters.lookups).toBeGreaterThanOrEqual(3);
    expect(counters.hits).toBeGreaterThanOrEqual(2);
    // The index was found and downloaded (it is read whole, so at least its size came down).
    expect(counters.downloads).toBeGreaterThanOrEqual(1);
    expect(counters.committedKeys).toEqual([
      expect.stringMatching(new RegExp(`^index-${scope}-1-[0-9a-f]{8}#2$`)),
    ]);
    expect(service.entries()).toHaveLength(before + 1);
    expect(service.log.some((line) => line.startsWith('PATCH '))).toBe(true);
  });
});
