// measure.ts without an engine: a fake Exec that answers with recorded output (and "saves" the recorded
// archive), and a fake fetch for the registry's range reads and token flow.
import { describe, expect, test } from '@jest/globals';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import type { Exec, ExecResult } from '../adapters/exec.js';
import {
  measureLocalImage,
  measureLocalImagePlatforms,
  measureRegistryImage,
  parseBearerChallenge,
  readImageDiffIds,
  readUsesContainerdStore,
} from './measure.js';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const fixture = (name: string) => readFileSync(path.join(testdata, name), 'utf8');
const ok = (stdout: string): ExecResult => ({ exitCode: 0, stdout, stderr: '' });
const GRAPH_DRIVER =
  '[["Backing Filesystem","extfs"],["Supports d_type","true"],["Using metacopy","false"],["Native Overlay Diff","true"],["userxattr","false"]]\n';

describe('the engine', () => {
  test('the containerd store is told apart from a graph driver by docker info', async () => {
    const calls: string[][] = [];
    const exec: Exec = async (argv) => {
      calls.push([...argv]);
      return ok(fixture('docker-info-driver-status-containerd-26.1.json'));
    };
    expect(await readUsesContainerdStore(exec)).toBe(true);
    expect(calls).toEqual([['docker', 'info', '--format', '{{json .DriverStatus}}']]);
    expect(await readUsesContainerdStore(async () => ok(GRAPH_DRIVER))).toBe(false);
  });

  test('a graph-driver engine keeps no compressed layers: an error naming the remedy, and no docker save', async () => {
    const calls: string[][] = [];
    const exec: Exec = async (argv) => {
      calls.push([...argv]);
      return ok(GRAPH_DRIVER);
    };
    await expect(measureLocalImage(exec, 'app:1', 'linux/amd64')).rejects.toThrow(
      /^cannot measure app:1 from the engine: its image store keeps no compressed layers \(enable the containerd image store/,
    );
    expect(calls).toHaveLength(1);
  });

  test('a loaded image: docker image save into a temp dir, measured, the temp dir removed', async () => {
    const tempDir = mkdtempSync(path.join(tmpdir(), 'stagecraft-size-test-'));
    try {
      const calls: string[][] = [];
      const debug: string[] = [];
      const exec: Exec = async (argv, options) => {
        calls.push([...argv]);
        expect(options?.timeoutMs).toBeGreaterThan(0);
        if (argv[1] === 'info') return ok(fixture('docker-info-driver-status-containerd-26.1.json'));
        copyFileSync(path.join(testdata, 'save-two-platforms-containerd-26.1.tar'), argv[4]!);
        return ok('');
      };
      const image = await measureLocalImage(exec, 'app:two', 'linux/arm64', {
        tempDir,
        onDebug: (m) => debug.push(m),
      });
      expect(image).toMatchObject({ source: 'image-store', ref: 'app:two', platform: 'linux/arm64' });
      expect(calls[1]!.slice(0, 4)).toEqual(['docker', 'image', 'save', '--output']);
      expect(calls[1]![4]!.startsWith(path.join(tempDir, 'stagecraft-size-'))).toBe(true);
      expect(calls[1]![5]).toBe('app:two');
      expect(debug[1]).toBe(`size.measureLocalImage: ${JSON.stringify(calls[1])}`);
      expect(readdirSync(tempDir)).toEqual([]);
    } finally {
      rmSync(tempDir, { recursive: true, force: true });
    }
  });

  test('several platforms of one image: one docker save', async () => {
    let saves = 0;
    const exec: Exec = async (argv) => {
      if (argv[1] === 'info') return ok(fixture('docker-info-driver-status-containerd-26.1.json'));
      saves++;
      copyFileSync(path.join(testdata, 'save-two-platforms-containerd-26.1.tar'), argv[4]!);
      return ok('');
    };
    const images = await measureLocalImagePlatforms(exec, 'app:two', ['linux/amd64', 'linux/arm64']);
    expect(images.map((i) => i.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(images[0]!.indexDigest).toBe(images[1]!.indexDigest);
    expect(images[0]!.manifestDigest).not.toBe(images[1]!.manifestDigest);
    expect(saves).toBe(1);
  });

  test('docker save failing: the tool’s own message', async () => {
    const exec: Exec = async (argv) =>
      argv[1] === 'info'
        ? ok(fixture('docker-info-driver-status-containerd-26.1.json'))
        : { exitCode: 1, stdout: '', stderr: 'Error response from daemon: No such image: app:gone\n' };
    await expect(measureLocalImage(exec, 'app:gone', 'linux/amd64')).rejects.toThrow(
      'docker image save failed with exit code 1: Error response from daemon: No such image: app:gone',
    );
  });

  test('diff ids of a base image from docker image inspect; none when the engine lacks it', async () => {
    const inspect = JSON.parse(fixture('image-inspect-containerd-26.1.json')) as [
      { RootFS: { Layers: string[] } },
    ];
    const exec: Exec = async (argv) =>
      argv[argv.length - 1] === 'base:1'
        ? ok(`${JSON.stringify(inspect[0].RootFS.Layers.slice(0, 1))}\n`)
        : { exitCode: 1, stdout: '', stderr: 'Error: No such image: gone:1\n' };
    expect(await readImageDiffIds(exec, 'base:1')).toEqual(inspect[0].RootFS.Layers.slice(0, 1));
    expect(await readImageDiffIds(exec, 'gone:1')).toBeUndefined();
  });
});

describe('the registry', () => {
  const exec: Exec = async (argv) =>
    ok(
      argv.includes('--raw')
        ? fixture('imagetools-raw-manifest-buildx-0.13.1.json')
        : fixture('imagetools-image-buildx-0.13.1.json'),
    );

  test('Bearer challenges', () => {
    expect(
      parseBearerChallenge(
        'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:acme/app:pull"',
      ),
    ).toEqual(
      new Map([
        ['realm', 'https://ghcr.io/token'],
        ['service', 'ghcr.io'],
        ['scope', 'repository:acme/app:pull'],
      ]),
    );
    expect(parseBearerChallenge('Basic realm="Registry"')).toBeUndefined();
  });

  test('an anonymous token, then range reads with it; https for a registry that is not loopback', async () => {
    const recorded = JSON.parse(fixture('layer-sizes-two-stages-containerd-26.1.json')) as {
      digest: string;
      gzipTrailer: number;
      decompressed: number;
    }[];
    const trailers = new Map(recorded.map((l) => [l.digest, l.gzipTrailer]));
    const requests: string[] = [];
    const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
      const text = String(url);
      const headers = (init?.headers ?? {}) as Record<string, string>;
      requests.push(`${text} ${headers.authorization ?? '-'}`);
      if (text.startsWith('https://auth.example/token')) return Response.json({ token: 'T0KEN' });
      if (headers.authorization !== 'Bearer T0KEN') {
        return new Response('', {
          status: 401,
          headers: {
            'www-authenticate':
              'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:team/app:pull"',
          },
        });
      }
      const trailer = Buffer.alloc(4);
      trailer.writeUInt32LE(trailers.get(text.split('/').pop()!)!);
      return new Response(trailer, { status: 206 });
    }) as typeof fetch;
    const image = await measureRegistryImage(exec, 'registry.example/team/app:1', 'linux/amd64', {
      fetch: fakeFetch,
    });
    expect(image.warnings).toEqual([]);
    expect(image.layers.map((l) => l.uncompressedBytes)).toEqual(recorded.map((l) => l.decompressed));
    expect(image.layers.map((l) => l.uncompressedMethod)).toEqual([
      'gzip-trailer',
      'gzip-trailer',
      'gzip-trailer',
      'gzip-trailer',
    ]);
    expect(requests.slice(0, 3)).toEqual([
      `https://registry.example/v2/team/app/blobs/${image.layers[0]!.digest} -`,
      'https://auth.example/token?service=registry.example&scope=repository%3Ateam%2Fapp%3Apull -',
      `https://registry.example/v2/team/app/blobs/${image.layers[0]!.digest} Bearer T0KEN`,
    ]);
    expect(requests).toHaveLength(3 + 3);
  });

  test('a registry that ignores range requests: one warning, nothing downloaded beyond the first answer', async () => {
    let requests = 0;
    const fakeFetch = (async () => {
      requests++;
      return new Response('the whole blob', { status: 200 });
    }) as typeof fetch;
    const image = await measureRegistryImage(exec, 'localhost:5000/app:1', 'linux/amd64', {
      fetch: fakeFetch,
    });
    // http first for a loopback registry, then https; then no more tries for the other layers.
    expect(requests).toBe(2);
    expect(image.layers.every((l) => l.uncompressedBytes === undefined)).toBe(true);
    expect(image.warnings).toEqual([
      'The uncompressed sizes of 4 gzip layers are unknown: localhost:5000 ignores range requests.',
    ]);
  });

  test('a manifest for another platform is refused', async () => {
    await expect(measureRegistryImage(exec, 'localhost:5000/app:1', 'linux/arm64')).rejects.toThrow(
      'the image localhost:5000/app:1 is for linux/amd64, not linux/arm64',
    );
  });

  test('a manifest whose bytes do not match its digest is refused', async () => {
    const tampered: Exec = async (argv) => {
      const target = argv[argv.length - 1]!;
      if (!argv.includes('--raw')) return ok(fixture('imagetools-image-buildx-0.13.1.json'));
      return ok(
        target.includes('@')
          ? fixture('imagetools-raw-manifest-buildx-0.13.1.json') + ' '
          : fixture('imagetools-raw-index-buildx-0.13.1.json'),
      );
    };
    await expect(measureRegistryImage(tampered, 'localhost:5000/app:1', 'linux/amd64')).rejects.toThrow(
      /^the manifest of localhost:5000\/app:1 has digest sha256:[0-9a-f]{64}, expected sha256:[0-9a-f]{64}$/,
    );
  });
});
