import { describe, expect, test } from '@jest/globals';
import {
  INPUTS,
  InputError,
  isScheduledRun,
  OUTPUTS,
  outputType,
  redact,
  redactSpec,
  splitQuotedItems,
  toOptions,
  type RawInputs,
} from './options.js';

/** The InputError message toOptions throws for `raw`, or a failure when it does not throw one. */
function inputError(raw: RawInputs, environment: 'actions' | 'local' = 'local'): string {
  try {
    toOptions(raw, environment);
  } catch (error) {
    if (error instanceof InputError) return error.message;
    throw error;
  }
  throw new Error(`toOptions accepted ${JSON.stringify(raw)}`);
}

describe('toOptions defaults', () => {
  test('empty inputs mean build-push-action’s defaults', () => {
    const options = toOptions({}, 'local');
    expect(options).toEqual({
      file: 'Dockerfile',
      context: '.',
      target: undefined,
      buildArgs: new Map(),
      buildContexts: new Map(),
      platforms: [],
      tags: [],
      labels: new Map(),
      annotations: [],
      push: false,
      load: false,
      outputs: [],
      secrets: [],
      secretFiles: [],
      ssh: [],
      builder: undefined,
      pull: false,
      noCache: false,
      noCacheFilters: [],
      network: undefined,
      addHosts: [],
      shmSize: undefined,
      ulimits: [],
      provenance: undefined,
      sbom: undefined,
      cacheFrom: [],
      cacheTo: [],
      cache: 'local',
      cacheRef: undefined,
      cacheDir: undefined,
      cacheKeySalt: '',
      githubToken: undefined,
      comment: 'always',
      commentThreshold: 0.1,
      sizeLimit: undefined,
      maxIncrease: undefined,
      failOnBudget: true,
      baselineImage: undefined,
      mode: 'auto',
      maxCacheAge: undefined,
    });
  });

  test('cache defaults to gha on a runner and local elsewhere; the old one-argument call means local', () => {
    expect(toOptions({}, 'actions').cache).toBe('gha');
    expect(toOptions({}, 'local').cache).toBe('local');
    expect(toOptions({}).cache).toBe('local');
  });

  test('every input the action reads is an Options field or part of one (no input forgotten)', () => {
    // A guard against adding an input to INPUTS without reading it: each must change the options.
    const samples: Record<(typeof INPUTS)[number], string> = {
      file: 'x/Dockerfile',
      context: 'x',
      target: 't',
      'build-args': 'A=1',
      'build-contexts': 'a=docker-image://b',
      platforms: 'linux/arm64',
      tags: 'app:1',
      labels: 'a=b',
      annotations: 'a=b',
      push: 'true',
      load: 'true',
      outputs: 'type=registry',
      secrets: 'A=b',
      'secret-files': 'B=/f',
      ssh: 'default',
      builder: 'b',
      pull: 'true',
      'no-cache': 'true',
      'no-cache-filters': 'deps',
      network: 'host',
      'add-hosts': 'h:1.2.3.4',
      'shm-size': '2g',
      ulimit: 'nofile=1:2',
      provenance: 'mode=max',
      sbom: 'true',
      'cache-from': 'type=gha',
      'cache-to': 'type=gha',
      cache: 'off',
      'cache-ref': 'r',
      'cache-dir': 'd',
      'cache-key-salt': 's',
      'github-token': 'ghp_token',
      comment: 'never',
      'comment-threshold': '5%',
      'size-limit': '150MB',
      'max-increase': '10%',
      'fail-on-budget': 'false',
      'baseline-image': 'ghcr.io/acme/app:main',
      mode: 'scheduled',
      'max-cache-age': '7d',
    };
    const base = JSON.stringify(redact(toOptions({}, 'local')));
    const unread = INPUTS.filter((name) => {
      const raw: RawInputs = { [name]: samples[name] };
      if (name === 'cache-ref') raw.cache = 'registry';
      if (name === 'cache-dir') raw.cache = 'local';
      return JSON.stringify(redact(toOptions(raw, 'local'))) === base;
    });
    expect(unread).toEqual([]);
    expect(toOptions({ outputs: 'type=registry' }).outputs).toEqual(['type=registry']);
    expect(toOptions({ load: 'true' }).load).toBe(true);
  });

  test('OUTPUTS lists build-push-action’s outputs, the cache ones and the size ones', () => {
    expect(OUTPUTS).toEqual(
      expect.arrayContaining([
        'imageid',
        'digest',
        'metadata',
        'cache-hits',
        'cache-bytes-restored',
        'cache-bytes-saved',
        'size',
        'size-uncompressed',
        'size-delta',
        'size-delta-percent',
        'baseline-size',
        'report',
        'base-drift',
        'drifted-images',
        'rebuilt-stages',
      ]),
    );
  });
});

