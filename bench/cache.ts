// Per-stage caches against the strategies users run today, on a real BuildKit, side by side in one run.
//
// The project (generated into a temp dir, a git repository): a C program of a few hundred source files with
// four stages — deps (a lock file "fetched" into a tens-of-MB layer of pseudo-random data), build (compiles
// src/ with gcc for 20 s or more cold), test (FROM build; the runtime target skips it) and runtime (FROM
// busybox, the static binary copied from build). Scenarios, each a new commit on the one before: cold, a
// rebuild with no change the build reads, a source-only change, a dependency change. Every build starts from
// a pruned builder, as on a fresh runner.
//
// stagecraft runs the real pipeline in-process (main.run) with a LocalStore in a temp dir standing in for
// GitHub's cache. Two peers (bench/cache-peers.ts), each a figure is also shown as a ratio to:
// - single-dir: what docs.docker.com shows for actions/cache with the local cache backend — one
//   `type=local,mode=max` directory restored whole and saved whole under the commit's key (a LocalStore too,
//   so both move bytes the same way);
// - gha: what build-push-action users run — BuildKit's own `type=gha` backend (`--cache-from type=gha
//   --cache-to type=gha,mode=max`) against an in-process stand-in of the v1 cache service
//   (__tests__/support/cache-service-v1.ts) whose entries are files in the same temp dir: an entry per layer
//   blob plus an index entry per build, blobs downloaded lazily. BuildKit 0.13 writes an index on every build,
//   and the no-change build's (fully cached) lists only the final image's layers, so the source-only build
//   that imports it reruns everything (docker/build-push-action#735). In the source-only and dependency
//   scenarios gha therefore runs twice per round (GHA_LABEL): from its store as its own last build left it,
//   and from its store as the last gha build that ran a RUN step left it (the stand-in's directory swapped for a
//   hard-linked copy before each build; it reads its files on every request).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Adapters, Logger } from '../src/adapters/types.js';
import { fileWorkspace } from '../src/adapters/workspace.js';
import { CacheServiceV1 } from '../__tests__/support/cache-service-v1.js';
import { recordingAdapters, type Recorded } from '../__tests__/support/pipeline.js';
import { LocalStore } from '../src/cache/local-store.js';
import type { LookupResult, StageCacheStore, StoreCallOptions } from '../src/cache/store.js';
import { run } from '../src/main.js';
import { toOptions } from '../src/options.js';
import {
  BuildFailure,
  errorSummary,
  formatBytes,
  GHA_LABEL,
  IMAGE_TAG,
  keepLog,
  replaceWithCopy,
  runGha,
  runSingleDir,
  type GhaRun,
  type Measured,
  type Phase,
  type StagecraftRun,
} from './cache-peers.js';
import {
  compileSeconds,
  distinctSteps,
  median,
  printGhaAcceptance,
  printScenario,
  summarize,
  verdict,
  type CachedCheck,
  type Outcome,
  type Runs,
  type ScenarioKind,
} from './cache-report.js';
import { formatNumber, printHeader, seededRandom } from './harness.js';

const TOOLCHAIN_IMAGE = 'stagecraft-bench/gcc:1';
const RUNTIME_IMAGE = 'stagecraft-test/busybox:1';
const DEBIAN_SUITE = 'bookworm';
/** Source modules under src/ (plus main.c and a header). */
const MODULES = 320;
const FUNCTIONS_PER_MODULE = 7;
/** Packages in deps.lock and their total size. */
const PACKAGES = 24;
const DEPS_TOTAL_KIB = 48 * 1024;
const MIN_COLD_BUILD_S = 20;
/**
 * Rounds per scenario (`STAGECRAFT_BENCH_CACHE_ROUNDS`, default 3): each round restores the three stores to
 * their state before the scenario, builds with every strategy from a pruned builder, the order rotating from
 * round to round; wall times are the median over the rounds.
 */
const ROUNDS = Math.max(1, Number(process.env.STAGECRAFT_BENCH_CACHE_ROUNDS ?? '3') || 3);
/** A round whose build fails is run again (stores reset), up to this many attempts in all. */
const ATTEMPTS = 3;

