// Scheduled rebuilds end to end: dist/index.js run as a runner runs it on `schedule` events (inputs as INPUT_*
// variables, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) against the real BuildKit and the loopback registry
// (localhost:5000), with a local stage cache directory shared between the runs (where the drift documents live
// too). Run 1 records the base images' digests; the base is pushed again under the same tag with other content;
// run 2 rebuilds exactly the stages on it and what builds on them, and says so; run 3 rebuilds nothing. Then
// `stagecraft drift` (dist/cli) prints the same check without building. The tests run in order.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BASE_IMAGE, describeWithBuildKit } from './support/buildkit.js';
import { REPO_ROOT } from './support/conformance.js';
import { runAction, type ActionRun } from './support/runner.js';

const REGISTRY = 'localhost:5000';

function registryProblem(): string | undefined {
  const probe = spawnSync('curl', ['-sf', '-o', '/dev/null', `http://${REGISTRY}/v2/`]);
  return probe.status === 0 ? undefined : `no registry answers on ${REGISTRY}`;
}

const registryMissing = registryProblem();
const required = process.env.STAGECRAFT_REQUIRE_BUILDKIT === '1';
if (registryMissing !== undefined && !required) {
  console.warn(
    `\n*** SKIPPING the scheduled-rebuild end-to-end tests: ${registryMissing}. Run scripts/setup-buildkit, or set STAGECRAFT_REQUIRE_BUILDKIT=1 to make this a failure. ***\n`,
  );
}
const withBuildKit =
  registryMissing === undefined || required
    ? describeWithBuildKit('scheduled rebuilds end to end (__tests__/action-drift.itg.test.ts)')
    : describe.skip;

function docker(args: string[]): string {
  const result = spawnSync('docker', args, { encoding: 'utf8', timeout: 240_000 });
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')} failed:\n${result.stderr.slice(-3000)}`);
  return `${result.stdout}${result.stderr}`;
}

/** The linux/amd64 manifest a tag points at, read from `imagetools inspect`'s human form (not src/buildx). */
function amd64Manifest(ref: string): string {
  const text = docker(['buildx', 'imagetools', 'inspect', ref]);
  const listed = /Name:\s+\S+@(sha256:[0-9a-f]{64})\s+MediaType:\s+\S+\s+Platform:\s+linux\/amd64\s/.exec(
    text,
  );
  if (listed !== null) return listed[1]!;
  const single = /Digest:\s+(sha256:[0-9a-f]{64})/.exec(text);
  if (single === null) throw new Error(`no digest in:\n${text}`);
  return single[1]!;
}

/** The keys of the entries in a local cache directory (see src/cache/local-store.ts for the layout). */
function storedKeys(cacheDir: string): string[] {
  const entries = path.join(cacheDir, 'v1', 'entries');
  if (!existsSync(entries)) return [];
  return readdirSync(entries).map(
    (id) => (JSON.parse(readFileSync(path.join(entries, id, 'meta.json'), 'utf8')) as { key: string }).key,
  );
}

function expectExit(run: ActionRun, code: number): void {
  expect(run.exitCode === code ? code : `exit ${run.exitCode}:\n${run.stdout}\n${run.stderr}`).toBe(code);
}

interface Rebuilt {
  readonly stage: string;
  readonly reason: string;
  readonly reasons: readonly string[];
  readonly detail: string;
}

