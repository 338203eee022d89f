// What the builder can do: buildx's version, the builder, its driver, BuildKit's version, and whether it can
// export caches and build for several platforms. `detectBuilder` runs three commands once; everything it
// reads is parsed by the pure functions below, tested on output recorded from this machine (testdata/).
import { RunError, tailLines, type Exec } from '../adapters/exec.js';
import type { Options } from '../options.js';

export interface BuilderInfo {
  /** `0.13.1`, `0.13.1+ds1` (Debian): the version as buildx prints it, without a leading `v`. */
  readonly buildxVersion: string;
  /** The builder's name (`default` for the engine's own). */
  readonly builder: string;
  /** `docker`, `docker-container`, `kubernetes` or `remote`. */
  readonly driver: string;
  /**
   * BuildKit's version as the builder reports it (`v0.13.2`); undefined when it is not reported or is the
   * unstamped `v0.0.0+unknown` of distribution builds of dockerd.
   */
  readonly buildkitVersion: string | undefined;
  /** The Docker engine uses the containerd image store (`docker info`: driver-type io.containerd.snapshotter.v1). */
  readonly containerdStore: boolean;
  /** `--cache-to` works (the docker driver needs the containerd image store for it). */
  readonly supportsCacheExport: boolean;
  /** Several platforms in one build, and loading the result, work. */
  readonly supportsMultiPlatform: boolean;
  /** The platforms the builder's nodes report (`*` marks dropped). */
  readonly platforms: readonly string[];
  /** The engine's version from `docker info`, when it answered. */
  readonly dockerVersion: string | undefined;
}

/** `docker buildx` is missing or does not run: the message says what the command printed. */
export class BuildxUnavailableError extends Error {
  override readonly name = 'BuildxUnavailableError';
}

export interface DetectCommands {
  readonly version: readonly string[];
  readonly inspect: readonly string[];
  readonly info: readonly string[];
}

/** The fields of `docker info` we read, as one JSON object. */
export const DOCKER_INFO_FORMAT =
  '{"serverVersion":{{json .ServerVersion}},"driver":{{json .Driver}},"driverStatus":{{json .DriverStatus}}}';

/**
 * The three commands. `--debug` makes `buildx inspect` print the driver's feature list (Cache export,
 * Multi-platform build, …), buildx's own verdict; `--bootstrap` starts a stopped builder so it can answer.
 */
export function buildDetectArgs(builder?: string): DetectCommands {
  return {
    version: ['docker', 'buildx', 'version'],
    inspect: [
      'docker',
      '--debug',
      'buildx',
      'inspect',
      '--bootstrap',
      ...(builder === undefined ? [] : [builder]),
    ],
    info: ['docker', 'info', '--format', DOCKER_INFO_FORMAT],
  };
}

