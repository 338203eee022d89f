// Each reachable stage's instructions as BuildKit dispatches them, reduced to the values that decide what
// it builds: keyword, flags and arguments, with ARG/ENV values substituted exactly where BuildKit expands
// them (SEMANTICS §9), plus the stages, images and context paths each instruction reads.
//
// Whitespace: every argument comes from the parser as words, so comments, blank lines, continuations and
// the blanks between words never reach the encoding. A shell-form RUN (or CMD, ENTRYPOINT, HEALTHCHECK)
// command is one string that BuildKit hands to the shell unchanged and hashes into the RUN's cache key;
// it is kept byte for byte. Collapsing blanks inside it would give a key that hits where BuildKit's own
// cache misses, so the stage would rebuild on every run and never be saved again.
import { DockerfileError, parseDockerfile, withLocation, type LineRange } from '../dockerfile/index.js';
import {
  normalizeContextName,
  formatAllPlatform,
  type Plan,
  type PlannedStage,
  type PlanRequest,
  type StageBase,
} from '../plan/index.js';
import {
  parseCommand,
  parseMount,
  stageDisplayName,
  type Instruction,
  type RunMount,
  type StagedDockerfile,
} from '../stages/index.js';
import { encodeCanonical, type Canonical } from './encode.js';
import { cleanContextPath, isRemoteSource } from './glob.js';
import { StageScope, type ArgSources, type Expanded } from './scope.js';
import type { ContextRead } from './types.js';

/** Where a `COPY --from`, a mount's `from=` or a FROM points: a stage, an image or a named context. */
export type SourceRef =
  | { readonly stage: number }
  | { readonly image: string }
  | { readonly context: string; readonly value: string | undefined };

export interface NormalizedInstruction {
  readonly line: number;
  /** The instruction as hashed: keyword, flags and arguments, expanded where BuildKit expands. */
  readonly encoded: { readonly [key: string]: Canonical };
  /** Reads of the main build context. */
  readonly reads: readonly ContextRead[];
  /** Stages, images and named contexts it copies or mounts from, in order. */
  readonly refs: readonly SourceRef[];
}

export interface NormalizedStage {
  readonly index: number;
  /** The stage's name, or `stage-<index>`. */
  readonly name: string;
  /** FormatAll form: the FROM's `--platform`, else the target platform. */
  readonly platform: string;
  readonly base: SourceRef;
  /** ONBUILD triggers of a base stage first, then the stage's own instructions. */
  readonly instructions: readonly NormalizedInstruction[];
}

interface Context {
  readonly dockerfile: StagedDockerfile;
  readonly request: PlanRequest;
  readonly args: ArgSources;
  /** Lowercased stage name → index; a later stage with the same name wins, as in the plan. */
  readonly stageByName: ReadonlyMap<string, number>;
}

/** The reachable stages in plan order, normalized. Throws `DockerfileError` where BuildKit would fail. */
export function normalizeStages(
  plan: Plan,
  dockerfile: StagedDockerfile,
  request: PlanRequest,
): NormalizedStage[] {
  const stageByName = new Map<string, number>();
  for (const stage of dockerfile.stages)
    if (stage.name !== undefined) stageByName.set(stage.name, stage.index);
  const context: Context = {
    dockerfile,
    request,
    args: { buildArgs: request.buildArgs, globalArgs: plan.globalArgs },
    stageByName,
  };
  const finalScopes = new Map<number, StageScope>();
  const stages: NormalizedStage[] = [];
  for (const index of plan.order) {
    const planned = plan.stages[index]!;
    const scope = initialScope(planned.base, finalScopes, dockerfile.escapeToken);
    const instructions = [
      ...triggersOf(planned.base, dockerfile),
      ...dockerfile.stages[index]!.instructions,
    ].map((instruction) => normalizeInstruction(instruction, scope, planned, context));
    finalScopes.set(index, scope);
    stages.push({
      index,
      name: stageDisplayName(dockerfile.stages[index]!),
      platform: planned.platform ?? formatAllPlatform(request.targetPlatform),
      base: baseRef(planned.base, request),
      instructions,
    });
  }
  return stages;
}

function initialScope(base: StageBase, finalScopes: Map<number, StageScope>, escape: string): StageScope {
  if ('stage' in base) {
    const parent = finalScopes.get(base.stage);
    if (parent === undefined) throw new Error(`keys: base stage ${base.stage} is not before its child`);
    return parent.inherit();
  }
  if ('image' in base && base.image === 'scratch') return StageScope.onScratch(escape);
  return StageScope.onImage(escape);
}

function baseRef(base: StageBase, request: PlanRequest): SourceRef {
  if ('context' in base) return { context: base.context, value: request.buildContexts.get(base.context) };
  return base;
}

