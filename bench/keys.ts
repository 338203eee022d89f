// Stage keys for a 50,000-file git context: the whole path (parse, plan, context reads, context hashing,
// keys) with git's index as the fast path and with every file hashed, side by side in one run, on a
// fresh clone and after a few edits. Goal: under 1 s with the fast path.
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { execProcess } from '../src/adapters/exec.js';
import { parseDockerfile } from '../src/dockerfile/index.js';
import {
  collectContextReads,
  computeStageKeys,
  hashContext,
  type ContextHashStats,
} from '../src/keys/index.js';
import { parsePlatform, planStages, type PlanRequest } from '../src/plan/index.js';
import { parseStages } from '../src/stages/index.js';
import { formatNumber, printHeader, printTable, seededRandom } from './harness.js';

const FILES = 50_000;
const FILES_PER_DIR = 50;
const DIRS_PER_GROUP = 25;
const GOAL_MS = 1000;
const WARM_UP_RUNS = 1;
const ROUNDS = 5;

const DOCKERFILE = `# syntax=docker/dockerfile:1
FROM golang:1.22 AS deps
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/root/go/pkg/mod go mod download

FROM deps AS build
ARG VERSION=dev
COPY . .
RUN go build -ldflags "-X main.version=\${VERSION}" -o /out/app ./cmd/app

FROM build AS test
RUN go test ./...

FROM gcr.io/distroless/static AS runtime
COPY --from=build /out/app /app
COPY config/ /etc/app/
ENTRYPOINT ["/app"]
`;

const linuxAmd64 = parsePlatform('linux/amd64');
const request: PlanRequest = {
  buildArgs: new Map(),
  buildContexts: new Map(),
  targetPlatform: linuxAmd64,
  buildPlatform: linuxAmd64,
};

interface Run {
  readonly ms: number;
  readonly stats: ContextHashStats;
  readonly keys: readonly string[];
}

async function main(): Promise<void> {
  printHeader('stagecraft keys benchmark');
  const temporary = mkdtempSync(path.join(os.tmpdir(), 'stagecraft-bench-keys-'));
  const origin = path.join(temporary, 'origin');
  const dir = path.join(temporary, 'checkout');
  try {
    const generateStart = performance.now();
    generateContext(origin);
    await git(origin, 'init', '-q');
    await git(origin, 'add', '-A');
    await git(origin, 'commit', '-q', '-m', 'generated');
    // A fresh clone, as actions/checkout leaves the work tree (index written just after the files).
    await git(temporary, 'clone', '-q', origin, dir);
    console.log(
      `context: a fresh clone of ${formatNumber(FILES, 0)} generated files (${dir}), made in ` +
        `${formatNumber((performance.now() - generateStart) / 1000, 1)} s; Dockerfile: 4 stages, target runtime, ` +
        '`COPY . .` in build, .dockerignore: .git',
    );
    console.log('');

    const rows: string[][] = [];
    const verdicts: string[] = [];
    for (const state of ['fresh clone', '20 files edited, 5 added'] as const) {
      if (state !== 'fresh clone') editSome(dir);
      const fast = await measure(() => computeKeys(dir, true));
      const slow = await measure(() => computeKeys(dir, false));
      if (fast.keys.join() !== slow.keys.join())
        throw new Error(`${state}: the two paths gave different keys`);
      for (const [label, run] of [
        ['git index', fast],
        ['hash every file', slow],
      ] as const) {
        rows.push([
          state,
          label,
          formatNumber(run.stats.files, 0),
          formatNumber(run.stats.filesFromGit, 0),
          formatNumber(run.stats.filesHashed, 0),
          formatNumber(run.ms, 0),
        ]);
      }
      rows.push([state, 'ratio (hash / git)', '', '', '', `${formatNumber(slow.ms / fast.ms, 1)}×`]);
      verdicts.push(`${state}: ${fast.ms < GOAL_MS ? 'met' : 'NOT met'} (${formatNumber(fast.ms, 0)} ms)`);
    }
    printTable(['context', 'path', 'files', 'from git', 'hashed', 'ms'], rows);
    console.log('');
    console.log(
      `Each figure: the whole key computation (parse, plan, reads, hashing, keys), median of ${ROUNDS} runs ` +
        `after ${WARM_UP_RUNS} warm-up run; files in the page cache, as after a checkout. Both paths give identical keys.`,
    );
    console.log(`Goal, git fast path under ${GOAL_MS} ms:`);
    for (const verdict of verdicts) console.log(`  ${verdict}`);
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
}

async function computeKeys(dir: string, useGit: boolean): Promise<Omit<Run, 'ms'>> {
  const staged = parseStages(parseDockerfile(DOCKERFILE));
  const plan = planStages(staged, request);
  const reads = collectContextReads(plan, staged, request);
  const { digests, stats } = await hashContext(execProcess, dir, 'Dockerfile', reads, { useGit });
  const keys = computeStageKeys({
    plan,
    dockerfile: staged,
    request,
    dockerfilePath: 'Dockerfile',
    contextDigests: digests,
  });
  return { stats, keys: keys.map((key) => key.key) };
}

async function measure(work: () => Promise<Omit<Run, 'ms'>>): Promise<Run> {
  for (let i = 0; i < WARM_UP_RUNS; i++) await work();
  const times: number[] = [];
  let last: Omit<Run, 'ms'> | undefined;
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    last = await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { ...last!, ms: times[times.length >> 1]! };
}

/** A Go-like tree: cmd/, internal/<group>/<package>/ with FILES_PER_DIR files each, config/, go.mod. */
function generateContext(dir: string): void {
  const random = seededRandom(7);
  const write = (file: string, content: string): void => {
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  };
  write('Dockerfile', DOCKERFILE);
  write('.dockerignore', '.git\n');
  write('go.mod', 'module example.com/bench\n\ngo 1.22\n');
  write('go.sum', '');
  write('cmd/app/main.go', 'package main\n\nfunc main() {}\n');
  write('config/app.yaml', 'listen: ":8080"\n');
  let count = 6;
  for (let n = 0; count < FILES; n++) {
    const pkg = `internal/g${Math.floor(n / DIRS_PER_GROUP)}/p${n}`;
    for (let f = 0; f < FILES_PER_DIR && count < FILES; f++, count++) {
      const lines = 5 + Math.floor(random() * 60);
      let body = `package p${n}\n\n`;
      for (let line = 0; line < lines; line++) body += `// line ${line}: ${random().toString(36)}\n`;
      write(`${pkg}/f${f}.go`, body);
    }
  }
}

function editSome(dir: string): void {
  for (let i = 0; i < 20; i++)
    writeFileSync(path.join(dir, `internal/g${i}/p${i * DIRS_PER_GROUP}/f0.go`), `// edited ${i}\n`);
  for (let i = 0; i < 5; i++) writeFileSync(path.join(dir, `internal/g0/p0/new${i}.go`), `// new ${i}\n`);
}

async function git(dir: string, ...args: string[]): Promise<void> {
  const result = await execProcess(
    ['git', '-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args],
    {
      cwd: dir,
    },
  );
  if (result.exitCode !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
}

await main();