describe('scheduled rebuilds: mode and max-cache-age', () => {
  test('mode is auto, scheduled or normal; max-cache-age a whole number and a unit', () => {
    expect(toOptions({ mode: 'scheduled', 'max-cache-age': '7d' })).toMatchObject({
      mode: 'scheduled',
      maxCacheAge: 7 * 86_400_000,
    });
    expect(toOptions({ mode: ' normal ' }).mode).toBe('normal');
    expect(toOptions({ 'max-cache-age': '12h' }).maxCacheAge).toBe(12 * 3_600_000);
    expect(inputError({ mode: 'weekly' })).toBe(
      'Input mode: expected one of auto, scheduled, normal, got "weekly"',
    );
    expect(inputError({ 'max-cache-age': '7' })).toContain('the unit is required');
    expect(inputError({ 'max-cache-age': '1 week' })).toMatch(
      /^Input max-cache-age: expected a whole number/,
    );
  });

  test('max-cache-age is refused with mode normal', () => {
    expect(inputError({ mode: 'normal', 'max-cache-age': '7d' })).toBe(
      'Inputs max-cache-age and mode conflict: max-cache-age applies to scheduled runs, but mode is normal; use mode auto (scheduled on schedule and workflow_dispatch events) or scheduled',
    );
  });

  test('auto is scheduled on schedule and workflow_dispatch events only', () => {
    expect(isScheduledRun('auto', 'schedule')).toBe(true);
    expect(isScheduledRun('auto', 'workflow_dispatch')).toBe(true);
    expect(isScheduledRun('auto', 'push')).toBe(false);
    expect(isScheduledRun('auto', 'local')).toBe(false);
    expect(isScheduledRun('scheduled', 'pull_request')).toBe(true);
    expect(isScheduledRun('normal', 'schedule')).toBe(false);
  });
});