withBuildKit(
  'scheduled rebuilds: digests recorded, a moved base rebuilds what it reaches, then nothing',
  () => {
    const nonce = `e${process.pid}x${Date.now().toString(36)}`;
    const BASE = `${REGISTRY}/stagecraft-drift-e2e-${nonce}:1`;
    const OTHER = `${REGISTRY}/stagecraft-drift-e2e-other-${nonce}:1`;
    let root: string;
    let workspace: string;
    let cacheDir: string;
    const images: string[] = [];
    let digestV1: string;
    let digestV2: string;
    let firstSize: string;

    // deps and app build on BASE; tools on OTHER; lint builds on tools and copies from deps.
    const dockerfile = [
      `FROM ${BASE} AS deps`,
      `RUN cat /base-version > /deps && echo ${nonce}-deps >> /deps`,
      `FROM ${OTHER} AS tools`,
      `RUN echo ${nonce}-tools > /tools`,
      'FROM tools AS lint',
      'COPY --from=deps /deps /deps',
      'RUN cat /deps /tools > /lint',
      `FROM ${BASE} AS app`,
      'COPY --from=lint /lint /lint',
      'RUN cat /base-version /lint > /app',
      '',
    ].join('\n');

    function pushImage(ref: string, content: string): void {
      const dir = mkdtempSync(path.join(root, 'image-'));
      writeFileSync(
        path.join(dir, 'Dockerfile'),
        `FROM ${BASE_IMAGE}\nRUN echo ${content} > /base-version\n`,
      );
      docker(['buildx', 'build', '--quiet', '--output', `type=registry,name=${ref}`, dir]);
    }

    async function scheduledRun(runId: string, extra: Record<string, string> = {}): Promise<ActionRun> {
      const run = await runAction(
        workspace,
        {
          file: 'Dockerfile',
          context: '.',
          target: 'app',
          platforms: 'linux/amd64',
          cache: 'local',
          'cache-dir': cacheDir,
          ...extra,
        },
        { name: 'schedule', payload: { schedule: '0 3 * * 1', repository: { default_branch: 'main' } } },
        { GITHUB_RUN_ID: runId, GITHUB_RUN_ATTEMPT: '1' },
      );
      images.push(run.outputs.get('imageid') ?? '');
      return run;
    }

    const rebuilt = (run: ActionRun): Rebuilt[] =>
      JSON.parse(run.outputs.get('rebuilt-stages') ?? 'null') as Rebuilt[];
    /** What the built image's /app says (the base version it was built on). */
    const appFile = (run: ActionRun): string =>
      execFileSync('docker', ['run', '--rm', run.outputs.get('imageid')!, 'cat', '/app'], {
        encoding: 'utf8',
      });

    beforeAll(() => {
      root = mkdtempSync(path.join(tmpdir(), 'stagecraft-drift-e2e-'));
      workspace = path.join(root, 'repo');
      cacheDir = path.join(root, 'cache');
      mkdirSync(workspace);
      writeFileSync(path.join(workspace, 'Dockerfile'), dockerfile);
      pushImage(OTHER, `${nonce}-other`);
      pushImage(BASE, `${nonce}-v1`);
      digestV1 = amd64Manifest(BASE);
    });

    afterAll(() => {
      for (const image of images.filter((id) => id !== ''))
        spawnSync('docker', ['image', 'rm', '--force', image]);
      spawnSync('docker', ['image', 'rm', '--force', BASE, OTHER]);
      if (root !== undefined) rmSync(root, { recursive: true, force: true });
    });

    test('run 1: no earlier scheduled run; the digests are recorded and every stage is built', async () => {
      const run = await scheduledRun('101');
      expectExit(run, 0);
      expect(run.stdout).not.toContain('::warning');
      expect(run.outputs.get('base-drift')).toBe('false');
      expect(run.outputs.get('drifted-images')).toBe('[]');
      expect(rebuilt(run).map((stage) => [stage.stage, stage.reason])).toEqual([
        ['deps', 'not cached'],
        ['tools', 'not cached'],
        ['lint', 'not cached'],
        ['app', 'not cached'],
      ]);
      expect(run.stdout).toContain(`${BASE} (linux/amd64): ${digestV1}`);
      expect(run.stdout).toContain('No earlier scheduled run to compare with');
      expect(run.summary).toContain('### Scheduled rebuild');
      expect(storedKeys(cacheDir).filter((key) => key.startsWith('stagecraft-drift-v1-'))).toEqual([
        expect.stringMatching(/-app-linux_amd64-101_1$/),
      ]);
      expect(appFile(run)).toContain(`${nonce}-v1`);
      firstSize = run.outputs.get('size') ?? '';
      expect(Number(firstSize)).toBeGreaterThan(0);
    });

    test('run 2: the same tag with other content rebuilds only the stages on it and what builds on them', async () => {
      pushImage(BASE, `${nonce}-v2`);
      digestV2 = amd64Manifest(BASE);
      expect(digestV2).not.toBe(digestV1);

      const run = await scheduledRun('102');
      expectExit(run, 0);
      expect(run.stdout).not.toContain('::warning');
      expect(run.outputs.get('base-drift')).toBe('true');
      expect(JSON.parse(run.outputs.get('drifted-images') ?? 'null')).toEqual([
        { image: BASE, platform: 'linux/amd64', old: digestV1, new: digestV2 },
      ]);
      expect(rebuilt(run).map((stage) => [stage.stage, stage.reason, stage.detail])).toEqual([
        ['deps', 'base moved', `${BASE} moved`],
        ['lint', 'base moved', 'built on deps'],
        ['app', 'base moved', `${BASE} moved`],
      ]);
      // tools (on the other image) came whole from its cache; the rest were rebuilt on the new base.
      expect(JSON.parse(run.outputs.get('cache-hits') ?? '{}')).toEqual({
        deps: 'miss',
        tools: 'exact',
        lint: 'miss',
        app: 'miss',
      });
      expect(appFile(run)).toContain(`${nonce}-v2`);
      // The log's Drift group and the summary: the old and new digest, the stages and why, the size.
      expect(run.stdout).toContain('::group::Drift');
      expect(run.stdout).toContain(`${digestV1} → ${digestV2}`);
      expect(run.stdout).toMatch(/deps\s+base moved: /);
      expect(run.stdout).toContain('no-cache-filter: deps, app');
      expect(run.summary).toContain('**1 of 2 base images moved**');
      expect(run.summary).toContain(`<code>${digestV1.slice(0, 19)}</code>`);
      expect(run.summary).toContain(`<code>${digestV2.slice(0, 19)}</code>`);
      expect(run.summary).toMatch(/Size: .* against the last scheduled run/);
      // The size report is compared with run 101's, found before this run stores its own.
      expect(run.stdout).toMatch(/: compared with stagecraft-size-v1-\S+-101\S* \(base-branch\)/);
    });

    test('run 3: nothing moved, nothing rebuilt, every step cached', async () => {
      const run = await scheduledRun('103');
      expectExit(run, 0);
      expect(run.outputs.get('base-drift')).toBe('false');
      expect(run.outputs.get('drifted-images')).toBe('[]');
      expect(rebuilt(run)).toEqual([]);
      expect(run.stdout).toContain('build: every step was cached');
      expect(run.stdout).toContain('No base image moved since the last scheduled run (run 102_1');
      expect(run.stdout).toMatch(/: compared with stagecraft-size-v1-\S+-102\S* \(base-branch\)/);
      expect(Object.values(JSON.parse(run.outputs.get('cache-hits') ?? '{}') as object)).toEqual([
        'exact',
        'exact',
        'exact',
        'exact',
      ]);
      expect(storedKeys(cacheDir).filter((key) => key.startsWith('stagecraft-drift-v1-'))).toHaveLength(3);
    });

    test('a push run is not scheduled: drift outputs empty, keys without digests', async () => {
      const run = await runAction(
        workspace,
        {
          file: 'Dockerfile',
          target: 'app',
          platforms: 'linux/amd64',
          cache: 'local',
          'cache-dir': cacheDir,
        },
        { name: 'push', payload: { ref: 'refs/heads/feature', repository: { default_branch: 'main' } } },
        { GITHUB_REF: 'refs/heads/feature' },
      );
      images.push(run.outputs.get('imageid') ?? '');
      expectExit(run, 0);
      expect(run.outputs.get('base-drift')).toBe('false');
      expect(run.outputs.get('drifted-images')).toBe('[]');
      expect(run.outputs.get('rebuilt-stages')).toBe('[]');
      expect(run.stdout).not.toContain('::group::Drift');
    });

    test('stagecraft drift prints the same check without building', () => {
      const cli = (args: string[]) =>
        spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist/cli/index.js'), 'drift', ...args], {
          cwd: workspace,
          encoding: 'utf8',
          timeout: 120_000,
        });
      const args = ['--target', 'app', '--platform', 'linux/amd64', '--cache-dir', cacheDir];
      const unchanged = cli(args);
      expect(unchanged.status === 0 ? 0 : unchanged.stderr).toBe(0);
      expect(unchanged.stdout).toContain('No base image moved since the last scheduled run (run 103_1');
      expect(unchanged.stdout).toContain('Rebuilt: nothing');

      pushImage(BASE, `${nonce}-v3`);
      const digestV3 = amd64Manifest(BASE);
      const moved = cli(args);
      expect(moved.status === 0 ? 0 : moved.stderr).toBe(0);
      expect(moved.stdout).toContain(`${digestV2} → ${digestV3}`);
      expect(moved.stdout).toMatch(/Rebuilt \(3 of 4\):\n {2}deps\s+base moved/);
      // Nothing built or stored: still three drift documents.
      expect(storedKeys(cacheDir).filter((key) => key.startsWith('stagecraft-drift-v1-'))).toHaveLength(3);

      const usage = cli([...args, '--max-cache-age', '7']);
      expect(usage.status).toBe(2);
      expect(usage.stderr).toContain('the unit is required');
    });
  },
);
