// Which base-image layers entries leave out, with a scripted engine: present bases are read, missing ones are
// pulled by the digest their tag resolves to, and a base that cannot be pulled keeps its layers (a warning).
import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import type { Exec, ExecResult } from '../adapters/exec.js';
import type { Adapters } from '../adapters/types.js';
import type { BuilderInfo } from '../buildx/index.js';
import type { Plan } from '../plan/index.js';
import { readExternalLayers } from './cache.js';

const DIGEST = `sha256:${'d'.repeat(64)}`;
const LAYER = `sha256:${'1'.repeat(64)}`;
const MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: DIGEST, size: 2 },
  layers: [],
});

const BUILDER: BuilderInfo = {
  buildxVersion: '0.13.1',
  builder: 'default',
  driver: 'docker',
  buildkitVersion: undefined,
  containerdStore: true,
  supportsCacheExport: true,
} as BuilderInfo;

/** An engine holding `present` images (name → layers) that can pull what `pullable` names. */
function engine(present: Map<string, string[]>, pullable: Set<string>) {
  const calls: string[][] = [];
  const ok = (stdout: string): ExecResult => ({ exitCode: 0, stdout, stderr: '' }) as ExecResult;
  const fail = (stderr: string): ExecResult => ({ exitCode: 1, stdout: '', stderr }) as ExecResult;
  const exec: Exec = (argv) => {
    calls.push([...argv]);
    const ref = argv[argv.length - 1]!;
    if (argv[1] === 'image' && argv[2] === 'inspect') {
      const layers = present.get(ref);
      return Promise.resolve(layers === undefined ? fail('No such image') : ok(JSON.stringify(layers)));
    }
    if (argv[1] === 'buildx' && argv[2] === 'imagetools') {
      return Promise.resolve(pullable.size > 0 ? ok(MANIFEST) : fail('ERROR: not found'));
    }
    if (argv[1] === 'pull') {
      if (!pullable.has(ref)) return Promise.resolve(fail('pull access denied'));
      present.set(ref, [LAYER]);
      return Promise.resolve(ok(''));
    }
    return Promise.resolve(fail(`unexpected ${argv.join(' ')}`));
  };
  return { exec, calls };
}

function adapters(exec: Exec) {
  const lines: string[] = [];
  const warnings: string[] = [];
  const logger = {
    info: (m: string) => lines.push(m),
    debug: () => undefined,
    warning: (m: string) => warnings.push(m),
    error: () => undefined,
    group: <T>(_t: string, body: () => Promise<T>) => body(),
  };
  return { adapters: { exec, logger } as unknown as Adapters, lines, warnings };
}

const plan = (images: string[]): Plan => ({ externalImages: images }) as unknown as Plan;

describe('readExternalLayers', () => {
  test('a base in the image store gives its layers, nothing is pulled', async () => {
    const { exec, calls } = engine(new Map([['base:1', [LAYER]]]), new Set());
    const { adapters: a, warnings } = adapters(exec);
    expect(await readExternalLayers(plan(['base:1']), BUILDER, 'linux/amd64', a)).toEqual(new Set([LAYER]));
    expect(calls.map((c) => c[1])).toEqual(['image']);
    expect(warnings).toEqual([]);
  });

  test('a missing base is pulled by the digest its tag resolves to, then read', async () => {
    // The digest of a raw manifest is the sha256 of its bytes.
    const pullable = `registry.test/base@sha256:${createHash('sha256').update(MANIFEST).digest('hex')}`;
    const { exec, calls } = engine(new Map(), new Set([pullable]));
    const { adapters: a, lines, warnings } = adapters(exec);
    expect(await readExternalLayers(plan(['registry.test/base:1']), BUILDER, 'linux/amd64', a)).toEqual(
      new Set([LAYER]),
    );
    expect(calls.find((c) => c[1] === 'pull')).toEqual([
      'docker',
      'pull',
      '--quiet',
      '--platform',
      'linux/amd64',
      pullable,
    ]);
    expect(lines).toContain(`registry.test/base:1 was not in the image store: pulled ${pullable}`);
    expect(warnings).toEqual([]);
  });

  test('a base that cannot be pulled keeps its layers in the entries, with a warning', async () => {
    const { exec } = engine(new Map(), new Set());
    const { adapters: a, warnings } = adapters(exec);
    expect(await readExternalLayers(plan(['gone:1']), BUILDER, 'linux/amd64', a)).toEqual(new Set());
    expect(warnings).toEqual([
      'gone:1 is not in the image store and could not be pulled: its layers are kept in the cache entries',
    ]);
  });

  test('a builder that cannot see the image store keeps every base layer', async () => {
    const { exec, calls } = engine(new Map(), new Set());
    const { adapters: a, lines } = adapters(exec);
    expect(
      await readExternalLayers(
        plan(['base:1']),
        { ...BUILDER, driver: 'docker-container' },
        'linux/amd64',
        a,
      ),
    ).toBeUndefined();
    expect(calls).toEqual([]);
    expect(lines[0]).toMatch(/kept in cache entries: the docker-container driver cannot see the image store/);
  });
});