describe('toOptions parsing', () => {
  test('the existing inputs keep their behaviour', () => {
    const options = toOptions({
      context: ' app ',
      target: 'runtime',
      'build-args': 'A=1\n\n  B=x=y,z  \n',
      'build-contexts': 'alpine=docker-image://alpine:3.20',
      platforms: 'linux/amd64, linux/arm64\nlinux/arm/v7',
    });
    expect(options.file).toBe('app/Dockerfile');
    expect(options.context).toBe('app');
    expect(options.target).toBe('runtime');
    expect([...options.buildArgs]).toEqual([
      ['A', '1'],
      ['B', 'x=y,z'],
    ]);
    expect([...options.buildContexts]).toEqual([['alpine', 'docker-image://alpine:3.20']]);
    expect(options.platforms).toEqual(['linux/amd64', 'linux/arm64', 'linux/arm/v7']);
  });

  test('list inputs are newline-separated; only platforms splits on commas', () => {
    const options = toOptions({
      tags: 'ghcr.io/acme/app:1\nghcr.io/acme/app:latest',
      annotations: 'index:org.opencontainers.image.title=a, b',
      outputs: 'type=image,name=x,push=true\ntype=local,dest=out',
      'cache-from': 'type=registry,ref=x:cache',
      'cache-to': 'type=inline',
      ssh: 'default\nkeys=/a,/b',
      'no-cache-filters': 'deps\nbuild',
      ulimit: 'nofile=1024:2048\nnproc=-1',
      'add-hosts': 'docker:10.180.0.1\nhost=::1',
    });
    expect(options.tags).toEqual(['ghcr.io/acme/app:1', 'ghcr.io/acme/app:latest']);
    expect(options.annotations).toEqual(['index:org.opencontainers.image.title=a, b']);
    expect(options.outputs).toEqual(['type=image,name=x,push=true', 'type=local,dest=out']);
    expect(options.cacheFrom).toEqual(['type=registry,ref=x:cache']);
    expect(options.cacheTo).toEqual(['type=inline']);
    expect(options.ssh).toEqual(['default', 'keys=/a,/b']);
    expect(options.noCacheFilters).toEqual(['deps', 'build']);
    expect(options.ulimits).toEqual(['nofile=1024:2048', 'nproc=-1']);
    expect(options.addHosts).toEqual(['docker:10.180.0.1', 'host=::1']);
  });

  test('a comma-separated list in a newline-only input is an error that says so', () => {
    expect(inputError({ tags: 'app:1,app:latest' })).toBe(
      'Input tags: one tag per line (only platforms also splits on commas), got "app:1,app:latest"',
    );
    expect(inputError({ 'no-cache-filters': 'deps,build' })).toContain(
      'Input no-cache-filters: one stage per line',
    );
  });

  test('booleans are true or false only, and the error names the input', () => {
    expect(toOptions({ push: 'true', load: 'False', pull: 'TRUE', 'no-cache': ' false ' })).toMatchObject({
      push: true,
      load: false,
      pull: true,
      noCache: false,
    });
    expect(inputError({ push: 'yes' })).toBe('Input push: expected true or false, got "yes"');
    expect(inputError({ 'no-cache': '1' })).toBe('Input no-cache: expected true or false, got "1"');
  });

  test('cache is an enum; cache-ref, cache-dir and cache-key-salt are read', () => {
    expect(toOptions({ cache: 'registry', 'cache-ref': 'ghcr.io/acme/cache' })).toMatchObject({
      cache: 'registry',
      cacheRef: 'ghcr.io/acme/cache',
    });
    expect(
      toOptions({ cache: 'local', 'cache-dir': '/var/cache/sc', 'cache-key-salt': ' v2 ' }),
    ).toMatchObject({
      cache: 'local',
      cacheDir: '/var/cache/sc',
      cacheKeySalt: 'v2',
    });
    expect(toOptions({ cache: 'off' }, 'actions').cache).toBe('off');
    expect(inputError({ cache: 'GHA' })).toBe(
      'Input cache: expected one of gha, local, registry, off, got "GHA"',
    );
  });

  test('secrets are ID=VALUE with values kept exactly; a quoted item may span lines', () => {
    const options = toOptions({
      secrets: 'GIT_AUTH_TOKEN=abc=def, x \n"KEY=-----BEGIN-----\nline ""2""\n-----END-----"\n',
      'secret-files': 'npmrc=/home/u/.npmrc\n"odd=/a,b"',
    });
    expect(options.secrets).toEqual([
      { id: 'GIT_AUTH_TOKEN', value: 'abc=def, x' },
      { id: 'KEY', value: '-----BEGIN-----\nline "2"\n-----END-----' },
    ]);
    expect(options.secretFiles).toEqual([
      { id: 'npmrc', path: '/home/u/.npmrc' },
      { id: 'odd', path: '/a,b' },
    ]);
  });

  test('a malformed secret is refused without echoing it', () => {
    const message = inputError({ secrets: 'hunter2-without-an-id' });
    expect(message).toBe('Input secrets: expected ID=VALUE on each line (the value is not shown)');
    expect(message).not.toContain('hunter2');
    expect(inputError({ 'secret-files': 'npmrc' })).toBe('Input secret-files: expected ID=PATH, got "npmrc"');
  });

  test('network, shm-size, ulimit, add-hosts, provenance and sbom are checked', () => {
    expect(
      toOptions({ network: 'host', 'shm-size': '2g', provenance: 'mode=max', sbom: 'false' }),
    ).toMatchObject({
      network: 'host',
      shmSize: '2g',
      provenance: 'mode=max',
      sbom: 'false',
    });
    expect(toOptions({ provenance: 'True' }).provenance).toBe('true');
    expect(inputError({ network: 'bridge' })).toBe(
      'Input network: expected one of default, none, host (BuildKit\'s modes for RUN), got "bridge"',
    );
    expect(inputError({ 'shm-size': 'lots' })).toBe(
      'Input shm-size: expected a size such as 2g or 512m, got "lots"',
    );
    expect(inputError({ ulimit: 'files=10' })).toContain('Input ulimit: expected TYPE=SOFT[:HARD]');
    expect(inputError({ ulimit: 'nofile=20:10' })).toBe(
      'Input ulimit: the soft limit exceeds the hard limit in "nofile=20:10"',
    );
    expect(inputError({ 'add-hosts': 'docker' })).toContain('Input add-hosts: expected HOST:IP');
    expect(inputError({ provenance: 'max' })).toContain(
      'Input provenance: expected true, false or attributes',
    );
    expect(inputError({ sbom: 'type=sbom' })).toContain('(without type=)');
  });

  test('annotations need KEY=VALUE', () => {
    expect(inputError({ annotations: 'just-a-word' })).toContain('Input annotations: expected KEY=VALUE');
  });
});

