// The stagecraft CLI: the same engine as the action, with local adapters.
//   stagecraft parse [--file F] [--format buildkit|json]
//   stagecraft plan  [build options] [--format text|json|mermaid]
//   stagecraft build [build options] [--report-md FILE] [--report-json FILE] [--baseline FILE]
//                                                             the main job on local defaults (alias: run)
//   stagecraft drift [build options] [--max-cache-age D]      a scheduled run's check, without building
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { execProcess } from './adapters/exec.js';
import { currentPlatform } from './adapters/host.js';
import { consoleLogger, fileReporter } from './adapters/local.js';
import { openStore } from './adapters/stores.js';
import { LOCAL_RUN, type RunContext } from './adapters/types.js';
import { fileWorkspace } from './adapters/workspace.js';
import { DockerfileError, dumpAst, parseDockerfile } from './dockerfile/index.js';
import { checkDrift, computeDrift, lookUpStages } from './drift/index.js';
import { addKeysToPlanJson, computeStageKeys, dockerfileKeyPart } from './keys/index.js';
import { renderDriftText } from './report/index.js';
import { run } from './main.js';
import { readKeyOptions } from './phases/keys.js';
import { INPUTS, InputError, toOptions, type InputName, type Options, type RawInputs } from './options.js';
import { parseSizeReportJson } from './size/index.js';
import {
  formatAllPlatform,
  parsePlatform,
  planErrorToJson,
  planStages,
  planToJson,
  renderPlanMermaid,
  renderPlanText,
  type PlanRequest,
} from './plan/index.js';
import { toStagesJson } from './stages/json.js';
import { parseStages } from './stages/index.js';

const USAGE = `Usage: stagecraft <command> [options]

Commands:
  parse   Parse a Dockerfile and print its syntax tree
            --file F            Dockerfile (default: Dockerfile)
            --format F          buildkit (BuildKit's dump format, default) or json (typed instructions)
  plan    Print which stages a target needs, in build order, and which are skipped
            build options (below), and --format text (default), json (with each stage's cache key) or mermaid
  build   The action's main job: plan, key, restore caches, docker buildx, save caches, measure the
          image, report. The report is printed and written as Markdown to --report-md FILE (default
          .stagecraft/report.md) and the image's size report as JSON to --report-json FILE (default
          .stagecraft/report.json). --baseline FILE compares with an earlier --report-json file;
          --baseline-image REF with an image in its registry. Budgets: --size-limit 150MB,
          --max-increase 5% or 10MB, --fail-on-budget false to only warn.
          Caches go to a local directory by default (--cache local, --cache-dir DIR). Alias: run.
          --mode scheduled makes it a scheduled rebuild (see drift).
  drift   What a scheduled rebuild would do, without building or storing anything: each base image's
          digest now (looked up in its registry, no pull) against the last scheduled run's (from the
          cache store), and the stages it would rebuild and why. --max-cache-age 7d also rebuilds stages
          whose cache is older.

Build options (the action's inputs, as flags; list inputs may be repeated):
  --file F  --context DIR  --target T  --platform P  --build-arg K=V  --build-context N=V  --tag T
  --label K=V  --annotation A  --push  --load  --output SPEC  --secret id=X,src=F  --ssh SPEC  --builder B
  --pull  --no-cache  --no-cache-filter STAGE  --network M  --add-host H:IP  --shm-size S  --ulimit U
  --provenance V  --sbom V  --cache-from SPEC  --cache-to SPEC  --cache gha|local|registry|off
  --cache-ref REPO  --cache-dir DIR  --cache-key-salt S  --size-limit S  --max-increase S
  --fail-on-budget true|false  --baseline-image REF  --mode auto|scheduled|normal  --max-cache-age D
  Every input also works under its action.yml name (--build-args, --tags, --secret-files, ...), except
  the pull request comment's (github-token, comment, comment-threshold).

Exit codes: 0 success, 1 Dockerfile or build error (or the image over its size budget), 2 usage error.
`;

