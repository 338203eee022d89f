// The bake definition for one `docker buildx bake` run: one cache-only target per stage whose cache must be
// exported, plus the user's target. One solve: BuildKit shares the work between targets. Pure.
//
// Field names are buildx 0.13's bake JSON (bake/bake.go, `Target`). What that JSON cannot say:
//   - `network`: the field is `json:"-"` in 0.13; only a compose file sets it (`build.network`), so a
//     network other than the default comes as a second, compose-format file merged by target name.
//   - `add-hosts`: no field at all in 0.13 (neither JSON nor compose): see `bakeUnsupportedInputs`; the
//     wiring then builds with `docker buildx build` runs instead (args.ts).
//   - `push` / `load`: bake has only global `--push`/`--load` flags, which would also hit the cache-only
//     targets; they are folded into the user's target's `output` list instead (specs.ts `imageOutputs`).
// Strings in a bake JSON file are HCL templates (`${VAR}`, `%{…}`), keys included: every string is escaped.
import type { InputName, Options } from '../options.js';
import { attestSpecs, bakeDockerfile, imageOutputs, secretEnvironment, secretSpecs } from './specs.js';

/** A stage built only to export its cache. `name` is the stage's name in the Dockerfile (named stages only). */
export interface StageTarget {
  readonly name: string;
  readonly cacheTo: readonly string[];
}

export interface BakeFileInput {
  readonly options: Options;
  /** Stages whose key missed, except the target itself (its export goes in `targetCacheTo`). */
  readonly stageTargets: readonly StageTarget[];
  /** The target stage's own cache export, when its key missed; empty otherwise. */
  readonly targetCacheTo: readonly string[];
  /** The restored per-stage caches, for every target. `options.cacheFrom` is appended. */
  readonly cacheFrom: readonly string[];
  /** The stage the image is built from, as BuildKit's `--target`; undefined builds the last stage. */
  readonly targetName: string | undefined;
  /** The directory buildx runs in: relative paths in the options are relative to it. */
  readonly cwd: string;
}

/** One target of a buildx 0.13 bake JSON file; keys in the order they are written. */
export interface BakeTarget {
  readonly context: string;
  readonly dockerfile: string;
  readonly target?: string;
  readonly args?: Record<string, string>;
  readonly contexts?: Record<string, string>;
  readonly labels?: Record<string, string>;
  readonly tags?: string[];
  readonly annotations?: string[];
  readonly platforms?: string[];
  readonly secret?: string[];
  readonly ssh?: string[];
  readonly pull?: boolean;
  readonly 'no-cache'?: boolean;
  readonly 'no-cache-filter'?: string[];
  readonly 'shm-size'?: string;
  readonly ulimits?: string[];
  readonly attest?: string[];
  readonly 'cache-from'?: string[];
  readonly 'cache-to'?: string[];
  readonly output?: string[];
}

export interface BakeDefinition {
  readonly target: Record<string, BakeTarget>;
}

/** A compose-format file that bake merges into the targets of the same name: only `build.network`. */
export interface ComposeOverride {
  readonly services: Record<string, { readonly build: { readonly network: string } }>;
}

export interface BakeFile {
  readonly definition: BakeDefinition;
  /** Present when `options.network` is set: pass it as a second `--file`. */
  readonly compose: ComposeOverride | undefined;
  /** Bake target ids in build order: the stage targets, then the image target. Pass them all to bake. */
  readonly targets: readonly string[];
  /** The image target's id: the key of its entry in the metadata file. */
  readonly imageTarget: string;
  /** Stage name → its bake target id (the key of its entry in the metadata file). */
  readonly stageTargetIds: ReadonlyMap<string, string>;
  /** Values of the secret variables the specs name: add them to buildx's environment. */
  readonly secretEnv: Readonly<Record<string, string>>;
}

/** Inputs set in `options` that a buildx 0.13 bake file cannot express (build with `buildBuildArgs` then). */
export function bakeUnsupportedInputs(options: Options): InputName[] {
  return options.addHosts.length > 0 ? ['add-hosts'] : [];
}

