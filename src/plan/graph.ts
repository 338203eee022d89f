// The stage graph as BuildKit's dockerfile2llb builds it (convert.go: buildDispatchStates, resolveTarget,
// buildStageDependencyGraph, resolveStages, dispatchStages), without resolving anything over the network.
// Errors come in BuildKit's order, so a file fails with the same message BuildKit gives first.
import {
  DockerfileError,
  goQuote,
  parseDockerfile,
  processWordWithMatches,
  withLocation,
  type LineRange,
  type ShellEnv,
} from '../dockerfile/index.js';
import {
  parseCommand,
  parseStages,
  withSuggestion,
  type Instruction,
  type RunMount,
  type Stage,
  type StagedDockerfile,
} from '../stages/index.js';
import { resolveGlobalArgs } from './args.js';
import { formatAllPlatform, parsePlatform, type Platform } from './platform.js';
import { normalizeContextName, parseNormalizedNamed } from './refs.js';
import type { EdgeKind, Plan, PlannedStage, PlanRequest, StageBase, StageEdge } from './types.js';

const SCRATCH = 'scratch';
const NO_ENV: ShellEnv = { get: () => undefined };

/** A command with the states it reads (BuildKit's `command.sources`). */
interface Command {
  readonly instruction: Instruction;
  readonly sources: readonly (State | undefined)[];
  /** Set for commands that an ONBUILD trigger of the base stage added. */
  readonly onbuildLine: number | undefined;
}

/** One node of the graph: a FROM stage, or an image/context that a COPY or mount reads (unregistered). */
interface State {
  readonly position: number;
  readonly stage: Stage | undefined;
  /** After ARG expansion. */
  readonly baseName: string;
  readonly range: LineRange;
  displayName: string;
  platform: string | undefined;
  base: State | undefined;
  namedContext: string | undefined;
  /** Named context replacing this state's image base. */
  baseContext: string | undefined;
  readonly deps: Map<State, Command>;
  readonly edges: { source: State; kind: EdgeKind; line: number; reference: string }[];
  commands: Command[];
  onBuildInit: boolean;
  resolved: boolean;
  dispatched: boolean;
}

class States {
  readonly all: State[] = [];
  private readonly byName = new Map<string, State>();

  add(state: State): void {
    this.all.push(state);
    const base = this.byName.get(state.baseName);
    if (base !== undefined) state.base = base;
    if (state.stage?.name !== undefined) this.byName.set(state.stage.name, state);
  }

  findByName(name: string): State | undefined {
    return this.byName.get(name.toLowerCase());
  }

  names(): string[] {
    return this.all.filter((state) => state.displayName !== '').map((state) => state.displayName);
  }
}

function newState(position: number, stage: Stage | undefined, baseName: string, range: LineRange): State {
  return {
    position,
    stage,
    baseName,
    range,
    displayName: stage === undefined ? '' : (stage.name ?? `stage-${stage.index}`),
    platform: undefined,
    base: undefined,
    namedContext: undefined,
    baseContext: undefined,
    deps: new Map(),
    edges: [],
    commands: [],
    onBuildInit: false,
    resolved: false,
    dispatched: false,
  };
}

/** Parses, stages and plans a Dockerfile in one go; throws `DockerfileError` as BuildKit would fail. */
export function planDockerfile(source: string | Uint8Array, request: PlanRequest): Plan {
  if (source.length === 0) throw new DockerfileError('the Dockerfile cannot be empty');
  return planStages(parseStages(parseDockerfile(source)), request);
}

