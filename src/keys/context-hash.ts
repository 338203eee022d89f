// Reads the build context (the one file in keys/ that touches the file system or runs git): for each
// context read of the reachable stages, the files BuildKit would copy or mount, after .dockerignore
// (`<Dockerfile>.dockerignore` first, else the context's `.dockerignore`) and `--exclude`, and a digest
// over their paths, git modes (regular, executable or symlink) and git blob ids. Timestamps, owners and
// the other permission bits never count, and directories count only through the files in them.
//
// Both ways of getting a blob id give the same digest: inside a git work tree, tracked files that git says
// are unmodified (and that no checkout filter, ident, encoding or CRLF conversion rewrites) take their
// mode and blob id from git's index; every other file is read and hashed here as git would hash it,
// sha1("blob <size>\0" + content), a symlink by its target.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { lstat, open, readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { Exec } from '../adapters/exec.js';
import { tailLines } from '../adapters/exec.js';
import { DockerfileError, IgnoreMatcher, parseDockerignore } from '../dockerfile/index.js';
import { compareCodeUnits } from './encode.js';
import {
  configRejectsIndex,
  parseConfigList,
  parseIndexCandidates,
  parsePathList,
  parseRewrittenPaths,
  type GitBlob,
} from './git.js';
import { containsWildcards, joinContextPath, matchComponent, splitContextPath } from './glob.js';
import type { ContextDigests, ContextRead } from './types.js';

export interface HashContextOptions {
  /** Take tracked, unmodified files from git's index when the context is in a git work tree (default true). */
  readonly useGit?: boolean;
  /** Directories listed and large files read at once (default 64). */
  readonly concurrency?: number;
}

type EntryKind = 'file' | 'symlink';

interface TreeEntry {
  readonly path: string;
  readonly name: string;
  readonly kind: EntryKind | 'dir';
}

/** Files larger than this are hashed in chunks, in the background, rather than read whole. */
const WHOLE_FILE_LIMIT = 4 * 1024 * 1024;
/** Let git's output and background reads in after this many files hashed in a row. */
const YIELD_EVERY = 256;
const CHUNK_SIZE = 1024 * 1024;
/** Linux's MAXSYMLINKS; fs.RootPath gives up after as many. */
const MAX_SYMLINK_HOPS = 255;

/**
 * Digests of `reads` (by read id) in the context `contextDir`. `dockerfilePath` is absolute or relative to
 * `contextDir`; its `.dockerignore` sibling is used when it exists. `exec` runs git (argv, no shell).
 */
export async function hashContext(
  exec: Exec,
  contextDir: string,
  dockerfilePath: string,
  reads: readonly ContextRead[],
  options: HashContextOptions = {},
): Promise<ContextDigests> {
  const root = path.resolve(contextDir);
  const limiter = new Limiter(options.concurrency ?? 64);
  const unique = [...new Map(reads.map((read) => [read.id, read])).values()];
  const git: Promise<GitIndex> =
    options.useGit === false || unique.length === 0
      ? Promise.resolve({ reason: options.useGit === false ? 'disabled' : 'nothing to read' })
      : readGitIndex(exec, root).catch((error: unknown) => ({
          reason: `git failed: ${error instanceof Error ? error.message : String(error)}`,
        }));
  const ignore = await readIgnoreFile(root, dockerfilePath);
  const tree = new ContextTree(root, ignore.matcher, limiter);
  const selections = await Promise.all(unique.map((read) => selectEntries(tree, read)));

  const index = await git;
  const { blobs, filesFromGit, filesHashed } = await resolveBlobs(
    root,
    selections,
    'blobs' in index ? index.blobs : new Map(),
    limiter,
  );

  const digests = new Map<string, string>();
  unique.forEach((read, i) => digests.set(read.id, digestOf(selections[i]!, blobs)));
  return {
    digests,
    stats: {
      reads: unique.length,
      files: blobs.size,
      filesHashed,
      filesFromGit,
      git: 'blobs' in index ? { used: true } : { used: false, reason: index.reason },
      ignoreFile: ignore.file,
    },
  };
}

