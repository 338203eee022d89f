// Against the real BuildKit (scripts/setup-buildkit): one bake run builds testdata/three-stages' runtime,
// exports the caches of deps and build through cache-only targets and the runtime's through its own
// cache-to, and loads the image; after `docker buildx prune -af` the same build from those exports is
// fully CACHED. Skips loudly where buildx or the engine is missing, unless STAGECRAFT_REQUIRE_BUILDKIT=1.
//
// Note: the prune empties the build cache of the whole engine, which other suites on the same engine share.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execProcess, RunError } from '../adapters/exec.js';
import { toOptions, type RawInputs } from '../options.js';
import {
  buildBakeArgs,
  buildBakeFile,
  buildBuildArgs,
  BuildxRunError,
  detectBuilder,
  parseBakeMetadata,
  parseProgress,
  readMetadataFile,
  runBuildx,
  summarizeProgress,
  writeBakeFiles,
  type BakeFileInput,
  type BuilderInfo,
} from './index.js';

const testdata = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const BASE_IMAGE = 'stagecraft-test/busybox:1';
const required = process.env.STAGECRAFT_REQUIRE_BUILDKIT === '1';

/** Why this machine cannot run the suite, or undefined when it can. */
async function unavailable(): Promise<string | undefined> {
  try {
    const version = await execProcess(['docker', 'buildx', 'version'], { timeoutMs: 30_000 });
    if (version.exitCode !== 0) return `docker buildx does not run: ${version.stderr.trim()}`;
    const base = await execProcess(['docker', 'image', 'inspect', BASE_IMAGE], { timeoutMs: 30_000 });
    if (base.exitCode !== 0) {
      return `no ${BASE_IMAGE} (or no engine): ${base.stderr.trim().split('\n')[0]}; run scripts/setup-buildkit`;
    }
    return undefined;
  } catch (error) {
    return `docker is not installed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

const missing = await unavailable();
if (missing !== undefined && !required) {
  console.warn(
    `bake.itg.test.ts SKIPPED: ${missing} (set STAGECRAFT_REQUIRE_BUILDKIT=1 to make this a failure)`,
  );
}

async function docker(...argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return execProcess(['docker', ...argv], { timeoutMs: 120_000 });
}

/** One bake run as main.ts will make it: bake file, argv, run, metadata. */
async function bake(workdir: string, input: BakeFileInput, name: string) {
  const file = buildBakeFile(input);
  const dir = path.join(workdir, name);
  mkdirSync(dir, { recursive: true });
  const written = await writeBakeFiles(dir, file);
  const metadataFile = path.join(dir, 'metadata.json');
  const argv = buildBakeArgs({
    bakeFile: written.bakeFile,
    composeFile: written.composeFile,
    metadataFile,
    builder: input.options.builder,
    progress: 'plain',
    targets: file.targets,
  });
  const lines: string[] = [];
  const result = await runBuildx(execProcess, argv, {
    cwd: workdir,
    env: { ...process.env, ...file.secretEnv },
    onLine: (line) => lines.push(line),
    timeoutMs: 300_000,
  });
  const metadataText = await readMetadataFile(metadataFile);
  const vertices = parseProgress(result.output, { prefixedByTarget: file.targets.length > 1 });
  return {
    file,
    written,
    lines,
    result,
    metadata: metadataText === undefined ? undefined : parseBakeMetadata(metadataText),
    vertices,
    summary: summarizeProgress(vertices),
  };
}

/** The cache manifests an exported OCI layout lists. */
function layoutManifests(dir: string): string[] {
  expect(JSON.parse(readFileSync(path.join(dir, 'oci-layout'), 'utf8'))).toEqual({
    imageLayoutVersion: '1.0.0',
  });
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as {
    manifests: { digest: string }[];
  };
  for (const manifest of index.manifests) {
    expect(existsSync(path.join(dir, 'blobs', ...manifest.digest.split(':')))).toBe(true);
  }
  return index.manifests.map((manifest) => manifest.digest);
}

const suite = missing === undefined || required ? describe : describe.skip;

suite(
  missing === undefined
    ? 'bake against a real BuildKit'
    : `bake against a real BuildKit (SKIPPED: ${missing})`,
  () => {
    const nonce = `itg-${process.pid}-${Date.now()}`;
    const tag = `stagecraft-itg/runtime:${nonce}`;
    let workdir: string;
    let info: BuilderInfo;

    beforeAll(async () => {
      if (missing !== undefined) throw new Error(`STAGECRAFT_REQUIRE_BUILDKIT=1 but ${missing}`);
      workdir = mkdtempSync(path.join(tmpdir(), 'stagecraft-bake-itg-'));
      cpSync(path.join(testdata, 'three-stages'), path.join(workdir, 'three-stages'), { recursive: true });
      cpSync(path.join(testdata, 'run-error'), path.join(workdir, 'run-error'), { recursive: true });
      info = await detectBuilder(execProcess);
    }, 120_000);

    afterAll(async () => {
      if (missing !== undefined) return;
      await docker('image', 'rm', '--force', tag);
      if (workdir !== undefined) rmSync(workdir, { recursive: true, force: true });
    }, 60_000);

    const options = (raw: RawInputs) =>
      toOptions(
        {
          context: 'three-stages',
          target: 'runtime',
          'build-args': `NONCE=${nonce}`,
          ...raw,
        },
        'local',
      );

    test('the builder exports caches (the docker driver only on the containerd image store)', () => {
      expect(info.supportsCacheExport).toBe(true);
      if (info.driver === 'docker') expect(info.containerdStore).toBe(true);
    });

    test('one bake: cache-only exports for deps and build, the runtime exported and loaded; then, after a prune, fully cached from the exports', async () => {
      const cache = (stage: string) => path.join(workdir, `cache-${stage}`);
      const cold = await bake(
        workdir,
        {
          options: options({ load: 'true', tags: tag }),
          stageTargets: [
            { name: 'deps', cacheTo: [`type=local,dest=${cache('deps')},mode=max`] },
            { name: 'build', cacheTo: [`type=local,dest=${cache('build')},mode=max`] },
          ],
          targetCacheTo: [`type=local,dest=${cache('runtime')},mode=max`],
          cacheFrom: [],
          targetName: 'runtime',
          cwd: workdir,
        },
        'cold',
      );
      expect(cold.file.targets).toEqual(['deps', 'build', 'runtime']);
      expect(cold.lines.length).toBeGreaterThan(20);

      // Every stage the runtime needs ran, once; the test stage (which would fail) did not.
      expect(cold.summary.stagesRun).toEqual(expect.arrayContaining(['deps', 'build', 'runtime']));
      expect(cold.summary.executedRuns.map((vertex) => vertex.stage).sort()).toEqual(['build', 'deps']);
      expect(cold.vertices.some((vertex) => vertex.stage === 'test')).toBe(false);
      expect(cold.result.output).not.toContain('test must not run');

      // Each export is an OCI layout whose manifest is the one the metadata names.
      const metadata = cold.metadata!;
      expect([...metadata.keys()].sort()).toEqual(['build', 'deps', 'runtime']);
      for (const stage of ['deps', 'build', 'runtime']) {
        expect(layoutManifests(cache(stage))).toContain(metadata.get(stage)!.cacheManifest);
      }
      const runtime = metadata.get('runtime')!;
      expect(runtime.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(runtime.imageid).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(runtime.imageName).toBe(`docker.io/${tag}`);
      expect(metadata.get('deps')!.digest).toBe('');

      const inspect = await docker('image', 'inspect', '--format', '{{.Id}}', tag);
      expect(inspect.exitCode).toBe(0);
      const ran = await docker('run', '--rm', tag);
      expect(ran.stdout).toBe(`deps ${nonce}\nhello\n`);

      // Nothing local left: only the exports can make the next build cached.
      expect((await docker('image', 'rm', tag)).exitCode).toBe(0);
      expect((await docker('buildx', 'prune', '-af')).exitCode).toBe(0);

      const warm = await bake(
        workdir,
        {
          options: options({ load: 'true', tags: tag }),
          stageTargets: [],
          targetCacheTo: [],
          cacheFrom: ['deps', 'build', 'runtime'].map((stage) => `type=local,src=${cache(stage)}`),
          targetName: 'runtime',
          cwd: workdir,
        },
        'warm',
      );
      expect(warm.summary.executedSteps.map((vertex) => vertex.name)).toEqual([]);
      expect(warm.summary.fullyCached).toBe(true);
      expect([...warm.summary.stagesCached].sort()).toEqual(['build', 'deps', 'runtime']);
      expect((await docker('run', '--rm', tag)).stdout).toBe(`deps ${nonce}\nhello\n`);
      expect(warm.metadata!.get('runtime')!.cacheManifest).toBeUndefined();
    }, 300_000);

    test('bake reads back every field of the generated file (bake --print), unknown fields being silently dropped', async () => {
      const file = buildBakeFile({
        options: options({
          'build-contexts': 'extra=three-stages',
          platforms: 'linux/amd64',
          tags: 'stagecraft-itg/print:1',
          labels: 'a=${b}',
          annotations: 'index:org.opencontainers.image.title=x',
          push: 'true',
          secrets: 'tok=value',
          pull: 'true',
          'no-cache': 'true',
          'no-cache-filters': 'deps',
          network: 'none',
          'shm-size': '128m',
          ulimit: 'nofile=1024:1024',
          provenance: 'mode=max',
          sbom: 'false',
          'cache-from': 'type=local,src=/nonexistent',
          'cache-to': 'type=inline',
        }),
        stageTargets: [{ name: 'deps', cacheTo: ['type=local,dest=/tmp/x'] }],
        targetCacheTo: [],
        cacheFrom: [],
        targetName: 'runtime',
        cwd: workdir,
      });
      const dir = path.join(workdir, 'print');
      mkdirSync(dir);
      const written = await writeBakeFiles(dir, file);
      const printed = await execProcess(
        [
          'docker',
          'buildx',
          'bake',
          '--file',
          written.bakeFile,
          '--file',
          written.composeFile!,
          '--print',
          ...file.targets,
        ],
        { cwd: workdir, env: { ...process.env, ...file.secretEnv }, timeoutMs: 60_000 },
      );
      expect(printed.exitCode).toBe(0);
      const targets = (JSON.parse(printed.stdout) as { target: Record<string, Record<string, unknown>> })
        .target;
      for (const id of file.targets) {
        // Templates were escaped for HCL; bake prints the values the user gave.
        const unescaped = JSON.parse(JSON.stringify(file.definition.target[id]).replace(/\$\$\{/g, '${'));
        expect({ id, target: targets[id] }).toEqual({ id, target: unescaped });
      }
      expect(targets.runtime!.labels).toEqual({ a: '${b}' });
    }, 120_000);

    test('network through the compose override, and a secret through the environment', async () => {
      const dir = path.join(workdir, 'probe');
      mkdirSync(dir);
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        [
          `FROM ${BASE_IMAGE} AS probe`,
          'ARG NONCE',
          // Upper-cased, so the log proves the value arrived without containing it.
          'RUN --mount=type=secret,id=tok echo "secret $NONCE:" $(tr a-z A-Z < /run/secrets/tok)',
          'RUN echo "interfaces:" $(tail -n +3 /proc/net/dev | cut -d: -f1)',
          '',
        ].join('\n'),
      );
      const run = await bake(
        workdir,
        {
          options: toOptions(
            {
              context: 'probe',
              target: 'probe',
              network: 'none',
              secrets: 'tok=s3cr3t value',
              outputs: 'type=cacheonly',
              'build-args': `NONCE=${nonce}`,
            },
            'local',
          ),
          stageTargets: [],
          targetCacheTo: [],
          cacheFrom: [],
          targetName: 'probe',
          cwd: workdir,
        },
        'probe-run',
      );
      const logs = run.summary.executedRuns.flatMap((vertex) => vertex.logs);
      expect(logs).toContain(`secret ${nonce}: S3CR3T VALUE`);
      expect(logs).toContain('interfaces: lo');
      expect(run.result.output).not.toContain('s3cr3t');
    }, 120_000);

    test('add-hosts, which bake cannot express: a docker buildx build with a cache-only export', async () => {
      const dir = path.join(workdir, 'hosts');
      mkdirSync(dir);
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        `FROM ${BASE_IMAGE} AS hosts\nARG NONCE\nRUN grep stagecraft-host /etc/hosts\n`,
      );
      const argv = buildBuildArgs({
        options: toOptions(
          { context: 'hosts', 'add-hosts': 'stagecraft-host:10.1.2.3', 'build-args': `NONCE=${nonce}` },
          'local',
        ),
        kind: 'cache-only',
        target: 'hosts',
        cacheFrom: [],
        cacheTo: [`type=local,dest=${path.join(workdir, 'cache-hosts')},mode=max`],
        progress: 'plain',
      });
      const result = await runBuildx(execProcess, argv, { cwd: workdir, timeoutMs: 120_000 });
      const runs = summarizeProgress(parseProgress(result.output, { prefixedByTarget: false })).executedRuns;
      expect(runs.flatMap((vertex) => vertex.logs)).toEqual(['10.1.2.3\tstagecraft-host']);
      expect(layoutManifests(path.join(workdir, 'cache-hosts'))).toHaveLength(1);
    }, 120_000);

    test('a failing step: RunError with the ERROR line and the Dockerfile excerpt', async () => {
      const error = await bake(
        workdir,
        {
          options: toOptions(
            { context: 'run-error', target: 'runtime', 'build-args': `NONCE=${nonce}` },
            'local',
          ),
          stageTargets: [
            { name: 'deps', cacheTo: [`type=local,dest=${path.join(workdir, 'cache-error')},mode=max`] },
          ],
          targetCacheTo: [],
          cacheFrom: [],
          targetName: 'runtime',
          cwd: workdir,
        },
        'error',
      ).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RunError);
      const failure = error as BuildxRunError;
      expect(failure.exitCode).toBe(1);
      expect(failure.buildError).toMatchObject({
        step: expect.stringContaining('[runtime build 1/1] RUN echo "compiling"'),
        location: { file: 'Dockerfile', line: 5 },
      });
      expect(failure.stderrTail).toContain('>>> RUN echo "compiling" && \\');
      expect(failure.stderrTail).toMatch(/ERROR: failed to solve: process .* exit code: 3$/);
    }, 120_000);
  },
);
