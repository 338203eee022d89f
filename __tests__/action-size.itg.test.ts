// The image-size report end to end: dist/index.js run as a runner runs it (inputs as INPUT_* variables, push
// and pull_request event files, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY) against the real BuildKit, with a local
// stage cache directory shared between the runs (the baseline store) and an in-process stand-in for the
// GitHub REST API. The tests run in order: a push stores the baseline, then pull request runs compare with it.
// A second suite stores the baseline through the real @actions/cache (against the cache service stand-in)
// and measures a pushed image in the loopback registry (localhost:5000).
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
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
import { gunzipSync } from 'node:zlib';
import { formatSize, formatSizeDelta } from '../src/report/index.js';
import { parseSizeReportJson } from '../src/size/index.js';
import { BASE_IMAGE, describeWithBuildKit } from './support/buildkit.js';
import { CacheServiceStandIn } from './support/cache-service.js';
import { startFakeGitHub, type FakeGitHub } from './support/github-api.js';
import { runAction, type ActionRun } from './support/runner.js';

const OWNER = 'octo';
const REPO = 'stagecraft-e2e';
const BASE_SHA = 'a'.repeat(40);
const PR = 7;

/** Line 8 is the RUN whose output the pull request grows; its size is random bytes, so it cannot compress. */
function dockerfile(bytes: number): string {
  return [
    `FROM ${BASE_IMAGE} AS deps`,
    'RUN head -c 4096 /dev/urandom > /deps.bin',
    '',
    `FROM ${BASE_IMAGE} AS docs`,
    'RUN echo docs > /docs.txt',
    '',
    `FROM ${BASE_IMAGE} AS runtime`,
    `RUN head -c ${bytes} /dev/urandom > /data.bin`,
    'COPY --from=deps /deps.bin /deps.bin',
    'COPY app.txt /app.txt',
    'CMD ["cat", "/app.txt"]',
    '',
  ].join('\n');
}
const GROWING_LINE = 8;

/** What `docker image save` holds for a digest, read independently of src/size: tar(1), JSON and gunzip. */
function readSavedImage(digest: string, workdir: string) {
  const dir = mkdtempSync(path.join(workdir, 'saved-'));
  const archive = path.join(dir, 'image.tar');
  expect(spawnSync('docker', ['image', 'save', '--output', archive, digest]).status).toBe(0);
  expect(spawnSync('tar', ['-xf', archive, '-C', dir]).status).toBe(0);
  const blob = (d: string) => readFileSync(path.join(dir, 'blobs', 'sha256', d.slice('sha256:'.length)));
  type Desc = { digest: string; size: number; platform?: { os: string; architecture: string } };
  const top = (JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as { manifests: Desc[] })
    .manifests[0]!;
  const index = JSON.parse(blob(top.digest).toString()) as { manifests: Desc[] };
  const chosen = index.manifests.find(
    (m) => m.platform?.os === 'linux' && m.platform.architecture === 'amd64',
  )!;
  const manifest = JSON.parse(blob(chosen.digest).toString()) as { config: Desc; layers: Desc[] };
  const layers = manifest.layers.map((l) => ({ ...l, unpacked: gunzipSync(blob(l.digest)).length }));
  rmSync(dir, { recursive: true, force: true });
  return {
    compressed: layers.reduce((sum, l) => sum + l.size, 0),
    uncompressed: layers.reduce((sum, l) => sum + l.unpacked, 0),
    metadataBytes: top.size + chosen.size + manifest.config.size,
  };
}

/** The keys of the entries in a local cache directory (see src/cache/local-store.ts for the layout). */
function storedKeys(cacheDir: string): string[] {
  const entries = path.join(cacheDir, 'v1', 'entries');
  if (!existsSync(entries)) return [];
  return readdirSync(entries).map(
    (id) => (JSON.parse(readFileSync(path.join(entries, id, 'meta.json'), 'utf8')) as { key: string }).key,
  );
}

/** The exit code, with the step's log when it is not the one expected (so a failure shows why). */
function expectExit(run: ActionRun, code: number): void {
  expect(run.exitCode === code ? code : `exit ${run.exitCode}:\n${run.stdout}\n${run.stderr}`).toBe(code);
}