export function planStages(dockerfile: StagedDockerfile, request: PlanRequest): Plan {
  const { stages } = dockerfile;
  if (stages.length === 0) throw new DockerfileError('dockerfile contains no stages to build');
  const escape = dockerfile.escapeToken;
  const target = request.target ?? '';
  const targetStage = target !== '' ? target : (stages[stages.length - 1]!.name ?? '');
  const globalArgs = resolveGlobalArgs(dockerfile.metaArgs, request, targetStage, escape);
  const contexts = normalizeContexts(request.buildContexts);
  const states = new States();

  // buildDispatchStates: every stage, reachable or not.
  for (const stage of stages) {
    const expanded = expand(stage.baseName, globalArgs, escape, stage.fromRange);
    if (expanded === '') {
      throw new DockerfileError(`base name (${stage.baseName}) should not be blank`, [stage.fromRange]);
    }
    const state = newState(states.all.length, stage, expanded, stage.fromRange);
    if (stage.platform !== undefined)
      state.platform = resolvePlatform(stage.platform, globalArgs, escape, stage, request.buildPlatform);
    if (stage.name !== undefined) {
      const context = lookupContext(stage.name, contexts, stage.fromRange);
      if (context !== undefined) {
        state.namedContext = context;
        states.add(state);
        state.base = undefined;
        continue;
      }
    }
    states.add(state);
  }

  // resolveTarget
  const targetState = target === '' ? states.all[states.all.length - 1]! : states.findByName(target);
  if (targetState === undefined) {
    throw new DockerfileError(
      withSuggestion(`target stage ${goQuote(target)} could not be found`, target, states.names(), true),
    );
  }

  // buildStageDependencyGraph: the commands of every stage, and the states they read.
  for (const state of [...states.all]) {
    state.commands = state.stage!.instructions.map((instruction) =>
      toCommand(instruction, states, escape, undefined),
    );
    for (const command of state.commands) addSources(state, command, states);
  }
  validateNoCycles(states.all);

  // resolveStages: reachability, repeated while ONBUILD triggers of base stages add dependencies.
  let reachable: Set<State>;
  for (;;) {
    reachable = reachableFrom(targetState);
    resolveBases(states, reachable, contexts);
    let newDeps = false;
    for (const state of [...reachable].sort((a, b) => a.position - b.position)) {
      if (state.base === undefined || state.onBuildInit) continue;
      state.onBuildInit = true;
      const triggers = state.base.commands.filter((command) => command.instruction.kind === 'onbuild');
      if (triggers.length === 0) continue;
      const added: Command[] = [];
      for (const trigger of triggers) {
        const instruction = trigger.instruction as Extract<Instruction, { kind: 'onbuild' }>;
        const command = parseTrigger(instruction, states, escape, state.range);
        if (command.sources.length > 0) newDeps = true;
        addSources(state, command, states);
        added.push(command);
      }
      state.commands = [...added, ...state.commands];
    }
    if (!newDeps) break;
  }

  // dispatchStages: a stage may only read stages that were dispatched before it.
  for (const state of states.all) {
    if (!reachable.has(state) || state.dispatched) continue;
    state.dispatched = true;
    for (const command of state.commands) checkDispatched(state, command);
  }

  return buildPlan(states, targetState, reachable, globalArgs);
}

function expand(word: string, env: ShellEnv, escape: string, range: LineRange): string {
  try {
    return processWordWithMatches(word, env, escape).result;
  } catch (error) {
    throw withLocation(error, range);
  }
}

function resolvePlatform(raw: string, env: ShellEnv, escape: string, stage: Stage, host: Platform): string {
  let result: string;
  try {
    result = processWordWithMatches(raw, env, escape).result;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new DockerfileError(`failed to process arguments for platform : ${message}`, [stage.fromRange]);
  }
  if (result === '') {
    throw new DockerfileError(`empty platform value from expression ${raw}`, [stage.fromRange]);
  }
  try {
    return formatAllPlatform(parsePlatform(result, host));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new DockerfileError(`failed to parse platform ${raw}: ${message}`, [stage.fromRange]);
  }
}

function normalizeContexts(contexts: ReadonlyMap<string, string>): Map<string, string> {
  const normalized = new Map<string, string>();
  for (const name of contexts.keys()) normalized.set(normalizeContextName(name), name);
  return normalized;
}

/** The `--build-context` name that replaces `name`, if any. BuildKit never looks up scratch or context. */
function lookupContext(name: string, contexts: Map<string, string>, range: LineRange): string | undefined {
  const lower = name.toLowerCase();
  if (lower === SCRATCH || lower === 'context') return undefined;
  let normalized: string;
  try {
    normalized = normalizeContextName(name);
  } catch (error) {
    throw withLocation(error, range);
  }
  return contexts.get(normalized);
}

