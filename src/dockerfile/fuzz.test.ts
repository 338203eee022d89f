// Fuzzes the whole frontend (bytes → AST → stages → plan) with mutants of real Dockerfiles: whatever the
// input, each step returns or throws a located DockerfileError, and none takes long. Deterministic: a
// seeded PRNG picks the mutations, so a failure replays from its seed and iteration.
//
//   STAGECRAFT_FUZZ_SEED=<uint32>       change the seed (default below)
//   STAGECRAFT_FUZZ_ITERATIONS=<n>      how many mutants (default below)
//   STAGECRAFT_FUZZ_ONLY=<iteration>    replay one mutant of the seed, e.g. the one a failure names
import { afterAll, describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { CONFORMANCE_DIR, CORPUS_DIR, haveSharedData } from '../../__tests__/support/conformance.js';
import { planDockerfile } from '../plan/index.js';
import { parsePlatform } from '../plan/platform.js';
import { parseStages, type StagedDockerfile } from '../stages/index.js';
import { DockerfileError } from './errors.js';
import { parseDockerfile } from './parse.js';

const DEFAULT_SEED = 0x5ca1ab1e;
const DEFAULT_ITERATIONS = 6000;
/** Not a speed goal: a call this slow is catastrophic backtracking or a loop that never ends. */
const SLOW_CALL_MS = 2000;
/** A call still running after this long is a hang: the watchdog prints the mutant and kills the run. */
const HANG_MS = 30_000;
/** Distinct failures shrunk and reported; the run goes on to count the rest. */
const MAX_REPORTED = 5;
const SHRINK_BUDGET = 1500;
const MAX_SHOWN_CHARS = 3000;

function envInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.trim());
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer: ${raw}`);
  return value;
}

const SEED = envInteger('STAGECRAFT_FUZZ_SEED', DEFAULT_SEED) >>> 0;
const ONLY = process.env.STAGECRAFT_FUZZ_ONLY;
const ITERATIONS = envInteger('STAGECRAFT_FUZZ_ITERATIONS', DEFAULT_ITERATIONS);
const FIRST = ONLY === undefined ? 0 : envInteger('STAGECRAFT_FUZZ_ONLY', 0);
const LAST = ONLY === undefined ? ITERATIONS : FIRST + 1;

// ---------------------------------------------------------------------------------------------------
// Seeds

const HERE = path.dirname(fileURLToPath(import.meta.url));

interface Seed {
  readonly name: string;
  readonly text: string;
  /** Names after `AS` in the seed, for synthesized references. */
  readonly stageNames: readonly string[];
}

function loadSeeds(): Seed[] {
  const files: { name: string; file: string }[] = [];
  if (haveSharedData(CORPUS_DIR, 'Dockerfile corpus (fuzz seeds)')) {
    const dir = path.join(CORPUS_DIR, 'files');
    for (const entry of readdirSync(dir).sort()) files.push({ name: `corpus/${entry}`, file: path.join(dir, entry) });
  }
  const parserTests = path.join(CONFORMANCE_DIR, 'buildkit/frontend/dockerfile/parser/testfiles');
  if (haveSharedData(parserTests, 'BuildKit parser test files (fuzz seeds)')) {
    for (const entry of readdirSync(parserTests).sort()) {
      const file = path.join(parserTests, entry, 'Dockerfile');
      if (existsSync(file)) files.push({ name: `buildkit-parser/${entry}`, file });
    }
  }
  const testdata = path.join(HERE, 'testdata');
  for (const entry of readdirSync(testdata).sort()) {
    const file = path.join(testdata, entry, 'Dockerfile');
    if (existsSync(file)) files.push({ name: `testdata/${entry}`, file });
  }
  return files.map(({ name, file }) => {
    const text = readFileSync(file, 'utf8');
    const stageNames = [...text.matchAll(/^\s*FROM\s.*?\sAS\s+(\S+)/gim)].map((m) => m[1]!);
    return { name, text, stageNames };
  });
}

// ---------------------------------------------------------------------------------------------------
// PRNG: mulberry32, one stream per iteration so any iteration replays on its own.

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function iterationSeed(seed: number, iteration: number): number {
  let h = (seed ^ Math.imul(iteration + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  /** 0 ≤ n < bound. */
  int(bound: number): number {
    return Math.floor(this.next() * bound);
  }
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

// ---------------------------------------------------------------------------------------------------
// Mutations. A draft is the text as lines; byte edits (invalid UTF-8) are applied last, to the encoding.

class Draft {
  lines: string[];
  readonly byteEdits: ((bytes: Uint8Array) => Uint8Array)[] = [];
  constructor(
    text: string,
    readonly seed: Seed,
  ) {
    this.lines = text.split('\n');
  }
  get text(): string {
    return this.lines.join('\n');
  }
  set text(value: string) {
    this.lines = value.split('\n');
  }
  /** A line index, or -1 when there is nothing to index. */
  lineIndex(rng: Rng): number {
    return rng.int(this.lines.length);
  }
  insertAt(rng: Rng, fragment: string): string {
    const i = this.lineIndex(rng);
    const line = this.lines[i]!;
    const at = rng.chance(0.3) ? line.length : rng.int(line.length + 1);
    this.lines[i] = line.slice(0, at) + fragment + line.slice(at);
    return `line ${i + 1} col ${at}`;
  }
}

const KEYWORDS = [
  'FROM', 'RUN', 'COPY', 'ADD', 'ARG', 'ENV', 'ONBUILD', 'HEALTHCHECK', 'SHELL', 'CMD', 'ENTRYPOINT', 'EXPOSE',
  'LABEL', 'MAINTAINER', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR', 'from', 'Copy', 'FORM', 'RUNN', '\u0130NV',
]; // prettier-ignore

const FRAGMENTS = [
  '\\', '`', "'", '"', '<<', '<<EOF', '<<-EOF', '<<"EOF"', "<<'EOF'", '<<', '$', '${', '${X', '${X:-', '${X:+y}',
  '${X?err}', '${X#', '${X%%*}', '${X/a/b}', '$(', '{', '}', '[', ']', '["', '"]', '\r', '\t', ' ', '#', '=', ',',
  ' AS ', ' as x', '--', '\0', '\u00a0', '\u2028', '\u00e9', '\u{1f600}', '\ud800', '\udfff', '\ufeff', '\\\n',
]; // prettier-ignore

const FLAGS = [
  '--flag=', '--mount=type=bind,from=', '--from=', '--from=0', '--from=-1', '--from=99', '--from=${X}',
  '--mount=type=cache,target=/x', '--mount=from=0', '--mount=type=bind,from=${STAGE}', '--mount=', '--mount',
  '--mount=type=secret,id=x', '--mount=type=bind,from=x,source=/,target=/y', '--mount=type=foo', '--platform=',
  '--platform=$BUILDPLATFORM', '--platform=${X:-linux/arm64}', '--platform=linux/amd64,linux/arm64', '--chmod=',
  '--chown=a:b', '--link', '--link=maybe', '--network=none', '--security=insecure', '--=', '--', '--keep-git-dir',
  '--interval=-1s', '--start-period=x', '--retries=', '--exclude=*', '--parents', '--checksum=sha256:',
]; // prettier-ignore

const DIRECTIVES = [
  '# escape=`', '# escape=\\', '# escape=x', '# escape=', '# escape=``', '#escape=`', '# ESCAPE = `',
  '# syntax=', '# syntax=docker/dockerfile:1', '# syntax=docker/dockerfile:1.4\n# syntax=again', '# check=skip=all',
  '# check=error=true', '# escape=\u00e9', '# escape=\ud800',
]; // prettier-ignore

const INVALID_UTF8 = [
  [0x80], [0xbf], [0xc0], [0xc1, 0x80], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80], [0xfe], [0xff], [0xef, 0xbb, 0xbf], [0x00], [0x0d], [0x0a],
]; // prettier-ignore

/** Repeated many times: long inputs for the scanners, where backtracking would show. */
const PATHOLOGICAL = [
  '${', '$', '\\', '`', "'", '"', '[', '{', '}', ' ', '\t', '--a=', '<<A ', '${X:-', '"\\', 'a=', '\\\n',
  '#\n', ' \\\n', '\n', 'RUN <<A\n', 'a,', '=',
]; // prettier-ignore

function randomCodePoint(rng: Rng): string {
  switch (rng.int(5)) {
    case 0:
      return String.fromCharCode(rng.int(0x20));
    case 1:
      return String.fromCharCode(0x20 + rng.int(0x5f));
    case 2:
      return String.fromCharCode(0x80 + rng.int(0x780));
    case 3:
      return String.fromCharCode(0xd800 + rng.int(0x800)); // lone surrogate
    default:
      return String.fromCodePoint(rng.int(0x110000 - 0x800) + (rng.chance(0.5) ? 0x10000 : 0) || 0x61);
  }
}

function wordsOf(line: string): string[] {
  return line.trim().split(/\s+/).filter(Boolean);
}

type Mutation = (draft: Draft, rng: Rng) => string;

const MUTATIONS: Record<string, { weight: number; bytes?: boolean; apply: Mutation }> = {
  deleteLines: {
    weight: 8,
    apply: (d, rng) => {
      const i = d.lineIndex(rng);
      const n = rng.range(1, 3);
      d.lines.splice(i, n);
      return `delete lines ${i + 1}..${i + n}`;
    },
  },
  duplicateLine: {
    weight: 8,
    apply: (d, rng) => {
      const i = d.lineIndex(rng);
      const to = rng.chance(0.5) ? i : rng.int(d.lines.length + 1);
      d.lines.splice(to, 0, d.lines[i]!);
      return `duplicate line ${i + 1} at ${to + 1}`;
    },
  },
  swapLines: {
    weight: 8,
    apply: (d, rng) => {
      const i = d.lineIndex(rng);
      const j = d.lineIndex(rng);
      [d.lines[i], d.lines[j]] = [d.lines[j]!, d.lines[i]!];
      return `swap lines ${i + 1} and ${j + 1}`;
    },
  },
  lineEndEscape: {
    weight: 6,
    apply: (d, rng) => {
      const i = d.lineIndex(rng);
      const token = rng.pick(['\\', '\\ ', '\\\t', '\\\\', '`', '` ', '``', '\\\r']);
      d.lines[i] += token;
      return `append ${JSON.stringify(token)} to line ${i + 1}`;
    },
  },
  fragment: {
    weight: 14,
    apply: (d, rng) => {
      const fragment = rng.pick(FRAGMENTS);
      return `insert ${JSON.stringify(fragment)} at ${d.insertAt(rng, fragment)}`;
    },
  },
  heredoc: {
    weight: 6,
    apply: (d, rng) => {
      const i = d.lineIndex(rng);
      const name = rng.pick(['EOF', 'E', 'eof', '$X', 'EOF1', '']);
      const header = rng.pick([
        ` <<${name}`,
        ` <<-${name}`,
        ` <<"${name}"`,
        ` <<'${name}'`,
        ` <<${name} <<B`,
        ` cat <<${name} >x`,
        ` 3<<${name}`,
        ` <<"${name}`,
      ]);
      d.lines[i] += header;
      let where = 'unterminated';
      if (rng.chance(0.6)) {
        const at = Math.min(d.lines.length, i + 1 + rng.int(4));
        const end = rng.pick([name, `\t${name}`, ` ${name}`, `${name}\r`, 'B']);
        d.lines.splice(at, 0, end);
        where = `terminated by ${JSON.stringify(end)} at line ${at + 1}`;
      }
      return `heredoc ${JSON.stringify(header)} on line ${i + 1}, ${where}`;
    },
  },
  flag: {
    weight: 8,
    apply: (d, rng) => {
      const i = d.lineIndex(rng);
      const line = d.lines[i]!;
      const match = /^\s*\S+/.exec(line);
      const at = match === null ? 0 : match[0].length;
      let flag = rng.pick(FLAGS);
      if (flag.endsWith('=') && rng.chance(0.5)) flag += rng.pick([...d.seed.stageNames, '0', 'x', '${X}', '']);
      d.lines[i] = `${line.slice(0, at)} ${flag}${line.slice(at)}`;
      return `flag ${JSON.stringify(flag)} on line ${i + 1}`;
    },
  },
  directive: {
    weight: 4,
    apply: (d, rng) => {
      const directive = rng.pick(DIRECTIVES);
      const at = rng.chance(0.7) ? 0 : d.lineIndex(rng);
      d.lines.splice(at, 0, directive);
      return `directive ${JSON.stringify(directive)} at line ${at + 1}`;
    },
  },
  onbuild: {
    weight: 4,
    apply: (d, rng) => {
      const i = d.lineIndex(rng);
      const prefix = rng.pick(['ONBUILD ', 'ONBUILD ONBUILD ', 'onbuild ', 'ONBUILD\t', 'ONBUILD']);
      d.lines[i] = prefix + d.lines[i]!.trimStart();
      return `prefix line ${i + 1} with ${JSON.stringify(prefix)}`;
    },
  },
  json: {
    weight: 6,
    apply: (d, rng) => {
      const i = d.lineIndex(rng);
      const [keyword = 'RUN', ...words] = wordsOf(d.lines[i]!);
      const items = words.map((w) => JSON.stringify(w));
      const body = rng.pick([
        `[${items.join(', ')}]`,
        `[${items.join(', ')}`,
        `[${items.join(', ')},]`,
        `[${words.join(', ')}]`,
        `['${words.join("', '")}']`,
        '[]',
        '[1, null, {}]',
        '["a\\", "b"]',
        '["\\u0000", "\\ud800"]',
        '{"a": 1}',
        `[${'['.repeat(rng.range(1, 2000))}`,
      ]);
      d.lines[i] = `${keyword} ${body}`;
      return `JSON args ${JSON.stringify(body.slice(0, 80))} on line ${i + 1}`;
    },
  },
  carriageReturn: {
    weight: 4,
    apply: (d, rng) => {
      switch (rng.int(3)) {
        case 0:
          d.text = d.text.replace(/\n/g, '\r\n');
          return 'CRLF line endings';
        case 1:
          d.text = d.text.replace(/\n/g, '\r');
          return 'CR-only line endings';
        default:
          return `insert "\\r" at ${d.insertAt(rng, '\r')}`;
      }
    },
  },
  bom: {
    weight: 3,
    apply: (d, rng) => {
      if (rng.chance(0.7)) {
        d.text = '\ufeff' + d.text;
        return 'BOM at start';
      }
      return `BOM at ${d.insertAt(rng, '\ufeff')}`;
    },
  },
  randomChars: {
    weight: 5,
    apply: (d, rng) => {
      const chars = Array.from({ length: rng.range(1, 8) }, () => randomCodePoint(rng)).join('');
      return `insert ${JSON.stringify(chars)} at ${d.insertAt(rng, chars)}`;
    },
  },
  randomBytes: {
    weight: 5,
    bytes: true,
    apply: (d, rng) => {
      const edits: string[] = [];
      const count = rng.range(1, 6);
      const picks = Array.from({ length: count }, () => ({
        bytes: rng.chance(0.6) ? rng.pick(INVALID_UTF8) : [rng.int(256)],
        where: rng.float(),
        overwrite: rng.chance(0.3),
      }));
      for (const p of picks) edits.push(`${p.overwrite ? 'overwrite' : 'insert'} ${hex(p.bytes)} at ${p.where.toFixed(3)}`);
      d.byteEdits.push((bytes) => {
        let out = bytes;
        for (const p of picks) {
          const at = Math.floor(p.where * (out.length + 1));
          const tail = out.subarray(p.overwrite ? Math.min(out.length, at + p.bytes.length) : at);
          out = Buffer.concat([out.subarray(0, at), Uint8Array.from(p.bytes), tail]);
        }
        return out;
      });
      return `bytes: ${edits.join('; ')}`;
    },
  },
  longLine: {
    weight: 3,
    apply: (d, rng) => {
      const i = d.lineIndex(rng);
      const unit = rng.pick(['a', '\u00e9', '\u20ac', '\u{1f600}', ' ']);
      const unitBytes = Buffer.byteLength(unit);
      const targetBytes = rng.pick([1000, 65_000, 65_534, 65_535, 65_536, 70_000, 200_000]);
      const lineBytes = Buffer.byteLength(d.lines[i]!.replace(/\r$/, ''));
      const count = Math.max(1, Math.floor((targetBytes - lineBytes) / unitBytes));
      d.lines[i] += unit.repeat(count);
      return `append ${JSON.stringify(unit)} x ${count} to line ${i + 1} (≈${lineBytes + count * unitBytes} bytes)`;
    },
  },
  pathological: {
    weight: 3,
    apply: (d, rng) => {
      const unit = rng.pick(PATHOLOGICAL);
      const count = rng.pick([100, 1000, 5000, 20_000]);
      const where = d.insertAt(rng, unit.repeat(count));
      return `insert ${JSON.stringify(unit)} x ${count} at ${where}`;
    },
  },
  empty: {
    weight: 1,
    apply: (d, rng) => {
      const text = rng.pick(['', '\n', ' ', '\ufeff', '# comment\n', '\\', '\\\n', '# escape=`\n', '\r\n', '\0']);
      d.text = text;
      return `replace everything with ${JSON.stringify(text)}`;
    },
  },
  truncate: {
    weight: 2,
    apply: (d, rng) => {
      const text = d.text;
      const at = rng.int(text.length + 1);
      d.text = text.slice(0, at);
      return `truncate at char ${at}`;
    },
  },
  keyword: {
    weight: 5,
    apply: (d, rng) => {
      const i = d.lineIndex(rng);
      const keyword = rng.pick(KEYWORDS);
      d.lines[i] = d.lines[i]!.replace(/^(\s*)\S*/, `$1${keyword}`);
      return `keyword of line ${i + 1} → ${keyword}`;
    },
  },
  instruction: {
    weight: 6,
    apply: (d, rng) => {
      const name = rng.pick([...d.seed.stageNames, 's1', '0', 'S1', '${X}', '']);
      const line = rng.pick([
        `FROM \${X:-alpine} AS ${name}`,
        `FROM ${name}`,
        `FROM ${name} AS ${name}`,
        `FROM --platform=$BUILDPLATFORM ${name} AS t`,
        `FROM --platform=\${TARGETPLATFORM} busybox`,
        `FROM --platform=${rng.pick(['linux', 'windows/amd64', 'bogus/os/x/y', '', 'local', '$X'])} x`,
        `COPY --from=${name} / /`,
        `ADD --link --chmod=755 ${name} /`,
        `ARG X=${name}`,
        'ARG X',
        'ARG',
        'ARG X Y',
        'ARG TARGETPLATFORM=bogus',
        'ARG BUILDPLATFORM',
        'FROM',
        'FROM a AS',
        'FROM a AS b c',
        'FROM a b',
        'FROM ${',
        'FROM $X$Y:${Z:-latest}',
        `RUN --mount=type=bind,from=${name},target=/x true`,
        `RUN --mount=type=cache,from=${name},target=/c true`,
        'HEALTHCHECK CMD ["x"]',
        'HEALTHCHECK --interval=-1s NONE',
        'ENV A=$B C=${D:-e}',
        'SHELL ["a"]',
        'SHELL a',
        `ONBUILD COPY --from=${name} . .`,
        `ONBUILD RUN --mount=from=${name} x`,
        'EXPOSE 80/tcp 1-2/udp',
        'STOPSIGNAL',
        'WORKDIR',
      ]);
      const at = rng.int(d.lines.length + 1);
      d.lines.splice(at, 0, line);
      return `insert ${JSON.stringify(line)} at line ${at + 1}`;
    },
  },
};

const MUTATION_NAMES = Object.keys(MUTATIONS);
const TOTAL_WEIGHT = MUTATION_NAMES.reduce((sum, name) => sum + MUTATIONS[name]!.weight, 0);

function pickMutation(rng: Rng): string {
  let roll = rng.int(TOTAL_WEIGHT);
  for (const name of MUTATION_NAMES) {
    roll -= MUTATIONS[name]!.weight;
    if (roll < 0) return name;
  }
  return MUTATION_NAMES[0]!;
}

function hex(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