const GOALS = {
  noChangeWall: 1.0,
  sourceSaved: 0.2,
  sourceRestored: 1.0,
  sourceWall: 1.05,
};
/** 'gha-full' runs only in GHA_TWICE's scenarios; 'gha' is GHA_LABEL.last there, plain gha elsewhere. */
const STRATEGIES = ['stagecraft', 'single-dir', 'gha', 'gha-full'] as const;
type Strategy = (typeof STRATEGIES)[number];
/** Scenarios after the no-change one, where gha's last index and its last full index differ. */
const GHA_TWICE: readonly ScenarioKind[] = ['source', 'deps'];

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
  spawnSync('docker', ['image', 'rm', '-f', ...Object.values(IMAGE_TAG)], { encoding: 'utf8' });
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
  // The machine's own Debian archive (the first URIs: line of its apt sources), as scripts/setup-buildkit does.
  let sources = '';
  try {
    sources = readFileSync('/etc/apt/sources.list.d/debian.sources', 'utf8');
  } catch {
    // no deb822 sources: debootstrap's default below
  }
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

interface TimedAdapters {
  adapters: Adapters;
  readonly recorded: Recorded;
  readonly phases: Phase[];
  /** When the Save group ended (performance.now()), if it ran. */
  saveEnd: number | undefined;
}

/**
 * The tests' recordingAdapters, with work directories under `workDir` and wall time per log group (and the
 * gaps between groups, where main.ts works outside a group).
 */
function timedAdapters(root: string, workDir: string, store: StageCacheStore): TimedAdapters {
  const { adapters, recorded } = recordingAdapters(root, store);
  let last = performance.now();
  const timed: TimedAdapters = { adapters, recorded, phases: [], saveEnd: undefined };
  const logger: Logger = {
    ...adapters.logger,
    group: async (title, body) => {
      const start = performance.now();
      if (start - last > 50)
        timed.phases.push({ name: `(between groups before ${title})`, seconds: (start - last) / 1000 });
      try {
        return await body();
      } finally {
        last = performance.now();
        timed.phases.push({ name: title, seconds: (last - start) / 1000 });
        if (title === 'Save') timed.saveEnd = last;
      }
    },
  };
  timed.adapters = { ...adapters, logger, workspace: fileWorkspace(root, workDir) };
  return timed;
}