/**
 * The blob of every selected file: from git's index where it vouches for the file (and agrees it is a
 * file or a symlink), else hashed here. Small files are read with synchronous calls, which cost a fraction
 * of Node's promise-based file handles per file; large ones are read in chunks in the background,
 * `limiter` deciding how many at once.
 */
async function resolveBlobs(
  root: string,
  selections: readonly ReadonlyMap<string, EntryKind>[],
  index: ReadonlyMap<string, GitBlob>,
  limiter: Limiter,
): Promise<{ blobs: Map<string, GitBlob>; filesFromGit: number; filesHashed: number }> {
  const blobs = new Map<string, GitBlob>();
  const toHash = new Map<string, EntryKind>();
  for (const selection of selections) {
    for (const [file, kind] of selection) {
      if (blobs.has(file)) continue;
      const blob = index.get(file);
      if (blob !== undefined && (blob.mode === '120000') === (kind === 'symlink')) blobs.set(file, blob);
      else toHash.set(file, kind);
    }
  }
  const filesFromGit = blobs.size;
  let filesHashed = 0;
  const record = (file: string, blob: GitBlob | undefined): void => {
    if (blob === undefined) return; // gone since it was listed
    blobs.set(file, blob);
    filesHashed++;
  };
  const large: Promise<void>[] = [];
  let count = 0;
  for (const [file, kind] of toHash) {
    const absolute = path.join(root, file);
    const small = hashSmallEntry(absolute, kind);
    if (small === LARGE) large.push(limiter.run(async () => record(file, await hashLargeFile(absolute))));
    else record(file, small);
    if (++count % YIELD_EVERY === 0) await yieldToEventLoop();
  }
  await Promise.all(large);
  return { blobs, filesFromGit, filesHashed };
}

/**
 * sha256 over `<path length>:<path> <mode> <oid>\n` per selected file, in path order (the length makes
 * any path unambiguous without escaping).
 */
function digestOf(selection: ReadonlyMap<string, EntryKind>, blobs: ReadonlyMap<string, GitBlob>): string {
  const hash = createHash('sha256');
  const files = [...selection.keys()].sort(compareCodeUnits);
  let chunk = '';
  for (const file of files) {
    const blob = blobs.get(file);
    if (blob === undefined) continue;
    chunk += `${file.length}:${file} ${blob.mode} ${blob.oid}\n`;
    if (chunk.length > 65536) {
      hash.update(chunk, 'utf8');
      chunk = '';
    }
  }
  return `sha256:${hash.update(chunk, 'utf8').digest('hex')}`;
}

// --- .dockerignore ---

