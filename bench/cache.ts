// Per-stage caches against the strategy users run today, on a real BuildKit, side by side in one run.
//
// The project (generated into a temp dir, a git repository): a C program of a few hundred source files with
// four stages — deps (a lock file "fetched" into a tens-of-MB layer of pseudo-random data), build (compiles
// src/ with gcc for 20 s or more cold), test (FROM build; the runtime target skips it) and runtime (FROM
// busybox, the static binary copied from build). Scenarios, each a new commit on the one before: cold, a
// rebuild with no change the build reads, a source-only change, a dependency change. Every build starts from
// a pruned builder, as on a fresh runner.
//
// stagecraft runs the real pipeline in-process (main.run) with a LocalStore in a temp dir standing in for
// GitHub's cache. The peer is what docs.docker.com shows for actions/cache with the local cache backend: one
// `type=local,mode=max` cache directory restored whole (key `Linux-buildx-<sha>`, restore key
// `Linux-buildx-`), `docker buildx build --cache-from type=local,src=… --cache-to type=local,dest=…-new,mode=max
// --load`, the new directory moved over the old and saved whole under the commit's key unless that key hit.
// The peer's cache store is a LocalStore too, so both move bytes the same way (hard links where they can).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execProcess } from '../src/adapters/exec.js';
import { currentPlatform } from '../src/adapters/host.js';
import type { Adapters, Logger } from '../src/adapters/types.js';
import { fileWorkspace } from '../src/adapters/workspace.js';
import { parseProgress, summarizeProgress, type ProgressSummary } from '../src/buildx/index.js';
import { LocalStore } from '../src/cache/local-store.js';
import type { LookupResult, StageCacheStore, StoreCallOptions } from '../src/cache/store.js';
import { run, type RunResult } from '../src/main.js';
import { toOptions } from '../src/options.js';
import { formatNumber, printHeader, printTable, seededRandom } from './harness.js';

const TOOLCHAIN_IMAGE = 'stagecraft-bench/gcc:1';
const RUNTIME_IMAGE = 'stagecraft-test/busybox:1';
const DEBIAN_SUITE = 'bookworm';
/** Source modules under src/ (plus main.c and a header). */
const MODULES = 320;
const FUNCTIONS_PER_MODULE = 7;
/** Packages in deps.lock and their total size. */
const PACKAGES = 24;
const DEPS_TOTAL_KIB = 48 * 1024;
const IMAGE_TAG = {
  stagecraft: 'stagecraft-bench/app:stagecraft',
  singleDir: 'stagecraft-bench/app:single-dir',
};
const PEER_KEY_PREFIX = 'Linux-buildx-';
const MIN_COLD_BUILD_S = 20;

const GOALS = {
  noChangeWall: 1.0,
  sourceSaved: 0.2,
  sourceRestored: 1.0,
  sourceWall: 1.05,
};

// ---------------------------------------------------------------------------------------------------------
// The generated project

const DOCKERFILE = [
  `FROM ${TOOLCHAIN_IMAGE} AS deps`,
  'WORKDIR /deps',
  'COPY tools/fetch-deps.c deps.lock ./',
  'RUN gcc -O2 -o /usr/local/bin/fetch-deps fetch-deps.c && fetch-deps deps.lock /opt/deps',
  '',
  'FROM deps AS build',
  'WORKDIR /build',
  'COPY src/ src/',
  'RUN set -e; mkdir -p obj /out; cd obj; \\',
  '    deps=$(cat /opt/deps/*/*.bin | sha256sum | cut -c1-16); \\',
  `    find ../src -name '*.c' | sort | xargs -P "$(nproc)" -n 8 gcc -O2 -I../src/include -DDEPS_DIGEST="\\"$deps\\"" -c; \\`,
  '    gcc -static -o /out/app *.o; strip /out/app; /out/app --version',
  '',
  'FROM build AS test',
  'RUN /out/app --self-test',
  '',
  `FROM ${RUNTIME_IMAGE} AS runtime`,
  'COPY --from=build /out/app /usr/local/bin/app',
  'ENTRYPOINT ["/usr/local/bin/app"]',
  '',
].join('\n');

