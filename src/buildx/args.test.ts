import { describe, expect, test } from '@jest/globals';
import { toOptions, type RawInputs } from '../options.js';
import { buildBakeArgs, buildBuildArgs, type BuildArgsInput } from './args.js';

describe('buildBakeArgs', () => {
  test('files, metadata file, progress, then the targets', () => {
    expect(
      buildBakeArgs({
        bakeFile: '/tmp/sc/stagecraft.bake.json',
        metadataFile: '/tmp/sc/metadata.json',
        progress: 'plain',
        targets: ['deps', 'build', 'runtime'],
      }),
    ).toEqual([
      'docker',
      'buildx',
      'bake',
      '--file',
      '/tmp/sc/stagecraft.bake.json',
      '--metadata-file',
      '/tmp/sc/metadata.json',
      '--progress=plain',
      'deps',
      'build',
      'runtime',
    ]);
  });

  test('a builder and the compose override for network', () => {
    expect(
      buildBakeArgs({
        bakeFile: 'b.json',
        composeFile: 'c.yaml',
        metadataFile: 'm.json',
        builder: 'my builder',
        progress: 'rawjson',
        targets: ['app'],
      }),
    ).toEqual([
      'docker',
      'buildx',
      'bake',
      '--builder',
      'my builder',
      '--file',
      'b.json',
      '--file',
      'c.yaml',
      '--metadata-file',
      'm.json',
      '--progress=rawjson',
      'app',
    ]);
  });

  test('refuses no targets and a target that would read as a flag', () => {
    const base = { bakeFile: 'b', metadataFile: 'm', progress: 'plain' as const };
    expect(() => buildBakeArgs({ ...base, targets: [] })).toThrow('buildBakeArgs: no targets');
    expect(() => buildBakeArgs({ ...base, targets: ['--push'] })).toThrow('"--push" is not a bake target id');
  });
});

function build(raw: RawInputs, rest: Partial<BuildArgsInput> = {}): string[] {
  return buildBuildArgs({
    options: toOptions(raw, 'local'),
    kind: 'image',
    target: raw.target,
    cacheFrom: [],
    cacheTo: [],
    progress: 'plain',
    ...rest,
  });
}

describe('buildBuildArgs', () => {
  test('the plainest build', () => {
    expect(build({})).toEqual(['docker', 'buildx', 'build', '--file', 'Dockerfile', '--progress=plain', '.']);
  });

  test('every input, one argv element per value (values with spaces, quotes, commas stay whole)', () => {
    expect(
      build(
        {
          file: 'docker/app.Dockerfile',
          context: 'app',
          target: 'runtime',
          builder: 'ci',
          'build-args': 'MSG=hello "world", $HOME; rm -rf /',
          'build-contexts': 'alpine=docker-image://alpine:3.20',
          platforms: 'linux/amd64\nlinux/arm64',
          tags: 'app:1',
          labels: 'a=b c',
          annotations: 'manifest:k=v',
          push: 'true',
          secrets: 'TOKEN=ghp_x',
          'secret-files': 'npmrc=/h/.npmrc',
          ssh: 'default',
          pull: 'true',
          'no-cache': 'true',
          'no-cache-filters': 'deps',
          network: 'none',
          'add-hosts': 'docker:10.0.0.1',
          'shm-size': '1g',
          ulimit: 'nofile=10:20',
          provenance: 'false',
          sbom: 'true',
          'cache-from': 'type=gha',
          'cache-to': 'type=gha,mode=max',
        },
        {
          cacheFrom: ['type=local,src=/r,tag=deps'],
          cacheTo: ['type=local,dest=/e,mode=max,tag=runtime'],
          metadataFile: '/tmp/m.json',
        },
      ),
    ).toEqual([
      'docker',
      'buildx',
      'build',
      '--builder',
      'ci',
      '--file',
      'docker/app.Dockerfile',
      '--target',
      'runtime',
      '--build-arg',
      'MSG=hello "world", $HOME; rm -rf /',
      '--build-context',
      'alpine=docker-image://alpine:3.20',
      '--platform',
      'linux/amd64,linux/arm64',
      '--secret',
      'id=TOKEN,env=STAGECRAFT_SECRET_0',
      '--secret',
      'id=npmrc,src=/h/.npmrc',
      '--ssh',
      'default',
      '--pull',
      '--no-cache',
      '--no-cache-filter',
      'deps',
      '--network',
      'none',
      '--add-host',
      'docker:10.0.0.1',
      '--shm-size',
      '1g',
      '--ulimit',
      'nofile=10:20',
      '--tag',
      'app:1',
      '--label',
      'a=b c',
      '--annotation',
      'manifest:k=v',
      '--attest',
      'type=provenance,disabled=true',
      '--attest',
      'type=sbom,disabled=false',
      '--cache-from',
      'type=local,src=/r,tag=deps',
      '--cache-from',
      'type=gha',
      '--cache-to',
      'type=local,dest=/e,mode=max,tag=runtime',
      '--cache-to',
      'type=gha,mode=max',
      '--output',
      'type=image,push=true',
      '--metadata-file',
      '/tmp/m.json',
      '--progress=plain',
      'app',
    ]);
  });

  test('a cache-only stage build has the solve’s inputs but nothing of the image', () => {
    const argv = build(
      {
        target: 'runtime',
        tags: 'app:1',
        labels: 'a=b',
        push: 'true',
        provenance: 'true',
        'build-args': 'A=1',
        'cache-to': 'type=gha',
        'cache-from': 'type=gha',
      },
      { kind: 'cache-only', target: 'deps', cacheTo: ['type=local,dest=/d,mode=max,tag=deps'] },
    );
    expect(argv).toEqual([
      'docker',
      'buildx',
      'build',
      '--file',
      'Dockerfile',
      '--target',
      'deps',
      '--build-arg',
      'A=1',
      '--cache-from',
      'type=gha',
      '--cache-to',
      'type=local,dest=/d,mode=max,tag=deps',
      '--output',
      'type=cacheonly',
      '--progress=plain',
      '.',
    ]);
  });

  test('a context that starts with a dash cannot read as a flag', () => {
    expect(build({ context: '-weird' }).at(-1)).toBe('./-weird');
  });

  test('the secret value never appears in argv', () => {
    expect(build({ secrets: 'TOKEN=ghp_never' }).join(' ')).not.toContain('ghp_never');
  });
});
