import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunError, type Exec, type ExecResult } from '../adapters/exec.js';
import { toOptions } from '../options.js';
import {
  BuildxUnavailableError,
  buildDetectArgs,
  checkBuilderSupport,
  detectBuilder,
  explainNoCacheExport,
  parseBuilderInspect,
  parseBuildxVersion,
  parseDockerInfo,
  resolveBuilderInfo,
  type BuilderInfo,
} from './detect.js';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const read = (name: string) => readFileSync(path.join(testdata, name), 'utf8');

// Recorded on this machine (record.sh): docker 26.1.5 (Debian) with the containerd image store, buildx
// 0.13.1+ds1, the default builder on the docker driver. The *-hand-written-* files are variants for drivers
// and set-ups this machine does not have, written in the format buildx 0.13 prints (commands/inspect.go).
const VERSION = 'buildx-version-0.13.1-debian.txt';
const INSPECT_HERE = 'inspect-docker-driver-containerd-store-buildx-0.13.txt';
const INFO_HERE = 'docker-info-containerd-store-26.1.txt';

describe('parseBuildxVersion', () => {
  test.each([
    [VERSION, '0.13.1+ds1'],
    ['buildx-version-0.13.1-upstream-hand-written.txt', '0.13.1'],
  ])('%s', (file, version) => {
    expect(parseBuildxVersion(read(file))).toBe(version);
  });

  test('refuses what is not a version line', () => {
    expect(() => parseBuildxVersion("docker: 'buildx' is not a docker command.")).toThrow(
      'cannot read a version from docker buildx version',
    );
  });
});

describe('parseBuilderInspect', () => {
  test('this machine: the default builder, docker driver, features and labels', () => {
    const inspect = parseBuilderInspect(read(INSPECT_HERE));
    expect(inspect).toMatchObject({ name: 'default', driver: 'docker', error: undefined });
    expect(inspect.nodes).toHaveLength(1);
    const node = inspect.nodes[0]!;
    expect(node).toMatchObject({
      name: 'default',
      endpoint: 'default',
      status: 'running',
      buildkitVersion: 'v0.0.0+unknown',
      platforms: ['linux/amd64', 'linux/amd64/v2', 'linux/amd64/v3', 'linux/amd64/v4'],
    });
    expect(Object.fromEntries(node.features)).toEqual({
      'Cache export': true,
      'Docker exporter': true,
      'Multi-platform build': true,
      'OCI exporter': true,
    });
    expect(node.labels.get('org.mobyproject.buildkit.worker.snapshotter')).toBe('overlayfs');
  });

  test('a docker-container builder: driver options, daemon flags, GC policy sections are not features', () => {
    const inspect = parseBuilderInspect(read('inspect-docker-container-driver-hand-written-buildx-0.13.txt'));
    expect(inspect).toMatchObject({ name: 'builder-4b1c', driver: 'docker-container' });
    const node = inspect.nodes[0]!;
    expect(node.buildkitVersion).toBe('v0.13.2');
    expect(node.platforms).toEqual([
      'linux/amd64',
      'linux/amd64/v2',
      'linux/amd64/v3',
      'linux/arm64',
      'linux/386',
    ]);
    expect([...node.features.keys()]).toEqual([
      'Cache export',
      'Docker exporter',
      'Multi-platform build',
      'OCI exporter',
    ]);
    expect(node.labels.size).toBe(6);
  });

  test('buildx 0.10’s `Buildkit:` line and no feature list', () => {
    const node = parseBuilderInspect(
      read('inspect-docker-container-no-features-hand-written-buildx-0.10.txt'),
    ).nodes[0]!;
    expect(node.buildkitVersion).toBe('v0.10.6');
    expect(node.features.size).toBe(0);
  });

  test('a node error', () => {
    const inspect = parseBuilderInspect(
      read('inspect-remote-driver-node-error-hand-written-buildx-0.13.txt'),
    );
    expect(inspect.nodes[0]!.error).toContain('dial tcp: lookup buildkitd: no such host');
  });

  test('refuses text without a builder', () => {
    expect(() => parseBuilderInspect('ERROR: no builder "x" found')).toThrow(
      "cannot read the builder's name",
    );
  });
});