const FETCH_DEPS_C = `// Stands in for a package manager: "downloads" every package in the lock file as deterministic
// pseudo-random bytes (xorshift64*, seeded from name and version), so a version bump changes the layer.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t fnv1a(uint64_t h, const char *s) {
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  FILE *lock = fopen(argv[1], "r");
  if (!lock) return 1;
  mkdir(argv[2], 0755);
  char name[128], version[64];
  unsigned long kib;
  static uint64_t buf[8192];
  while (fscanf(lock, "%127s %63s %lu", name, version, &kib) == 3) {
    char dir[512], file[700];
    snprintf(dir, sizeof dir, "%s/%s-%s", argv[2], name, version);
    mkdir(dir, 0755);
    snprintf(file, sizeof file, "%s/lib%s.bin", dir, name);
    FILE *out = fopen(file, "wb");
    if (!out) return 1;
    uint64_t x = fnv1a(fnv1a(1469598103934665603ULL, name), version) | 1;
    for (unsigned long done = 0; done < kib * 1024; done += sizeof buf) {
      for (size_t i = 0; i < sizeof buf / sizeof buf[0]; i++) {
        x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
        buf[i] = x * 2685821657736338717ULL;
      }
      fwrite(buf, 1, sizeof buf, out);
    }
    fclose(out);
    printf("fetched %s %s (%lu KiB)\\n", name, version, kib);
  }
  return 0;
}
`;

const AREAS = ['core', 'net', 'store', 'codec', 'sched', 'auth', 'query', 'ui'];

interface Module {
  readonly file: string;
  readonly symbol: string;
}

function modules(): Module[] {
  return Array.from({ length: MODULES }, (_, index) => {
    const area = AREAS[index % AREAS.length]!;
    const symbol = `${area}_${String(index).padStart(3, '0')}`;
    return { file: `src/${area}/${symbol}.c`, symbol };
  });
}

function hex64(random: () => number): string {
  const part = () =>
    Math.floor(random() * 2 ** 32)
      .toString(16)
      .padStart(8, '0');
  return `0x${part()}${part()}ULL`;
}

/** One module: FUNCTIONS_PER_MODULE mixing functions with loops and branches, and an entry point. */
function moduleSource(module: Module, revision: number): string {
  const random = seededRandom(module.symbol.split('').reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7));
  const lines = [`// ${module.file} (generated)`, '#include "app.h"', ''];
  for (let fn = 0; fn < FUNCTIONS_PER_MODULE; fn++) {
    const rot = 1 + Math.floor(random() * 62);
    lines.push(
      `static uint64_t ${module.symbol}_f${fn}(const uint64_t *v, size_t n, uint64_t k) {`,
      `  uint64_t acc = ${hex64(random)} ^ k;`,
      '  for (size_t i = 0; i < n; i++) {',
      '    uint64_t x = v[i] + i * k;',
      `    switch ((x ^ acc) % 5) {`,
      `    case 0: acc += x * ${hex64(random)}; break;`,
      `    case 1: acc ^= (x << ${rot}) | (x >> ${64 - rot}); break;`,
      `    case 2: acc -= x ^ ${hex64(random)}; break;`,
      `    case 3: acc = (acc * ${hex64(random)}) ^ (x >> ${1 + Math.floor(random() * 31)}); break;`,
      '    default: acc += (acc >> 17) ^ x;',
      '    }',
      `    for (int r = 0; r < ${2 + Math.floor(random() * 6)}; r++) acc = (acc ^ (acc >> 29)) * ${hex64(random)};`,
      '  }',
      '  return acc;',
      '}',
      '',
    );
  }
  lines.push(`uint64_t ${module.symbol}_run(uint64_t seed) {`, '  uint64_t v[16];');
  lines.push(`  for (size_t i = 0; i < 16; i++) v[i] = seed * (i + ${revision + 1});`);
  lines.push('  uint64_t acc = seed;');
  for (let fn = 0; fn < FUNCTIONS_PER_MODULE; fn++)
    lines.push(`  acc ^= ${module.symbol}_f${fn}(v, 16, acc);`);
  lines.push('  return acc;', '}', '');
  return lines.join('\n');
}

