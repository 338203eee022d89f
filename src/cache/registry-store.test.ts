import { describe, expect, test } from '@jest/globals';

import type { Exec, ExecResult } from '../adapters/exec.js';
import { RegistryStore } from './registry-store.js';
import type { StoreCallOptions } from './store.js';

const CACHE_MANIFEST = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.index.v1+json',
  manifests: [
    { mediaType: 'application/vnd.buildkit.cacheconfig.v0', digest: `sha256:${'0'.repeat(64)}`, size: 1 },
  ],
});

function fakeExec(answer: (ref: string) => ExecResult | Error): { exec: Exec; argvs: string[][] } {
  const argvs: string[][] = [];
  const exec: Exec = async (argv) => {
    argvs.push([...argv]);
    const result = answer(argv.at(-1)!);
    if (result instanceof Error) throw result;
    return result;
  };
  return { exec, argvs };
}

function recorder(): StoreCallOptions & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, onWarning: (m) => warnings.push(m) };
}

const found: ExecResult = { exitCode: 0, stdout: CACHE_MANIFEST, stderr: '' };
const notFound = (ref: string): ExecResult => ({
  exitCode: 1,
  stdout: '',
  stderr: `ERROR: ${ref}: not found\n`,
});

describe('RegistryStore', () => {
  test('lookup: the exact tag, then the moving tag of each restore key', async () => {
    const { exec, argvs } = fakeExec((ref) =>
      ref === 'localhost:5000/c:k-app-latest' ? found : notFound(ref),
    );
    const store = new RegistryStore({ repository: 'localhost:5000/c', exec });
    expect(await store.lookup('k-app-p1-f1', ['k-app-p1-', 'k-app-'])).toEqual({
      key: 'k-app-latest',
      exact: false,
    });
    expect(argvs.map((a) => a.at(-1))).toEqual([
      'localhost:5000/c:k-app-p1-f1',
      'localhost:5000/c:k-app-p1-latest',
      'localhost:5000/c:k-app-latest',
    ]);
    expect(argvs[0]).toEqual([
      'docker',
      'buildx',
      'imagetools',
      'inspect',
      '--raw',
      'localhost:5000/c:k-app-p1-f1',
    ]);
    expect(store.cacheFrom('k-app-latest')).toBe('type=registry,ref=localhost:5000/c:k-app-latest');
  });

  test('exists and an exact hit', async () => {
    const { exec } = fakeExec(() => found);
    const store = new RegistryStore({ repository: 'localhost:5000/c', exec });
    expect(await store.lookup('k', ['k-'])).toEqual({ key: 'k', exact: true });
    expect(await store.exists('k')).toBe(true);
    expect(await store.restore()).toBe(0);
    expect(await store.save()).toBe(0);
  });

  test('cacheTo: the entry and one moving tag per restore key, all mode=max', () => {
    const store = new RegistryStore({
      repository: 'ghcr.io/acme/app-cache',
      exec: fakeExec(() => found).exec,
    });
    expect(store.cacheTo('k-app-p1-f1', ['k-app-p1-', 'k-app-'])).toEqual([
      'type=registry,ref=ghcr.io/acme/app-cache:k-app-p1-f1,mode=max',
      'type=registry,ref=ghcr.io/acme/app-cache:k-app-p1-latest,mode=max',
      'type=registry,ref=ghcr.io/acme/app-cache:k-app-latest,mode=max',
    ]);
  });

  test.each([
    {
      name: 'registry unreachable',
      answer: {
        exitCode: 1,
        stdout: '',
        stderr:
          'ERROR: failed to do request: Head "http://localhost:5001/v2/c/manifests/k": dial tcp 127.0.0.1:5001: connect: connection refused\n',
      },
      warning:
        /^registry cache: lookup of k failed: localhost:5000\/c:k: ERROR: failed to do request: .*connection refused$/,
    },
    {
      name: 'docker missing',
      answer: new Error('spawn docker ENOENT'),
      warning: /^registry cache: lookup of k failed: localhost:5000\/c:k: spawn docker ENOENT$/,
    },
    {
      name: 'the tag holds an image, not a cache',
      answer: { exitCode: 0, stdout: '{"schemaVersion":2,"config":{}}', stderr: '' },
      warning: /^registry cache: lookup of k failed: localhost:5000\/c:k is not a BuildKit cache manifest$/,
    },
  ])('a fault is a warning and a miss: $name', async ({ answer, warning }) => {
    const store = new RegistryStore({ repository: 'localhost:5000/c', exec: fakeExec(() => answer).exec });
    const calls = recorder();
    expect(await store.lookup('k', ['k-'], calls)).toBeUndefined();
    expect(await store.exists('k', calls)).toBe(false);
    expect(calls.warnings).toHaveLength(2);
    expect(calls.warnings[0]).toMatch(warning);
  });

  test.each(['localhost:5000/c:tag', 'ghcr.io/acme/app:v1', 'bad repo', ''])(
    'a repository with a tag or junk is refused: %j',
    (repository) => {
      expect(() => new RegistryStore({ repository, exec: fakeExec(() => found).exec })).toThrow(
        /registry cache repository must be a repository without a tag/,
      );
    },
  );
});