export function buildBakeFile(input: BakeFileInput): BakeFile {
  const { options } = input;
  const unsupported = bakeUnsupportedInputs(options);
  if (unsupported.length > 0) {
    throw new Error(
      `buildBakeFile: buildx bake cannot express ${unsupported.join(', ')}; use buildBuildArgs`,
    );
  }
  const target = input.targetName?.toLowerCase();
  for (const stage of input.stageTargets) {
    if (stage.name.trim() === '') throw new Error('buildBakeFile: a stage target without a name');
    if (target !== undefined && stage.name.toLowerCase() === target) {
      throw new Error(
        `buildBakeFile: ${JSON.stringify(stage.name)} is the image target; give its export as targetCacheTo`,
      );
    }
  }

  const shared = sharedFields(options, input.cwd);
  const cacheFrom = [...input.cacheFrom, ...options.cacheFrom];
  const ids = new Set<string>();
  const stageTargetIds = new Map<string, string>();
  const targets: Record<string, BakeTarget> = {};

  for (const stage of input.stageTargets) {
    const id = uniqueId(stage.name, ids);
    stageTargetIds.set(stage.name, id);
    targets[id] = {
      context: shared.context,
      dockerfile: shared.dockerfile,
      target: stage.name,
      ...shared.build,
      ...listField('cache-from', cacheFrom),
      ...listField('cache-to', stage.cacheTo),
      output: ['type=cacheonly'],
    };
  }

  const imageTarget = uniqueId(input.targetName ?? 'image', ids);
  targets[imageTarget] = {
    context: shared.context,
    dockerfile: shared.dockerfile,
    ...(input.targetName === undefined ? {} : { target: input.targetName }),
    ...shared.args,
    ...mapField('labels', options.labels),
    ...listField('tags', options.tags),
    ...listField('annotations', options.annotations),
    ...shared.rest,
    ...listField('attest', attestSpecs(options)),
    ...listField('cache-from', cacheFrom),
    ...listField('cache-to', [...input.targetCacheTo, ...options.cacheTo]),
    ...listField('output', imageOutputs(options)),
  };

  const order = [...stageTargetIds.values(), imageTarget];
  const compose: ComposeOverride | undefined =
    options.network === undefined
      ? undefined
      : {
          services: Object.fromEntries(
            order.map((id) => [id, { build: { network: options.network! } }] as const),
          ),
        };
  return {
    definition: { target: escapeTemplates(targets) },
    compose,
    targets: order,
    imageTarget,
    stageTargetIds,
    secretEnv: secretEnvironment(options),
  };
}

/** The bake file's text: two-space JSON, one trailing newline. */
export function renderBakeFile(definition: BakeDefinition | ComposeOverride): string {
  return `${JSON.stringify(definition, null, 2)}\n`;
}

/** The fields every target shares, so their solves are the same and BuildKit runs each step once. */
function sharedFields(options: Options, cwd: string) {
  const args = {
    ...mapField('args', options.buildArgs),
    ...mapField('contexts', options.buildContexts),
  };
  const rest: Partial<BakeTarget> = {
    ...listField('platforms', options.platforms),
    ...listField('secret', secretSpecs(options)),
    ...listField('ssh', options.ssh),
    ...(options.pull ? { pull: true } : {}),
    ...(options.noCache ? { 'no-cache': true } : {}),
    ...listField('no-cache-filter', options.noCacheFilters),
    ...(options.shmSize === undefined ? {} : { 'shm-size': options.shmSize }),
    ...listField('ulimits', options.ulimits),
  };
  return {
    context: options.context,
    dockerfile: bakeDockerfile(options, cwd),
    args,
    rest,
    build: { ...args, ...rest },
  };
}

function listField<K extends string>(key: K, values: readonly string[]): Partial<Record<K, string[]>> {
  return values.length === 0 ? {} : ({ [key]: [...values] } as Partial<Record<K, string[]>>);
}

function mapField<K extends string>(
  key: K,
  values: ReadonlyMap<string, string>,
): Partial<Record<K, Record<string, string>>> {
  return values.size === 0
    ? {}
    : ({ [key]: Object.fromEntries(values) } as Partial<Record<K, Record<string, string>>>);
}

/** A bake target id (`[a-zA-Z0-9_-]+`, not starting with `-`) from a stage name, unique among `taken`. */
function uniqueId(name: string, taken: Set<string>): string {
  const base = name.replace(/[^a-zA-Z0-9_-]/g, '_').replace(/^-/, '_') || 'image';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  taken.add(id);
  return id;
}

/** Escapes HCL template sequences in every string, keys included: `${` → `$${`, `%{` → `%%{`. */
function escapeTemplates<T>(value: T): T {
  const escape = (text: string): string => text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
  if (typeof value === 'string') return escape(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => escapeTemplates(item)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [escape(key), escapeTemplates(item)]),
    ) as T;
  }
  return value;
}