export interface DetectOptions {
  readonly builder?: string | undefined;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Runs `docker buildx version`, `docker --debug buildx inspect --bootstrap [builder]` and `docker info`.
 * Throws BuildxUnavailableError when buildx is missing, RunError when inspecting the builder fails. A
 * failing `docker info` (a remote builder without a local engine) only means no containerd store is seen.
 */
export async function detectBuilder(exec: Exec, options: DetectOptions = {}): Promise<BuilderInfo> {
  const commands = buildDetectArgs(options.builder);
  const execOptions = {
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  // All three at once (they take ~0.1 s each); the version decides whether the others mean anything.
  const [version, inspect, info] = await Promise.all([
    exec(commands.version, execOptions).catch((error: unknown) => asError(error)),
    exec(commands.inspect, execOptions).catch((error: unknown) => asError(error)),
    exec(commands.info, execOptions).catch(() => undefined),
  ]);
  if (version instanceof Error) {
    throw new BuildxUnavailableError(`docker buildx is not available: ${version.message}`);
  }
  if (version.exitCode !== 0) {
    throw new BuildxUnavailableError(
      `docker buildx is not available: ${tailLines(version.stderr || version.stdout, 3) || `exit code ${version.exitCode}`}`,
    );
  }
  if (inspect instanceof Error) throw inspect;
  if (inspect.exitCode !== 0) {
    throw new RunError(commands.inspect, inspect.exitCode, tailLines(inspect.stderr || inspect.stdout));
  }
  return resolveBuilderInfo(
    version.stdout,
    inspect.stdout,
    info !== undefined && info.exitCode === 0 ? info.stdout : undefined,
  );
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** `github.com/docker/buildx v0.13.1 788433953…` or Debian's `github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3`. */
export function parseBuildxVersion(text: string): string {
  const match = /^\S*buildx\S*\s+v?(\d+\.\d+\.\d+\S*)/m.exec(text.trim());
  if (match === null)
    throw new Error(`cannot read a version from docker buildx version: ${JSON.stringify(text.trim())}`);
  return match[1]!;
}

export interface InspectNode {
  readonly name: string;
  readonly endpoint: string | undefined;
  readonly status: string | undefined;
  readonly error: string | undefined;
  readonly buildkitVersion: string | undefined;
  readonly platforms: readonly string[];
  /** `Features:` (printed with `docker --debug`): name → supported. */
  readonly features: ReadonlyMap<string, boolean>;
  readonly labels: ReadonlyMap<string, string>;
}

export interface InspectResult {
  readonly name: string;
  readonly driver: string;
  readonly error: string | undefined;
  readonly nodes: readonly InspectNode[];
}

interface NodeDraft {
  name: string;
  fields: Map<string, string>;
  features: Map<string, boolean>;
  labels: Map<string, string>;
}

/**
 * `docker buildx inspect` text: `Key: value` lines for the builder, then `Nodes:` with one block per node
 * (each opened by `Name:`), whose `Features:` and `Labels:` sections are indented lines. Reads buildx 0.13's
 * `BuildKit version:` and older `BuildKit:` / `Buildkit:` alike.
 */
export function parseBuilderInspect(text: string): InspectResult {
  const builder = new Map<string, string>();
  const nodes: NodeDraft[] = [];
  let section: 'features' | 'labels' | 'other' | undefined;
  let inNodes = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const indented = /^\s/.test(line);
    const colon = line.indexOf(':');
    const key = colon === -1 ? line.trim() : line.slice(0, colon).trim();
    const value = colon === -1 ? '' : line.slice(colon + 1).trim();
    const node = nodes[nodes.length - 1];
    if (indented) {
      if (node === undefined) continue;
      if (section === 'features') node.features.set(key, value === 'true');
      else if (section === 'labels') node.labels.set(key, value);
      continue;
    }
    section = undefined;
    if (!inNodes) {
      if (key === 'Nodes' && value === '') inNodes = true;
      else builder.set(key, value);
      continue;
    }
    if (key === 'Name') {
      nodes.push({ name: value, fields: new Map(), features: new Map(), labels: new Map() });
    } else if (node !== undefined) {
      if (key === 'Features' && value === '') section = 'features';
      else if (key === 'Labels' && value === '') section = 'labels';
      else if (value === '') section = 'other';
      else node.fields.set(key, value);
    }
  }
  const name = builder.get('Name');
  const driver = builder.get('Driver');
  if (name === undefined || driver === undefined) {
    throw new Error(
      `cannot read the builder's name and driver from docker buildx inspect: ${JSON.stringify(text.slice(0, 200))}`,
    );
  }
  return {
    name,
    driver,
    error: builder.get('Error'),
    nodes: nodes.map((node) => ({
      name: node.name,
      endpoint: node.fields.get('Endpoint'),
      status: node.fields.get('Status'),
      error: node.fields.get('Error'),
      buildkitVersion:
        node.fields.get('BuildKit version') ?? node.fields.get('BuildKit') ?? node.fields.get('Buildkit'),
      platforms: (node.fields.get('Platforms') ?? '')
        .split(',')
        .map((platform) => platform.trim().replace(/\*$/, ''))
        .filter((platform) => platform !== ''),
      features: node.features,
      labels: node.labels,
    })),
  };
}

export interface DockerInfo {
  readonly serverVersion: string | undefined;
  readonly storageDriver: string | undefined;
  readonly containerdStore: boolean;
}

/** The JSON object `docker info --format DOCKER_INFO_FORMAT` prints. */
export function parseDockerInfo(text: string): DockerInfo {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`cannot read docker info: ${JSON.stringify(text.trim().slice(0, 200))}`);
  }
  const info = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const status = Array.isArray(info.driverStatus) ? (info.driverStatus as unknown[]) : [];
  const containerdStore = status.some(
    (pair) => Array.isArray(pair) && pair[0] === 'driver-type' && pair[1] === 'io.containerd.snapshotter.v1',
  );
  return {
    serverVersion: typeof info.serverVersion === 'string' ? info.serverVersion : undefined,
    storageDriver: typeof info.driver === 'string' ? info.driver : undefined,
    containerdStore,
  };
}

