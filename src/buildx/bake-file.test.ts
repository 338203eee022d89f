import { describe, expect, test } from '@jest/globals';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectGolden } from '../../__tests__/support/golden.js';
import { toOptions, type RawInputs } from '../options.js';
import { bakeUnsupportedInputs, buildBakeFile, renderBakeFile, type BakeFileInput } from './bake-file.js';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const CWD = '/home/runner/work/app/app';

function input(raw: RawInputs, rest: Partial<BakeFileInput> = {}): BakeFileInput {
  return {
    options: toOptions(raw, 'actions'),
    stageTargets: [],
    targetCacheTo: [],
    cacheFrom: [],
    targetName: raw.target,
    cwd: CWD,
    ...rest,
  };
}

const EVERY_INPUT: RawInputs = {
  file: 'docker/app.Dockerfile',
  context: 'app',
  target: 'runtime',
  'build-args': 'VERSION=1.2.3\nGREETING=hello, world',
  'build-contexts': 'alpine=docker-image://alpine:3.20\nshared=../shared',
  platforms: 'linux/amd64,linux/arm64',
  tags: 'ghcr.io/acme/app:1.2.3\nghcr.io/acme/app:latest',
  labels: 'org.opencontainers.image.source=https://github.com/acme/app',
  annotations: 'index:org.opencontainers.image.title=app',
  push: 'true',
  outputs: 'type=image,name=ghcr.io/acme/mirror:1.2.3',
  secrets: 'GIT_AUTH_TOKEN=ghp_never_in_the_file',
  'secret-files': 'npmrc=/home/runner/.npmrc',
  ssh: 'default',
  pull: 'true',
  'no-cache-filters': 'build',
  network: 'host',
  'shm-size': '2g',
  ulimit: 'nofile=1024:1024',
  provenance: 'mode=max',
  sbom: 'true',
  'cache-from': 'type=registry,ref=ghcr.io/acme/app:buildcache',
  'cache-to': 'type=inline',
};

