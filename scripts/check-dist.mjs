#!/usr/bin/env node
// Rebuilds dist/ and compares it byte for byte with the dist/ that was there before (the committed one).
//
//   node scripts/check-dist.mjs        (or: npm run check-dist; works from any directory)
//
// Exit 0: identical. Exit 1: they differ; the fresh build is left in dist/ so `git diff dist/` shows the
// change, and the differing paths are printed. Exit 2: the check could not run (the build failed, ...);
// dist/ is then put back as it was.
//
// dist/ is emptied before the build: ncc deletes only *.js and *.cjs in its output directory, so a stale
// licenses.txt, source map or asset would otherwise survive and hide a difference.
// No dependencies; the local counterpart of .github/workflows/check-dist.yml.
import { spawnSync } from 'node:child_process';
import console from 'node:console';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/**
 * Every entry under dir (files, symlinks, and empty directories) keyed by '/'-separated path relative to dir.
 * @param {string} dir
 * @returns {Map<string, {kind: 'file', bytes: Buffer, executable: boolean} | {kind: 'symlink', target: string} | {kind: 'dir'}>}
 */
function readTree(dir) {
  const entries = new Map();
  if (!existsSync(dir)) return entries;
  const walk = (current) => {
    const names = readdirSync(current);
    if (names.length === 0 && current !== dir) {
      entries.set(relative(dir, current).split(sep).join('/'), { kind: 'dir' });
    }
    for (const name of names) {
      const path = join(current, name);
      const key = relative(dir, path).split(sep).join('/');
      const stat = lstatSync(path);
      if (stat.isSymbolicLink()) entries.set(key, { kind: 'symlink', target: readlinkSync(path) });
      else if (stat.isDirectory()) walk(path);
      else
        entries.set(key, { kind: 'file', bytes: readFileSync(path), executable: (stat.mode & 0o111) !== 0 });
    }
  };
  walk(dir);
  return entries;
}

/** How two entries differ, or undefined when they are the same. */
function difference(before, after) {
  if (before.kind !== after.kind) return `was a ${before.kind}, now a ${after.kind}`;
  if (before.kind === 'symlink') {
    return before.target === after.target ? undefined : `link target ${before.target} -> ${after.target}`;
  }
  if (before.kind === 'file') {
    if (!before.bytes.equals(after.bytes)) return 'content differs';
    // git records the executable bit; ncc sets it on bundles that start with a shebang.
    if (process.platform !== 'win32' && before.executable !== after.executable) {
      return after.executable ? 'became executable' : 'no longer executable';
    }
  }
  return undefined;
}

function restore(saved) {
  rmSync(dist, { recursive: true, force: true });
  if (saved !== undefined) cpSync(saved, dist, { recursive: true, verbatimSymlinks: true });
}

const temp = mkdtempSync(join(tmpdir(), 'stagecraft-check-dist-'));
const saved = existsSync(dist) ? join(temp, 'dist') : undefined;
// Set once dist/ holds either the original or a complete fresh build; until then a failure puts it back.
let distSettled = true;
let keepTemp = false;
let code = 2;
try {
  if (saved !== undefined) cpSync(dist, saved, { recursive: true, verbatimSymlinks: true });
  distSettled = false;
  rmSync(dist, { recursive: true, force: true });

  const argv = ['run', '-s', 'build'];
  const build = spawnSync('npm', argv, { cwd: root, stdio: 'inherit', shell: false });
  if (build.error !== undefined || build.status !== 0) {
    const reason =
      build.error !== undefined
        ? build.error.message
        : build.signal !== null
          ? `killed by ${build.signal}`
          : `exit code ${build.status}`;
    throw new Error(`${JSON.stringify(['npm', ...argv])} failed (${reason})`);
  }
  distSettled = true;

  const before = saved === undefined ? new Map() : readTree(saved);
  const after = readTree(dist);
  const lines = [];
  for (const path of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const old = before.get(path);
    const fresh = after.get(path);
    if (old === undefined) lines.push(`  added    dist/${path}`);
    else if (fresh === undefined) lines.push(`  removed  dist/${path}`);
    else {
      const why = difference(old, fresh);
      if (why !== undefined) lines.push(`  changed  dist/${path} (${why})`);
    }
  }
  if (lines.length === 0) {
    console.log(`check-dist: dist/ matches a fresh build (${after.size} entries).`);
    code = 0;
  } else {
    console.error(`check-dist: dist/ differs from a fresh build in ${lines.length} path(s):`);
    for (const line of lines) console.error(line);
    console.error(
      'The fresh build is left in dist/: review it with `git diff dist/` and commit it with src/.',
    );
    code = 1;
  }
} catch (error) {
  console.error(`check-dist: ${error instanceof Error ? error.message : String(error)}`);
  if (!distSettled) {
    try {
      restore(saved);
      console.error('check-dist: dist/ was put back as it was.');
    } catch (restoreError) {
      keepTemp = saved !== undefined;
      console.error(`check-dist: could not put dist/ back (${String(restoreError)}).`);
      if (keepTemp) console.error(`check-dist: the original dist/ is kept at ${saved}`);
    }
  }
} finally {
  if (!keepTemp) rmSync(temp, { recursive: true, force: true });
}
process.exit(code);