const withBuildKit = describeWithBuildKit('the size report end to end (__tests__/action-size.itg.test.ts)');

withBuildKit('image size: baseline on push, one sticky comment per pull request, budgets', () => {
  let github: FakeGitHub;
  let root: string;
  let workspace: string;
  let cacheDir: string;
  const digests: string[] = [];

  beforeAll(async () => {
    github = await startFakeGitHub();
    root = mkdtempSync(path.join(tmpdir(), 'stagecraft-size-e2e-'));
    workspace = path.join(root, 'repo');
    cacheDir = path.join(root, 'cache');
    mkdirSync(workspace);
    writeFileSync(path.join(workspace, 'Dockerfile'), dockerfile(40_000));
    writeFileSync(path.join(workspace, 'app.txt'), 'app v1\n');
  });

  afterAll(async () => {
    await github.close();
    for (const digest of digests) spawnSync('docker', ['image', 'rm', '--force', digest]);
    rmSync(root, { recursive: true, force: true });
  });

  const inputs = (extra: Record<string, string> = {}): Record<string, string> => ({
    file: 'Dockerfile',
    context: '.',
    platforms: 'linux/amd64',
    cache: 'local',
    'cache-dir': cacheDir,
    'github-token': 'test-token',
    ...extra,
  });

  async function push(extra: Record<string, string> = {}): Promise<ActionRun> {
    const run = await runAction(
      workspace,
      inputs(extra),
      {
        name: 'push',
        payload: { ref: 'refs/heads/main', after: BASE_SHA, repository: { default_branch: 'main' } },
      },
      { GITHUB_API_URL: github.url, GITHUB_SHA: BASE_SHA, GITHUB_REF: 'refs/heads/main' },
    );
    digests.push(run.outputs.get('digest') ?? '');
    return run;
  }

  async function pullRequest(
    headSha: string,
    extra: Record<string, string> = {},
    options: { number?: number; dir?: string } = {},
  ): Promise<ActionRun> {
    const number = options.number ?? PR;
    const payload = {
      action: 'synchronize',
      number,
      pull_request: {
        number,
        base: { ref: 'main', sha: BASE_SHA },
        head: { ref: 'feature', sha: headSha },
      },
      repository: { default_branch: 'main' },
    };
    const run = await runAction(
      options.dir ?? workspace,
      inputs(extra),
      { name: 'pull_request', payload },
      {
        GITHUB_API_URL: github.url,
        GITHUB_SHA: 'f'.repeat(40), // the merge commit
        GITHUB_REF: `refs/pull/${number}/merge`,
      },
    );
    digests.push(run.outputs.get('digest') ?? '');
    return run;
  }

  const comments = (number = PR) => github.comments(OWNER, REPO, number);
  let baselineSize = 0;

  test('a push to the default branch stores the size report as the baseline, and comments nowhere', async () => {
    const run = await push();
    expectExit(run, 0);
    expect(run.stdout).not.toContain('::warning');
    baselineSize = Number(run.outputs.get('size'));
    expect(baselineSize).toBeGreaterThan(40_000);
    expect(run.outputs.get('baseline-size')).toBe('');
    expect(run.outputs.get('size-delta')).toBe('');
    expect(run.outputs.get('size-delta-percent')).toBe('');

    const sizeKeys = storedKeys(cacheDir).filter((key) => key.startsWith('stagecraft-size-v1-'));
    expect(sizeKeys).toHaveLength(1);
    expect(sizeKeys[0]).toMatch(new RegExp(`-runtime-linux_amd64-main-${BASE_SHA}$`));
    expect(run.stdout).toContain(`size report stored as the baseline ${sizeKeys[0]}`);

    const report = parseSizeReportJson(readFileSync(run.outputs.get('report')!, 'utf8'));
    expect(report).toMatchObject({
      ok: true,
      report: { schemaVersion: 1, commit: BASE_SHA, compressedBytes: baselineSize },
    });
    expect(run.summary).toContain('### Image size of <code>runtime</code> for <code>linux/amd64</code>');
    expect(github.requests.filter((request) => request.method !== 'GET')).toEqual([]);
    // The token is masked (the runner hides what `::add-mask::` names) and never logged otherwise.
    const lines = run.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
    expect(lines.filter((line) => line.includes('test-token'))).toEqual([]);
  });

  test('a pull request that grows a layer: one comment whose numbers are the image’s, naming the layer and its line', async () => {
    writeFileSync(path.join(workspace, 'Dockerfile'), dockerfile(400_000));
    const headSha = '1'.repeat(40);
    const run = await pullRequest(headSha);
    expectExit(run, 0);
    expect(run.stdout).not.toContain('::warning');

    // The numbers, read independently: the manifest's layers, gunzipped, and `docker image inspect`.
    const digest = run.outputs.get('digest')!;
    const saved = readSavedImage(digest, root);
    const inspected = spawnSync('docker', ['image', 'inspect', '--format', '{{.Size}}', digest], {
      encoding: 'utf8',
    });
    expect(Number(inspected.stdout.trim())).toBe(saved.compressed + saved.metadataBytes);
    expect(run.outputs.get('size')).toBe(String(saved.compressed));
    expect(run.outputs.get('size-uncompressed')).toBe(String(saved.uncompressed));
    expect(run.outputs.get('baseline-size')).toBe(String(baselineSize));
    const delta = saved.compressed - baselineSize;
    expect(run.outputs.get('size-delta')).toBe(String(delta));
    expect(run.outputs.get('size-delta-percent')).toBe(((delta / baselineSize) * 100).toFixed(2));
    expect(delta).toBeGreaterThan(300_000);

    const [comment, ...others] = comments();
    expect(others).toEqual([]);
    expect(comment!.login).toBe('github-actions[bot]');
    expect(comment!.body).toMatch(
      /^<!-- stagecraft:size dockerfile=[0-9a-f]+ target=runtime platform=linux\/amd64 -->\n/,
    );
    expect(comment!.body).toContain(
      `| Compressed | ${formatSize(baselineSize)} | ${formatSize(saved.compressed)} | ${formatSizeDelta(delta)} |`,
    );
    expect(comment!.body).toContain(
      `compared with <code>main</code> at <code>${BASE_SHA.slice(0, 12)}</code>`,
    );
    const fileUrl = `https://github.com/${OWNER}/${REPO}/blob/${headSha}/Dockerfile`;
    expect(comment!.body).toMatch(
      new RegExp(
        `\\| grew \\| <code>runtime</code> \\| \\[${GROWING_LINE}\\]\\(${fileUrl.replace(/[.]/g, '\\.')}#L${GROWING_LINE}\\) \\| <code>RUN head &#45;c 400000 /dev/urandom &#62; /data&#46;bin</code> \\|`,
      ),
    );
    // The build plan and the graph: stages built, skipped and their cache results.
    expect(comment!.body).toContain('Build plan: 2 of 3 stages built');
    expect(comment!.body).toContain('| <code>docs</code> | skipped (not needed) |');
    expect(comment!.body).toContain('```mermaid\nflowchart TD');
    // The job summary has the same report.
    expect(run.summary).toContain(comment!.body);
  });

  test('a second run of the pull request updates the same comment (after a rate limit)', async () => {
    writeFileSync(path.join(workspace, 'app.txt'), 'app v2\n');
    github.fault({ mode: 'rate-limit', times: 1, methods: ['PATCH'], retryAfterSeconds: 1 });
    const before = github.requests.length;
    const headSha = '2'.repeat(40);
    const run = await pullRequest(headSha);
    expectExit(run, 0);
    expect(run.stdout).not.toContain('::warning');
    const patches = github.requests.slice(before).filter((request) => request.method === 'PATCH');
    expect(patches.map((request) => request.status)).toEqual([429, 200]);
    expect(
      github.requests
        .slice(before)
        .filter((request) => request.method === 'POST' && request.path !== '/graphql'),
    ).toEqual([]);
    const all = comments();
    expect(all).toHaveLength(1);
    expect(all[0]!.body).toContain(`commit <code>${headSha.slice(0, 12)}</code>`);
    expect(run.stdout).toContain('size comment updated');
  });

  test('over the size budget: comment and summary first, then the step fails', async () => {
    const run = await pullRequest('3'.repeat(40), { 'size-limit': '100kB' });
    expectExit(run, 1);
    const body = comments()[0]!.body;
    expect(body).toContain('❌ **Over budget**: compressed size');
    expect(body).toContain('is over the size-limit of 100kB');
    expect(run.summary).toContain(body);
    expect(run.outputs.get('size')).toMatch(/^\d+$/);
    const updated = run.stdout.indexOf('size comment updated');
    const failed = run.stdout.indexOf(
      '::error title=Image size over budget::runtime (linux/amd64): Over budget:',
    );
    expect(updated).toBeGreaterThan(-1);
    expect(failed).toBeGreaterThan(updated);
    expect(run.stdout).toContain('::error::stagecraft failed');
  });

  test('with fail-on-budget false a broken budget is a warning', async () => {
    const run = await pullRequest('4'.repeat(40), { 'max-increase': '5%', 'fail-on-budget': 'false' });
    expectExit(run, 0);
    expect(run.stdout).toMatch(
      /::warning title=Image size over budget::runtime \(linux\/amd64\): Over budget: the compressed change of \+\S+ \(\+\d+\.\d%25\) is over the max-increase of 5%25/,
    );
    expect(comments()[0]!.body).toContain('is over the max-increase of 5%');
  });

  test('a read-only token (403) leaves a warning and a complete summary', async () => {
    github.fault({ mode: 'read-only' });
    try {
      const run = await pullRequest('5'.repeat(40), {}, { number: 8 });
      expectExit(run, 0);
      expect(run.stdout).toContain(
        '::warning::Could not write the size comment on pull request #8: the token may not write to it',
      );
      expect(comments(8)).toEqual([]);
      expect(run.summary).toContain('### Image size of <code>runtime</code>');
      expect(run.summary).toContain('#### Changed layers');
      expect(run.summary).toContain('Build plan: 2 of 3 stages built');
      expect(run.summary).toContain('```mermaid');
      expect(run.outputs.get('size')).toMatch(/^\d+$/);
    } finally {
      github.clearFaults();
    }
  });

  // BuildKit allows only [a-z0-9] and the separators `.`, `_`, `__` and `-` in stage names (they must be valid
  // image references), so the HTML comes in through the instructions.
  test('stage names and instructions with Markdown and HTML are shown escaped; no baseline is said so', async () => {
    const dir = path.join(root, 'hostile');
    mkdirSync(dir);
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      [
        `FROM ${BASE_IMAGE} AS x__init__py`,
        'RUN echo "<img src=x onerror=alert(1)>|</details>" > /x.html',
        '',
        `FROM x__init__py AS app_v1_x`,
        'RUN echo "`code` **bold** [x](javascript:alert(1)) <!-- -->" > /y.txt',
        '',
      ].join('\n'),
    );
    const run = await pullRequest(
      '6'.repeat(40),
      { 'cache-dir': path.join(root, 'cache-hostile') },
      { number: 9, dir },
    );
    expectExit(run, 0);
    const [comment] = comments(9);
    expect(comment).toBeDefined();
    const body = comment!.body;
    expect(body).toContain('### Image size of <code>app&#95;v1&#95;x</code>');
    expect(body).toContain('| <code>x&#95;&#95;init&#95;&#95;py</code> | [2](');
    expect(body).toContain(
      '| <code>RUN echo &#34;&#60;img src=x onerror=alert&#40;1&#41;&#62;&#124;&#60;/details&#62;&#34; &#62; /x&#46;html</code> |',
    );
    expect(body).toContain(
      '&#96;code&#96; &#42;&#42;bold&#42;&#42; &#91;x&#93;&#40;javascript:alert&#40;1&#41;&#41; &#60;&#33;&#45;&#45; &#45;&#45;&#62;',
    );
    expect(body).toContain('ℹ️ **No baseline**');
    // Outside the Mermaid fence, nothing from the Dockerfile is raw HTML or Markdown.
    const outsideFences = body.replace(/```mermaid\n[\s\S]*?\n```/g, '');
    expect(outsideFences).not.toMatch(/<img|<\/details>\||\*\*bold|\[x\]\(javascript/);
    expect(outsideFences.match(/<!--/g)).toHaveLength(1);
    expect(run.outputs.get('baseline-size')).toBe('');
  });
});