describe('parseDockerInfo', () => {
  test('this machine: the containerd image store', () => {
    expect(parseDockerInfo(read(INFO_HERE))).toEqual({
      serverVersion: '26.1.5+dfsg1',
      storageDriver: 'overlayfs',
      containerdStore: true,
    });
  });

  test('overlay2 without the containerd store', () => {
    expect(parseDockerInfo(read('docker-info-overlay2-hand-written-26.1.txt'))).toEqual({
      serverVersion: '26.1.5+dfsg1',
      storageDriver: 'overlay2',
      containerdStore: false,
    });
  });
});

describe('resolveBuilderInfo', () => {
  test('this machine: docker driver on the containerd store exports caches and builds multi-platform', () => {
    const info = resolveBuilderInfo(read(VERSION), read(INSPECT_HERE), read(INFO_HERE));
    expect(info).toEqual({
      buildxVersion: '0.13.1+ds1',
      builder: 'default',
      driver: 'docker',
      buildkitVersion: undefined, // Debian's dockerd reports v0.0.0+unknown
      containerdStore: true,
      supportsCacheExport: true,
      supportsMultiPlatform: true,
      platforms: ['linux/amd64', 'linux/amd64/v2', 'linux/amd64/v3', 'linux/amd64/v4'],
      dockerVersion: '26.1.5+dfsg1',
    });
    expect(explainNoCacheExport(info)).toBeUndefined();
  });

  test('docker driver without the containerd store: no cache export, and the log says why', () => {
    const info = resolveBuilderInfo(
      read(VERSION),
      read('inspect-docker-driver-no-containerd-store-hand-written-buildx-0.13.txt'),
      read('docker-info-overlay2-hand-written-26.1.txt'),
    );
    expect(info).toMatchObject({
      driver: 'docker',
      buildkitVersion: 'v0.13.2',
      containerdStore: false,
      supportsCacheExport: false,
      supportsMultiPlatform: false,
    });
    expect(explainNoCacheExport(info)).toContain(
      'builder default uses the docker driver without the containerd image store, which cannot export build caches',
    );
  });

  test('without a feature list, the driver rule decides (docker driver needs the containerd store)', () => {
    const noFeatures = read(INSPECT_HERE).replace(/^Features:\n( .*\n)+/m, '');
    expect(noFeatures).not.toContain('Cache export');
    const withStore = resolveBuilderInfo(read(VERSION), noFeatures, read(INFO_HERE));
    expect(withStore).toMatchObject({ supportsCacheExport: true, supportsMultiPlatform: true });
    const withoutStore = resolveBuilderInfo(
      read(VERSION),
      noFeatures,
      read('docker-info-overlay2-hand-written-26.1.txt'),
    );
    expect(withoutStore).toMatchObject({ supportsCacheExport: false, supportsMultiPlatform: false });
    const noInfo = resolveBuilderInfo(read(VERSION), noFeatures, undefined);
    expect(noInfo).toMatchObject({
      containerdStore: false,
      supportsCacheExport: false,
      dockerVersion: undefined,
    });
  });

  test('a docker-container builder exports caches whatever the engine’s store', () => {
    const info = resolveBuilderInfo(
      read(VERSION),
      read('inspect-docker-container-no-features-hand-written-buildx-0.10.txt'),
      read('docker-info-overlay2-hand-written-26.1.txt'),
    );
    expect(info).toMatchObject({
      builder: 'elated_tesla',
      driver: 'docker-container',
      buildkitVersion: 'v0.10.6',
      containerdStore: false,
      supportsCacheExport: true,
      supportsMultiPlatform: true,
      platforms: ['linux/arm64', 'linux/arm/v7', 'linux/arm/v6'],
    });
  });

  test('a builder whose node cannot be reached is an error', () => {
    expect(() =>
      resolveBuilderInfo(
        read(VERSION),
        read('inspect-remote-driver-node-error-hand-written-buildx-0.13.txt'),
        undefined,
      ),
    ).toThrow('builder remote-builder (remote): Get "http://buildkitd:1234/grpc": dial tcp');
  });
});

