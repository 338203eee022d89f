// buildx `--progress=plain` output: the vertices (steps) it reports, whether each was cached or ran, and the
// error block a failed build ends with. Pure; tested on output recorded from buildx 0.13 (testdata/).
//
// The plain printer writes, per vertex `#N`: its name when it starts (again after another vertex interrupted
// it, with `#N ...` marking the interruption), status lines (`transferring context: 40B done`), log lines
// with a timestamp (`#8 0.270 built`), and one of `#N DONE 1.3s`, `#N CACHED`, `#N ERROR: …`, `#N CANCELED`.
// Dockerfile steps are named by BuildKit `[<platform> <stage> k/n] INSTRUCTION` (platform only when building
// for several, stage omitted in a one-stage Dockerfile, `stage-N` for an unnamed stage); `[internal] …` are
// BuildKit's own. A bake of several targets prefixes every name with its target: `[build deps 1/2] FROM …`,
// `[deps] exporting cache to client directory`. A bake of one target does not.

export type VertexStatus = 'running' | 'done' | 'cached' | 'error' | 'canceled';

export interface Vertex {
  /** The printer's vertex number (`#N`). */
  readonly id: number;
  /** The name as printed, prefixes included. */
  readonly name: string;
  /** The bake target whose progress showed it (several-target bakes only). */
  readonly target: string | undefined;
  readonly platform: string | undefined;
  /** The Dockerfile stage, from `[stage k/n]` or `[target stage k/n]`. */
  readonly stage: string | undefined;
  /** `k/n`: the step's place among its stage's instructions. */
  readonly step: { readonly index: number; readonly total: number } | undefined;
  /** The text after the bracket: `RUN …`, `COPY …`, `FROM …`, or BuildKit's own (`load build context`). */
  readonly instruction: string;
  /** BuildKit's own vertices: `[internal] …`, exporting, importing cache. */
  readonly internal: boolean;
  readonly status: VertexStatus;
  readonly cached: boolean;
  readonly error?: string;
  readonly durationS?: number;
  /** The step's own output (the timestamp dropped). */
  readonly logs: readonly string[];
}

export interface ParseProgressOptions {
  /** True for a bake of two or more targets: every name then starts with the target. */
  readonly prefixedByTarget: boolean;
}

interface MutableVertex {
  id: number;
  name: string;
  status: VertexStatus;
  error?: string;
  durationS?: number;
  logs: string[];
}

const VERTEX_LINE = /^#(\d+) (.*)$/;
const LOG_LINE = /^\d+\.\d+ (.*)$/;
const DONE_LINE = /^DONE (\d+(?:\.\d+)?)s$/;

/** Every vertex the output reports, in the order each first appeared. */
export function parseProgress(text: string, options: ParseProgressOptions): Vertex[] {
  const vertices = new Map<number, MutableVertex>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const match = VERTEX_LINE.exec(line);
    if (match === null) continue;
    const id = Number(match[1]);
    const rest = match[2]!;
    if (id === 0) continue; // `#0 building with "default" instance using docker driver`
    let vertex = vertices.get(id);
    if (vertex === undefined) {
      vertex = { id, name: rest, status: 'running', logs: [] };
      vertices.set(id, vertex);
      continue;
    }
    if (rest === vertex.name || rest === '...') continue;
    const done = DONE_LINE.exec(rest);
    if (done !== null) {
      vertex.status = vertex.status === 'cached' ? 'cached' : 'done';
      vertex.durationS = Number(done[1]);
    } else if (rest === 'CACHED') {
      vertex.status = 'cached';
    } else if (rest === 'CANCELED') {
      vertex.status = 'canceled';
    } else if (rest.startsWith('ERROR: ')) {
      vertex.status = 'error';
      vertex.error = rest.slice('ERROR: '.length);
    } else {
      const log = LOG_LINE.exec(rest);
      if (log !== null) vertex.logs.push(log[1]!);
    }
  }
  return [...vertices.values()].map((vertex) => describeVertex(vertex, options));
}

function describeVertex(vertex: MutableVertex, options: ParseProgressOptions): Vertex {
  const parsed = parseVertexName(vertex.name, options.prefixedByTarget);
  return {
    id: vertex.id,
    name: vertex.name,
    ...parsed,
    status: vertex.status,
    cached: vertex.status === 'cached',
    ...(vertex.error === undefined ? {} : { error: vertex.error }),
    ...(vertex.durationS === undefined ? {} : { durationS: vertex.durationS }),
    logs: vertex.logs,
  };
}

type VertexName = Pick<Vertex, 'target' | 'platform' | 'stage' | 'step' | 'instruction' | 'internal'>;

