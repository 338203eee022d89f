// Checks the repository's GitHub metadata: every workflow under .github/workflows/ against GitHub's own
// workflow schema (@actions/workflow-parser, the parser behind the Actions language service), and
// action.yml against the action schema, the conventions in STYLE.md section 6, and README.md's inputs table.
import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  convertWorkflowTemplate,
  NoOperationTraceWriter,
  parseWorkflow,
  type WorkflowTemplate,
} from '@actions/workflow-parser';
import { parseAction } from '@actions/workflow-parser/actions/index';
import { parse as parseYaml } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const workflowsDir = join(root, '.github', 'workflows');
const actionPath = join(root, 'action.yml');
const readmePath = join(root, 'README.md');

const workflowFiles: readonly string[] = existsSync(workflowsDir)
  ? readdirSync(workflowsDir)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort()
  : [];

type Job = WorkflowTemplate['jobs'][number];
type Step = Extract<Job, { type: 'job' }>['steps'][number];

interface LoadedWorkflow {
  readonly errors: readonly string[];
  readonly template: WorkflowTemplate | undefined;
}

const loaded = new Map<string, Promise<LoadedWorkflow>>();

/** Parses and converts one workflow once; errors are every message the parser or the converter reported. */
function loadWorkflow(name: string): Promise<LoadedWorkflow> {
  let result = loaded.get(name);
  if (result === undefined) {
    result = (async () => {
      const content = readFileSync(join(workflowsDir, name), 'utf8');
      const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter());
      // Conversion adds its own errors (unknown `needs`, bad cron, ...) to the same context.
      const template =
        parsed.value === undefined ? undefined : await convertWorkflowTemplate(parsed.context, parsed.value);
      const errors = new Set(parsed.context.errors.getErrors().map((e) => e.message));
      for (const e of template?.errors ?? []) errors.add(e.Message);
      return { errors: [...errors], template };
    })();
    loaded.set(name, result);
  }
  return result;
}

function stepsOf(template: WorkflowTemplate): Step[] {
  return template.jobs.flatMap((job) => (job.type === 'job' ? job.steps : []));
}