describe('size and comment inputs', () => {
  test('budgets, comment settings and the baseline image are read strictly', () => {
    expect(
      toOptions({
        'size-limit': ' 150MB ',
        'max-increase': '5%',
        comment: 'on-change',
        'comment-threshold': '1.5%',
        'fail-on-budget': 'false',
        'baseline-image': 'ghcr.io/acme/app:main',
        'github-token': ' ghs_abc ',
      }),
    ).toMatchObject({
      sizeLimit: 150_000_000,
      maxIncrease: { kind: 'percent', percent: 5 },
      comment: 'on-change',
      commentThreshold: 1.5,
      failOnBudget: false,
      baselineImage: 'ghcr.io/acme/app:main',
      githubToken: 'ghs_abc',
    });
    expect(toOptions({ 'max-increase': '10MB' }).maxIncrease).toEqual({ kind: 'bytes', bytes: 10_000_000 });
    expect(toOptions({ 'size-limit': '1GiB' }).sizeLimit).toBe(1024 ** 3);
  });

  test.each([
    {
      raw: { 'size-limit': '150' },
      error:
        'Input size-limit: expected a size with a unit such as 150MB, 1.5GB or 500kB (the unit is required), got "150"',
    },
    {
      raw: { 'max-increase': 'lots' },
      error:
        'Input max-increase: expected a percentage such as 5% or a size with a unit such as 150MB, 1.5GB or 500kB, got "lots"',
    },
    {
      raw: { 'comment-threshold': '0.1' },
      error: 'Input comment-threshold: expected a percentage such as 5% or 0.1%, got "0.1"',
    },
    {
      raw: { comment: 'sometimes' },
      error: 'Input comment: expected one of always, on-change, never, got "sometimes"',
    },
    { raw: { 'fail-on-budget': 'yes' }, error: 'Input fail-on-budget: expected true or false, got "yes"' },
    {
      raw: { 'baseline-image': 'a:1, b:2' },
      error:
        'Input baseline-image: expected one image reference such as ghcr.io/acme/app:main, got "a:1, b:2"',
    },
  ])('$error', ({ raw, error }) => {
    expect(inputError(raw)).toBe(error);
  });

  test('the token is never logged', () => {
    const logged = JSON.stringify(redact(toOptions({ 'github-token': 'ghs_supersecret' })));
    expect(logged).not.toContain('ghs_supersecret');
    expect(redact(toOptions({ 'github-token': 'ghs_supersecret' }))).toMatchObject({ githubToken: '***' });
  });
});