/**
 * Combines the three outputs. Support comes from the driver's feature list where buildx printed one (every
 * node must have the feature); otherwise from the rule buildx 0.13 applies (driver/docker/driver.go): the
 * docker driver can export caches and build multi-platform only on the containerd image store; the other
 * drivers run their own BuildKit and can.
 */
export function resolveBuilderInfo(
  versionText: string,
  inspectText: string,
  infoText: string | undefined,
): BuilderInfo {
  const inspect = parseBuilderInspect(inspectText);
  const failure = inspect.error ?? inspect.nodes.find((node) => node.error !== undefined)?.error;
  if (failure !== undefined) throw new Error(`builder ${inspect.name} (${inspect.driver}): ${failure}`);
  const info = infoText === undefined ? undefined : parseDockerInfo(infoText);
  const containerdStore = info?.containerdStore ?? false;
  const ruleSays = inspect.driver !== 'docker' || containerdStore;
  const feature = (name: string): boolean => {
    const listed = inspect.nodes.filter((node) => node.features.has(name));
    if (listed.length === 0) return ruleSays;
    return listed.every((node) => node.features.get(name) === true);
  };
  const version = inspect.nodes.map((node) => node.buildkitVersion).find((v) => v !== undefined);
  return {
    buildxVersion: parseBuildxVersion(versionText),
    builder: inspect.name,
    driver: inspect.driver,
    buildkitVersion: version === undefined || /^v?0\.0\.0\b/.test(version) ? undefined : version,
    containerdStore,
    supportsCacheExport: feature('Cache export'),
    supportsMultiPlatform: feature('Multi-platform build'),
    platforms: [...new Set(inspect.nodes.flatMap((node) => node.platforms))],
    dockerVersion: info?.serverVersion,
  };
}

/**
 * Why per-stage caches cannot be exported on this builder, for the log; undefined when they can. The build
 * then goes ahead without per-stage export rather than failing.
 */
export function explainNoCacheExport(info: BuilderInfo): string | undefined {
  if (info.supportsCacheExport) return undefined;
  if (info.driver === 'docker' && !info.containerdStore) {
    return (
      `builder ${info.builder} uses the docker driver without the containerd image store, which cannot ` +
      'export build caches (only inline); building without per-stage caches. Enable the containerd image ' +
      'store ({"features":{"containerd-snapshotter":true}} in daemon.json) or use a docker-container builder ' +
      '(docker/setup-buildx-action).'
    );
  }
  return `builder ${info.builder} (${info.driver} driver) cannot export build caches; building without per-stage caches.`;
}

/**
 * Inputs this builder cannot honour, each naming the inputs and the builder; empty when it can. Checked
 * before anything is restored, so the job fails up front as with conflicting inputs.
 */
export function checkBuilderSupport(options: Options, info: BuilderInfo): string[] {
  const problems: string[] = [];
  if (options.platforms.length > 1 && !info.supportsMultiPlatform) {
    const why =
      info.driver === 'docker' && !info.containerdStore
        ? 'the docker driver builds several platforms only with the containerd image store'
        : 'the builder does not support multi-platform builds';
    problems.push(
      `Input platforms lists ${options.platforms.length} platforms (${options.platforms.join(', ')}) but builder ${info.builder} (${info.driver} driver) cannot build them: ${why}`,
    );
  }
  return problems;
}