function headerSource(all: readonly Module[]): string {
  return [
    '// src/include/app.h (generated)',
    '#pragma once',
    '#include <stddef.h>',
    '#include <stdint.h>',
    '',
    ...all.map((module) => `uint64_t ${module.symbol}_run(uint64_t seed);`),
    '',
  ].join('\n');
}

function mainSource(all: readonly Module[]): string {
  return [
    '// src/main.c (generated)',
    '#include <stdio.h>',
    '#include <string.h>',
    '#include "app.h"',
    '',
    'static uint64_t (*const modules[])(uint64_t) = {',
    ...all.map((module) => `  ${module.symbol}_run,`),
    '};',
    '',
    'int main(int argc, char **argv) {',
    '  uint64_t acc = 1;',
    '  for (size_t i = 0; i < sizeof modules / sizeof modules[0]; i++) acc = modules[i](acc);',
    '  if (argc > 1 && strcmp(argv[1], "--self-test") == 0) {',
    '    printf("self-test: %zu modules, checksum %016llx\\n", sizeof modules / sizeof modules[0], (unsigned long long)acc);',
    '    return acc == 0;',
    '  }',
    '  printf("app (deps %s) %016llx\\n", DEPS_DIGEST, (unsigned long long)acc);',
    '  return 0;',
    '}',
    '',
  ].join('\n');
}

interface Package {
  readonly name: string;
  version: string;
  readonly kib: number;
}

function lockPackages(): Package[] {
  const random = seededRandom(42);
  const weights = Array.from({ length: PACKAGES }, () => 0.5 + random());
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  return weights.map((weight, index) => ({
    name: `pkg${String(index).padStart(2, '0')}`,
    version: `1.${Math.floor(random() * 20)}.${Math.floor(random() * 10)}`,
    kib: Math.round((DEPS_TOTAL_KIB * weight) / total),
  }));
}

function lockText(packages: readonly Package[]): string {
  return packages.map((p) => `${p.name} ${p.version} ${p.kib}\n`).join('');
}

function write(dir: string, file: string, text: string): void {
  const full = path.join(dir, file);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, text);
}

/** The project at its first commit; returns the source file count. */
function generateProject(dir: string, packages: readonly Package[]): number {
  const all = modules();
  write(dir, 'Dockerfile', DOCKERFILE);
  write(dir, '.dockerignore', '.git\nREADME.md\n');
  write(dir, 'README.md', '# bench app\n\nGenerated by bench/cache.ts.\n');
  write(dir, 'deps.lock', lockText(packages));
  write(dir, 'tools/fetch-deps.c', FETCH_DEPS_C);
  write(dir, 'src/include/app.h', headerSource(all));
  write(dir, 'src/main.c', mainSource(all));
  for (const module of all) write(dir, module.file, moduleSource(module, 0));
  return all.length + 2;
}

// ---------------------------------------------------------------------------------------------------------
// Processes

function runSync(argv: readonly string[], cwd?: string): string {
  const result = spawnSync(argv[0]!, argv.slice(1), { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(
      `${argv.join(' ')} failed (${result.status}): ${result.stderr ?? ''}${result.error ?? ''}`,
    );
  }
  return result.stdout;
}

function tryRunSync(argv: readonly string[]): string | undefined {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Runs a process asynchronously (the event loop keeps turning); resolves with its combined output. */
function runAsync(argv: readonly string[], cwd: string): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ exitCode: code ?? 1, output }));
  });
}

function git(dir: string, ...args: string[]): string {
  return runSync(
    ['git', '-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', ...args],
    dir,
  ).trim();
}

