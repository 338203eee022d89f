// Scheduled rebuilds against the real BuildKit and the loopback registry (localhost:5000; scripts/setup-buildkit):
// a base image pushed, resolved without pulling, pushed again under the same tag with other content and resolved
// again; three scheduled runs as main.ts will wire them (the previous run's document from a local store, digests
// into the stage keys, drift, a real `docker buildx build --pull` with the drift's no-cache-filters, the next
// document stored). The second run rebuilds exactly the stages on the moved base and what builds on them, with
// their RUN steps executed and the others cached; the third rebuilds nothing. Skips loudly without BuildKit or the
// registry, unless STAGECRAFT_REQUIRE_BUILDKIT=1.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { BASE_IMAGE, describeWithBuildKit } from '../../__tests__/support/buildkit.js';
import { execProcess } from '../adapters/exec.js';
import {
  parseProgress,
  resolveImageDigests,
  resolveImagePlatforms,
  summarizeProgress,
} from '../buildx/index.js';
import { LocalStore, type RestoreResult } from '../cache/index.js';
import { parseDockerfile } from '../dockerfile/index.js';
import { computeStageKeys, dockerfileKeyPart, type StageKey } from '../keys/index.js';
import { formatAllPlatform, parsePlatform, planStages, type PlanRequest } from '../plan/index.js';
import { parseStages } from '../stages/index.js';
import {
  applyRefreshedKeys,
  buildDriftDocument,
  computeDrift,
  findDriftDocument,
  imageDigestsForKeys,
  imageUsages,
  pinnedImageContexts,
  pullDecision,
  resolveRequests,
  saveDriftDocument,
  type DriftResult,
  type DriftScope,
} from './index.js';

const REGISTRY = 'localhost:5000';

function registryProblem(): string | undefined {
  const probe = spawnSync('curl', ['-sf', '-o', '/dev/null', `http://${REGISTRY}/v2/`]);
  return probe.status === 0 ? undefined : `no registry answers on ${REGISTRY}`;
}

const registryMissing = registryProblem();
const required = process.env.STAGECRAFT_REQUIRE_BUILDKIT === '1';
if (registryMissing !== undefined && !required) {
  console.warn(
    `\n*** SKIPPING the drift integration tests: ${registryMissing}. Run scripts/setup-buildkit, or set STAGECRAFT_REQUIRE_BUILDKIT=1 to make this a failure. ***\n`,
  );
}
const describeDrift =
  registryMissing === undefined || required
    ? describeWithBuildKit('the drift integration tests')
    : describe.skip;

async function docker(args: string[], cwd?: string): Promise<string> {
  const result = await execProcess(['docker', ...args], {
    timeoutMs: 240_000,
    ...(cwd === undefined ? {} : { cwd }),
  });
  if (result.exitCode !== 0)
    throw new Error(`docker ${args.join(' ')} failed:\n${result.stderr.slice(-3000)}`);
  return `${result.stdout}${result.stderr}`;
}

/** `docker buildx imagetools inspect` (the human form): the manifest listed for linux/amd64. */
async function listedAmd64Manifest(ref: string): Promise<string> {
  const text = await docker(['buildx', 'imagetools', 'inspect', ref]);
  const match = /Name:\s+\S+@(sha256:[0-9a-f]{64})\s+MediaType:\s+\S+\s+Platform:\s+linux\/amd64\s/.exec(
    text,
  );
  if (match === null) throw new Error(`no linux/amd64 manifest in:\n${text}`);
  return match[1]!;
}