class UsageError extends Error {}

type Io = { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream };

export async function cli(argv: readonly string[], io: Io = process): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'parse':
        return await parseCommand(rest, io);
      case 'plan':
        return await planCommand(rest, io);
      case 'build':
      case 'run':
        return await buildCommand(rest, io);
      case 'drift':
        return await driftCommand(rest, io);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError || isParseArgsError(error)) {
      io.stderr.write(`stagecraft: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
}

/** node:util's parseArgs errors, recognised by code (they may come from another realm under test runners). */
function isParseArgsError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')
  );
}

/** Singular, docker-style spellings of list inputs. */
const ALIASES: Readonly<Record<string, InputName>> = {
  platform: 'platforms',
  'build-arg': 'build-args',
  'build-context': 'build-contexts',
  tag: 'tags',
  label: 'labels',
  annotation: 'annotations',
  output: 'outputs',
  secret: 'secret-files',
  'no-cache-filter': 'no-cache-filters',
  'add-host': 'add-hosts',
};
const BOOLEAN_INPUTS: ReadonlySet<InputName> = new Set(['push', 'load', 'pull', 'no-cache']);

const BUILD_FLAGS = Object.fromEntries([
  ...INPUTS.map((name) =>
    BOOLEAN_INPUTS.has(name)
      ? [name, { type: 'boolean' as const }]
      : [name, { type: 'string' as const, multiple: true as const }],
  ),
  ...Object.keys(ALIASES).map((alias) => [alias, { type: 'string' as const, multiple: true as const }]),
  ['format', { type: 'string' as const }],
  ['report-md', { type: 'string' as const }],
  ['report-json', { type: 'string' as const }],
  ['baseline', { type: 'string' as const }],
]) as Record<string, { type: 'string'; multiple: true } | { type: 'boolean' }>;

type FlagValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

function parseBuildFlags(args: readonly string[]): FlagValues {
  return parseArgs({ args: [...args], options: BUILD_FLAGS, strict: true, allowPositionals: false })
    .values as FlagValues;
}

/** Inputs for the pull request comment, which the CLI never writes. */
const ACTION_ONLY_INPUTS: readonly InputName[] = ['github-token', 'comment', 'comment-threshold'];

/** The flags as the action's raw inputs: repeated values become lines, booleans `true`. */
function buildOptions(values: FlagValues): Options {
  const actionOnly = ACTION_ONLY_INPUTS.filter((name) => values[name] !== undefined);
  if (actionOnly.length > 0) {
    throw new UsageError(
      `${actionOnly.map((name) => `--${name}`).join(', ')}: the CLI writes no pull request comment`,
    );
  }
  const raw: RawInputs = {};
  const add = (name: InputName, value: string | boolean | (string | boolean)[] | undefined): void => {
    if (value === undefined) return;
    const lines = (Array.isArray(value) ? value : [value]).map(String);
    raw[name] = [raw[name], ...lines].filter((line) => line !== undefined).join('\n');
  };
  for (const name of INPUTS) add(name, values[name]);
  for (const [alias, name] of Object.entries(ALIASES)) add(name, values[alias]);
  // --secret takes buildx's `id=X,src=F` spelling; the input is `X=F`.
  if (values.secret !== undefined) {
    raw['secret-files'] = (raw['secret-files'] ?? '')
      .split('\n')
      .map((line) => secretFlagToInput(line))
      .join('\n');
  }
  return toOptions(raw, 'local');
}

function secretFlagToInput(spec: string): string {
  if (!spec.includes(',') && !spec.startsWith('id=')) return spec;
  const fields = new Map(spec.split(',').map((field) => field.split('=', 2) as [string, string]));
  const id = fields.get('id');
  const src = fields.get('src') ?? fields.get('source');
  if (id === undefined || src === undefined)
    throw new UsageError(`--secret: expected id=X,src=FILE, got ${spec}`);
  return `${id}=${src}`;
}

function planRequest(options: Options): PlanRequest {
  let platform;
  try {
    platform =
      options.platforms.length > 0
        ? parsePlatform(options.platforms[0]!, currentPlatform())
        : currentPlatform();
  } catch (error) {
    throw new UsageError(`--platform: ${(error as Error).message}`);
  }
  return {
    target: options.target,
    buildArgs: options.buildArgs,
    buildContexts: options.buildContexts,
    targetPlatform: platform,
    buildPlatform: currentPlatform(),
  };
}

function choose<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T {
  const chosen = value ?? allowed[0]!;
  if (!(allowed as readonly string[]).includes(chosen)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}; got ${JSON.stringify(chosen)}`);
  }
  return chosen as T;
}