describe('toOptions conflicts', () => {
  test('push with a non-image output conflicts, naming both inputs', () => {
    expect(inputError({ push: 'true', outputs: 'type=local,dest=out' })).toBe(
      'Inputs push and outputs conflict: push applies to image outputs, but outputs has "type=local,dest=out"; drop push and add an output type=image,push=true or type=registry',
    );
    expect(toOptions({ push: 'true', outputs: 'type=image,name=x\ntype=registry' }).push).toBe(true);
  });

  test('load with a non-docker output conflicts', () => {
    expect(inputError({ load: 'true', outputs: 'type=oci,dest=x.tar' })).toContain(
      'Inputs load and outputs conflict: load is the output type=docker, but outputs has "type=oci,dest=x.tar"',
    );
    expect(toOptions({ load: 'true', outputs: 'type=docker,dest=img.tar' }).load).toBe(true);
  });

  test('push and load together are allowed (buildx 0.13 exports to both)', () => {
    expect(toOptions({ push: 'true', load: 'true' })).toMatchObject({ push: true, load: true });
  });

  test('cache-ref is required for cache: registry and only allowed there; cache-dir only for local', () => {
    expect(inputError({ cache: 'registry' })).toBe(
      'Input cache-ref is required when cache is registry (for example ghcr.io/acme/app-cache)',
    );
    expect(inputError({ 'cache-ref': 'x' }, 'actions')).toBe(
      'Inputs cache-ref and cache conflict: cache-ref applies to cache: registry, but cache is gha (the default on a runner)',
    );
    expect(inputError({ cache: 'gha', 'cache-dir': '/tmp/c' })).toBe(
      'Inputs cache-dir and cache conflict: cache-dir applies to cache: local, but cache is gha',
    );
  });

  test('the same secret id in secrets and secret-files conflicts', () => {
    expect(inputError({ secrets: 'npmrc=x', 'secret-files': 'npmrc=/f' })).toBe(
      'Inputs secrets and secret-files conflict: both define the secret id "npmrc"',
    );
  });

  test('every problem is reported at once', () => {
    expect(
      inputError({ push: 'maybe', cache: 'registry', network: 'bridge', outputs: 'type=tar,dest=x' }),
    ).toBe(
      [
        '3 input problems:',
        '- Input push: expected true or false, got "maybe"',
        '- Input network: expected one of default, none, host (BuildKit\'s modes for RUN), got "bridge"',
        '- Input cache-ref is required when cache is registry (for example ghcr.io/acme/app-cache)',
      ].join('\n'),
    );
  });
});

describe('redact', () => {
  test('secret values and credential attributes never appear', () => {
    const options = toOptions({
      secrets: 'GIT_AUTH_TOKEN=ghp_supersecret',
      'cache-to': 'type=gha,url=http://x/,token=eyJhbGciOi.payload.sig,mode=max',
      'cache-from': 'type=s3,region=eu,secret_access_key=AKIAXYZ,bucket=b',
      'build-args': 'A=1',
    });
    const logged = JSON.stringify(redact(options));
    expect(logged).not.toContain('ghp_supersecret');
    expect(logged).not.toContain('eyJhbGciOi');
    expect(logged).not.toContain('AKIAXYZ');
    expect(redact(options)).toMatchObject({
      secrets: [{ id: 'GIT_AUTH_TOKEN', value: '***' }],
      cacheTo: ['type=gha,url=http://x/,token=***,mode=max'],
      cacheFrom: ['type=s3,region=eu,secret_access_key=***,bucket=b'],
      buildArgs: { A: '1' },
    });
  });

  test('redactSpec leaves specs without credentials alone', () => {
    expect(redactSpec('type=local,dest=/tmp/x,mode=max')).toBe('type=local,dest=/tmp/x,mode=max');
    expect(redactSpec('password=p,type=registry')).toBe('password=***,type=registry');
  });
});

describe('helpers', () => {
  test.each([
    ['type=image,name=x', 'image'],
    ['name=x,TYPE=Registry', 'registry'],
    ['type=docker,dest=x.tar', 'docker'],
    ['-', 'tar'],
    ['out/dir', 'local'],
    ['name=x', ''],
  ])('outputType(%j) is %j', (spec, type) => {
    expect(outputType(spec)).toBe(type);
  });

  test('splitQuotedItems rejects an unclosed quote and text after a closing one', () => {
    expect(() => splitQuotedItems('secrets', '"A=b')).toThrow('Input secrets: a quoted item is not closed');
    expect(() => splitQuotedItems('secrets', '"A=b" c')).toThrow('unexpected text after a quoted item');
    expect(splitQuotedItems('secrets', '\r\n A=1 \r\n\r\n"B=2"\r\n')).toEqual(['A=1', 'B=2']);
  });
});