withBuildKit('image size with the GitHub Actions cache and a pushed image', () => {
  const service = new CacheServiceStandIn();
  let github: FakeGitHub;
  let root: string;
  let workspace: string;
  let runnerTemp: string;
  const nonce = `${Date.now()}${process.pid}`;
  const pushed = `localhost:5000/stagecraft-size-e2e:${nonce}`;
  const digests: string[] = [];

  beforeAll(async () => {
    await service.start();
    github = await startFakeGitHub();
    root = mkdtempSync(path.join(tmpdir(), 'stagecraft-size-gha-'));
    workspace = path.join(root, 'repo');
    // The gha store's cache version covers its staging path under RUNNER_TEMP, which a runner keeps.
    runnerTemp = path.join(root, 'runner-temp');
    mkdirSync(workspace);
    mkdirSync(runnerTemp);
    writeFileSync(path.join(workspace, 'Dockerfile'), dockerfile(20_000));
    writeFileSync(path.join(workspace, 'app.txt'), 'app\n');
  });

  afterAll(async () => {
    await github.close();
    await service.stop();
    for (const digest of digests) spawnSync('docker', ['image', 'rm', '--force', digest]);
    rmSync(root, { recursive: true, force: true });
  });

  async function run(
    event: { name: string; payload: object },
    env: Record<string, string>,
    extra: Record<string, string> = {},
  ): Promise<ActionRun> {
    const result = await runAction(
      workspace,
      { platforms: 'linux/amd64', 'github-token': 'test-token', ...extra },
      event,
      { ...service.env(), RUNNER_TEMP: runnerTemp, GITHUB_API_URL: github.url, ...env },
    );
    digests.push(result.outputs.get('digest') ?? '');
    return result;
  }

  test('a push stores the report in the Actions cache; a pull request whose base commit has none gets the branch’s newest; a pushed image is measured in its registry', async () => {
    const push = await run(
      { name: 'push', payload: { repository: { default_branch: 'main' } } },
      { GITHUB_SHA: BASE_SHA, GITHUB_REF: 'refs/heads/main' },
    );
    expectExit(push, 0);
    expect(push.stdout).not.toContain('::warning');
    expect(service.list().filter((entry) => entry.key.startsWith('stagecraft-size-v1-'))).toHaveLength(1);
    const loadedSize = push.outputs.get('size');
    expect(loadedSize).toMatch(/^\d+$/);

    // The same Dockerfile, pushed: the registry's numbers equal the image store's.
    const pr = await run(
      {
        name: 'pull_request',
        payload: {
          number: 3,
          pull_request: {
            number: 3,
            base: { ref: 'main', sha: 'b'.repeat(40) },
            head: { sha: 'c'.repeat(40) },
          },
          repository: { default_branch: 'main' },
        },
      },
      { GITHUB_SHA: 'd'.repeat(40), GITHUB_REF: 'refs/pull/3/merge' },
      { push: 'true', tags: pushed },
    );
    expectExit(pr, 0);
    expect(pr.stdout).toContain(
      `measuring localhost:5000/stagecraft-size-e2e@${pr.outputs.get('digest')} in its registry`,
    );
    expect(pr.stdout).toMatch(/compared with stagecraft-size-v1-\S+-main-a{40} \(base-branch\)/);
    expect(pr.outputs.get('baseline-size')).toBe(loadedSize);
    expect(pr.outputs.get('size')).toBe(loadedSize);
    expect(pr.outputs.get('size-delta')).toBe('0');
    const [comment] = github.comments(OWNER, REPO, 3);
    expect(comment!.body).toContain('No layer changed in size.');
    expect(comment!.body).toContain(
      `compared with <code>main</code> at <code>${BASE_SHA.slice(0, 12)}</code>`,
    );
    // Nothing was stored from the pull request.
    expect(service.list().filter((entry) => entry.key.startsWith('stagecraft-size-v1-'))).toHaveLength(1);
  });
});
