import { afterAll, describe, expect, test } from '@jest/globals';
import { chmod, mkdir, mkdtemp, rm, symlink, unlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execProcess } from '../adapters/exec.js';
import { parseDockerfile } from '../dockerfile/index.js';
import { parsePlatform, planStages, type PlanRequest } from '../plan/index.js';
import { parseStages } from '../stages/index.js';
import { hashContext } from './context-hash.js';
import { collectContextReads } from './normalize.js';
import { computeStageKeys } from './stage-key.js';
import type { ContextDigests, ContextRead } from './types.js';

const AMD64 = parsePlatform('linux/amd64');
const REQUEST: PlanRequest = {
  buildArgs: new Map(),
  buildContexts: new Map(),
  targetPlatform: AMD64,
  buildPlatform: AMD64,
};

/** A file's content, or a symlink, or an executable file. */
type Entry = string | { readonly link: string } | { readonly exec: string };
type Tree = Readonly<Record<string, Entry>>;

const temporary: string[] = [];
afterAll(async () => {
  await Promise.all(temporary.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function makeDir(tree: Tree): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'stagecraft-keys-'));
  temporary.push(dir);
  await writeTree(dir, tree);
  return dir;
}

async function writeTree(dir: string, tree: Tree): Promise<void> {
  for (const [file, entry] of Object.entries(tree)) {
    const target = path.join(dir, file);
    await mkdir(path.dirname(target), { recursive: true });
    await rm(target, { force: true });
    if (typeof entry === 'string') await writeFile(target, entry);
    else if ('link' in entry) await symlink(entry.link, target);
    else {
      await writeFile(target, entry.exec);
      await chmod(target, 0o755);
    }
  }
}