async function runStagecraft(
  project: string,
  workDir: string,
  store: CountingStore,
  target = 'runtime',
): Promise<StagecraftRun> {
  store.reset();
  const timed = timedAdapters(project, workDir, store);
  const { phases } = timed;
  const { lines, warnings, errors } = timed.recorded;
  const options = toOptions(
    { file: 'Dockerfile', context: '.', target, cache: 'local', tags: IMAGE_TAG.stagecraft, load: 'true' },
    'local',
  );
  const start = performance.now();
  const result = await run(options, timed.adapters);
  const end = performance.now();
  // The step as the peer has it: restore + build + save. Whatever the pipeline does after saving (measuring
  // the image, the size report) is timed apart and left out.
  const stepEnd = timed.saveEnd ?? end;
  const wallS = (stepEnd - start) / 1000;
  keepLog(`stagecraft-${target}`, [...lines, ...warnings.map((w) => `WARNING: ${w}`), ...errors].join('\n'));
  if (result.exitCode !== 0) throw new BuildFailure('stagecraft', errorSummary(errors.join('\n')));
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

// ---------------------------------------------------------------------------------------------------------

interface Scenario {
  readonly kind: ScenarioKind;
  readonly title: string;
  readonly edit: (project: string, packages: Package[]) => string;
}

/** Reads the build's progress for RUN steps that ran, and runs the image it loaded (not timed). */
function checkCachedBuild(run: StagecraftRun, scenario: Scenario, round: number): CachedCheck {
  const progress = run.progress;
  const runsRan =
    progress === undefined
      ? ['(no progress to read)']
      : [
          ...new Set([
            ...progress.executedRuns.map((vertex) => `${vertex.stage ?? '?'}:RUN`),
            ...distinctSteps(progress)
              .filter((step) => step.ran && step.name.endsWith(':RUN'))
              .map((step) => step.name),
          ]),
        ];
  const ran = spawnSync('docker', ['run', '--rm', IMAGE_TAG.stagecraft, '--version'], { encoding: 'utf8' });
  return {
    kind: scenario.kind,
    scenario: scenario.title.split(' (')[0]!,
    round,
    fullyCached: progress?.fullyCached === true,
    runsRan,
    exitCode: ran.status ?? 1,
    output: `${ran.stdout ?? ''}${ran.stderr ?? ''}`.trim().split('\n')[0] ?? '',
  };
}

async function main(): Promise<void> {
  printHeader(
    "stagecraft cache benchmark: per-stage caches vs one type=local,mode=max directory and vs BuildKit's type=gha",
  );
  const dockerVersion = tryRunSync(['docker', 'version', '-f', '{{.Server.Version}}']) ?? 'no engine';
  const buildxVersion = tryRunSync(['docker', 'buildx', 'version']) ?? 'no buildx';
  const driver = tryRunSync(['docker', 'info', '-f', '{{.DriverStatus}}']) ?? '';
  console.log(
    `docker engine ${dockerVersion}${driver.includes('snapshotter') ? ' (containerd image store)' : ''} · ${buildxVersion}`,
  );

  const temp = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-bench-cache-'));
  const ghaService = new CacheServiceV1({ dir: path.join(temp, 'store-gha') });
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
    await ghaService.start();
    const workDir = path.join(temp, 'work');
    const peerDir = path.join(temp, 'peer');

    const scenarios: Scenario[] = [
      { kind: 'cold', title: 'cold (empty caches)', edit: () => firstSha },
      {
        kind: 'no-change',
        title: 'no change (a commit touching only README.md, which no stage reads)',
        edit: (dir) => {
          write(dir, 'README.md', '# bench app\n\nGenerated by bench/cache.ts. Now with more words.\n');
          return commit(dir, 'docs');
        },
      },
      {
        kind: 'source',
        title: 'source-only change (one of the C files)',
        edit: (dir) => {
          const module = modules()[7]!;
          write(dir, module.file, moduleSource(module, 1));
          return commit(dir, 'source change');
        },
      },
      {
        kind: 'deps',
        title: 'dependency change (one package version bumped in deps.lock)',
        edit: (dir, pkgs) => {
          const bumped = pkgs[5]!;
          bumped.version = `${bumped.version}.1`;
          write(dir, 'deps.lock', lockText(pkgs));
          return commit(dir, 'bump a dependency');
        },
      },
    ];

    const storeDirs = [stagecraftStore.inner.dir, peerStore.dir, ghaService.dir];
    const snapshotDir = path.join(temp, 'store-snapshot');
    // gha's starting points (GHA_LABEL): 'gha' its store before the scenario (its part of the snapshot),
    // 'gha-full' the store as the last gha build that ran a RUN step left it; and each one's latest result.
    const ghaBefore = path.join(snapshotDir, String(storeDirs.indexOf(ghaService.dir)));
    const ghaFullIndex = path.join(temp, 'store-gha-full-index');
    const ghaResult = (strategy: 'gha' | 'gha-full'): string => path.join(temp, `store-${strategy}-result`);
    // A RUN, not any step: a no-change build on a pruned builder may still redo a COPY (as gha's does when a
    // layer it needs was not fetched), and its index is as short as if it had run nothing.
    const ranRunSteps = (run: Measured | undefined): boolean => (run?.progress?.executedRuns.length ?? 0) > 0;
    /** Which build left each starting point, for the details. */
    const ghaFrom = { gha: 'no build', 'gha-full': 'no build' };
    const outcomes: Outcome[] = [];
    let previousKeys = new Map<string, string>();
    let testEntryKey: string | undefined;
    const allFailures: string[] = [];
    const cachedChecks: CachedCheck[] = [];
    console.log(
      `${ROUNDS} round${ROUNDS === 1 ? '' : 's'} per scenario (STAGECRAFT_BENCH_CACHE_ROUNDS); wall s is the median`,
    );
    console.log(
      `in the source-only and dependency scenarios gha runs twice a round: "gha" is ${GHA_LABEL.last}, ` +
        `"gha-full" ${GHA_LABEL.full} (the store as the last gha build that ran a RUN step left it)`,
    );
    console.log('');
    for (const [index, scenario] of scenarios.entries()) {
      const sha = scenario.edit(project, packages);
      const twice = GHA_TWICE.includes(scenario.kind);
      const strategies = STRATEGIES.filter((strategy) => twice || strategy !== 'gha-full');
      // Every round starts from the stores as they were before the scenario (hard-linked copies).
      for (const [n, dir] of storeDirs.entries())
        await replaceWithCopy(dir, path.join(snapshotDir, String(n)));
      /** A gha build; where it runs twice, from its own starting point, the result kept for the next scenario. */
      const ghaBuild = async (strategy: 'gha' | 'gha-full'): Promise<GhaRun> => {
        if (!twice) return runGha(project, ghaService);
        await replaceWithCopy(strategy === 'gha' ? ghaBefore : ghaFullIndex, ghaService.dir);
        const measured = await runGha(project, ghaService, GHA_LABEL[strategy === 'gha' ? 'last' : 'full']);
        measured.detail.push(`started from the stand-in's store as ${ghaFrom[strategy]} left it`);
        await replaceWithCopy(ghaService.dir, ghaResult(strategy));
        return measured;
      };
      const stagecraftRuns: StagecraftRun[] = [];
      const singleDirRuns: Measured[] = [];
      const ghaRuns: GhaRun[] = [];
      const ghaFullRuns: GhaRun[] = [];
      const orders: string[] = [];
      const loads: string[] = [];
      const failures: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const shift = (index + round) % strategies.length;
        const order: Strategy[] = [...strategies.slice(shift), ...strategies.slice(0, shift)];
        orders.push(order.join(' then '));
        loads.push(formatNumber(os.loadavg()[0]!, 1));
        for (let attempt = 1; ; attempt++) {
          if (round > 0 || attempt > 1) {
            for (const [n, dir] of storeDirs.entries())
              await replaceWithCopy(path.join(snapshotDir, String(n)), dir);
          }
          try {
            let ours: StagecraftRun | undefined;
            const peers: { 'single-dir'?: Measured; gha?: GhaRun; 'gha-full'?: GhaRun } = {};
            let check: CachedCheck | undefined;
            for (const strategy of order) {
              freshBuilder();
              if (strategy === 'stagecraft') {
                ours = await runStagecraft(project, workDir, stagecraftStore);
                // Before the next strategy's fresh builder removes the image: is "fully cached" true?
                if (ours.progress?.fullyCached === true || scenario.kind === 'no-change')
                  check = checkCachedBuild(ours, scenario, round + 1);
              } else if (strategy === 'single-dir')
                peers[strategy] = await runSingleDir(project, peerDir, peerStore, sha);
              else peers[strategy] = await ghaBuild(strategy);
            }
            stagecraftRuns.push(ours!);
            singleDirRuns.push(peers['single-dir']!);
            ghaRuns.push(peers.gha!);
            if (twice) ghaFullRuns.push(peers['gha-full']!);
            if (check !== undefined) cachedChecks.push(check);
            break;
          } catch (error) {
            if (!(error instanceof BuildFailure) || attempt >= ATTEMPTS) throw error;
            failures.push(`round ${round + 1}, attempt ${attempt}: ${error.message}`);
            allFailures.push(`${scenario.title.split(' (')[0]}: ${error.strategy}`);
          }
        }
      }
      // gha's starting points for the next scenario, from the last round: its own last build's store, and the
      // store as the last gha build that ran a RUN step left it (the cold build's, as the no-change build runs
      // none; after a scenario with both, the full-index run's).
      const built = (label: string): string =>
        `the ${scenario.title.split(' (')[0]} ${label} build, round ${ROUNDS}`;
      ghaFrom.gha = built(twice ? GHA_LABEL.last : 'gha');
      if (twice) {
        await replaceWithCopy(ghaResult('gha'), ghaService.dir);
        if (ranRunSteps(ghaFullRuns.at(-1))) {
          await replaceWithCopy(ghaResult('gha-full'), ghaFullIndex);
          ghaFrom['gha-full'] = built(GHA_LABEL.full);
        }
      } else if (ranRunSteps(ghaRuns.at(-1))) {
        await replaceWithCopy(ghaService.dir, ghaFullIndex);
        ghaFrom['gha-full'] = ghaFrom.gha;
      }
      const stagecraft = summarize(stagecraftRuns);
      const singleDir = summarize(singleDirRuns);
      const gha = summarize(ghaRuns);
      const ghaFull = twice ? summarize(ghaFullRuns) : undefined;
      const keys = new Map(stagecraft.typical.result.keys.map((key) => [key.stageName, key.key]));
      const changed = [...keys].filter(([name, key]) => previousKeys.get(name) !== key).map(([name]) => name);
      previousKeys = keys;
      outcomes.push({
        kind: scenario.kind,
        title: scenario.title,
        stagecraft,
        singleDir,
        gha,
        ghaFull,
        changed,
        testEntryKey,
      });
      printScenario(
        `${index + 1}. ${scenario.title}  (round orders: ${orders.join('; ')}; load at each round's start: ${loads.join(', ')})`,
        stagecraft,
        ghaFull === undefined ? [singleDir, gha] : [singleDir, gha, ghaFull],
      );
      for (const failure of failures) console.log(`  FAILED, the round run again: ${failure}`);
      if (failures.length > 0) console.log('');

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
        const coldCompile = Math.min(
          ...[...stagecraftRuns, ...singleDirRuns, ...ghaRuns].map((m) => compileSeconds(m.progress)),
        );
        if (coldCompile < MIN_COLD_BUILD_S) {
          console.log(
            `NOTE: a cold compile took ${formatNumber(coldCompile, 1)} s, under the ${MIN_COLD_BUILD_S} s this bench means to have`,
          );
        }
      }
    }
    rmSync(snapshotDir, { recursive: true, force: true });

    const [, noChange, source] = outcomes;
    console.log('Acceptance:');
    const line = (text: string, ok: boolean): void => console.log(`  ${text}: ${verdict(ok)}`);
    line(
      `no-change rebuild: stagecraft saved ${formatBytes(noChange!.stagecraft.typical.savedBytes)} (goal 0 B)`,
      noChange!.stagecraft.typical.savedBytes === 0,
    );
    const noChangeWall = noChange!.stagecraft.wallS / noChange!.singleDir.wallS;
    line(
      `no-change rebuild: wall ${formatNumber(noChangeWall, 3)}× the single directory's (goal ≤ ${formatNumber(GOALS.noChangeWall, 2)}×)`,
      noChangeWall <= GOALS.noChangeWall,
    );
    const sourceSaved = source!.stagecraft.typical.savedBytes / source!.singleDir.typical.savedBytes;
    line(
      `source-only change: bytes saved ${formatNumber(sourceSaved, 3)}× (goal ≤ ${GOALS.sourceSaved}×)`,
      sourceSaved <= GOALS.sourceSaved,
    );
    const sourceRestored = source!.stagecraft.typical.restoredBytes / source!.singleDir.typical.restoredBytes;
    line(
      `source-only change: bytes restored ${formatNumber(sourceRestored, 3)}× (goal ≤ ${formatNumber(GOALS.sourceRestored, 1)}×)`,
      sourceRestored <= GOALS.sourceRestored,
    );
    const sourceWall = source!.stagecraft.wallS / source!.singleDir.wallS;
    line(
      `source-only change: wall ${formatNumber(sourceWall, 3)}× (goal ≤ ${GOALS.sourceWall}×)`,
      sourceWall <= GOALS.sourceWall,
    );
    // The compile's own time swings with the machine's load from run to run; the rest is the strategies' doing.
    const rest = (runs: Runs<Measured>): number =>
      median(runs.all.map((r) => r.wallS - compileSeconds(r.progress)));
    const sourceRest = [rest(source!.stagecraft), rest(source!.singleDir)] as const;
    console.log(
      `  (source-only change, wall minus the compile RUN, median: stagecraft ${formatNumber(sourceRest[0], 1)} s, ` +
        `single-dir ${formatNumber(sourceRest[1], 1)} s, ${sourceRest[0] >= sourceRest[1] ? '+' : ''}` +
        `${formatNumber(sourceRest[0] - sourceRest[1], 1)} s; not a goal, a less noisy view of the same)`,
    );
    for (const outcome of outcomes) {
      const written = outcome.stagecraft.all.map(
        (r) => r.result.save?.stages.filter((s) => s.saved).map((s) => s.stageName) ?? [],
      );
      const same = written.every(
        (saved) =>
          saved.length === outcome.changed.length && saved.every((name) => outcome.changed.includes(name)),
      );
      const shown = [...new Set(written.map((saved) => saved.join(', ') || 'none'))].join(' | ');
      line(
        `${outcome.title.split(' (')[0]}: one entry per changed stage, none for the others ` +
          `(changed: ${outcome.changed.join(', ') || 'none'}; written: ${shown}${ROUNDS > 1 ? ', every round' : ''})`,
        same,
      );
    }
    // Lookups use the reachable stages' exact keys; a restore may fetch an older key of the same stage (a
    // restore-key match), so a restored key counts as the stage's when it is an exact key or starts with one of
    // the stage's restore keys. Nothing may belong to the test stage, whose entry sits in the store from scenario 2 on.
    const skipChecks = outcomes.flatMap((outcome) =>
      outcome.stagecraft.all.map((run) => {
        const { keys } = run.result;
        const exact = new Set(keys.map((key) => key.key));
        const ofReachable = (key: string): boolean =>
          exact.has(key) ||
          keys.some((stageKey) => stageKey.restoreKeys.some((restoreKey) => key.startsWith(restoreKey)));
        const strayLookups = run.lookedUp.filter((key) => !exact.has(key));
        const strayRestores = run.restoredKeys.filter((key) => !ofReachable(key));
        const testTouched =
          outcome.testEntryKey !== undefined &&
          [...run.lookedUp, ...run.restoredKeys].includes(outcome.testEntryKey);
        const listed = run.result.restore?.stages.some((s) => s.stageName === 'test') ?? true;
        const ok = strayLookups.length === 0 && strayRestores.length === 0 && !testTouched && !listed;
        if (!ok) {
          console.log(
            `  (${outcome.title}: lookups not of a reachable stage ${JSON.stringify(strayLookups)}, restores ` +
              `${JSON.stringify(strayRestores)}, test entry touched ${testTouched}, test in the restore report ${listed})`,
          );
        }
        return ok;
      }),
    );
    const lookups = [...new Set(outcomes.flatMap((o) => o.stagecraft.all.map((r) => r.lookedUp.length)))];
    line(
      `target runtime skips test: nothing looked up or restored for it in any build ` +
        `(${lookups.join(' or ')} lookups per build, all for deps/build/runtime; the store holds a test entry from scenario 2 on)`,
      skipChecks.every(Boolean) && testEntryKey !== undefined,
    );
    console.log(
      `  every build succeeded: ${allFailures.length === 0 ? 'yes' : `NO, ${allFailures.length} failed (${allFailures.join('; ')}); see FAILED above`}`,
    );
    console.log('');
    printGhaAcceptance(outcomes, cachedChecks, ROUNDS);
    console.log('');
    console.log(
      'Wall time: the whole step (restore + build + save; for stagecraft not what main.run does after Save; for gha ' +
        `the one build command) from a pruned builder; median of ${ROUNDS} round${ROUNDS === 1 ? '' : 's'} per ` +
        'scenario, the stores reset to their state before the scenario each round, the order rotating. Bytes: what ' +
        'the store copied in and out (MB = 10^6 bytes); stagecraft and single-dir use LocalStores that hard-link ' +
        "files, gha's cache service stand-in serves files from the same temp dir over loopback HTTP (bytes restored " +
        'are what it sent, bytes saved what it committed), so wall time leaves out moving bytes over a network ' +
        "(GitHub's cache would add time in proportion to the bytes columns).",
    );
  } finally {
    await ghaService.stop();
    freshBuilder();
    rmSync(temp, { recursive: true, force: true });
  }
}

await main();