/** Splits `[target platform stage k/n] INSTRUCTION` into its parts. */
export function parseVertexName(name: string, prefixedByTarget: boolean): VertexName {
  const bracket = /^\[([^\]]*)\] ?(.*)$/.exec(name);
  if (bracket === null) {
    return {
      target: undefined,
      platform: undefined,
      stage: undefined,
      step: undefined,
      instruction: name,
      internal: true,
    };
  }
  const tokens = bracket[1]!.split(' ').filter((token) => token !== '');
  const instruction = bracket[2]!;
  // Bake's own `[internal] load local bake definitions` has no target.
  const ownInternal = tokens.length === 1 && tokens[0] === 'internal';
  const target = prefixedByTarget && !ownInternal ? tokens.shift() : undefined;
  if (tokens[0] === 'internal') {
    return { target, platform: undefined, stage: undefined, step: undefined, instruction, internal: true };
  }
  let platform: string | undefined;
  let step: Vertex['step'];
  const stepMatch = /^(\d+)\/(\d+)$/.exec(tokens[tokens.length - 1] ?? '');
  if (stepMatch !== null) {
    tokens.pop();
    step = { index: Number(stepMatch[1]), total: Number(stepMatch[2]) };
  }
  if (tokens[0]?.includes('/')) platform = tokens.shift();
  const stage = step === undefined ? undefined : tokens[0];
  // `[deps] exporting cache …`: a target's own vertex, not a Dockerfile step.
  const internal = step === undefined;
  return { target, platform, stage, step, instruction, internal };
}

export interface ProgressSummary {
  /** Dockerfile steps (vertices with `k/n`), FROM lines excluded. */
  readonly steps: readonly Vertex[];
  readonly cachedSteps: readonly Vertex[];
  /** Steps that ran (not cached). */
  readonly executedSteps: readonly Vertex[];
  /** RUN steps that ran. */
  readonly executedRuns: readonly Vertex[];
  /** Stages with at least one step that ran, in order of first appearance. */
  readonly stagesRun: readonly string[];
  /** Stages all of whose steps were cached. */
  readonly stagesCached: readonly string[];
  /** Every step cached (and at least one step seen). */
  readonly fullyCached: boolean;
  readonly failed: readonly Vertex[];
}

/**
 * What the log and the tests want to know: which steps were cached, which stages ran, which RUN steps
 * executed. FROM steps are left out: an image already in the store shows `DONE` after a prune although
 * nothing was built. A vertex BuildKit shares between bake targets is printed once, under one target.
 */
export function summarizeProgress(vertices: readonly Vertex[]): ProgressSummary {
  // A bake prints a step shared by several targets under each of them, under new vertex numbers: count
  // each (platform, stage, step) once, as executed if any of its copies ran.
  const byStep = new Map<string, Vertex>();
  for (const vertex of vertices) {
    if (vertex.step === undefined || /^FROM\s/i.test(vertex.instruction)) continue;
    const id = `${vertex.platform ?? ''}|${vertex.stage ?? ''}|${vertex.step.index}/${vertex.step.total}|${vertex.instruction}`;
    const seen = byStep.get(id);
    if (seen === undefined || (seen.cached && !vertex.cached)) byStep.set(id, vertex);
  }
  const steps = [...byStep.values()];
  const cachedSteps = steps.filter((vertex) => vertex.cached);
  const executedSteps = steps.filter((vertex) => !vertex.cached);
  const stageOf = (vertex: Vertex): string => vertex.stage ?? '(unnamed)';
  const stagesRun = unique(executedSteps.map(stageOf));
  const stagesCached = unique(steps.map(stageOf)).filter((stage) => !stagesRun.includes(stage));
  return {
    steps,
    cachedSteps,
    executedSteps,
    executedRuns: executedSteps.filter((vertex) => /^RUN\s/i.test(vertex.instruction)),
    stagesRun,
    stagesCached,
    fullyCached: steps.length > 0 && executedSteps.length === 0,
    failed: vertices.filter((vertex) => vertex.status === 'error'),
  };
}

export interface BuildError {
  /** The last `ERROR: …` line, without `ERROR: `. */
  readonly message: string;
  /** The failing step as BuildKit names it (` > [build 1/1] RUN …:`), when shown. */
  readonly step: string | undefined;
  /** The Dockerfile and line BuildKit points at (`Dockerfile:4`), when shown. */
  readonly location: { readonly file: string; readonly line: number } | undefined;
  /**
   * What buildx printed after the last vertex line: the failing step's last output, the Dockerfile excerpt
   * and the `ERROR:` line. This is what a RunError carries.
   */
  readonly text: string;
}

/** The error block that ends a failed build's output, or undefined when there is no `ERROR:` line. */
export function parseBuildError(output: string): BuildError | undefined {
  const lines = output.split('\n').map((line) => line.replace(/\r$/, ''));
  let errorIndex = -1;
  for (let i = lines.length - 1; i >= 0; i--) {
    if (lines[i]!.startsWith('ERROR: ')) {
      errorIndex = i;
      break;
    }
  }
  if (errorIndex === -1) return undefined;
  let start = errorIndex;
  while (start > 0 && !VERTEX_LINE.test(lines[start - 1]!)) start--;
  const block = lines.slice(start, errorIndex + 1);
  while (block.length > 0 && block[0]!.trim() === '') block.shift();
  const stepLine = block.find((line) => line.startsWith(' > '));
  const locationLine = block.map((line) => /^(\S+):(\d+)$/.exec(line)).find((match) => match !== null);
  return {
    message: lines[errorIndex]!.slice('ERROR: '.length),
    step: stepLine?.slice(3).replace(/:$/, ''),
    location:
      locationLine === undefined || locationLine === null
        ? undefined
        : { file: locationLine[1]!, line: Number(locationLine[2]) },
    text: block.join('\n'),
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