async function git(dir: string, ...args: string[]): Promise<string> {
  const result = await execProcess(
    ['git', '-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args],
    {
      cwd: dir,
    },
  );
  if (result.exitCode !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function makeRepo(tree: Tree): Promise<string> {
  const dir = await makeDir(tree);
  await git(dir, 'init', '-q');
  await git(dir, 'config', 'core.autocrlf', 'false');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '-q', '-m', 'initial');
  return dir;
}

function readsOf(dockerfile: string): ContextRead[] {
  const staged = parseStages(parseDockerfile(dockerfile));
  return collectContextReads(planStages(staged, REQUEST), staged, REQUEST);
}

/** Hashes with and without git's index and checks both agree; returns the git run. */
async function hashBoth(dir: string, reads: readonly ContextRead[], dockerfile = 'Dockerfile') {
  const withGit = await hashContext(execProcess, dir, dockerfile, reads, { useGit: true });
  const without = await hashContext(execProcess, dir, dockerfile, reads, { useGit: false });
  expect(withGit.digests).toEqual(without.digests);
  expect(without.stats.filesFromGit).toBe(0);
  expect(withGit.stats.files).toBe(without.stats.files);
  return { withGit, without };
}

const digestOf = (result: ContextDigests, read: ContextRead): string => result.digests.get(read.id)!;

describe('what a read selects (plain directories)', () => {
  async function selected(tree: Tree, dockerfile: string, dockerfileName = 'Dockerfile'): Promise<number> {
    const dir = await makeDir(tree);
    const result = await hashContext(execProcess, dir, dockerfileName, readsOf(dockerfile), {
      useGit: false,
    });
    expect(result.stats.git).toEqual({ used: false, reason: 'disabled' });
    return result.stats.files;
  }

  // prettier-ignore
  test.each<{ name: string; tree: Tree; dockerfile: string; files: number }>([
    { name: 'a file', tree: { a: '1', b: '2' }, dockerfile: 'FROM scratch\nCOPY a /\n', files: 1 },
    { name: 'a directory, nested', tree: { 'd/a': '1', 'd/e/b': '2', c: '3' }, dockerfile: 'FROM scratch\nCOPY d/ /d/\n', files: 2 },
    { name: 'the whole context', tree: { 'd/a': '1', 'd/e/b': '2', c: '3' }, dockerfile: 'FROM scratch\nCOPY . /\n', files: 3 },
    { name: 'a glob in the last component', tree: { 'a.go': '', 'b.go': '', 'c.txt': '', 'sub/d.go': '' }, dockerfile: 'FROM scratch\nCOPY *.go /\n', files: 2 },
    { name: 'a glob in a middle component', tree: { 'cmd/a/main.go': '', 'cmd/b/main.go': '', 'cmd/b/x.go': '', 'cmd/main.go': '' }, dockerfile: 'FROM scratch\nCOPY cmd/*/main.go /\n', files: 2 },
    { name: 'a glob matching a directory copies all of it', tree: { 'pkg-a/x/y': '', 'pkg-b/z': '', other: '' }, dockerfile: 'FROM scratch\nCOPY pkg-* /\n', files: 2 },
    { name: 'character classes', tree: { a1: '', a2: '', a3: '' }, dockerfile: 'FROM scratch\nCOPY a[12] /\n', files: 2 },
    { name: 'a glob matching nothing', tree: { a: '' }, dockerfile: 'FROM scratch\nCOPY *.go /\n', files: 0 },
    { name: 'a missing path', tree: { a: '' }, dockerfile: 'FROM scratch\nCOPY nope /\n', files: 0 },
    { name: '.dockerignore excludes', tree: { '.dockerignore': '*.md\nsecret/\n', 'a.md': '', b: '', 'secret/k': '' }, dockerfile: 'FROM scratch\nCOPY . /\n', files: 2 },
    { name: '.dockerignore exceptions re-include', tree: { '.dockerignore': 'docs\n!docs/keep.md\n', 'docs/a.md': '', 'docs/keep.md': '' }, dockerfile: 'FROM scratch\nCOPY . /\n', files: 2 },
    { name: 'an ignored source reads nothing', tree: { '.dockerignore': 'node_modules\n', 'node_modules/x/i.js': '' }, dockerfile: 'FROM scratch\nCOPY node_modules /nm\n', files: 0 },
    { name: 'ignored files are not glob matches', tree: { '.dockerignore': 'b.go\n', 'a.go': '', 'b.go': '' }, dockerfile: 'FROM scratch\nCOPY *.go /\n', files: 1 },
    { name: '--exclude, relative to the source', tree: { 'src/a.go': '', 'src/a_test.go': '', 'src/sub/b_test.go': '', 'src/sub/b.go': '' }, dockerfile: 'FROM scratch\nCOPY --exclude=*_test.go --exclude=**/*_test.go src /s\n', files: 2 },
    { name: '--exclude of a directory, with an exception', tree: { 'src/gen/a': '', 'src/gen/keep': '', 'src/b': '' }, dockerfile: 'FROM scratch\nCOPY --exclude=gen --exclude=!gen/keep src /s\n', files: 2 },
    { name: 'a symlinked source is followed (link and target count)', tree: { 'real/a': '', 'real/b': '', link: { link: 'real' } }, dockerfile: 'FROM scratch\nCOPY link /l\n', files: 3 },
    { name: 'a symlink inside a directory is copied as a link', tree: { 'd/a': '', 'd/l': { link: '../outside' } }, dockerfile: 'FROM scratch\nCOPY d /d\n', files: 2 },
    { name: 'an absolute symlink resolves inside the context', tree: { 'real/a': '', 'link': { link: '/real' } }, dockerfile: 'FROM scratch\nCOPY link/a /a\n', files: 2 },
    { name: 'globs do not enter symlinked directories', tree: { 'real/x/a.go': '', 'real/y': { link: 'x' } }, dockerfile: 'FROM scratch\nCOPY real/*/a.go /\n', files: 1 },
    { name: 'a context bind mount', tree: { 'go.mod': '', 'go.sum': '' }, dockerfile: 'FROM alpine\nRUN --mount=type=bind,source=go.mod,target=/m true\n', files: 1 },
    { name: 'a bind mount never globs', tree: { '*.go': '', 'a.go': '' }, dockerfile: 'FROM alpine\nRUN --mount=type=bind,source=*.go,target=/m true\n', files: 1 },
  ])('$name', async ({ tree, dockerfile, files }) => {
    expect(await selected(tree, dockerfile)).toBe(files);
  });

  test('<Dockerfile>.dockerignore replaces the context .dockerignore', async () => {
    const tree: Tree = {
      '.dockerignore': 'a\n',
      'app/Dockerfile.dockerignore': 'b\n',
      a: '',
      b: '',
    };
    const dir = await makeDir(tree);
    const reads = readsOf('FROM scratch\nCOPY . /\n');
    const specific = await hashContext(execProcess, dir, 'app/Dockerfile', reads, { useGit: false });
    expect(specific.stats.ignoreFile).toBe(path.join('app', 'Dockerfile.dockerignore'));
    expect(specific.stats.files).toBe(3); // .dockerignore, app/Dockerfile.dockerignore, a
    const general = await hashContext(execProcess, dir, 'Dockerfile', reads, { useGit: false });
    expect(general.stats.ignoreFile).toBe('.dockerignore');
    expect(general.stats.files).toBe(3); // .dockerignore, app/Dockerfile.dockerignore, b
  });

  test("a bad --exclude fails on the instruction's line", async () => {
    const dir = await makeDir({ a: '' });
    const failure = hashContext(
      execProcess,
      dir,
      'Dockerfile',
      readsOf('FROM scratch\nCOPY --exclude=! a /\n'),
    );
    await expect(failure).rejects.toThrow('invalid --exclude pattern: illegal exclusion pattern: "!"');
    await expect(failure).rejects.toMatchObject({ line: 2 });
  });

  test('a bad .dockerignore fails with its file and line', async () => {
    const dir = await makeDir({ '.dockerignore': 'ok\n!\n' });
    await expect(
      hashContext(execProcess, dir, 'Dockerfile', readsOf('FROM scratch\nCOPY . /\n')),
    ).rejects.toThrow('.dockerignore:2: illegal exclusion pattern: "!"');
  });
});

describe('what changes a digest', () => {
  const dockerfile = 'FROM scratch\nCOPY src /src\n';

  async function digestAfter(change: (dir: string) => Promise<void>): Promise<[string, string]> {
    const dir = await makeDir({
      'src/a': 'a',
      'src/run.sh': { exec: '#!/bin/sh\n' },
      'src/l': { link: 'a' },
    });
    const [read] = readsOf(dockerfile);
    const before = digestOf(
      await hashContext(execProcess, dir, 'Dockerfile', [read!], { useGit: false }),
      read!,
    );
    await change(dir);
    const after = digestOf(
      await hashContext(execProcess, dir, 'Dockerfile', [read!], { useGit: false }),
      read!,
    );
    return [before, after];
  }

  // prettier-ignore
  test.each<{ name: string; change: (dir: string) => Promise<void>; changes: boolean }>([
    { name: 'content', change: (dir) => writeFile(path.join(dir, 'src/a'), 'b'), changes: true },
    { name: 'the executable bit', change: (dir) => chmod(path.join(dir, 'src/a'), 0o755), changes: true },
    { name: 'a symlink target', change: async (dir) => { await unlink(path.join(dir, 'src/l')); await symlink('run.sh', path.join(dir, 'src/l')); }, changes: true },
    { name: 'a new file', change: (dir) => writeFile(path.join(dir, 'src/new'), ''), changes: true },
    { name: 'a rename', change: async (dir) => { await writeFile(path.join(dir, 'src/b'), 'a'); await unlink(path.join(dir, 'src/a')); }, changes: true },
    { name: 'timestamps', change: (dir) => utimes(path.join(dir, 'src/a'), new Date(2001, 1, 1), new Date(2001, 1, 1)), changes: false },
    { name: 'other permission bits', change: (dir) => chmod(path.join(dir, 'src/a'), 0o600), changes: false },
    { name: 'an empty directory', change: (dir) => mkdir(path.join(dir, 'src/empty')), changes: false },
    { name: 'a file outside the source', change: (dir) => writeFile(path.join(dir, 'other'), 'x'), changes: false },
    { name: 'a newly ignored file', change: (dir) => writeFile(path.join(dir, '.dockerignore'), 'src/run.sh\n'), changes: true },
  ])('$name: changes=$changes', async ({ change, changes }) => {
    const [before, after] = await digestAfter(change);
    expect(before !== after).toBe(changes);
  });
});

describe("git's index agrees with hashing the files", () => {
  const tree: Tree = {
    '.gitignore': 'build/\n*.log\n',
    '.dockerignore': '.git\n*.tmp\n',
    'src/main.go': 'package main\n',
    'src/util/util.go': 'package util\n',
    'src/util/util_test.go': 'package util\n',
    'scripts/run.sh': { exec: '#!/bin/sh\necho run\n' },
    'link-to-src': { link: 'src' },
    'docs/readme.md': '# docs\n',
  };
  const dockerfile = [
    'FROM scratch',
    'COPY . /all',
    'COPY src /src',
    'COPY --exclude=*_test.go src/util /util',
    'COPY scripts/*.sh link-to-src/main.go build/ /x/',
    'RUN --mount=type=bind,source=docs,target=/d true',
    '',
  ].join('\n');

  test('clean checkout: every file comes from the index', async () => {
    const dir = await makeRepo(tree);
    const { withGit } = await hashBoth(dir, readsOf(dockerfile));
    expect(withGit.stats.git).toEqual({ used: true });
    expect(withGit.stats.filesHashed).toBe(0);
    expect(withGit.stats.filesFromGit).toBe(withGit.stats.files);
  });

  test('modified, untracked, gitignored, deleted, retyped and mode-changed files are hashed from disk', async () => {
    const dir = await makeRepo(tree);
    await writeTree(dir, {
      'src/main.go': 'package main // edited\n',
      'src/new.go': 'package main\n',
      'build/out.bin': 'binary',
      'debug.log': 'log',
      'scratch.tmp': 'ignored by docker',
      'docs/readme.md': { link: '../src/main.go' },
    });
    await chmod(path.join(dir, 'src/util/util.go'), 0o755);
    await unlink(path.join(dir, 'src/util/util_test.go'));
    const { withGit } = await hashBoth(dir, readsOf(dockerfile));
    expect(withGit.stats.git).toEqual({ used: true });
    // main.go, new.go, build/out.bin, debug.log, docs/readme.md (now a link), util.go (mode)
    expect(withGit.stats.filesHashed).toBe(6);
    expect(withGit.stats.filesFromGit).toBe(withGit.stats.files - 6);
  });

  test('same content with a fresh timestamp still comes from the index', async () => {
    const dir = await makeRepo(tree);
    await writeTree(dir, { 'src/main.go': 'package main\n' });
    await utimes(path.join(dir, 'src/main.go'), new Date(), new Date(Date.now() + 5000));
    const { withGit } = await hashBoth(dir, readsOf(dockerfile));
    expect(withGit.stats.filesHashed).toBe(0);
  });

  test('files git rewrites on checkout (ident here) are hashed from disk', async () => {
    const dir = await makeRepo({
      ...tree,
      '.gitattributes': 'src/main.go ident\n',
      'src/main.go': '// $Id$\n',
    });
    await unlink(path.join(dir, 'src/main.go'));
    await git(dir, 'checkout', '--', 'src/main.go'); // now holds the expanded $Id: <blob> $
    const { withGit } = await hashBoth(dir, readsOf(dockerfile));
    expect(withGit.stats.git).toEqual({ used: true });
    expect(withGit.stats.filesHashed).toBe(1);
  });

  test('assume-unchanged files are not trusted', async () => {
    const dir = await makeRepo(tree);
    await git(dir, 'update-index', '--assume-unchanged', 'src/main.go');
    await writeTree(dir, { 'src/main.go': 'package main // changed behind git\n' });
    const { withGit } = await hashBoth(dir, readsOf(dockerfile));
    expect(withGit.stats.filesHashed).toBe(1);
  });

  test('a context inside the work tree uses paths relative to it', async () => {
    const dir = await makeRepo({ 'app/src/a.go': 'a', 'app/Dockerfile': '', 'other/b': 'b' });
    const { withGit } = await hashBoth(path.join(dir, 'app'), readsOf('FROM scratch\nCOPY . /\n'));
    expect(withGit.stats).toMatchObject({ files: 2, filesFromGit: 2, filesHashed: 0 });
  });

  test('core.autocrlf=true rules the index out, with the reason', async () => {
    const dir = await makeRepo(tree);
    await git(dir, 'config', 'core.autocrlf', 'true');
    const { withGit } = await hashBoth(dir, readsOf(dockerfile));
    expect(withGit.stats.git).toEqual({
      used: false,
      reason: 'core.autocrlf=true converts line endings on checkout',
    });
    expect(withGit.stats.filesFromGit).toBe(0);
  });

  test('outside a git work tree, every file is hashed', async () => {
    const dir = await makeDir(tree);
    const { withGit } = await hashBoth(dir, readsOf(dockerfile));
    expect(withGit.stats.git.used).toBe(false);
    expect(withGit.stats.filesHashed).toBe(withGit.stats.files);
  });

  test('nothing to read runs nothing', async () => {
    const dir = await makeRepo(tree);
    const refuse = async () => {
      throw new Error('git must not run');
    };
    const result = await hashContext(refuse, dir, 'Dockerfile', readsOf('FROM alpine\nRUN true\n'));
    expect(result.digests.size).toBe(0);
    expect(result.stats.git).toEqual({ used: false, reason: 'nothing to read' });
  });

  test('a missing git binary falls back to hashing', async () => {
    const dir = await makeRepo(tree);
    const noGit = async () => {
      throw Object.assign(new Error('spawn git ENOENT'), { code: 'ENOENT' });
    };
    const result = await hashContext(noGit, dir, 'Dockerfile', readsOf(dockerfile));
    expect(result.stats.git).toEqual({ used: false, reason: 'git failed: spawn git ENOENT' });
    const { without } = await hashBoth(dir, readsOf(dockerfile));
    expect(result.digests).toEqual(without.digests);
  });
});

describe('stage keys from a real context', () => {
  const dockerfile = [
    'FROM alpine AS deps',
    'COPY go.mod go.sum ./',
    'RUN go mod download',
    'FROM deps AS build',
    'COPY cmd/ ./cmd/',
    'RUN go build -o /app ./cmd',
    'FROM alpine AS runtime',
    'COPY --from=build /app /app',
    'COPY config.yaml /etc/',
    '',
  ].join('\n');
  const tree: Tree = {
    Dockerfile: dockerfile,
    '.dockerignore': '*.md\n',
    'go.mod': 'module m\n',
    'go.sum': '',
    'cmd/main.go': 'package main\n',
    'config.yaml': 'a: 1\n',
    'README.md': 'readme\n',
    'notes.txt': 'not copied\n',
  };

  async function keys(dir: string, useGit: boolean): Promise<Map<string, string>> {
    const staged = parseStages(parseDockerfile(dockerfile));
    const plan = planStages(staged, REQUEST);
    const reads = collectContextReads(plan, staged, REQUEST);
    const { digests } = await hashContext(execProcess, dir, 'Dockerfile', reads, { useGit });
    const stageKeys = computeStageKeys({
      plan,
      dockerfile: staged,
      request: REQUEST,
      dockerfilePath: 'Dockerfile',
      contextDigests: digests,
    });
    return new Map(stageKeys.map((key) => [key.stageName, key.key]));
  }

  // prettier-ignore
  test.each<{ name: string; change: Tree; missed: string[] }>([
    { name: 'a file only the final stage copies', change: { 'config.yaml': 'a: 2\n' }, missed: ['runtime'] },
    { name: 'a file the first stage copies', change: { 'go.sum': 'h1\n' }, missed: ['deps', 'build', 'runtime'] },
    { name: 'a .dockerignored file', change: { 'README.md': 'changed\n' }, missed: [] },
    { name: 'a file no COPY reads', change: { 'notes.txt': 'changed\n' }, missed: [] },
    { name: 'the Dockerfile itself (not copied; instructions unchanged)', change: { Dockerfile: `# comment\n${dockerfile}` }, missed: [] },
  ])('$name → $missed', async ({ change, missed }) => {
    const dir = await makeRepo(tree);
    const before = await keys(dir, true);
    await writeTree(dir, change);
    for (const useGit of [true, false]) {
      const after = await keys(dir, useGit);
      expect([...before.keys()].filter((stage) => before.get(stage) !== after.get(stage))).toEqual(missed);
    }
  });
});