async function readIgnoreFile(
  root: string,
  dockerfilePath: string,
): Promise<{ matcher: IgnoreMatcher | undefined; file: string | undefined }> {
  const dockerfile = path.resolve(root, dockerfilePath);
  for (const candidate of [`${dockerfile}.dockerignore`, path.join(root, '.dockerignore')]) {
    let text: string;
    try {
      text = await readFile(candidate, 'utf8');
    } catch (error) {
      if (isMissing(error)) continue;
      throw error;
    }
    const relative = path.relative(root, candidate);
    const file = relative.startsWith('..') || path.isAbsolute(relative) ? candidate : relative;
    try {
      return { matcher: new IgnoreMatcher(parseDockerignore(text)), file };
    } catch (error) {
      const line = (error as { line?: number }).line;
      const where = line === undefined ? file : `${file}:${line}`;
      throw new Error(`${where}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }
  return { matcher: undefined, file: undefined };
}

// --- the context as BuildKit sees it ---

/** The context directory with .dockerignore applied: what is listed is what BuildKit receives. */
class ContextTree {
  private readonly listings = new Map<string, Promise<TreeEntry[]>>();
  private readonly stats = new Map<string, Promise<Stats | undefined>>();

  constructor(
    private readonly root: string,
    private readonly ignore: IgnoreMatcher | undefined,
    private readonly limiter: Limiter,
  ) {}

  /** Whether BuildKit receives this path (a directory: whether anything below it can be received). */
  visible(relative: string, kind: EntryKind | 'dir'): boolean {
    if (this.ignore === undefined || relative === '') return true;
    return kind === 'dir' ? this.ignore.mayIncludeUnder(relative) : !this.ignore.isExcluded(relative);
  }

  list(dir: string): Promise<TreeEntry[]> {
    let listing = this.listings.get(dir);
    if (listing === undefined) {
      listing = this.limiter.run(() => this.readListing(dir));
      this.listings.set(dir, listing);
    }
    return listing;
  }

  lstat(relative: string): Promise<Stats | undefined> {
    let stats = this.stats.get(relative);
    if (stats === undefined) {
      stats = lstat(path.join(this.root, relative)).catch((error: unknown) => {
        if (isMissing(error)) return undefined;
        throw error;
      });
      this.stats.set(relative, stats);
    }
    return stats;
  }

  /**
   * fs.RootPath with links followed: every symlink on the way is resolved inside the context (an
   * absolute target starts again at the context root, `..` stops at it). Returns the real path and the
   * links passed, or undefined when a component does not exist or is not received.
   */
  async resolve(relative: string): Promise<{ path: string; links: string[] } | undefined> {
    const pending = splitContextPath(relative);
    const current: string[] = [];
    const links: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        current.pop();
        continue;
      }
      const candidate = [...current, part].join('/');
      const stats = await this.lstat(candidate);
      if (stats === undefined) return undefined;
      if (!stats.isSymbolicLink()) {
        current.push(part);
        continue;
      }
      if (++hops > MAX_SYMLINK_HOPS || !this.visible(candidate, 'symlink')) return undefined;
      links.push(candidate);
      const target = await readlink(path.join(this.root, candidate), 'utf8');
      if (target.startsWith('/')) current.length = 0;
      pending.unshift(...target.split('/'));
    }
    return { path: current.join('/'), links };
  }

  private async readListing(dir: string): Promise<TreeEntry[]> {
    let dirents;
    try {
      dirents = await readdir(path.join(this.root, dir), { withFileTypes: true });
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
      throw error;
    }
    const entries: TreeEntry[] = [];
    for (const dirent of dirents) {
      const relative = joinContextPath(dir, dirent.name);
      let kind: TreeEntry['kind'] | undefined = direntKind(dirent);
      if (kind === undefined && !isSpecial(dirent)) {
        const stats = await this.lstat(relative); // file systems without d_type
        kind = stats === undefined ? undefined : statsKind(stats);
      }
      if (kind !== undefined && this.visible(relative, kind)) {
        entries.push({ path: relative, name: dirent.name, kind });
      }
    }
    return entries;
  }
}

interface DirentLike {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isBlockDevice(): boolean;
  isCharacterDevice(): boolean;
}

function direntKind(dirent: DirentLike): TreeEntry['kind'] | undefined {
  if (dirent.isFile()) return 'file';
  if (dirent.isDirectory()) return 'dir';
  if (dirent.isSymbolicLink()) return 'symlink';
  return undefined;
}

function statsKind(stats: Stats): TreeEntry['kind'] | undefined {
  return direntKind(stats);
}

/** Pipes, sockets and devices: BuildKit's copy has nothing to hash for them; skipped. */
function isSpecial(dirent: DirentLike): boolean {
  return dirent.isFIFO() || dirent.isSocket() || dirent.isBlockDevice() || dirent.isCharacterDevice();
}

/** The files and symlinks one read selects, by context path. */
async function selectEntries(tree: ContextTree, read: ContextRead): Promise<Map<string, EntryKind>> {
  const selected = new Map<string, EntryKind>();
  const excludes = read.excludes.length === 0 ? undefined : excludeMatcher(read);
  for (const source of read.sources) {
    const roots = read.wildcards ? await expandWildcards(tree, source, selected) : [source];
    await Promise.all(roots.map((root) => addRoot(tree, root, excludes, selected)));
  }
  return selected;
}

/** `--exclude` patterns, in the .dockerignore language; a bad one fails on the instruction's line. */
function excludeMatcher(read: ContextRead): IgnoreMatcher {
  try {
    return new IgnoreMatcher(parseDockerignore(read.excludes.join('\n')));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new DockerfileError(
      `invalid --exclude pattern: ${message}`,
      [{ start: read.line, end: read.line }],
      undefined,
      {
        cause: error,
      },
    );
  }
}

/**
 * fsutil's ResolveWildcards: the part before the first wildcard component is resolved (links followed),
 * then each further component is matched against the entries of the directories matched so far; only real
 * directories are entered, as filepath.Walk does. An empty result is not an error (AllowEmptyWildcard).
 */
async function expandWildcards(
  tree: ContextTree,
  source: string,
  selected: Map<string, EntryKind>,
): Promise<string[]> {
  const parts = splitContextPath(source);
  const first = parts.findIndex(containsWildcards);
  if (first < 0) return [source];
  const prefix = await tree.resolve(parts.slice(0, first).join('/'));
  if (prefix === undefined) return [];
  for (const link of prefix.links) selected.set(link, 'symlink');
  const patterns = parts.slice(first);
  const matches: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const pattern = patterns[depth]!;
    const last = depth === patterns.length - 1;
    const entries = (await tree.list(dir)).filter((entry) => matchComponent(pattern, entry.name));
    for (const entry of entries) if (last) matches.push(entry.path);
    if (!last) {
      await Promise.all(
        entries.filter((entry) => entry.kind === 'dir').map((entry) => walk(entry.path, depth + 1)),
      );
    }
  };
  await walk(prefix.path, 0);
  return matches;
}

/** One source path: links on the way followed (FollowSymlinks), then a file, or a directory's contents. */
async function addRoot(
  tree: ContextTree,
  root: string,
  excludes: IgnoreMatcher | undefined,
  selected: Map<string, EntryKind>,
): Promise<void> {
  const resolved = await tree.resolve(root);
  if (resolved === undefined) return;
  for (const link of resolved.links) selected.set(link, 'symlink');
  const target = resolved.path;
  if (target === '') {
    await addTree(tree, '', '', excludes, selected);
    return;
  }
  const stats = await tree.lstat(target);
  if (stats === undefined) return;
  if (stats.isDirectory()) {
    if (tree.visible(target, 'dir')) await addTree(tree, target, target, excludes, selected);
  } else if (stats.isFile() && tree.visible(target, 'file')) {
    selected.set(target, 'file');
  }
}

/** Everything received below `dir`; `--exclude` patterns match paths relative to the source `base`. */
async function addTree(
  tree: ContextTree,
  dir: string,
  base: string,
  excludes: IgnoreMatcher | undefined,
  selected: Map<string, EntryKind>,
): Promise<void> {
  const subdirectories: string[] = [];
  for (const entry of await tree.list(dir)) {
    const below = base === '' ? entry.path : entry.path.slice(base.length + 1);
    if (entry.kind === 'dir') {
      if (excludes === undefined || excludes.mayIncludeUnder(below)) subdirectories.push(entry.path);
    } else if (excludes === undefined || !excludes.isExcluded(below)) {
      selected.set(entry.path, entry.kind);
    }
  }
  await Promise.all(
    subdirectories.map((subdirectory) => addTree(tree, subdirectory, base, excludes, selected)),
  );
}

// --- blob ids ---

const LARGE = Symbol('large');

/**
 * git's blob id and mode for a file or symlink on disk; undefined when it is gone or changed type, LARGE
 * for a file too big to read whole here.
 */
function hashSmallEntry(absolute: string, kind: EntryKind): GitBlob | undefined | typeof LARGE {
  try {
    if (kind === 'symlink') {
      const target = readlinkSync(absolute, { encoding: 'buffer' });
      return { mode: '120000', oid: blobId(target.length, [target]) };
    }
    const fd = openSync(absolute, 'r');
    try {
      const stats = fstatSync(fd);
      if (!stats.isFile()) return undefined;
      if (stats.size > WHOLE_FILE_LIMIT) return LARGE;
      const content = readFileSync(fd);
      return { mode: gitMode(stats), oid: blobId(content.length, [content]) };
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'EINVAL') return undefined;
    throw error;
  }
}

async function hashLargeFile(absolute: string): Promise<GitBlob | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(absolute, 'r');
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return undefined;
    return { mode: gitMode(stats), oid: await blobIdInChunks(handle, stats.size) };
  } finally {
    await handle.close();
  }
}

/** git records only the owner's executable bit (`ce_mode_from_stat`). */
function gitMode(stats: Stats): '100644' | '100755' {
  return (stats.mode & 0o100) !== 0 ? '100755' : '100644';
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function blobId(size: number, chunks: readonly Uint8Array[]): string {
  const hash = createHash('sha1').update(`blob ${size}\0`);
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

async function blobIdInChunks(handle: Awaited<ReturnType<typeof open>>, size: number): Promise<string> {
  const hash = createHash('sha1').update(`blob ${size}\0`);
  const buffer = Buffer.allocUnsafe(CHUNK_SIZE);
  let total = 0;
  while (total < size) {
    const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK_SIZE, size - total), total);
    if (bytesRead === 0) break;
    hash.update(buffer.subarray(0, bytesRead));
    total += bytesRead;
  }
  if (total !== size)
    throw new Error(`context-hash: file shrank while it was hashed (${total} of ${size} bytes)`);
  return hash.digest('hex');
}

// --- git's index ---

type GitIndex = { readonly blobs: ReadonlyMap<string, GitBlob> } | { readonly reason: string };

/**
 * Tracked files under `root` that git vouches for: `git ls-files -s` for the index entries, then
 * `git check-attr` on them while `git ls-files -m` (modified files) and `git config` run; paths come back
 * relative to `root`.
 */
async function readGitIndex(exec: Exec, root: string): Promise<GitIndex> {
  const git = (args: readonly string[], input?: string) => {
    const running = exec(
      ['git', '--no-optional-locks', ...args],
      input === undefined ? { cwd: root } : { cwd: root, input },
    );
    running.catch(() => undefined); // awaited below; an early return must not leave it unhandled
    return running;
  };
  const config = git(['config', '-z', '--list']);
  const modified = git(['ls-files', '-m', '-z']);
  const staged = await git(['ls-files', '-s', '-v', '-z']);
  if (staged.exitCode !== 0) return failed('ls-files -s', staged);
  const blobs = parseIndexCandidates(staged.stdout);
  const attributes =
    blobs.size === 0
      ? undefined
      : git(['check-attr', '-a', '--stdin', '-z'], `${[...blobs.keys()].join('\0')}\0`);
  const rejected = configRejectsIndex(
    parseConfigList((await config).exitCode === 0 ? (await config).stdout : ''),
  );
  if (rejected !== undefined) return { reason: rejected };
  const modifiedResult = await modified;
  if (modifiedResult.exitCode !== 0) return failed('ls-files -m', modifiedResult);
  for (const file of parsePathList(modifiedResult.stdout)) blobs.delete(file);
  if (attributes !== undefined) {
    const attributesResult = await attributes;
    if (attributesResult.exitCode !== 0) return failed('check-attr', attributesResult);
    for (const file of parseRewrittenPaths(attributesResult.stdout)) blobs.delete(file);
  }
  return { blobs };
}

function failed(command: string, result: { readonly exitCode: number; readonly stderr: string }): GitIndex {
  return { reason: `git ${command}: ${tailLines(result.stderr, 1) || `exit code ${result.exitCode}`}` };
}

// --- small helpers ---

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}

/** At most `limit` tasks at once; a finishing task hands its slot to the next in line. */
class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next !== undefined) next();
      else this.active--;
    }
  }
}
