// Argument vectors for `docker buildx bake` and `docker buildx build`. Never a shell string: each value is
// one argv element, whatever it contains. Pure.
import type { Options } from '../options.js';
import { attestSpecs, imageOutputs, keyValues, secretSpecs } from './specs.js';

/** buildx `--progress` modes; stagecraft parses `plain`. */
export type ProgressMode = 'plain' | 'rawjson' | 'tty' | 'auto' | 'quiet';

export interface BakeArgsInput {
  /** The bake JSON file (bake-file.ts `renderBakeFile`). */
  readonly bakeFile: string;
  /** The compose override carrying `network`, when the bake file came with one. */
  readonly composeFile?: string | undefined;
  readonly metadataFile: string;
  readonly builder?: string | undefined;
  readonly progress: ProgressMode;
  /** Target ids to build, in order (bake-file.ts `BakeFile.targets`). */
  readonly targets: readonly string[];
}

/** `docker buildx bake [--builder B] --file F [--file C] --metadata-file M --progress=P <targets…>`. */
export function buildBakeArgs(input: BakeArgsInput): string[] {
  if (input.targets.length === 0) throw new Error('buildBakeArgs: no targets');
  for (const target of input.targets) {
    if (!/^[a-zA-Z0-9_][a-zA-Z0-9_-]*$/.test(target)) {
      throw new Error(`buildBakeArgs: ${JSON.stringify(target)} is not a bake target id`);
    }
  }
  return [
    'docker',
    'buildx',
    'bake',
    ...optional('--builder', input.builder),
    '--file',
    input.bakeFile,
    ...optional('--file', input.composeFile),
    '--metadata-file',
    input.metadataFile,
    `--progress=${input.progress}`,
    ...input.targets,
  ];
}

export interface BuildArgsInput {
  readonly options: Options;
  /**
   * `image`: the user's target with its tags, labels, outputs, push/load and attestations.
   * `cache-only`: a stage built only to export its cache (`--output type=cacheonly`), with nothing else.
   */
  readonly kind: 'image' | 'cache-only';
  /** The stage to build (`--target`); undefined builds the last stage. */
  readonly target: string | undefined;
  /** Restored caches; `options.cacheFrom` is appended. */
  readonly cacheFrom: readonly string[];
  /** This build's cache exports; for an image build `options.cacheTo` is appended. */
  readonly cacheTo: readonly string[];
  readonly metadataFile?: string | undefined;
  readonly progress: ProgressMode;
}

/**
 * `docker buildx build …` for one target: the fallback when bake cannot be used (no cache export on the
 * builder, `cache: off`, or inputs bake cannot express such as `add-hosts`), or one step of a sequence of
 * cache-only stage builds followed by the image build. Secrets name the same environment variables as the
 * bake file (specs.ts `secretEnvironment`). `options.file` and `options.context` are passed as written:
 * buildx resolves both against its working directory.
 */
export function buildBuildArgs(input: BuildArgsInput): string[] {
  const { options } = input;
  const image = input.kind === 'image';
  const argv = ['docker', 'buildx', 'build', ...optional('--builder', options.builder)];
  argv.push('--file', options.file);
  if (input.target !== undefined) argv.push('--target', input.target);
  argv.push(...repeat('--build-arg', keyValues(options.buildArgs)));
  argv.push(...repeat('--build-context', keyValues(options.buildContexts)));
  if (options.platforms.length > 0) argv.push('--platform', options.platforms.join(','));
  argv.push(...repeat('--secret', secretSpecs(options)));
  argv.push(...repeat('--ssh', options.ssh));
  if (options.pull) argv.push('--pull');
  if (options.noCache) argv.push('--no-cache');
  argv.push(...repeat('--no-cache-filter', options.noCacheFilters));
  argv.push(...optional('--network', options.network));
  argv.push(...repeat('--add-host', options.addHosts));
  argv.push(...optional('--shm-size', options.shmSize));
  argv.push(...repeat('--ulimit', options.ulimits));
  if (image) {
    argv.push(...repeat('--tag', options.tags));
    argv.push(...repeat('--label', keyValues(options.labels)));
    argv.push(...repeat('--annotation', options.annotations));
    argv.push(...repeat('--attest', attestSpecs(options)));
  }
  argv.push(...repeat('--cache-from', [...input.cacheFrom, ...options.cacheFrom]));
  argv.push(...repeat('--cache-to', image ? [...input.cacheTo, ...options.cacheTo] : input.cacheTo));
  argv.push(...repeat('--output', image ? imageOutputs(options) : ['type=cacheonly']));
  argv.push(...optional('--metadata-file', input.metadataFile));
  argv.push(`--progress=${input.progress}`);
  // A context that starts with `-` would read as a flag.
  argv.push(options.context.startsWith('-') ? `./${options.context}` : options.context);
  return argv;
}

function optional(flag: string, value: string | undefined): string[] {
  return value === undefined ? [] : [flag, value];
}

function repeat(flag: string, values: readonly string[]): string[] {
  return values.flatMap((value) => [flag, value]);
}