describe('buildBakeFile', () => {
  test('every input: cache-only stage targets, then the image target (golden)', () => {
    const bake = buildBakeFile(
      input(EVERY_INPUT, {
        stageTargets: [
          { name: 'deps', cacheTo: ['type=local,dest=/tmp/sc/deps,mode=max,tag=deps'] },
          { name: 'build', cacheTo: ['type=local,dest=/tmp/sc/build,mode=max,tag=build'] },
        ],
        targetCacheTo: ['type=local,dest=/tmp/sc/runtime,mode=max,tag=runtime'],
        cacheFrom: ['type=local,src=/tmp/sc/restored,tag=deps', 'type=local,src=/tmp/sc/restored,tag=base'],
      }),
    );
    expectGolden(path.join(testdata, 'bake-every-input.json'), renderBakeFile(bake.definition));
    expect(bake.compose).toBeDefined();
    expectGolden(path.join(testdata, 'bake-every-input.compose.json'), renderBakeFile(bake.compose!));
    expect(bake.targets).toEqual(['deps', 'build', 'runtime']);
    expect(bake.imageTarget).toBe('runtime');
    expect([...bake.stageTargetIds]).toEqual([
      ['deps', 'deps'],
      ['build', 'build'],
    ]);
    expect(bake.secretEnv).toEqual({ STAGECRAFT_SECRET_0: 'ghp_never_in_the_file' });
    expect(renderBakeFile(bake.definition)).not.toContain('ghp_never_in_the_file');
  });

  test('all stages hit: only the image target, no cache export (golden)', () => {
    const bake = buildBakeFile(
      input(
        { target: 'runtime', load: 'true', tags: 'app:dev' },
        { cacheFrom: ['type=local,src=/tmp/sc/restored,tag=runtime'] },
      ),
    );
    expectGolden(path.join(testdata, 'bake-all-stages-hit.json'), renderBakeFile(bake.definition));
    expect(bake.compose).toBeUndefined();
    expect(bake.targets).toEqual(['runtime']);
    expect(bake.secretEnv).toEqual({});
  });

  test('the shared fields are identical in every target, so BuildKit solves each step once', () => {
    const bake = buildBakeFile(
      input(EVERY_INPUT, {
        stageTargets: [{ name: 'deps', cacheTo: ['type=local,dest=/d'] }],
        cacheFrom: ['type=local,src=/r'],
      }),
    );
    const { deps, runtime } = bake.definition.target;
    for (const key of [
      'context',
      'dockerfile',
      'args',
      'contexts',
      'platforms',
      'secret',
      'ssh',
      'pull',
      'no-cache-filter',
      'shm-size',
      'ulimits',
      'cache-from',
    ] as const) {
      expect({ key, value: deps![key] }).toEqual({ key, value: runtime![key] });
      expect(deps![key]).toBeDefined();
    }
    // Only the image target carries what describes the image.
    expect(Object.keys(deps!).filter((key) => !(key in runtime!))).toEqual([]);
    expect(deps).not.toHaveProperty('tags');
    expect(deps).not.toHaveProperty('labels');
    expect(deps).not.toHaveProperty('attest');
    expect(deps!.output).toEqual(['type=cacheonly']);
  });

  test('extra cache-from goes to every target, extra cache-to only to the image', () => {
    const bake = buildBakeFile(
      input(
        { target: 'app', 'cache-from': 'type=gha', 'cache-to': 'type=gha,mode=max' },
        {
          stageTargets: [{ name: 'deps', cacheTo: ['type=local,dest=/d'] }],
          cacheFrom: ['type=local,src=/r'],
        },
      ),
    );
    expect(bake.definition.target.deps!['cache-from']).toEqual(['type=local,src=/r', 'type=gha']);
    expect(bake.definition.target.deps!['cache-to']).toEqual(['type=local,dest=/d']);
    expect(bake.definition.target.app!['cache-to']).toEqual(['type=gha,mode=max']);
  });

  test('push and load become the image target’s outputs, never bake’s global flags', () => {
    const outputs = (raw: RawInputs) =>
      buildBakeFile(input({ target: 't', ...raw })).definition.target.t!.output;
    expect(outputs({})).toBeUndefined();
    expect(outputs({ push: 'true' })).toEqual(['type=image,push=true']);
    expect(outputs({ load: 'true' })).toEqual(['type=docker']);
    expect(outputs({ push: 'true', load: 'true' })).toEqual(['type=image,push=true', 'type=docker']);
    expect(outputs({ push: 'true', outputs: 'type=image,name=x,push=false\ntype=registry,name=y' })).toEqual([
      'type=image,name=x,push=true',
      'type=registry,name=y',
    ]);
    expect(outputs({ load: 'true', outputs: 'type=docker,dest=/tmp/img.tar' })).toEqual([
      'type=docker,dest=/tmp/img.tar',
      'type=docker',
    ]);
    expect(outputs({ load: 'true', outputs: 'type=docker,name=x' })).toEqual(['type=docker,name=x']);
  });

  test('provenance and sbom become attest specs as buildx canonicalizes them', () => {
    const attest = (raw: RawInputs) =>
      buildBakeFile(input({ target: 't', ...raw })).definition.target.t!.attest;
    expect(attest({})).toBeUndefined();
    expect(attest({ provenance: 'false' })).toEqual(['type=provenance,disabled=true']);
    expect(attest({ provenance: 'true', sbom: 'generator=docker/scout-sbom-indexer:1' })).toEqual([
      'type=provenance,disabled=false',
      'type=sbom,generator=docker/scout-sbom-indexer:1',
    ]);
  });

  test('HCL template sequences are escaped in values and keys', () => {
    const bake = buildBakeFile(
      input({
        target: 't',
        'build-args': 'A=${HOME}\nB=%{ if x }y%{ endif }\nC=$${already}\nD=plain $HOME',
        labels: 'k${x}=v',
      }),
    );
    expect(bake.definition.target.t!.args).toEqual({
      A: '$${HOME}',
      B: '%%{ if x }y%%{ endif }',
      C: '$$${already}',
      D: 'plain $HOME',
    });
    expect(bake.definition.target.t!.labels).toEqual({ 'k$${x}': 'v' });
  });

  test('secret ids and paths with commas or quotes are CSV-quoted', () => {
    const bake = buildBakeFile(input({ target: 't', 'secret-files': '"a=/x,y"\n"b=/q""uote"' }));
    expect(bake.definition.target.t!.secret).toEqual(['id=a,"src=/x,y"', 'id=b,"src=/q""uote"']);
  });

  test('target ids are valid bake names, unique, and the last stage has one when unnamed', () => {
    const bake = buildBakeFile(
      input(
        {},
        {
          stageTargets: [
            { name: 'base.v1', cacheTo: ['type=local,dest=/a'] },
            { name: 'base_v1', cacheTo: ['type=local,dest=/b'] },
            { name: 'image', cacheTo: ['type=local,dest=/c'] },
          ],
          targetName: undefined,
        },
      ),
    );
    expect(bake.targets).toEqual(['base_v1', 'base_v1-2', 'image', 'image-2']);
    expect(bake.definition.target['base_v1']!.target).toBe('base.v1');
    expect(bake.definition.target['base_v1-2']!.target).toBe('base_v1');
    expect(bake.definition.target['image-2']).not.toHaveProperty('target');
  });

  test('the Dockerfile is absolute (bake resolves a relative one against the context); a remote context keeps it', () => {
    expect(
      buildBakeFile(input({ file: 'docker/x.Dockerfile', context: 'app' })).definition.target.image!
        .dockerfile,
    ).toBe(`${CWD}/docker/x.Dockerfile`);
    expect(buildBakeFile(input({ file: '/abs/Dockerfile' })).definition.target.image!.dockerfile).toBe(
      '/abs/Dockerfile',
    );
    const remote = buildBakeFile(
      input({ context: 'https://github.com/acme/app.git#main', file: 'Dockerfile' }),
    );
    expect(remote.definition.target.image!.dockerfile).toBe('Dockerfile');
  });

  test('refuses what it cannot express, and the image target among the stage targets', () => {
    const hosts = input({ target: 't', 'add-hosts': 'docker:10.0.0.1' });
    expect(bakeUnsupportedInputs(hosts.options)).toEqual(['add-hosts']);
    expect(() => buildBakeFile(hosts)).toThrow('buildx bake cannot express add-hosts; use buildBuildArgs');
    expect(() =>
      buildBakeFile(
        input(
          { target: 'Runtime' },
          { stageTargets: [{ name: 'runtime', cacheTo: ['type=local,dest=/x'] }] },
        ),
      ),
    ).toThrow('"runtime" is the image target; give its export as targetCacheTo');
  });

  test('the same input gives the same text', () => {
    const make = () => renderBakeFile(buildBakeFile(input(EVERY_INPUT)).definition);
    expect(make()).toBe(make());
  });
});
