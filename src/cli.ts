// The stagecraft CLI: the same engine as the action, with local adapters.
//   stagecraft parse [--file F] [--format buildkit|json]
//   stagecraft plan  [--file F] [--target T] [--build-arg K=V]... [--build-context N=V]... [--platform P] [--format text|json|mermaid]
//   stagecraft run   [plan options] [--report-md FILE]      the main job on local defaults
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { currentPlatform } from './adapters/host.js';
import { consoleLogger, fileReporter } from './adapters/local.js';
import { fileWorkspace } from './adapters/actions.js';
import { DockerfileError, dumpAst, parseDockerfile } from './dockerfile/index.js';
import { run } from './main.js';
import { InputError, toOptions, type Options } from './options.js';
import {
  formatAllPlatform,
  parsePlatform,
  planDockerfile,
  planErrorToJson,
  planToJson,
  renderPlanMermaid,
  renderPlanText,
} from './plan/index.js';
import { toStagesJson } from './stages/json.js';
import { parseStages } from './stages/index.js';

const USAGE = `Usage: stagecraft <command> [options]

Commands:
  parse   Parse a Dockerfile and print its syntax tree
            --file F            Dockerfile (default: Dockerfile)
            --format F          buildkit (BuildKit's dump format, default) or json (typed instructions)
  plan    Print which stages a target needs, in build order, and which are skipped
            --file F, --context DIR, --target T, --platform P
            --build-arg K=V         (repeatable) build argument
            --build-context N=V     (repeatable) named build context
            --format F          text (default), json or mermaid
  run     The action's main job on local defaults: plan, print the report and write it to a file
            plan's options, and --report-md FILE (default: .stagecraft/report.md)

Exit codes: 0 success, 1 Dockerfile or build error, 2 usage error.
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
      case 'run':
        return await runCommand(rest, io);
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

const PLAN_FLAGS = {
  file: { type: 'string' },
  context: { type: 'string' },
  target: { type: 'string' },
  platform: { type: 'string' },
  'build-arg': { type: 'string', multiple: true },
  'build-context': { type: 'string', multiple: true },
  format: { type: 'string' },
  'report-md': { type: 'string' },
} as const;

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

function planOptions(values: {
  file?: string | undefined;
  context?: string | undefined;
  target?: string | undefined;
  platform?: string | undefined;
  'build-arg'?: string[] | undefined;
  'build-context'?: string[] | undefined;
}): Options {
  return toOptions({
    file: values.file,
    context: values.context,
    target: values.target,
    platforms: values.platform,
    'build-args': (values['build-arg'] ?? []).join('\n'),
    'build-contexts': (values['build-context'] ?? []).join('\n'),
  });
}

async function planCommand(args: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: PLAN_FLAGS,
    strict: true,
    allowPositionals: false,
  });
  const format = choose('format', values.format, ['text', 'json', 'mermaid'] as const);
  const options = planOptions(values);
  let platform;
  try {
    platform =
      options.platforms.length > 0
        ? parsePlatform(options.platforms[0]!, currentPlatform())
        : currentPlatform();
  } catch (error) {
    throw new UsageError(`--platform: ${(error as Error).message}`);
  }
  const source = await readDockerfile(options.file, io);
  if (source === undefined) return 1;
  try {
    const plan = planDockerfile(source, {
      target: options.target,
      buildArgs: options.buildArgs,
      buildContexts: options.buildContexts,
      targetPlatform: platform,
      buildPlatform: currentPlatform(),
    });
    if (format === 'json') io.stdout.write(JSON.stringify(planToJson(plan), null, 2) + '\n');
    else if (format === 'mermaid') io.stdout.write(renderPlanMermaid(plan));
    else io.stdout.write(renderPlanText(plan, formatAllPlatform(platform)));
    return 0;
  } catch (error) {
    if (!(error instanceof DockerfileError)) throw error;
    if (format === 'json') io.stdout.write(JSON.stringify(planErrorToJson(error), null, 2) + '\n');
    return reportDockerfileError(error, options.file, io);
  }
}

async function runCommand(args: readonly string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: PLAN_FLAGS,
    strict: true,
    allowPositionals: false,
  });
  const options = planOptions(values);
  const reportFile = values['report-md'] ?? path.join('.stagecraft', 'report.md');
  const reporter = await fileReporter(reportFile);
  const result = await run(options, {
    logger: consoleLogger(io.stderr),
    reporter,
    workspace: fileWorkspace(process.cwd()),
    hostPlatform: currentPlatform(),
  });
  io.stdout.write(await readFile(reportFile, 'utf8'));
  io.stderr.write(`\nReport written to ${reportFile}\n`);
  for (const [name, value] of reporter.outputs)
    io.stderr.write(`output ${name}=${value.length > 200 ? `${value.slice(0, 200)}…` : value}\n`);
  return result.exitCode;
}