function toCommand(
  instruction: Instruction,
  states: States,
  escape: string,
  onbuildLine: number | undefined,
): Command {
  if (instruction.kind === 'copy' && instruction.from !== undefined && instruction.from !== '') {
    const from = instruction.from;
    if (expand(from, NO_ENV, escape, instruction.range) !== from) {
      throw new DockerfileError(
        'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround',
        [instruction.range],
      );
    }
    const index = parseGoInt(from);
    if (index !== undefined) {
      const source = states.all[index];
      if (index < 0 || source === undefined) {
        throw new DockerfileError(`invalid stage index ${index}`, [instruction.range]);
      }
      return { instruction, sources: [source], onbuildLine };
    }
    const source = states.findByName(from) ?? newState(-1, undefined, from, instruction.range);
    return { instruction, sources: [source], onbuildLine };
  }
  if (instruction.kind === 'run') {
    const sources = instruction.mounts.map((mount) => {
      const from = mount.from === undefined || mount.from === '' ? SCRATCH : mount.from;
      return states.findByName(from) ?? newState(-1, undefined, from, instruction.range);
    });
    return { instruction, sources, onbuildLine };
  }
  return { instruction, sources: [], onbuildLine };
}

/** Go's `strconv.Atoi`: optional sign, decimal digits, within 64 bits. */
function parseGoInt(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const value = BigInt(text);
  if (value > 2n ** 63n - 1n || value < -(2n ** 63n)) return undefined;
  return Number(value);
}

function addSources(state: State, command: Command, states: States): void {
  const kind: EdgeKind =
    command.onbuildLine !== undefined ? 'onbuild' : command.instruction.kind === 'copy' ? 'copy' : 'mount';
  const line = command.onbuildLine ?? command.instruction.range.start;
  const { instruction } = command;
  command.sources.forEach((source, i) => {
    if (source === undefined) return;
    const reference =
      instruction.kind === 'copy'
        ? (instruction.from ?? '')
        : instruction.kind === 'run'
          ? (instruction.mounts[i]?.from ?? SCRATCH)
          : '';
    state.deps.set(source, command);
    state.edges.push({ source, kind, line, reference });
    if (source.position < 0) {
      (source as { position: number }).position = states.all.length;
      states.add(source);
    }
  });
}

function parseTrigger(
  onbuild: Extract<Instruction, { kind: 'onbuild' }>,
  states: States,
  escape: string,
  stageRange: LineRange,
): Command {
  try {
    // BuildKit parses each trigger anew, with default directives.
    const ast = parseDockerfile(onbuild.expression);
    if (ast.instructions.length !== 1)
      throw new DockerfileError('onbuild trigger should be a single expression');
    const instruction = parseCommand({ ...ast.instructions[0]!, range: onbuild.range });
    return toCommand(instruction, states, escape, onbuild.range.start);
  } catch (error) {
    // BuildKit replaces the location with the consuming stage's.
    throw new DockerfileError(withLocation(error, stageRange).message, [stageRange], undefined, {
      cause: error,
    });
  }
}

function validateNoCycles(all: readonly State[]): void {
  const visited = new Set<State>();
  const path = new Set<State>();
  const visit = (state: State, trail: Command[]): Command[] | undefined => {
    if (visited.has(state)) return undefined;
    visited.add(state);
    path.add(state);
    for (const [dep, command] of state.deps) {
      const next = [...trail, command];
      if (path.has(dep)) return next;
      const cycle = visit(dep, next);
      if (cycle !== undefined) return cycle;
    }
    path.delete(state);
    return undefined;
  };
  for (const state of all) {
    const cycle = visit(state, []);
    if (cycle !== undefined) {
      throw new DockerfileError(
        `circular dependency detected on stage: ${state.displayName}`,
        cycle.map((command) => command.instruction.range),
      );
    }
  }
}

function reachableFrom(target: State): Set<State> {
  const seen = new Set<State>();
  const stack = [target];
  while (stack.length > 0) {
    const state = stack.pop()!;
    if (seen.has(state)) continue;
    seen.add(state);
    if (state.base !== undefined) stack.push(state.base);
    for (const dep of state.deps.keys()) stack.push(dep);
  }
  return seen;
}