/** A base stage's ONBUILD triggers run first in the child, parsed anew with default directives. */
function triggersOf(base: StageBase, dockerfile: StagedDockerfile): Instruction[] {
  if (!('stage' in base)) return [];
  const triggers: Instruction[] = [];
  for (const instruction of dockerfile.stages[base.stage]!.instructions) {
    if (instruction.kind !== 'onbuild') continue;
    try {
      const ast = parseDockerfile(instruction.expression);
      if (ast.instructions.length !== 1)
        throw new DockerfileError('onbuild trigger should be a single expression');
      triggers.push(parseCommand({ ...ast.instructions[0]!, range: instruction.range }));
    } catch (error) {
      throw withLocation(error, instruction.range);
    }
  }
  return triggers;
}

function normalizeInstruction(
  instruction: Instruction,
  scope: StageScope,
  holder: PlannedStage,
  context: Context,
): NormalizedInstruction {
  const range = instruction.range;
  const line = range.start;
  const expand = (word: string): string => scope.expand(word, range).value;
  const plain = (encoded: NormalizedInstruction['encoded']): NormalizedInstruction => ({
    line,
    encoded,
    reads: [],
    refs: [],
  });

  switch (instruction.kind) {
    case 'env':
      return plain({ keyword: 'ENV', env: scope.applyEnv(instruction.env, range) });
    case 'label':
      return plain({
        keyword: 'LABEL',
        labels: instruction.labels.map(({ key, value }) => [expand(key), expand(value)]),
      });
    case 'maintainer':
      return plain({ keyword: 'MAINTAINER', maintainer: instruction.maintainer });
    case 'copy':
    case 'add':
      return normalizeCopy(instruction, scope, holder, context);
    case 'onbuild':
      // Metadata here; the trigger runs (and is keyed) in the stages built FROM this one.
      return plain({ keyword: 'ONBUILD', expression: instruction.expression });
    case 'workdir':
      return plain({ keyword: 'WORKDIR', path: expand(instruction.path) });
    case 'run':
      return normalizeRun(instruction, scope, holder, context);
    case 'cmd':
    case 'entrypoint':
      return plain({
        keyword: instruction.kind.toUpperCase(),
        args: instruction.command.args,
        shell: instruction.command.prependShell,
      });
    case 'healthcheck':
      return plain({
        keyword: 'HEALTHCHECK',
        test: instruction.test,
        interval: instruction.interval,
        timeout: instruction.timeout,
        startPeriod: instruction.startPeriod,
        startInterval: instruction.startInterval,
        retries: instruction.retries,
      });
    case 'expose':
      return plain({
        keyword: 'EXPOSE',
        ports: instruction.ports.flatMap((port) => scope.expandWords(port, range)),
      });
    case 'user':
      return plain({ keyword: 'USER', user: expand(instruction.user) });
    case 'volume':
      return plain({ keyword: 'VOLUME', volumes: instruction.volumes.map(expand) });
    case 'stopsignal':
      return plain({ keyword: 'STOPSIGNAL', signal: expand(instruction.signal) });
    case 'arg':
      return plain({ keyword: 'ARG', args: scope.applyArgs(instruction.args, context.args, range) });
    case 'shell':
      return plain({ keyword: 'SHELL', shell: instruction.shell });
    default: {
      const unknown: never = instruction;
      throw new Error(`keys: unhandled instruction ${(unknown as Instruction).kind}`);
    }
  }
}

type CopyLike = Extract<Instruction, { kind: 'copy' | 'add' }>;

function normalizeCopy(
  instruction: CopyLike,
  scope: StageScope,
  holder: PlannedStage,
  context: Context,
): NormalizedInstruction {
  const range = instruction.range;
  const expand = (word: string | undefined): string | undefined =>
    word === undefined ? undefined : scope.expand(word, range).value;
  const sources = instruction.files.sources.map((source) => scope.expand(source, range));
  const contents = instruction.files.contents.map(({ path, data, expand: expandBody }) => ({
    path,
    data: expandBody ? scope.expandRaw(data, range).value : data,
  }));
  const from = instruction.kind === 'copy' ? instruction.from : undefined;
  const encoded: { [key: string]: Canonical } = {
    keyword: instruction.kind.toUpperCase(),
    sources: sources.map((source) => source.value),
    contents,
    dest: expand(instruction.files.dest),
    chown: expand(instruction.chown),
    chmod: expand(instruction.chmod),
    link: instruction.link,
    exclude: instruction.exclude,
  };
  if (instruction.kind === 'copy') {
    encoded.from = instruction.from;
    encoded.parents = instruction.parents;
  } else {
    encoded.checksum = expand(instruction.checksum);
    encoded.keepGitDir = instruction.keepGitDir;
    encoded.unpack = instruction.unpack;
  }
  if (from !== undefined) {
    return { line: range.start, encoded, reads: [], refs: [resolveRef(from, holder, context)] };
  }
  const local = sources.filter((source) => !isRemoteSource(source.value));
  const parents = instruction.kind === 'copy' && instruction.parents;
  const read = copyRead(local, instruction.exclude, parents, holder.index, range);
  return { line: range.start, encoded, reads: read === undefined ? [] : [read], refs: [] };
}