describe('checkBuilderSupport', () => {
  const here = resolveBuilderInfo(read(VERSION), read(INSPECT_HERE), read(INFO_HERE));
  const noStore: BuilderInfo = {
    ...here,
    containerdStore: false,
    supportsCacheExport: false,
    supportsMultiPlatform: false,
  };

  test('several platforms need multi-platform support', () => {
    const options = toOptions({ platforms: 'linux/amd64,linux/arm64', load: 'true' });
    expect(checkBuilderSupport(options, here)).toEqual([]);
    expect(checkBuilderSupport(options, noStore)).toEqual([
      'Input platforms lists 2 platforms (linux/amd64, linux/arm64) but builder default (docker driver) cannot build them: the docker driver builds several platforms only with the containerd image store',
    ]);
    expect(checkBuilderSupport(toOptions({ platforms: 'linux/arm64' }), noStore)).toEqual([]);
  });
});

/** An Exec that answers from a table keyed by the argv, and records what it ran. */
function fakeExec(answers: Record<string, Partial<ExecResult> | Error>): Exec & { calls: string[][] } {
  const calls: string[][] = [];
  const exec = (async (argv: readonly string[]) => {
    calls.push([...argv]);
    const answer = answers[argv.join(' ')];
    if (answer === undefined) throw new Error(`unexpected command ${JSON.stringify(argv)}`);
    if (answer instanceof Error) throw answer;
    return { exitCode: 0, stdout: '', stderr: '', ...answer };
  }) as Exec & { calls: string[][] };
  exec.calls = calls;
  return exec;
}

describe('detectBuilder', () => {
  const commands = buildDetectArgs();

  test('runs the three commands once each, argv only', async () => {
    expect(commands).toEqual({
      version: ['docker', 'buildx', 'version'],
      inspect: ['docker', '--debug', 'buildx', 'inspect', '--bootstrap'],
      info: [
        'docker',
        'info',
        '--format',
        '{"serverVersion":{{json .ServerVersion}},"driver":{{json .Driver}},"driverStatus":{{json .DriverStatus}}}',
      ],
    });
    expect(buildDetectArgs('ci builder').inspect).toEqual([
      'docker',
      '--debug',
      'buildx',
      'inspect',
      '--bootstrap',
      'ci builder',
    ]);
    const exec = fakeExec({
      [commands.version.join(' ')]: { stdout: read(VERSION) },
      [commands.inspect.join(' ')]: { stdout: read(INSPECT_HERE) },
      [commands.info.join(' ')]: { stdout: read(INFO_HERE) },
    });
    const info = await detectBuilder(exec);
    expect(info.supportsCacheExport).toBe(true);
    expect(exec.calls).toHaveLength(3);
  });

  test('buildx missing: BuildxUnavailableError with what docker said', async () => {
    const exec = fakeExec({
      [commands.version.join(' ')]: {
        exitCode: 1,
        stderr: "docker: 'buildx' is not a docker command.\nSee 'docker --help'\n",
      },
    });
    const error = await detectBuilder(exec).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildxUnavailableError);
    expect((error as Error).message).toBe(
      "docker buildx is not available: docker: 'buildx' is not a docker command.\nSee 'docker --help'",
    );
  });

  test('docker missing altogether (spawn fails): BuildxUnavailableError', async () => {
    const exec = fakeExec({ [commands.version.join(' ')]: new Error('spawn docker ENOENT') });
    await expect(detectBuilder(exec)).rejects.toThrow('docker buildx is not available: spawn docker ENOENT');
  });

  test('an unknown builder: RunError carrying buildx’s message', async () => {
    const inspect = buildDetectArgs('nope').inspect;
    const exec = fakeExec({
      [commands.version.join(' ')]: { stdout: read(VERSION) },
      [inspect.join(' ')]: { exitCode: 1, stderr: 'ERROR: no builder "nope" found\n' },
      [commands.info.join(' ')]: { stdout: read(INFO_HERE) },
    });
    const error = await detectBuilder(exec, { builder: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RunError);
    expect((error as RunError).stderrTail).toBe('ERROR: no builder "nope" found');
  });

  test('docker info failing (no local engine) only means no containerd store', async () => {
    const exec = fakeExec({
      [commands.version.join(' ')]: { stdout: read(VERSION) },
      [commands.inspect.join(' ')]: {
        stdout: read('inspect-docker-container-driver-hand-written-buildx-0.13.txt'),
      },
      [commands.info.join(' ')]: { exitCode: 1, stderr: 'Cannot connect to the Docker daemon' },
    });
    expect(await detectBuilder(exec)).toMatchObject({
      driver: 'docker-container',
      containerdStore: false,
      supportsCacheExport: true,
      dockerVersion: undefined,
    });
  });
});