/** BuildKit's resolveReachableStages without the registry: references are checked for every state. */
function resolveBases(states: States, reachable: Set<State>, contexts: Map<string, string>): void {
  for (const state of states.all) {
    if (state.base !== undefined || state.dispatched || state.resolved) continue;
    const isReachable = reachable.has(state);
    state.resolved = isReachable;
    const unregistered = state.stage === undefined;
    if (state.baseName === SCRATCH && state.namedContext === undefined) {
      if (unregistered) state.dispatched = true;
      continue;
    }
    try {
      parseNormalizedNamed(state.baseName);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new DockerfileError(`failed to parse stage name ${goQuote(state.baseName)}: ${message}`, [
        state.range,
      ]);
    }
    if (isReachable && state.namedContext !== undefined) state.dispatched = true;
    // BuildKit looks contexts up for reachable states only; the name parsed above, so this cannot fail.
    if (state.namedContext === undefined)
      state.baseContext = lookupContext(state.baseName, contexts, state.range);
    if (unregistered) state.dispatched = true;
  }
}

function checkDispatched(state: State, command: Command): void {
  const { instruction } = command;
  if (instruction.kind === 'copy') {
    const source = command.sources[0];
    if (source !== undefined && !source.dispatched) {
      throw new DockerfileError(
        `cannot copy from stage ${goQuote(instruction.from ?? '')}, it needs to be defined before current stage ${goQuote(state.displayName)}`,
        [instruction.range],
      );
    }
  } else if (instruction.kind === 'run') {
    instruction.mounts.forEach((mount: RunMount, i) => {
      const from = mount.from ?? (mount.type === 'cache' ? SCRATCH : undefined);
      const source = command.sources[i];
      if (from !== undefined && from !== '' && source !== undefined && !source.dispatched) {
        throw new DockerfileError(
          `cannot mount from stage ${goQuote(from)} to ${goQuote(mount.target ?? '')}, stage needs to be defined before current command`,
          [instruction.range],
        );
      }
    });
  }
}

function buildPlan(
  states: States,
  target: State,
  reachable: Set<State>,
  globalArgs: ReadonlyMap<string, string>,
): Plan {
  const stageStates = states.all.filter((state) => state.stage !== undefined);
  const externalImages: string[] = [];
  const stages: PlannedStage[] = stageStates.map((state) => {
    const stage = state.stage!;
    const images: string[] = [];
    const dependsOn: StageEdge[] = [];
    if (state.base !== undefined) {
      dependsOn.push({
        stage: state.base.stage!.index,
        via: 'from',
        line: stage.fromRange.start,
        reference: state.baseName,
      });
    } else if (
      state.namedContext === undefined &&
      state.baseContext === undefined &&
      state.baseName !== SCRATCH
    ) {
      images.push(state.baseName);
    }
    for (const edge of state.edges) {
      if (edge.source.stage !== undefined) {
        dependsOn.push({
          stage: edge.source.stage.index,
          via: edge.kind,
          line: edge.line,
          reference: edge.reference,
        });
      } else if (
        edge.source.baseName !== SCRATCH &&
        edge.source.baseContext === undefined &&
        !images.includes(edge.source.baseName)
      ) {
        images.push(edge.source.baseName);
      }
    }
    const isReachable = reachable.has(state);
    if (isReachable)
      for (const image of images) if (!externalImages.includes(image)) externalImages.push(image);
    return {
      index: stage.index,
      name: stage.name ?? null,
      displayName: stage.name ?? `stage-${stage.index}`,
      base: baseOf(state),
      platform: state.platform,
      reachable: isReachable,
      dependsOn,
      images,
      range: stage.range,
    };
  });
  const order = stages.filter((stage) => stage.reachable).map((stage) => stage.index);
  return {
    target: target.stage!.name ?? null,
    targetIndex: target.stage!.index,
    order,
    skipped: stages.filter((stage) => !stage.reachable).map((stage) => stage.index),
    stages,
    externalImages,
    globalArgs,
  };
}

function baseOf(state: State): StageBase {
  if (state.namedContext !== undefined) return { context: state.namedContext };
  if (state.base !== undefined) return { stage: state.base.stage!.index };
  if (state.baseContext !== undefined) return { context: state.baseContext };
  return { image: state.baseName };
}