function copyRead(
  sources: readonly Expanded[],
  excludes: readonly string[],
  parents: boolean,
  stage: number,
  range: LineRange,
): ContextRead | undefined {
  if (sources.length === 0) return undefined;
  if (sources.some((source) => !source.certain)) return wholeContext(stage, range);
  const paths = sources.map((source) => {
    const path = cleanContextPath(source.value);
    // `--parents` sources are include patterns, where `**` spans directories: read from above it.
    if (!parents || !path.includes('**')) return path;
    const parts = path.split('/');
    return parts
      .slice(
        0,
        parts.findIndex((part) => part.includes('**')),
      )
      .join('/');
  });
  return contextRead(stage, range, paths, true, excludes);
}

function wholeContext(stage: number, range: LineRange): ContextRead {
  return contextRead(stage, range, [''], false, []);
}

function contextRead(
  stage: number,
  range: LineRange,
  sources: readonly string[],
  wildcards: boolean,
  excludes: readonly string[],
): ContextRead {
  const unique = [...new Set(sources)];
  return {
    id: encodeCanonical({ sources: unique, wildcards, excludes }),
    stage,
    line: range.start,
    sources: unique,
    wildcards,
    excludes,
  };
}

type RunInstruction = Extract<Instruction, { kind: 'run' }>;

function normalizeRun(
  instruction: RunInstruction,
  scope: StageScope,
  holder: PlannedStage,
  context: Context,
): NormalizedInstruction {
  const range = instruction.range;
  const reads: ContextRead[] = [];
  const refs: SourceRef[] = [];
  const mounts = instruction.mounts.map((written) => {
    let certain = true;
    let mount: RunMount;
    try {
      mount = parseMount(written.raw, (word) => {
        const expanded = scope.expand(word, range);
        certain &&= expanded.certain;
        return expanded.value;
      });
    } catch (error) {
      throw withLocation(error, range);
    }
    if (mount.from !== undefined) refs.push(resolveRef(mount.from, holder, context));
    else if (mount.type === 'bind') {
      reads.push(
        certain
          ? contextRead(holder.index, range, [cleanContextPath(mount.source ?? '')], false, [])
          : wholeContext(holder.index, range),
      );
    }
    return encodeMount(mount);
  });
  return {
    line: range.start,
    encoded: {
      keyword: 'RUN',
      command: instruction.command.args,
      shell: instruction.command.prependShell,
      heredocs: instruction.heredocs.map((heredoc) => ({
        name: heredoc.name,
        content: heredoc.content,
        expand: heredoc.expand,
        chomp: heredoc.chomp,
        fileDescriptor: heredoc.fileDescriptor,
      })),
      mounts,
      network: instruction.network ?? 'default',
      security: instruction.security ?? 'sandbox',
      devices: instruction.devices,
      // The RUN's environment: ENV and declared ARG values, so `ARG X` before a RUN keys it on X.
      env: scope.entries(),
    },
    reads,
    refs,
  };
}

/** A mount's values after expansion; `raw` (the text as written) is left out. */
function encodeMount(mount: RunMount): { [key: string]: Canonical } {
  return {
    type: mount.type,
    from: mount.from,
    source: mount.source,
    target: mount.target,
    readOnly: mount.readOnly,
    id: mount.id,
    sharing: mount.sharing,
    mode: mount.mode,
    uid: mount.uid,
    gid: mount.gid,
    size: mount.size,
    required: mount.required,
    env: mount.env,
  };
}

/** `--from`/`from=`: a stage by index or name, else an image, or a named context replacing that image. */
function resolveRef(name: string, holder: PlannedStage, context: Context): SourceRef {
  if (/^[+-]?[0-9]+$/.test(name)) {
    const index = Number(name);
    if (context.dockerfile.stages[index] !== undefined) return { stage: index };
  }
  const stage = context.stageByName.get(name.toLowerCase());
  if (stage !== undefined) return { stage };
  // The plan lists the images a stage reads; one it leaves out was replaced by a named context.
  if (name.toLowerCase() === 'scratch' || holder.images.includes(name)) return { image: name };
  const key = namedContextKey(name, context.request.buildContexts);
  return {
    context: key ?? name,
    value: key === undefined ? undefined : context.request.buildContexts.get(key),
  };
}

/** The `--build-context` name that stands for `name`, compared as BuildKit normalizes context names. */
function namedContextKey(name: string, contexts: ReadonlyMap<string, string>): string | undefined {
  const wanted = normalizedOrSelf(name);
  for (const key of contexts.keys()) if (normalizedOrSelf(key) === wanted) return key;
  return undefined;
}

function normalizedOrSelf(name: string): string {
  try {
    return normalizeContextName(name);
  } catch {
    return name;
  }
}

/** Every read of the main build context by the stages the target reaches, in plan order. */
export function collectContextReads(
  plan: Plan,
  dockerfile: StagedDockerfile,
  request: PlanRequest,
): ContextRead[] {
  return normalizeStages(plan, dockerfile, request).flatMap((stage) =>
    stage.instructions.flatMap((instruction) => instruction.reads),
  );
}