async function readDockerfile(file: string, io: Io): Promise<Uint8Array | undefined> {
  try {
    return await readFile(file);
  } catch (error) {
    io.stderr.write(`${file}: cannot read: ${(error as Error).message}\n`);
    return undefined;
  }
}

async function parseCommand(args: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { file: { type: 'string' }, format: { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const format = choose('format', values.format, ['buildkit', 'json'] as const);
  const file = values.file ?? 'Dockerfile';
  const source = await readDockerfile(file, io);
  if (source === undefined) return 1;
  try {
    const ast = parseDockerfile(source);
    if (format === 'buildkit') io.stdout.write(dumpAst(ast) + '\n');
    else io.stdout.write(JSON.stringify(toStagesJson(parseStages(ast)), null, 2) + '\n');
    return 0;
  } catch (error) {
    return reportDockerfileError(error, file, io);
  }
}

function reportDockerfileError(error: unknown, file: string, io: Io): number {
  if (!(error instanceof DockerfileError)) throw error;
  io.stderr.write(`${error.withFile(file).format()}\n`);
  return 1;
}

async function planCommand(args: readonly string[], io: Io): Promise<number> {
  const values = parseBuildFlags(args);
  const format = choose('format', values.format as string | undefined, ['text', 'json', 'mermaid'] as const);
  const options = buildOptions(values);
  const request = planRequest(options);
  const source = await readDockerfile(options.file, io);
  if (source === undefined) return 1;
  try {
    if (source.length === 0) throw new DockerfileError('the Dockerfile cannot be empty');
    const staged = parseStages(parseDockerfile(source));
    const plan = planStages(staged, request);
    if (format === 'json') {
      // Keys need the build context's contents: hash what the reachable stages read.
      const { keyOptions } = await readKeyOptions(execProcess, process.cwd(), options, staged, plan, request);
      const keys = computeStageKeys(keyOptions);
      io.stdout.write(JSON.stringify(addKeysToPlanJson(planToJson(plan), keys), null, 2) + '\n');
    } else if (format === 'mermaid') {
      io.stdout.write(renderPlanMermaid(plan));
    } else {
      io.stdout.write(renderPlanText(plan, formatAllPlatform(request.targetPlatform)));
    }
    return 0;
  } catch (error) {
    if (!(error instanceof DockerfileError)) throw error;
    if (format === 'json') io.stdout.write(JSON.stringify(planErrorToJson(error), null, 2) + '\n');
    return reportDockerfileError(error, options.file, io);
  }
}

/** A size report written by `--report-json` (or stored as a baseline), for `--baseline`. */
async function readBaselineFile(file: string): Promise<SizeReportFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--baseline ${file}: cannot read: ${(error as Error).message}`);
  }
  const parsed = parseSizeReportJson(text);
  if (!parsed.ok) throw new UsageError(`--baseline ${file}: not a size report: ${parsed.reason}`);
  return { report: parsed.report, from: file };
}

type SizeReportFile = NonNullable<RunContext['baseline']>;

async function buildCommand(args: readonly string[], io: Io): Promise<number> {
  const values = parseBuildFlags(args);
  if (values.format !== undefined) throw new UsageError('--format is a plan option');
  const options = buildOptions(values);
  if (options.cache === 'gha')
    throw new UsageError('--cache gha needs a GitHub Actions runner; use local or registry');
  const reportFile = (values['report-md'] as string | undefined) ?? path.join('.stagecraft', 'report.md');
  const jsonFile = (values['report-json'] as string | undefined) ?? path.join('.stagecraft', 'report.json');
  const baselineFile = values.baseline as string | undefined;
  const baseline = baselineFile === undefined ? undefined : await readBaselineFile(baselineFile);
  const reporter = await fileReporter(reportFile);
  await rm(jsonFile, { force: true }); // a report left by an earlier run must not pass for this one's
  const result = await run(
    options,
    {
      logger: consoleLogger(io.stderr),
      reporter,
      workspace: fileWorkspace(process.cwd(), os.tmpdir()),
      exec: execProcess,
      openStore: (opts) =>
        openStore(opts, { exec: execProcess, env: process.env, runnerTemp: undefined, actions: false }),
      hostPlatform: currentPlatform(),
    },
    { ...LOCAL_RUN, baseline, reportJsonPath: path.resolve(jsonFile) },
  );
  io.stdout.write(await readFile(reportFile, 'utf8'));
  io.stderr.write(`\nReport written to ${reportFile}`);
  io.stderr.write(result.reportPath === undefined ? '\n' : ` and ${jsonFile}\n`);
  for (const [name, value] of reporter.outputs) {
    io.stderr.write(`output ${name}=${value.length > 200 ? `${value.slice(0, 200)}…` : value}\n`);
  }
  return result.exitCode;
}

/** `stagecraft drift`: steps 1–3 of a scheduled run, a lookup (no download) of each stage's cache, the drift. */
async function driftCommand(args: readonly string[], io: Io): Promise<number> {
  const values = parseBuildFlags(args);
  if (values.format !== undefined) throw new UsageError('--format is a plan option');
  const options = buildOptions(values);
  if (options.cache === 'gha')
    throw new UsageError('--cache gha needs a GitHub Actions runner; use local or registry');
  const request = planRequest(options);
  const source = await readDockerfile(options.file, io);
  if (source === undefined) return 1;
  let staged;
  let plan;
  try {
    if (source.length === 0) throw new DockerfileError('the Dockerfile cannot be empty');
    staged = parseStages(parseDockerfile(source));
    plan = planStages(staged, request);
  } catch (error) {
    return reportDockerfileError(error, options.file, io);
  }
  const { keyOptions } = await readKeyOptions(execProcess, process.cwd(), options, staged, plan, request);
  const store = await openStore(options, {
    exec: execProcess,
    env: process.env,
    runnerTemp: undefined,
    actions: false,
  });
  const warn = (message: string): void => {
    io.stderr.write(`warning: ${message}\n`);
  };
  const platform = formatAllPlatform(request.targetPlatform);
  const check = await checkDrift({
    exec: execProcess,
    store,
    scope: {
      dockerfile: dockerfileKeyPart(options.file),
      target: plan.stages[plan.targetIndex]!.displayName,
      platform,
    },
    keyOptions,
    onWarning: warn,
  });
  const restore =
    store === undefined ? undefined : await lookUpStages(store, check.restoreKeys, { onWarning: warn });
  const drift = computeDrift({
    plan,
    targetPlatform: request.targetPlatform,
    previous: check.previous,
    resolutions: check.resolutions,
    keys: check.keys,
    baseKeys: check.baseKeys,
    ...(restore === undefined ? {} : { restore }),
    ...(options.maxCacheAge === undefined ? {} : { maxCacheAgeMs: options.maxCacheAge }),
    now: new Date(),
  });
  io.stdout.write(renderDriftText(drift, { stageCount: check.keys.length }));
  return 0;
}
