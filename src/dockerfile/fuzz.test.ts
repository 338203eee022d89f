// Fuzzes the whole frontend (bytes → AST → stages → plan) with mutants of real Dockerfiles: whatever the
// input, each step returns or throws a located DockerfileError, and none takes long. Deterministic: a
// seeded PRNG picks the mutations, so a failure replays from its seed and iteration.
//
//   STAGECRAFT_FUZZ_SEED=<uint32>       change the seed (default below)
//   STAGECRAFT_FUZZ_ITERATIONS=<n>      how many mutants (default below)
//   STAGECRAFT_FUZZ_ONLY=<iteration>    replay one mutant of the seed, e.g. the one a failure names
//
// A failure names its seed, iteration, corpus file and mutations, prints the input and a shrunk
// reproduction. A call over SLOW_CALL_MS fails; one that never returns is caught by a watchdog thread,
// which prints the running mutant and kills the process (a synchronous loop cannot be interrupted).
import { afterAll, describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
/**
 * Not a speed goal: a call this slow (wall clock, and CPU time too) is catastrophic backtracking or a loop
 * that never ends.
 */
const SLOW_CALL_MS = 2000;
/** A call still running after this long is a hang: the watchdog prints the mutant and kills the run. */
const HANG_MS = 60_000;
/** Distinct failures shrunk and reported; the run stops drawing mutants once it has this many. */
const MAX_REPORTED = 5;
/** Once something failed, stop drawing mutants after this long: slow failures add up. */
const STOP_AFTER_FAILURE_MS = 30_000;
const SHRINK_BUDGET = 1500;
const SHRINK_MS = 10_000;
const MAX_SHOWN_CHARS = 3000;

function envInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.trim());
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer: ${raw}`);
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
    for (const entry of readdirSync(dir).sort())
      files.push({ name: `corpus/${entry}`, file: path.join(dir, entry) });
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
  /** A line index; deleting every line leaves one empty line. */
  lineIndex(rng: Rng): number {
    if (this.lines.length === 0) this.lines.push('');
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

// prettier-ignore
const KEYWORDS = [
  'FROM', 'RUN', 'COPY', 'ADD', 'ARG', 'ENV', 'ONBUILD', 'HEALTHCHECK', 'SHELL', 'CMD', 'ENTRYPOINT', 'EXPOSE',
  'LABEL', 'MAINTAINER', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR', 'from', 'Copy', 'FORM', 'RUNN', '\u0130NV',
];

// prettier-ignore
const FRAGMENTS = [
  '\\', '`', "'", '"', '<<', '<<EOF', '<<-EOF', '<<"EOF"', "<<'EOF'", '<<', '$', '${', '${X', '${X:-', '${X:+y}',
  '${X?err}', '${X#', '${X%%*}', '${X/a/b}', '$(', '{', '}', '[', ']', '["', '"]', '\r', '\t', ' ', '#', '=', ',',
  ' AS ', ' as x', '--', '\0', '\u00a0', '\u2028', '\u00e9', '\u{1f600}', '\ud800', '\udfff', '\ufeff', '\\\n',
];

// prettier-ignore
const FLAGS = [
  '--flag=', '--mount=type=bind,from=', '--from=', '--from=0', '--from=-1', '--from=99', '--from=${X}',
  '--mount=type=cache,target=/x', '--mount=from=0', '--mount=type=bind,from=${STAGE}', '--mount=', '--mount',
  '--mount=type=secret,id=x', '--mount=type=bind,from=x,source=/,target=/y', '--mount=type=foo', '--platform=',
  '--platform=$BUILDPLATFORM', '--platform=${X:-linux/arm64}', '--platform=linux/amd64,linux/arm64', '--chmod=',
  '--chown=a:b', '--link', '--link=maybe', '--network=none', '--security=insecure', '--=', '--', '--keep-git-dir',
  '--interval=-1s', '--start-period=x', '--retries=', '--exclude=*', '--parents', '--checksum=sha256:',
];

// prettier-ignore
const DIRECTIVES = [
  '# escape=`', '# escape=\\', '# escape=x', '# escape=', '# escape=``', '#escape=`', '# ESCAPE = `',
  '# syntax=', '# syntax=docker/dockerfile:1', '# syntax=docker/dockerfile:1.4\n# syntax=again', '# check=skip=all',
  '# check=error=true', '# escape=\u00e9', '# escape=\ud800',
];

// prettier-ignore
const INVALID_UTF8 = [
  [0x80], [0xbf], [0xc0], [0xc1, 0x80], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80], [0xfe], [0xff], [0xef, 0xbb, 0xbf], [0x00], [0x0d], [0x0a],
];

/** Repeated many times: long inputs for the scanners, where backtracking would show. */
// prettier-ignore
const PATHOLOGICAL = [
  '${', '$', '\\', '`', "'", '"', '[', '{', '}', ' ', '\t', '--a=', '<<A ', '${X:-', '"\\', 'a=', '\\\n',
  '#\n', ' \\\n', '\n', 'RUN <<A\n', 'a,', '=', '\r', '\v', '\f', '\u00a0', '\u3000', '\u0085', ' \t',
];

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
      return String.fromCodePoint(rng.chance(0.5) ? 0xe000 + rng.int(0x2000) : 0x10000 + rng.int(0x100000));
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
      return `append ${literal(token)} to line ${i + 1}`;
    },
  },
  fragment: {
    weight: 14,
    apply: (d, rng) => {
      const fragment = rng.pick(FRAGMENTS);
      return `insert ${literal(fragment)} at ${d.insertAt(rng, fragment)}`;
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
      if (rng.chance(0.7)) {
        const at = Math.min(d.lines.length, i + 1 + rng.int(4));
        const end = rng.pick([name, `\t${name}`, ` ${name}`, `${name}\r`, 'B']);
        d.lines.splice(at, 0, end);
        where = `terminated by ${literal(end)} at line ${at + 1}`;
      }
      return `heredoc ${literal(header)} on line ${i + 1}, ${where}`;
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
      if (flag.endsWith('=') && rng.chance(0.5))
        flag += rng.pick([...d.seed.stageNames, '0', 'x', '${X}', '']);
      d.lines[i] = `${line.slice(0, at)} ${flag}${line.slice(at)}`;
      return `flag ${literal(flag)} on line ${i + 1}`;
    },
  },
  directive: {
    weight: 4,
    apply: (d, rng) => {
      const directive = rng.pick(DIRECTIVES);
      const at = rng.chance(0.7) ? 0 : d.lineIndex(rng);
      d.lines.splice(at, 0, directive);
      return `directive ${literal(directive)} at line ${at + 1}`;
    },
  },
  onbuild: {
    weight: 4,
    apply: (d, rng) => {
      const i = d.lineIndex(rng);
      const prefix = rng.pick(['ONBUILD ', 'ONBUILD ONBUILD ', 'onbuild ', 'ONBUILD\t', 'ONBUILD']);
      d.lines[i] = prefix + d.lines[i]!.trimStart();
      return `prefix line ${i + 1} with ${literal(prefix)}`;
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
      return `JSON args ${literal(body.slice(0, 80))} on line ${i + 1}`;
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
      return `insert ${literal(chars)} at ${d.insertAt(rng, chars)}`;
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
      for (const p of picks)
        edits.push(`${p.overwrite ? 'overwrite' : 'insert'} ${hex(p.bytes)} at ${p.where.toFixed(3)}`);
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
      return `append ${literal(unit)} x ${count} to line ${i + 1} (≈${lineBytes + count * unitBytes} bytes)`;
    },
  },
  pathological: {
    weight: 4,
    apply: (d, rng) => {
      const unit = rng.pick(PATHOLOGICAL);
      const count = rng.pick([100, 1000, 5000, 20_000, 20_000, 30_000]);
      if (rng.chance(0.2)) {
        // Inside a parser directive's value, where the directive pattern sees it.
        const line = `# ${rng.pick(['syntax', 'escape', 'check'])}=a${unit.repeat(count)}b`;
        d.lines.unshift(line);
        return `insert directive "# …=a" + ${literal(unit)} x ${count} + "b" at line 1`;
      }
      const where = d.insertAt(rng, unit.repeat(count));
      return `insert ${literal(unit)} x ${count} at ${where}`;
    },
  },
  nesting: {
    weight: 3,
    apply: (d, rng) => {
      // Deep nesting where the plan expands words: FROM, a global ARG, COPY --from.
      const opener = rng.pick(['${X:-', '${X:+', '${X-', '${X#', '${X/a/', '"${X:-', '$(', '[', '{']);
      const depth = rng.pick([10, 500, 2000, 5000, 10_000]);
      const closers = rng.chance(0.7)
        ? `a${(opener.endsWith('(') ? ')' : opener === '[' ? ']' : '}').repeat(depth)}`
        : '';
      const nested = opener.repeat(depth) + closers;
      const form = rng.pick(['FROM ', 'FROM x AS ', 'ARG A=', 'COPY --from=', 'FROM --platform=', '']);
      const line = form.startsWith('COPY') ? `COPY --from=${nested} / /` : form + nested;
      if (form === '' || rng.chance(0.3)) {
        return `nest ${literal(opener)} x ${depth} at ${d.insertAt(rng, nested)}`;
      }
      const at = form.startsWith('ARG') ? 0 : rng.int(d.lines.length + 1);
      d.lines.splice(at, 0, line);
      if (form.startsWith('ARG')) d.lines.splice(1, 0, 'FROM $A');
      return `insert ${literal(form)} + ${literal(opener)} x ${depth}${closers === '' ? '' : ' + closers'} at line ${at + 1}`;
    },
  },
  empty: {
    weight: 1,
    apply: (d, rng) => {
      const text = rng.pick([
        '',
        '\n',
        ' ',
        '\ufeff',
        '# comment\n',
        '\\',
        '\\\n',
        '# escape=`\n',
        '\r\n',
        '\0',
      ]);
      d.text = text;
      return `replace everything with ${literal(text)}`;
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
      return `insert ${literal(line)} at line ${at + 1}`;
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

// ---------------------------------------------------------------------------------------------------
// Mutants

/** `--target` for a mutant: a stage of the result picked by `roll`, or `junk`; or, when shrinking, fixed. */
type TargetSpec = { roll: number; junk: string | undefined } | { fixed: string };

interface Mutant {
  readonly iteration: number;
  readonly seedName: string;
  readonly mutations: readonly string[];
  readonly source: string | Uint8Array;
  readonly target: TargetSpec | undefined;
  readonly buildArgs: ReadonlyMap<string, string>;
}

const ENCODER = new TextEncoder();

function makeMutant(seeds: readonly Seed[], iteration: number): Mutant {
  const rng = new Rng(iterationSeed(SEED, iteration));
  const seed = rng.pick(seeds);
  const draft = new Draft(seed.text, seed);
  const names = Array.from({ length: rng.range(1, 4) }, () => pickMutation(rng));
  // Byte edits act on the final encoding, so they come last whatever the draw.
  names.sort((a, b) => Number(MUTATIONS[a]!.bytes === true) - Number(MUTATIONS[b]!.bytes === true));
  const mutations = names.map((name) => `${name}: ${MUTATIONS[name]!.apply(draft, rng)}`);
  let source: string | Uint8Array = draft.text;
  if (draft.byteEdits.length > 0 || rng.chance(0.25)) {
    let bytes: Uint8Array = ENCODER.encode(source);
    for (const edit of draft.byteEdits) bytes = edit(bytes);
    source = bytes;
  }
  const target = rng.chance(0.3)
    ? {
        roll: rng.float(),
        junk: rng.chance(0.2)
          ? rng.pick(['nonexistent', 'STAGE-0', '0', 'stage-0', '${X}', '\u0130', ' '])
          : undefined,
      }
    : undefined;
  const buildArgs = new Map<string, string>();
  if (rng.chance(0.15)) {
    const argNames = [...draft.text.matchAll(/^\s*ARG\s+([A-Za-z_]\w*)/gim)].map((m) => m[1]!);
    for (let n = rng.range(1, 3); n > 0; n--) {
      buildArgs.set(
        rng.pick([...argNames, 'X', 'TARGETPLATFORM', 'BUILDPLATFORM', 'TARGETARCH']),
        rng.pick([
          '',
          '$',
          '${',
          '${X}',
          'linux/arm64',
          'bogus',
          'a b',
          '\\',
          'scratch',
          'alpine:3',
          '\ud800',
        ]),
      );
    }
  }
  return { iteration, seedName: seed.name, mutations, source, target, buildArgs };
}

// ---------------------------------------------------------------------------------------------------
// Running one input through the chain

type Step = 'parse' | 'stages' | 'plan' | 'plan --target';
const STEPS: readonly Step[] = ['parse', 'stages', 'plan', 'plan --target'];

interface Problem {
  readonly step: Step;
  readonly kind: string;
  readonly detail: string;
  /** What was thrown, or for a wrapped internal error, the error inside. */
  readonly error: unknown;
  /** Same bug: step, kind and the frame in src/ that threw. */
  readonly signature: string;
}

interface Outcome {
  readonly problem?: Problem;
  /** Where a DockerfileError stopped the chain, if one did. */
  readonly rejectedAt?: Step;
  readonly target?: string;
}

const REPO_SRC = path.resolve(HERE, '..');

/** The first stack frame in src/, as `src/…/file.ts:line`. */
function srcFrame(error: unknown): string {
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  for (const line of stack.split('\n').slice(1)) {
    const match = /(?:\(|at )((?:file:\/\/)?\/[^()\s]*?):(\d+):\d+\)?\s*$/.exec(line.trim());
    if (match === null) continue;
    const file = match[1]!.replace(/^file:\/\//, '');
    if (file.startsWith(REPO_SRC) && !file.endsWith('.test.ts')) {
      return `${path.relative(path.dirname(REPO_SRC), file)}:${match[2]}`;
    }
  }
  return '(no frame in src/)';
}

/** At most `max` characters of `text`, with the number elided, control characters escaped. */
function clip(text: string, max = 300): string {
  const shown = text.length <= max ? text : `${text.slice(0, max)}…[${text.length - max} more characters]`;
  let out = '';
  for (const c of shown) {
    const code = c.codePointAt(0)!;
    const hidden =
      code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 || code === 0xfeff;
    out += hidden || (code >= 0xd800 && code <= 0xdfff) ? `\\u${code.toString(16).padStart(4, '0')}` : c;
  }
  return out;
}

function describeThrown(error: unknown): string {
  if (error instanceof Error) return `${error.constructor.name}: ${clip(error.message)}`;
  return `${typeof error}: ${clip(String(error))}`;
}

/** Where a stack overflows varies with the input, so the frame does not tell one bug from another. */
function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

/** Built-in errors a Dockerfile never explains: a bug, even when wrapped in a DockerfileError. */
const INTERNAL_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];

function checkThrown(step: Step, error: unknown, lineBound: number): Problem | undefined {
  const problem = (kind: string, detail: string, origin: unknown = error): Problem => ({
    step,
    kind,
    detail,
    error: origin,
    signature: `${step} | ${kind} | ${isStackOverflow(origin) ? 'stack overflow' : srcFrame(origin)}`,
  });
  if (!(error instanceof DockerfileError)) {
    const kind = error instanceof Error ? error.constructor.name : typeof error;
    return problem(`threw ${kind}, not a DockerfileError`, describeThrown(error));
  }
  if (typeof error.message !== 'string' || error.message.trim() === '') {
    return problem('DockerfileError with an empty message', JSON.stringify(error.message));
  }
  const line = error.line;
  if (line !== undefined && !(Number.isInteger(line) && line >= 1 && line <= lineBound)) {
    return problem(
      'DockerfileError line out of range',
      `line ${line} is outside 1..${lineBound} (ranges ${JSON.stringify(error.ranges)}): ${clip(error.message)}`,
    );
  }
  let cause: unknown = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 10; depth++, cause = cause.cause) {
    if (INTERNAL_ERRORS.some((type) => cause instanceof type)) {
      return problem(
        `DockerfileError wrapping a ${cause.constructor.name}`,
        `${clip(error.message)}\n  cause: ${describeThrown(cause)}`,
        cause,
      );
    }
  }
  return undefined;
}

interface Stats {
  calls: number;
  slowestMs: number;
  slowest: string;
}
const stats: Stats = { calls: 0, slowestMs: 0, slowest: '' };

function exercise(
  source: string | Uint8Array,
  target: TargetSpec | undefined,
  buildArgs: ReadonlyMap<string, string>,
  label: string,
): Outcome {
  const text = typeof source === 'string' ? source : new TextDecoder().decode(source);
  const lineBound = text.split('\n').length + 1;

  let problem: Problem | undefined;
  const call = <T>(step: Step, fn: () => T): { value: T } | undefined => {
    watchdog.beat(STEPS.indexOf(step));
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    let result: { value: T } | undefined;
    let thrown: unknown;
    try {
      result = { value: fn() };
    } catch (error) {
      thrown = error;
    }
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    stats.calls++;
    if (ms > stats.slowestMs) {
      stats.slowestMs = ms;
      stats.slowest = `${label}, ${step}`;
    }
    // The CPU time confirms it, so a busy machine (other processes on these cores) does not fail the test.
    if (ms > SLOW_CALL_MS && cpuMs > SLOW_CALL_MS) {
      problem = {
        step,
        kind: `slow: over ${SLOW_CALL_MS} ms`,
        detail:
          `took ${ms.toFixed(0)} ms, ${cpuMs.toFixed(0)} ms of CPU ` +
          `(${result === undefined ? describeThrown(thrown) : 'returned'})`,
        error: thrown,
        signature: `${step} | slow`,
      };
      return undefined;
    }
    if (result === undefined) problem = checkThrown(step, thrown, lineBound);
    return result;
  };
  const request = (name: string | undefined) => ({
    target: name,
    buildArgs,
    buildContexts: new Map<string, string>(),
    targetPlatform: AMD64,
    buildPlatform: AMD64,
  });

  const ast = call('parse', () => parseDockerfile(source));
  if (ast === undefined) return { problem, rejectedAt: 'parse' };
  const staged = call('stages', () => parseStages(ast.value));
  if (staged === undefined) return { problem, rejectedAt: 'stages' };
  const plan = call('plan', () => planDockerfile(source, request(undefined)));
  if (plan === undefined) return { problem, rejectedAt: 'plan' };
  if (target === undefined) return {};
  const name = resolveTarget(target, staged.value);
  const targeted = call('plan --target', () => planDockerfile(source, request(name)));
  if (targeted === undefined) return { problem, rejectedAt: 'plan --target', target: name };
  return { target: name };
}

function resolveTarget(spec: TargetSpec, staged: StagedDockerfile): string {
  if ('fixed' in spec) return spec.fixed;
  const names = staged.stages.flatMap((stage) => (stage.rawName === undefined ? [] : [stage.rawName]));
  if (spec.junk !== undefined || names.length === 0) return spec.junk ?? 'nonexistent';
  return names[Math.floor(spec.roll * names.length)]!;
}

const AMD64 = parsePlatform('linux/amd64');

// ---------------------------------------------------------------------------------------------------
// Watchdog: a hang never returns to the test, so a worker thread watches a heartbeat and, if one call
// runs for HANG_MS, prints what was running (synchronously, to fd 2) and kills the process.

const WATCHDOG_SOURCE = `
const { workerData } = require('node:worker_threads');
const { writeSync } = require('node:fs');
const state = new Int32Array(workerData.state);
const info = new Uint8Array(workerData.info);
const steps = ${JSON.stringify(STEPS)};
let seen = 0;
let since = Date.now();
setInterval(() => {
  const beat = Atomics.load(state, 0);
  if (beat !== seen) {
    seen = beat;
    since = Date.now();
    return;
  }
  if (beat === 0 || Date.now() - since < workerData.limitMs) return;
  const text = Buffer.from(info.subarray(0, Atomics.load(state, 1))).toString('utf8');
  writeSync(2, '\\n\\n!!! fuzz watchdog: one call (' + steps[Atomics.load(state, 2)] + ') has run for ' +
    workerData.limitMs + ' ms: a hang. Killing the test process.\\n' + text + '\\n\\n');
  process.kill(process.pid, 'SIGKILL');
}, 250);
`;

class Watchdog {
  private readonly state = new Int32Array(new SharedArrayBuffer(12));
  private readonly info = new Uint8Array(new SharedArrayBuffer(16 * 1024));
  private worker: Worker | undefined;
  private beats = 0;

  start(): void {
    this.worker = new Worker(WATCHDOG_SOURCE, {
      eval: true,
      workerData: { state: this.state.buffer, info: this.info.buffer, limitMs: HANG_MS },
    });
    this.worker.unref();
  }

  /** What is running, printed if it hangs. */
  describe(text: string): void {
    if (this.worker === undefined) return;
    const { written } = ENCODER.encodeInto(text.slice(0, 4000), this.info);
    Atomics.store(this.state, 1, written);
  }

  beat(step: number): void {
    this.beats = (this.beats % 0x7fffffff) + 1;
    Atomics.store(this.state, 2, step);
    Atomics.store(this.state, 0, this.beats);
  }

  async stop(): Promise<void> {
    Atomics.store(this.state, 0, 0);
    await this.worker?.terminate();
    this.worker = undefined;
  }
}

const watchdog = new Watchdog();

// ---------------------------------------------------------------------------------------------------
// Shrinking and printing failures

interface ShrinkBudget {
  left: number;
  tries: number;
  readonly deadline: number;
}

/** Removes chunks of `items`, halving the chunk size, while `keeps` holds (delta debugging, simplified). */
function ddmin<T>(items: readonly T[], keeps: (candidate: T[]) => boolean, budget: ShrinkBudget): T[] {
  let current = [...items];
  let chunk = Math.max(1, Math.floor(current.length / 2));
  while (budget.left > 0 && current.length > 0) {
    let removed = false;
    for (let start = 0; start < current.length && budget.left > 0;) {
      if (performance.now() > budget.deadline) {
        budget.left = 0;
        break;
      }
      const candidate = [...current.slice(0, start), ...current.slice(start + chunk)];
      budget.left--;
      budget.tries++;
      if (keeps(candidate)) {
        current = candidate;
        removed = true;
      } else {
        start += chunk;
      }
    }
    if (!removed) {
      if (chunk === 1) break;
      chunk = Math.max(1, Math.floor(chunk / 2));
    } else {
      chunk = Math.min(chunk, Math.max(1, Math.floor(current.length / 2)));
    }
  }
  return current;
}

/** The smallest input found that still fails the same way, and the tries it took. */
function shrink(found: Found): { source: string | Uint8Array; tries: number } {
  const budget: ShrinkBudget = {
    left: found.problem.kind.startsWith('slow') ? 0 : SHRINK_BUDGET,
    tries: 0,
    deadline: performance.now() + SHRINK_MS,
  };
  const target: TargetSpec | undefined = found.target === undefined ? undefined : { fixed: found.target };
  const isText = typeof found.source === 'string';
  // Lines of units: UTF-16 code units for text, bytes for bytes; joined back with "\n".
  const lines: (string | number)[][] = [];
  let line: (string | number)[] = [];
  const units: (string | number)[] =
    typeof found.source === 'string' ? found.source.split('') : Array.from(found.source);
  for (const unit of units) {
    if (unit === '\n' || unit === 0x0a) {
      lines.push(line);
      line = [];
    } else {
      line.push(unit);
    }
  }
  lines.push(line);
  const join = (ls: (string | number)[][]): string | Uint8Array =>
    isText
      ? ls.map((l) => l.join('')).join('\n')
      : Uint8Array.from(ls.flatMap((l, i) => (i === 0 ? l : [0x0a, ...l])) as number[]);
  const keeps = (ls: (string | number)[][]): boolean => {
    watchdog.describe(`shrinking the failure of seed ${hexSeed(SEED)} iteration ${found.iteration}`);
    const outcome = exercise(join(ls), target, found.buildArgs, `shrinking iteration ${found.iteration}`);
    return outcome.problem?.signature === found.problem.signature;
  };
  let current = ddmin(lines, keeps, budget);
  for (let i = 0; i < current.length && budget.left > 0; i++) {
    const shorter = ddmin(current[i]!, (l) => keeps(current.map((old, j) => (j === i ? l : old))), budget);
    current = current.map((old, j) => (j === i ? shorter : old));
  }
  current = ddmin(current, keeps, budget);
  return { source: join(current), tries: budget.tries };
}

function hexSeed(seed: number): string {
  return `0x${seed.toString(16).padStart(8, '0')}`;
}

/** A JS string literal, ASCII only, so CRs, BOMs and lone surrogates stay visible. */
function literal(text: string): string {
  return JSON.stringify(text).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** `text` as a JS expression, runs of a 1-8 character pattern written as `.repeat(n)`. */
function expression(text: string): string {
  const parts: string[] = [];
  let pending = '';
  for (let i = 0; i < text.length;) {
    let best: { period: number; count: number } | undefined;
    for (let period = 1; period <= 8 && i + period <= text.length; period++) {
      const unit = text.slice(i, i + period);
      let count = 1;
      while (text.startsWith(unit, i + count * period)) count++;
      if (count * period >= 32 && (best === undefined || count * period > best.count * best.period)) {
        best = { period, count };
      }
    }
    if (best === undefined) {
      pending += text[i];
      i++;
      continue;
    }
    if (pending !== '') parts.push(literal(pending));
    pending = '';
    parts.push(`${literal(text.slice(i, i + best.period))}.repeat(${best.count})`);
    i += best.period * best.count;
  }
  if (pending !== '' || parts.length === 0) parts.push(literal(pending));
  const joined = parts.join(' + ');
  if (joined.length <= MAX_SHOWN_CHARS) return joined;
  const half = MAX_SHOWN_CHARS / 2;
  return `${joined.slice(0, half)} …[${joined.length - MAX_SHOWN_CHARS} characters not shown]… ${joined.slice(-half)}`;
}

function sourceExpression(source: string | Uint8Array): string {
  if (typeof source === 'string') return expression(source);
  return `Buffer.from(${expression(Buffer.from(source).toString('latin1'))}, 'latin1')`;
}

function sourceSummary(source: string | Uint8Array): string {
  const text = typeof source === 'string' ? source : new TextDecoder().decode(source);
  const kind = typeof source === 'string' ? `string of ${source.length} chars` : `${source.length} bytes`;
  return `${kind}, ${text.split('\n').length} lines`;
}

function reproduction(step: Step, source: string | Uint8Array, found: Found): string {
  const src = `const source = ${sourceExpression(source)};`;
  if (step === 'parse') return `${src}\nparseDockerfile(source);`;
  if (step === 'stages') return `${src}\nparseStages(parseDockerfile(source));`;
  const target = step === 'plan --target' ? `target: ${literal(found.target ?? '')}, ` : '';
  const args = [...found.buildArgs].map(([k, v]) => `[${literal(k)}, ${literal(v)}]`).join(', ');
  return (
    `${src}\nconst amd64 = parsePlatform('linux/amd64');\n` +
    `planDockerfile(source, { ${target}buildArgs: new Map([${args}]), buildContexts: new Map(), ` +
    `targetPlatform: amd64, buildPlatform: amd64 });`
  );
}

interface Found {
  readonly iteration: number;
  readonly seedName: string;
  readonly mutations: readonly string[];
  readonly source: string | Uint8Array;
  readonly target: string | undefined;
  readonly buildArgs: ReadonlyMap<string, string>;
  readonly problem: Problem;
  hits: number;
}

function report(found: Found, index: number, distinct: number): string {
  const { problem } = found;
  const stack = problem.error instanceof Error ? (problem.error.stack ?? '').split('\n').slice(0, 12) : [];
  const shrunk = shrink(found);
  const args = [...found.buildArgs].map(([k, v]) => `${k}=${literal(v)}`).join(' ');
  return [
    `── fuzz failure ${index + 1} of ${distinct} distinct (${found.hits} mutant(s)): ${problem.step}: ${problem.kind}`,
    `   ${problem.detail}`,
    `   seed ${hexSeed(SEED)}, iteration ${found.iteration}; replay with:`,
    `   STAGECRAFT_FUZZ_SEED=${SEED} STAGECRAFT_FUZZ_ONLY=${found.iteration} npm test -- src/dockerfile/fuzz.test.ts`,
    `   corpus file: ${found.seedName}`,
    `   mutations:`,
    ...found.mutations.map((m, i) => `     ${i + 1}. ${m}`),
    `   target: ${found.target === undefined ? '(default)' : literal(found.target)}; build args: ${args || '(none)'}`,
    `   stack:`,
    ...stack.map((l) => `     ${clip(l, 200)}`),
    `   mutated input (${sourceSummary(found.source)}):`,
    `     ${sourceExpression(found.source)}`,
    shrunk.tries === 0
      ? `   reproduction (not shrunk: every try would be slow):`
      : `   minimal reproduction (${sourceSummary(shrunk.source)}, shrunk in ${shrunk.tries} tries):`,
    ...reproduction(problem.step, shrunk.source, found)
      .split('\n')
      .map((l) => `     ${l}`),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------------

describe('Dockerfile frontend fuzz', () => {
  afterAll(async () => {
    await watchdog.stop();
  });

  test(
    `${LAST - FIRST} mutants of the corpus raise nothing but located DockerfileErrors, quickly`,
    () => {
      const seeds = loadSeeds();
      expect(seeds.length).toBeGreaterThan(0);
      watchdog.start();

      const started = performance.now();
      const counts = { parsed: 0, planned: 0, rejected: 0, failed: 0, bytes: 0, targeted: 0, targetedOk: 0 };
      const rejectedAt = new Map<Step, number>();
      const found = new Map<string, Found>();

      let stoppedAt: number | undefined;
      for (let iteration = FIRST; iteration < LAST; iteration++) {
        if (
          found.size >= MAX_REPORTED ||
          (found.size > 0 && performance.now() - started > STOP_AFTER_FAILURE_MS)
        ) {
          stoppedAt = iteration;
          break;
        }
        const mutant = makeMutant(seeds, iteration);
        watchdog.describe(
          `seed ${hexSeed(SEED)} iteration ${iteration} (replay: STAGECRAFT_FUZZ_SEED=${SEED} ` +
            `STAGECRAFT_FUZZ_ONLY=${iteration})\ncorpus file: ${mutant.seedName}\nmutations:\n  ` +
            mutant.mutations.join('\n  '),
        );
        if (typeof mutant.source !== 'string') counts.bytes++;
        const outcome = exercise(mutant.source, mutant.target, mutant.buildArgs, `iteration ${iteration}`);
        if (outcome.rejectedAt !== 'parse') counts.parsed++;
        if (outcome.problem !== undefined) {
          counts.failed++;
          const { signature } = outcome.problem;
          const known = found.get(signature);
          if (known !== undefined) known.hits++;
          else found.set(signature, { ...mutant, target: outcome.target, problem: outcome.problem, hits: 1 });
        } else if (outcome.rejectedAt === undefined || outcome.rejectedAt === 'plan --target') {
          counts.planned++;
        } else {
          counts.rejected++;
          rejectedAt.set(outcome.rejectedAt, (rejectedAt.get(outcome.rejectedAt) ?? 0) + 1);
        }
        if (outcome.target !== undefined) {
          counts.targeted++;
          if (outcome.rejectedAt === undefined) counts.targetedOk++;
        }
      }
      const seconds = (performance.now() - started) / 1000;
      const ran = (stoppedAt ?? LAST) - FIRST;
      const stopped =
        stoppedAt === undefined ? '' : ` (stopped early at iteration ${stoppedAt}: failures found)`;

      const where = STEPS.filter((s) => rejectedAt.has(s))
        .map((s) => `${s} ${rejectedAt.get(s)}`)
        .join(', ');
      console.log(
        `fuzz: seed ${hexSeed(SEED)}, ${ran} mutants${stopped} of ${seeds.length} files ` +
          `(${counts.bytes} fed as bytes) in ${seconds.toFixed(1)} s, ${stats.calls} calls: ` +
          `${counts.parsed} parsed, ${counts.planned} planned end to end; ` +
          `${counts.rejected} rejected with a DockerfileError (at ${where || 'none'}); ` +
          `${counts.failed} broke the contract; --target: ${counts.targetedOk} of ${counts.targeted} planned; ` +
          `slowest call ${stats.slowestMs.toFixed(0)} ms (${stats.slowest})`,
      );

      if (found.size > 0) {
        const all = [...found.values()];
        const shown = all.slice(0, MAX_REPORTED).map((f, i) => report(f, i, all.length));
        const rest =
          all.length > MAX_REPORTED ? [`…and ${all.length - MAX_REPORTED} more distinct failures`] : [];
        throw new Error(
          `${counts.failed} of ${ran} mutants${stopped} broke the contract (seed ${hexSeed(SEED)}):\n\n` +
            [...shown, ...rest].join('\n\n'),
        );
      }
    },
    Math.max(120_000, (LAST - FIRST) * 40),
  );
});