function commit(dir: string, message: string): string {
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** A pruned builder and none of the bench's images: the state of a fresh runner (base images kept). */
function freshBuilder(): void {
  runSync(['docker', 'buildx', 'prune', '-af']);
  spawnSync('docker', ['image', 'rm', '-f', IMAGE_TAG.stagecraft, IMAGE_TAG.singleDir], { encoding: 'utf8' });
}

/**
 * The gcc toolchain base, made once with debootstrap (Debian bookworm, minbase, gcc and libc6-dev) and kept
 * by tag; later runs find it in the image store.
 */
function ensureToolchainImage(tempRoot: string): string {
  if (tryRunSync(['docker', 'image', 'inspect', TOOLCHAIN_IMAGE]) !== undefined) return 'in the image store';
  if (tryRunSync(['sh', '-c', 'command -v debootstrap']) === undefined) {
    throw new Error(
      `${TOOLCHAIN_IMAGE} is missing and debootstrap is not installed: apt-get install debootstrap`,
    );
  }
  const sources = readFileSync('/etc/apt/sources.list.d/debian.sources', 'utf8');
  const mirror = /^URIs:\s*(\S+)/m.exec(sources)?.[1] ?? 'http://deb.debian.org/debian';
  const rootfs = path.join(tempRoot, 'rootfs');
  const start = performance.now();
  console.log(`making ${TOOLCHAIN_IMAGE} with debootstrap from ${mirror} (once; a minute or two)…`);
  runSync(['debootstrap', '--variant=minbase', '--include=gcc,libc6-dev', DEBIAN_SUITE, rootfs, mirror]);
  rmSync(path.join(rootfs, 'var/cache/apt/archives'), { recursive: true, force: true });
  rmSync(path.join(rootfs, 'var/lib/apt/lists'), { recursive: true, force: true });
  mkdirSync(path.join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
  mkdirSync(path.join(rootfs, 'var/lib/apt/lists/partial'), { recursive: true });
  runSync([
    'sh',
    '-c',
    'tar -C "$1" --numeric-owner -c . | docker import --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" - "$2"',
    'sh',
    rootfs,
    TOOLCHAIN_IMAGE,
  ]);
  rmSync(rootfs, { recursive: true, force: true });
  return `made now in ${formatNumber((performance.now() - start) / 1000, 0)} s`;
}

// ---------------------------------------------------------------------------------------------------------
// Measuring

/** A LocalStore that records what was asked of it. */
class CountingStore implements StageCacheStore {
  readonly kind = 'local' as const;
  readonly lookups: string[] = [];
  readonly restored: { key: string; bytes: number }[] = [];
  readonly saved: { key: string; bytes: number }[] = [];
  constructor(readonly inner: LocalStore) {}
  reset(): void {
    this.lookups.length = 0;
    this.restored.length = 0;
    this.saved.length = 0;
  }
  lookup(
    key: string,
    restoreKeys: readonly string[],
    options?: StoreCallOptions,
  ): Promise<LookupResult | undefined> {
    this.lookups.push(key);
    return this.inner.lookup(key, restoreKeys, options);
  }
  async restore(key: string, dir: string, options?: StoreCallOptions): Promise<number> {
    const bytes = await this.inner.restore(key, dir, options);
    this.restored.push({ key, bytes });
    return bytes;
  }
  exists(key: string, options?: StoreCallOptions): Promise<boolean> {
    return this.inner.exists(key, options);
  }
  async save(key: string, dir: string, options?: StoreCallOptions): Promise<number> {
    const bytes = await this.inner.save(key, dir, options);
    this.saved.push({ key, bytes });
    return bytes;
  }
}

interface Phase {
  readonly name: string;
  readonly seconds: number;
}

interface Measured {
  readonly strategy: string;
  readonly wallS: number;
  readonly restoredBytes: number;
  readonly savedBytes: number;
  readonly entriesWritten: number;
  readonly phases: readonly Phase[];
  readonly progress: ProgressSummary | undefined;
  readonly detail: string[];
}

interface StagecraftRun extends Measured {
  readonly result: RunResult;
  readonly lookedUp: readonly string[];
  readonly restoredKeys: readonly string[];
}

/** Adapters as the tests' recordingAdapters, plus wall time per log group (and the gaps between them). */
function timedAdapters(
  root: string,
  workDir: string,
  store: StageCacheStore,
): { adapters: Adapters; phases: Phase[]; errors: string[]; warnings: string[]; lines: string[] } {
  const phases: Phase[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  const lines: string[] = [];
  let last = performance.now();
  const logger: Logger = {
    info: (message) => void lines.push(message),
    debug: () => undefined,
    warning: (message) => void warnings.push(message),
    error: (message) => void errors.push(message),
    group: async (title, body) => {
      const start = performance.now();
      if (start - last > 50)
        phases.push({ name: `(between groups before ${title})`, seconds: (start - last) / 1000 });
      try {
        return await body();
      } finally {
        last = performance.now();
        phases.push({ name: title, seconds: (last - start) / 1000 });
      }
    },
  };
  return {
    phases,
    errors,
    warnings,
    lines,
    adapters: {
      logger,
      reporter: { setOutput: () => undefined, appendSummary: async () => undefined },
      workspace: fileWorkspace(root, workDir),
      exec: execProcess,
      openStore: async () => store,
      hostPlatform: currentPlatform(),
    },
  };
}

async function runStagecraft(
  project: string,
  workDir: string,
  store: CountingStore,
  target = 'runtime',
): Promise<StagecraftRun> {
  store.reset();
  const { adapters, phases, errors, warnings, lines } = timedAdapters(project, workDir, store);
  const options = toOptions(
    { file: 'Dockerfile', context: '.', target, cache: 'local', tags: IMAGE_TAG.stagecraft, load: 'true' },
    'local',
  );
  const start = performance.now();
  const result = await run(options, adapters);
  const wallS = (performance.now() - start) / 1000;
  if (result.exitCode !== 0)
    throw new Error(`stagecraft failed:\n${errors.join('\n')}\n${lines.slice(-30).join('\n')}`);
  const detail: string[] = [];
  for (const warning of warnings) detail.push(`WARNING: ${warning}`);
  const context = lines.find((line) => line.startsWith('context: '));
  if (context !== undefined) detail.push(context);
  for (const line of lines.filter((l) => l.startsWith('added ') || l.includes('not in the image store')))
    detail.push(line);
  const stages = (result.restore?.stages ?? []).map((stage) => {
    const saved = result.save?.stages.find((s) => s.stage === stage.stage);
    return (
      `${stage.stageName} ${stage.result}, restored ${formatBytes(stage.bytes)}, ` +
      (saved?.saved === true ? `saved ${formatBytes(saved.bytes)}` : `not saved (${saved?.reason ?? '?'})`)
    );
  });
  detail.push(`per stage: ${stages.join('; ')}`);
  return {
    strategy: 'stagecraft',
    wallS,
    restoredBytes: result.restore?.bytes ?? 0,
    savedBytes: result.save?.bytes ?? 0,
    entriesWritten: result.save?.stages.filter((stage) => stage.saved).length ?? 0,
    phases,
    progress: result.progress,
    detail,
    result,
    lookedUp: [...store.lookups],
    restoredKeys: store.restored.map((r) => r.key),
  };
}

/** docs.docker.com's actions/cache + `type=local,mode=max` recipe, step by step. */
async function runSingleDir(
  project: string,
  peerDir: string,
  store: LocalStore,
  sha: string,
): Promise<Measured> {
  const cacheDir = path.join(peerDir, '.buildx-cache');
  const newDir = path.join(peerDir, '.buildx-cache-new');
  rmSync(peerDir, { recursive: true, force: true });
  mkdirSync(peerDir, { recursive: true });
  const key = `${PEER_KEY_PREFIX}${sha}`;
  const phases: Phase[] = [];
  const start = performance.now();
  let mark = start;
  const phase = (name: string): void => {
    const now = performance.now();
    phases.push({ name, seconds: (now - mark) / 1000 });
    mark = now;
  };

  // actions/cache (restore): the exact key, else the newest entry under the restore key.
  const found = await store.lookup(key, [PEER_KEY_PREFIX]);
  let restoredBytes = 0;
  if (found !== undefined) {
    mkdirSync(cacheDir, { recursive: true });
    restoredBytes = await store.restore(found.key, cacheDir);
  }
  phase('restore');

  const argv = [
    'docker',
    'buildx',
    'build',
    '--progress=plain',
    '--target',
    'runtime',
    '--tag',
    IMAGE_TAG.singleDir,
    '--cache-from',
    `type=local,src=${cacheDir}`,
    '--cache-to',
    `type=local,dest=${newDir},mode=max`,
    '--load',
    '.',
  ];
  const build = await runAsync(argv, project);
  if (build.exitCode !== 0) throw new Error(`single-dir build failed:\n${build.output.slice(-3000)}`);
  phase('build');

  // "Temp fix" from the docs: move the new cache over the old one, so the directory does not grow.
  await rm(cacheDir, { recursive: true, force: true });
  await rename(newDir, cacheDir);
  // actions/cache (post): save under the primary key unless it was an exact hit.
  let savedBytes = 0;
  if (found?.exact !== true) savedBytes = await store.save(key, cacheDir);
  phase('save');
  const wallS = (performance.now() - start) / 1000;
  return {
    strategy: 'single-dir',
    wallS,
    restoredBytes,
    savedBytes,
    entriesWritten: savedBytes > 0 ? 1 : 0,
    phases,
    progress: summarizeProgress(parseProgress(build.output, { prefixedByTarget: false })),
    detail: [
      `restored ${found === undefined ? 'nothing' : `${found.key}${found.exact ? ' (exact)' : ' (restore key)'}`}` +
        `; ${found?.exact === true ? 'save skipped (exact hit)' : `saved ${key}`}`,
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------
// Reporting

function formatBytes(bytes: number): string {
  if (bytes === 0) return '0 B';
  if (bytes < 1e6) return `${formatNumber(bytes / 1e3, 1)} kB`;
  return `${formatNumber(bytes / 1e6, 1)} MB`;
}

function ratio(a: number, b: number): string {
  if (b === 0) return a === 0 ? '—' : '∞';
  return `${formatNumber(a / b, 2)}×`;
}

function progressText(progress: ProgressSummary | undefined): string {
  if (progress === undefined) return 'no progress';
  const ran = progress.executedSteps.map((step) => `${step.stage ?? '?'}:${step.instruction.split(' ')[0]}`);
  return (
    `${progress.executedSteps.length} steps ran, ${progress.cachedSteps.length} cached` +
    (ran.length === 0 ? '' : ` (ran: ${ran.join(', ')})`) +
    (progress.stagesRun.length === 0 ? '' : `; stages run: ${progress.stagesRun.join(', ')}`)
  );
}

function printScenario(
  title: string,
  order: readonly string[],
  stagecraft: StagecraftRun,
  peer: Measured,
): void {
  console.log(`${title}  (run order: ${order.join(' then ')})`);
  const row = (m: Measured): string[] => [
    m.strategy,
    formatNumber(m.wallS, 1),
    m === stagecraft ? ratio(stagecraft.wallS, peer.wallS) : '',
    formatBytes(m.restoredBytes),
    m === stagecraft ? ratio(stagecraft.restoredBytes, peer.restoredBytes) : '',
    formatBytes(m.savedBytes),
    m === stagecraft ? ratio(stagecraft.savedBytes, peer.savedBytes) : '',
    String(m.entriesWritten),
  ];
  printTable(
    ['strategy', 'wall s', 'ratio', 'restored', 'ratio', 'saved', 'ratio', 'entries written'],
    [row(stagecraft), row(peer)],
  );
  for (const m of [stagecraft, peer]) {
    const phases = m.phases.map((p) => `${p.name} ${formatNumber(p.seconds, 1)}`).join(' · ');
    console.log(`  ${m.strategy}: ${phases}`);
    console.log(`    BuildKit: ${progressText(m.progress)}`);
    for (const line of m.detail) console.log(`    ${line}`);
  }
  console.log('');
}

function verdict(ok: boolean): string {
  return ok ? 'met' : 'NOT met';
}

// ---------------------------------------------------------------------------------------------------------

interface Scenario {
  readonly title: string;
  readonly edit: (project: string, packages: Package[]) => string;
}

async function main(): Promise<void> {
  printHeader('stagecraft cache benchmark: per-stage caches vs one type=local,mode=max directory');
  const dockerVersion = tryRunSync(['docker', 'version', '-f', '{{.Server.Version}}']) ?? 'no engine';
  const buildxVersion = tryRunSync(['docker', 'buildx', 'version']) ?? 'no buildx';
  const driver = tryRunSync(['docker', 'info', '-f', '{{.DriverStatus}}']) ?? '';
  console.log(
    `docker engine ${dockerVersion}${driver.includes('snapshotter') ? ' (containerd image store)' : ''} · ${buildxVersion}`,
  );

  const temp = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-bench-cache-'));
  try {
    const toolchain = ensureToolchainImage(temp);
    const project = path.join(temp, 'project');
    const packages = lockPackages();
    const sourceFiles = generateProject(project, packages);
    git(project, 'init', '-q');
    const firstSha = commit(project, 'initial');
    const depsMiB = packages.reduce((sum, p) => sum + p.kib, 0) / 1024;
    console.log(
      `toolchain ${TOOLCHAIN_IMAGE} (Debian ${DEBIAN_SUITE} minbase + gcc, ${toolchain}); runtime base ${RUNTIME_IMAGE}`,
    );
    console.log(
      `project: ${sourceFiles} files under src/ (${MODULES} C modules of ${FUNCTIONS_PER_MODULE} functions), ` +
        `deps.lock of ${PACKAGES} packages → ${formatNumber(depsMiB, 0)} MiB of pseudo-random data in the deps layer; ` +
        'stages deps → build → test (skipped by the target), runtime (FROM busybox, COPY --from=build); target runtime',
    );
    console.log(`a git repository at ${project}; every scenario is a new commit on the one before`);
    console.log('');

    const stagecraftStore = new CountingStore(new LocalStore({ dir: path.join(temp, 'store-stagecraft') }));
    const peerStore = new LocalStore({ dir: path.join(temp, 'store-single-dir') });
    const workDir = path.join(temp, 'work');
    const peerDir = path.join(temp, 'peer');

    const scenarios: Scenario[] = [
      { title: 'cold (empty caches)', edit: () => firstSha },
      {
        title: 'no change (a commit touching only README.md, which no stage reads)',
        edit: (dir) => {
          write(dir, 'README.md', '# bench app\n\nGenerated by bench/cache.ts. Now with more words.\n');
          return commit(dir, 'docs');
        },
      },
      {
        title: 'source-only change (one of the C files)',
        edit: (dir) => {
          const module = modules()[7]!;
          write(dir, module.file, moduleSource(module, 1));
          return commit(dir, 'source change');
        },
      },
      {
        title: 'dependency change (one package version bumped in deps.lock)',
        edit: (dir, pkgs) => {
          const bumped = pkgs[5]!;
          bumped.version = `${bumped.version}.1`;
          write(dir, 'deps.lock', lockText(pkgs));
          return commit(dir, 'bump a dependency');
        },
      },
    ];

    interface Outcome {
      readonly title: string;
      readonly stagecraft: StagecraftRun;
      readonly peer: Measured;
      readonly changed: readonly string[];
      readonly testEntryKey: string | undefined;
    }
    const outcomes: Outcome[] = [];
    let previousKeys = new Map<string, string>();
    let testEntryKey: string | undefined;
    for (const [index, scenario] of scenarios.entries()) {
      const sha = scenario.edit(project, packages);
      const stagecraftFirst = index % 2 === 0;
      const order = stagecraftFirst ? ['stagecraft', 'single-dir'] : ['single-dir', 'stagecraft'];
      let stagecraft: StagecraftRun | undefined;
      let peer: Measured | undefined;
      for (const strategy of order) {
        freshBuilder();
        if (strategy === 'stagecraft') stagecraft = await runStagecraft(project, workDir, stagecraftStore);
        else peer = await runSingleDir(project, peerDir, peerStore, sha);
      }
      const keys = new Map(stagecraft!.result.keys.map((key) => [key.stageName, key.key]));
      const changed = [...keys].filter(([name, key]) => previousKeys.get(name) !== key).map(([name]) => name);
      previousKeys = keys;
      outcomes.push({ title: scenario.title, stagecraft: stagecraft!, peer: peer!, changed, testEntryKey });
      printScenario(`${index + 1}. ${scenario.title}`, order, stagecraft!, peer!);

      if (index === 0) {
        // So that the store holds an entry for the stage the runtime target skips: a `--target test` build
        // (not timed, on the warm builder) saves one; the later runtime builds must never look it up.
        const testRun = await runStagecraft(project, workDir, stagecraftStore, 'test');
        testEntryKey = testRun.result.save?.stages.find((s) => s.stageName === 'test' && s.saved)?.key;
        console.log(
          `(setup, not timed: stagecraft --target test saved ${testRun.entriesWritten} entry ` +
            `(${formatBytes(testRun.savedBytes)}) for the test stage, so the store has one for the skipped stage)`,
        );
        console.log('');
        const coldBuild = [stagecraft!, peer!].map(
          (m) => m.phases.find((p) => p.name === 'build' || p.name === 'Build')?.seconds ?? 0,
        );
        if (Math.min(...coldBuild) < MIN_COLD_BUILD_S) {
          console.log(
            `NOTE: a cold build took ${formatNumber(Math.min(...coldBuild), 1)} s, under the ${MIN_COLD_BUILD_S} s the bench means to have`,
          );
        }
      }
    }

    const [, noChange, source] = outcomes;
    console.log('Acceptance:');
    const line = (text: string, ok: boolean): void => console.log(`  ${text}: ${verdict(ok)}`);
    line(
      `no-change rebuild: stagecraft saved ${formatBytes(noChange!.stagecraft.savedBytes)} (goal 0 B)`,
      noChange!.stagecraft.savedBytes === 0,
    );
    const noChangeWall = noChange!.stagecraft.wallS / noChange!.peer.wallS;
    line(
      `no-change rebuild: wall ${formatNumber(noChangeWall, 2)}× the single directory's (goal ≤ ${formatNumber(GOALS.noChangeWall, 2)}×)`,
      noChangeWall <= GOALS.noChangeWall,
    );
    const sourceSaved = source!.stagecraft.savedBytes / source!.peer.savedBytes;
    line(
      `source-only change: bytes saved ${formatNumber(sourceSaved, 3)}× (goal ≤ ${GOALS.sourceSaved}×)`,
      sourceSaved <= GOALS.sourceSaved,
    );
    const sourceRestored = source!.stagecraft.restoredBytes / source!.peer.restoredBytes;
    line(
      `source-only change: bytes restored ${formatNumber(sourceRestored, 3)}× (goal ≤ ${formatNumber(GOALS.sourceRestored, 1)}×)`,
      sourceRestored <= GOALS.sourceRestored,
    );
    const sourceWall = source!.stagecraft.wallS / source!.peer.wallS;
    line(
      `source-only change: wall ${formatNumber(sourceWall, 2)}× (goal ≤ ${GOALS.sourceWall}×)`,
      sourceWall <= GOALS.sourceWall,
    );
    for (const outcome of outcomes) {
      const saved =
        outcome.stagecraft.result.save?.stages.filter((s) => s.saved).map((s) => s.stageName) ?? [];
      const same =
        saved.length === outcome.changed.length && saved.every((name) => outcome.changed.includes(name));
      line(
        `${outcome.title.split(' (')[0]}: one entry per changed stage, none for the others ` +
          `(changed: ${outcome.changed.join(', ') || 'none'}; written: ${saved.join(', ') || 'none'})`,
        same,
      );
    }
    const skipping = outcomes.map((outcome) => {
      const reachable = new Set(outcome.stagecraft.result.keys.map((key) => key.key));
      const stray = [...outcome.stagecraft.lookedUp, ...outcome.stagecraft.restoredKeys].filter(
        (k) => !reachable.has(k),
      );
      const testTouched =
        outcome.testEntryKey !== undefined &&
        [...outcome.stagecraft.lookedUp, ...outcome.stagecraft.restoredKeys].includes(outcome.testEntryKey);
      const listed = outcome.stagecraft.result.restore?.stages.some((s) => s.stageName === 'test') ?? true;
      return stray.length === 0 && !testTouched && !listed;
    });
    const lookups = outcomes.map((o) => o.stagecraft.lookedUp.length).join(', ');
    line(
      `target runtime skips test: nothing looked up or restored for it in any scenario ` +
        `(lookups per build: ${lookups}, all for deps/build/runtime; the store holds a test entry from scenario 2 on)`,
      skipping.every(Boolean) && testEntryKey !== undefined,
    );
    console.log('');
    console.log(
      'Wall time: the whole step (restore + build + save) from a pruned builder, one run per strategy per scenario, ' +
        'the order alternating. Bytes: what the store copied in and out (MB = 10^6 bytes); both stores are LocalStores ' +
        'in the same temp dir that hard-link files, so wall time does not include moving bytes over a network.',
    );
  } finally {
    freshBuilder();
    rmSync(temp, { recursive: true, force: true });
  }
}

await main();