describeDrift('scheduled rebuilds through a real registry and BuildKit', () => {
  const nonce = `d${process.pid}x${Date.now().toString(36)}`;
  const BASE = `${REGISTRY}/stagecraft-drift-base-${nonce}:1`;
  const OTHER = `${REGISTRY}/stagecraft-drift-other-${nonce}:1`;
  const PLATFORM = parsePlatform('linux/amd64');
  let root: string;
  let store: LocalStore;
  let digestV1: string;
  let indexV1: string;
  let digestV2: string;

  // deps and app build on BASE; tools on OTHER; lint builds on tools and copies from deps.
  const dockerfile = `FROM ${BASE} AS deps
RUN cat /base-version > /deps && echo ${nonce}-deps >> /deps
FROM ${OTHER} AS tools
RUN echo ${nonce}-tools > /tools
FROM tools AS lint
COPY --from=deps /deps /deps
RUN cat /deps /tools > /lint
FROM ${BASE} AS app
COPY --from=lint /lint /lint
RUN cat /base-version /lint > /app
`;
  const request: PlanRequest = {
    target: 'app',
    buildArgs: new Map(),
    buildContexts: new Map(),
    targetPlatform: PLATFORM,
    buildPlatform: PLATFORM,
  };
  const staged = parseStages(parseDockerfile(dockerfile));
  const plan = planStages(staged, request);
  const scope: DriftScope = {
    dockerfile: dockerfileKeyPart('Dockerfile'),
    target: 'app',
    platform: formatAllPlatform(PLATFORM),
  };
  /** Keys saved by earlier runs: what a restore would find exactly. */
  const saved = new Set<string>();

  async function pushBase(version: string): Promise<void> {
    const dir = path.join(root, `base-${version}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      `FROM ${BASE_IMAGE}\nRUN echo ${nonce}-${version} > /base-version\n`,
    );
    await docker(['buildx', 'build', '--quiet', '--push', '-t', BASE, dir]);
  }

  const keysOf = (imageDigests?: ReadonlyMap<string, string>): StageKey[] =>
    computeStageKeys({
      plan,
      dockerfile: staged,
      request,
      dockerfilePath: 'Dockerfile',
      contextDigests: new Map(),
      imageDigests,
    });

  /** One scheduled run as main.ts wires it; returns the drift and what BuildKit did. */
  async function scheduledRun(run: string, now: Date) {
    const previous = await findDriftDocument(store, scope);
    const usages = imageUsages(plan, PLATFORM);
    const resolutions = await resolveImagePlatforms(execProcess, resolveRequests(usages), {
      timeoutMs: 30_000,
    });
    const digests = imageDigestsForKeys(usages, resolutions, previous.found ? previous.document : undefined);
    const keys = keysOf(digests);
    const baseKeys = keysOf();
    const restoreKeys = applyRefreshedKeys(keys, previous);
    const restore = restoreKeys.map((key) => ({
      stage: key.stage,
      result: (saved.has(key.key) ? 'exact' : 'miss') as RestoreResult,
      ...(saved.has(key.key) ? { restoredKey: key.key } : {}),
    }));
    const drift: DriftResult = computeDrift({
      plan,
      targetPlatform: PLATFORM,
      previous,
      resolutions,
      keys,
      baseKeys,
      restore,
      now,
    });
    const pull = pullDecision(resolutions);
    expect(pull).toEqual({ pull: true });
    const pins = [...pinnedImageContexts(resolutions)].flatMap(([image, value]) => [
      '--build-context',
      `${image}=${value}`,
    ]);
    const argv = [
      'buildx',
      'build',
      '--pull',
      ...pins,
      '--progress=plain',
      '--target',
      'app',
      '--output',
      'type=cacheonly',
      ...drift.noCacheFilters.flatMap((name) => ['--no-cache-filter', name]),
      path.join(root, 'app'),
    ];
    const progress = summarizeProgress(parseProgress(await docker(argv), { prefixedByTarget: false }));
    for (const stage of drift.rebuiltStages)
      saved.add(drift.saveKeys.find((k) => k.stage === stage.index)!.key);
    const document = buildDriftDocument({
      result: drift,
      previous,
      resolutions,
      keys,
      baseKeys,
      target: 'app',
      platform: scope.platform,
      now,
      run,
    });
    const stored = await saveDriftDocument(store, scope, document, run);
    expect(stored).toMatchObject({ saved: true });
    return { drift, progress, keys, previous };
  }

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'stagecraft-drift-itg-'));
    store = new LocalStore({ dir: path.join(root, 'store') });
    mkdirSync(path.join(root, 'other'), { recursive: true });
    writeFileSync(path.join(root, 'other', 'Dockerfile'), `FROM ${BASE_IMAGE}\nRUN echo ${nonce} > /other\n`);
    await docker(['buildx', 'build', '--quiet', '--push', '-t', OTHER, path.join(root, 'other')]);
    mkdirSync(path.join(root, 'app'), { recursive: true });
    writeFileSync(path.join(root, 'app', 'Dockerfile'), dockerfile);
    await pushBase('v1');
  });

  afterAll(async () => {
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
    await execProcess(['docker', 'image', 'rm', '-f', BASE, OTHER], { timeoutMs: 60_000 });
  });

  test('resolves the pushed base without pulling; a local-only image is unresolved, not an error', async () => {
    const [base, local] = await resolveImageDigests(execProcess, [BASE, BASE_IMAGE], 'linux/amd64');
    expect(base).toMatchObject({ image: BASE, status: 'resolved', pinned: false });
    expect(base!.status === 'resolved' && base!.indexDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    digestV1 = base!.status === 'resolved' ? base!.digest : '';
    indexV1 = base!.status === 'resolved' ? (base!.indexDigest ?? '') : '';
    expect(digestV1).toBe(await listedAmd64Manifest(BASE));
    expect(local).toMatchObject({ image: BASE_IMAGE, status: 'unresolved' });
    expect(local!.status === 'unresolved' && local!.reason).toBeTruthy();
  });

  test('three scheduled runs: first records, second rebuilds what the moved base reaches, third nothing', async () => {
    // Run 1: no previous run; everything is built and recorded.
    const first = await scheduledRun('1', new Date('2025-06-01T03:00:00.000Z'));
    expect(first.previous).toMatchObject({ found: false });
    expect(first.drift.baseDrift).toBe(false);
    expect(first.drift.images.map((image) => [image.image, image.status])).toEqual([
      [BASE, 'new'],
      [OTHER, 'new'],
    ]);
    expect(first.drift.rebuiltStages.map((stage) => stage.stage)).toEqual(['deps', 'tools', 'lint', 'app']);

    // The same tag, other content.
    await pushBase('v2');
    const [moved] = await resolveImageDigests(execProcess, [BASE], 'linux/amd64');
    digestV2 = moved!.status === 'resolved' ? moved!.digest : '';
    expect(digestV2).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(digestV2).not.toBe(digestV1);
    expect(digestV2).toBe(await listedAmd64Manifest(BASE));

    // Run 2: the base moved. Only deps, lint (copies from deps) and app change keys and rebuild.
    const second = await scheduledRun('2', new Date('2025-06-08T03:00:00.000Z'));
    expect(second.previous).toMatchObject({ found: true });
    expect(second.drift.baseDrift).toBe(true);
    expect(second.drift.driftedImages).toEqual([
      { image: BASE, platform: 'linux/amd64', old: digestV1, new: digestV2 },
    ]);
    expect(second.drift.images.map((image) => [image.image, image.status])).toEqual([
      [BASE, 'moved'],
      [OTHER, 'unchanged'],
    ]);
    const changed = second.keys
      .filter((key, i) => key.key !== first.keys[i]!.key)
      .map((key) => key.stageName);
    expect(changed).toEqual(['deps', 'lint', 'app']);
    expect(second.drift.stagesOnMovedBase).toEqual(['deps', 'lint', 'app']);
    expect(second.drift.rebuiltStages.map((stage) => [stage.stage, stage.reason, stage.detail])).toEqual([
      ['deps', 'base moved', `${BASE} moved`],
      ['lint', 'base moved', 'built on deps'],
      ['app', 'base moved', `${BASE} moved`],
    ]);
    // Filtered: what reads the moved base. lint is left to BuildKit: it copies from deps, whose files changed.
    expect(second.drift.noCacheFilters).toEqual(['deps', 'app']);
    // BuildKit ran exactly the RUN steps of the stages on the moved base; tools came from its cache.
    expect(second.progress.executedRuns.map((vertex) => vertex.stage)).toEqual(['deps', 'lint', 'app']);
    expect(second.progress.stagesCached).toEqual(['tools']);

    // Run 3: nothing changed.
    const third = await scheduledRun('3', new Date('2025-06-15T03:00:00.000Z'));
    expect(third.drift.baseDrift).toBe(false);
    expect(third.drift.driftedImages).toEqual([]);
    expect(third.drift.images.map((image) => image.status)).toEqual(['unchanged', 'unchanged']);
    expect(third.drift.rebuiltStages).toEqual([]);
    expect(third.drift.noCacheFilters).toEqual([]);
    expect(third.keys.map((key) => key.key)).toEqual(second.keys.map((key) => key.key));
    expect(third.progress.fullyCached).toBe(true);
  });

  test('a pinned context builds on the digest that was resolved, whatever the tag says now', async () => {
    expect(indexV1).toMatch(/^sha256:/);
    const dir = path.join(root, 'pinned');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      `FROM ${BASE}\nRUN cat /base-version && echo ${nonce}-pinned\n`,
    );
    const [pin] = pinnedImageContexts([
      {
        image: BASE,
        platform: 'linux/amd64',
        status: 'resolved',
        digest: digestV1,
        indexDigest: indexV1,
        pinned: false,
      },
    ]);
    const output = await docker([
      'buildx',
      'build',
      '--progress=plain',
      '--output',
      'type=cacheonly',
      '--build-context',
      `${pin![0]}=${pin![1]}`,
      dir,
    ]);
    expect(output).toContain(`${nonce}-v1`);
    expect(output).not.toContain(`${nonce}-v2`);
  });
});