function usesOf(step: Step): string | undefined {
  return 'uses' in step ? step.uses.value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A mapping from the parsed YAML, or {} where the key is absent or null (`outputs:` with nothing under it). */
function mappingAt(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = parent[key];
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw new Error(`${key}: expected a mapping, got ${JSON.stringify(value)}`);
  return value;
}

/** Names of entries whose `description` is missing, not a string, or blank. */
function undescribed(entries: Record<string, unknown>): string[] {
  return Object.entries(entries)
    .filter(
      ([, def]) => !isRecord(def) || typeof def.description !== 'string' || def.description.trim() === '',
    )
    .map(([name]) => name);
}

/** Input names in README table rows of the form "| `name` | ...". */
function readmeTableNames(lines: readonly string[]): string[] {
  return lines.flatMap((line) => {
    const match = /^\|\s*`([^`]+)`/.exec(line);
    return match?.[1] === undefined ? [] : [match[1]];
  });
}

/** The lines under a heading named "Inputs" (any level), up to the next heading of the same or a higher level. */
function inputsSection(readme: string): string[] | undefined {
  const lines = readme.split(/\r?\n/);
  const start = lines.findIndex((line) => /^#{1,6}\s+inputs\s*$/i.test(line));
  if (start === -1) return undefined;
  const level = /^#+/.exec(lines[start] ?? '')?.[0].length ?? 1;
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => {
    const hashes = /^(#{1,6})\s/.exec(line)?.[1];
    return hashes !== undefined && hashes.length <= level;
  });
  return end === -1 ? rest : rest.slice(0, end);
}

describe('.github/workflows', () => {
  test('has the workflow files', () => {
    // Guards the data-driven tests below against running zero cases.
    expect(workflowFiles.length).toBeGreaterThan(0);
    expect(workflowFiles).toEqual(expect.arrayContaining(['ci.yml', 'check-dist.yml']));
  });

  if (workflowFiles.length === 0) {
    test('parses every workflow', () => {
      throw new Error(`no *.yml or *.yaml files found in ${workflowsDir}`);
    });
    return;
  }

  test.each(workflowFiles)('%s parses without errors', async (name) => {
    const { errors, template } = await loadWorkflow(name);
    expect(errors).toEqual([]);
    expect(template).toBeDefined();
  });

  test.each(workflowFiles)('%s has at least one job with steps', async (name) => {
    const { template } = await loadWorkflow(name);
    expect(template?.jobs.length ?? 0).toBeGreaterThan(0);
    const withoutSteps = (template?.jobs ?? [])
      .filter((job) => job.type === 'job' && job.steps.length === 0)
      .map((job) => job.id.value);
    expect({ jobsWithoutSteps: withoutSteps }).toEqual({ jobsWithoutSteps: [] });
  });

  test('ci.yml runs the action itself with `uses: ./`', async () => {
    const { template } = await loadWorkflow('ci.yml');
    expect(template).toBeDefined();
    const uses = template === undefined ? [] : stepsOf(template).map(usesOf);
    expect(uses).toContain('./');
  });
});

const hasAction = existsSync(actionPath);
// Skipped only while action.yml has not been written yet; once it exists every check below runs.
const describeAction = hasAction ? describe : describe.skip;

/** action.yml as parsed by `yaml` (the parser @actions/workflow-parser uses), or the parse error. */
function readActionYaml(content: string): { readonly value: unknown; readonly error?: Error } {
  try {
    return { value: parseYaml(content) };
  } catch (error) {
    return { value: undefined, error: error instanceof Error ? error : new Error(String(error)) };
  }
}

describeAction(
  hasAction ? 'action.yml' : 'action.yml (SKIPPED: no action.yml at the repository root)',
  () => {
    const content = hasAction ? readFileSync(actionPath, 'utf8') : '';
    const action = readActionYaml(content);
    const manifest = isRecord(action.value) ? action.value : {};
    const inputs = () => mappingAt(manifest, 'inputs');
    const outputs = () => mappingAt(manifest, 'outputs');

    test('is a YAML mapping', () => {
      expect(action.error?.message).toBeUndefined();
      expect(isRecord(action.value)).toBe(true);
    });

    test("passes GitHub's action schema", () => {
      const parsed = parseAction({ name: 'action.yml', content }, new NoOperationTraceWriter());
      expect(parsed.context.errors.getErrors().map((e) => e.message)).toEqual([]);
    });

    test('runs dist/index.js on node24', () => {
      const runs = mappingAt(manifest, 'runs');
      expect({ using: runs.using, main: runs.main }).toEqual({ using: 'node24', main: 'dist/index.js' });
    });

    test('every input and output has a description', () => {
      expect(Object.keys(inputs()).length).toBeGreaterThan(0);
      expect({ inputs: undescribed(inputs()), outputs: undescribed(outputs()) }).toEqual({
        inputs: [],
        outputs: [],
      });
    });

    test("README.md's inputs table lists every input", () => {
      if (!existsSync(readmePath))
        throw new Error(`README.md is missing; it must document the inputs of action.yml`);
      const readme = readFileSync(readmePath, 'utf8');
      const documented = new Set(readmeTableNames(readme.split(/\r?\n/)));
      const missing = Object.keys(inputs()).filter((name) => !documented.has(name));
      expect({ missingFromReadme: missing }).toEqual({ missingFromReadme: [] });
    });

    test("README.md's inputs section lists no input that action.yml lacks", () => {
      if (!existsSync(readmePath))
        throw new Error(`README.md is missing; it must document the inputs of action.yml`);
      const section = inputsSection(readFileSync(readmePath, 'utf8'));
      if (section === undefined) return; // no "Inputs" heading: only the check above applies
      const declared = new Set(Object.keys(inputs()));
      const extra = readmeTableNames(section).filter((name) => !declared.has(name));
      expect({ notInActionYml: extra }).toEqual({ notInActionYml: [] });
    });

    test('ci.yml passes only declared inputs to `uses: ./` and reads only declared outputs', () => {
      const ciPath = join(workflowsDir, 'ci.yml');
      const ci: unknown = parseYaml(readFileSync(ciPath, 'utf8'));
      const jobs = isRecord(ci) ? mappingAt(ci, 'jobs') : {};
      const selfSteps = Object.values(jobs)
        .flatMap((job) => (isRecord(job) && Array.isArray(job.steps) ? (job.steps as unknown[]) : []))
        .filter(isRecord)
        .filter((step) => step.uses === './');
      expect(selfSteps.length).toBeGreaterThan(0);

      const declaredInputs = new Set(Object.keys(inputs()));
      const declaredOutputs = new Set(Object.keys(outputs()));
      const ciText = readFileSync(ciPath, 'utf8');
      const unknownInputs: string[] = [];
      const unknownOutputs: string[] = [];
      for (const step of selfSteps) {
        unknownInputs.push(
          ...Object.keys(mappingAt(step, 'with')).filter((name) => !declaredInputs.has(name)),
        );
        if (typeof step.id !== 'string') continue;
        const id = step.id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        for (const match of ciText.matchAll(new RegExp(`steps\\.${id}\\.outputs\\.([A-Za-z0-9_-]+)`, 'g'))) {
          const name = match[1];
          if (name !== undefined && !declaredOutputs.has(name)) unknownOutputs.push(name);
        }
      }
      expect({ unknownInputs, unknownOutputs }).toEqual({ unknownInputs: [], unknownOutputs: [] });
    });
  },
);
