// BuildKit's own answers for the stage graph (shared/conformance/stages): for every case and target, the
// stage that is built and every stage it needs, or BuildKit's error message.
import { afterAll, describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFORMANCE_DIR, haveSharedData } from '../../__tests__/support/conformance.js';
import { DockerfileError } from '../dockerfile/index.js';
import { planDockerfile } from './graph.js';
import { parsePlatform } from './platform.js';

const STAGES_DIR = path.join(CONFORMANCE_DIR, 'stages');
const present = haveSharedData(STAGES_DIR, 'Stage-graph conformance');

interface Run {
  target: string;
  target_index: number | null;
  reachable_indices: number[];
  reachable_in_order: string[];
  error: string | null;
}

const runs: { name: string; case: string; dockerfile: Buffer; args: Record<string, string>; run: Run }[] = [];
if (present) {
  for (const name of readdirSync(STAGES_DIR).sort()) {
    const dir = path.join(STAGES_DIR, name);
    if (name === 'FORMAT.md') continue;
    const expected = JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as {
      args: Record<string, string>;
      runs: Run[];
    };
    const dockerfile = readFileSync(path.join(dir, 'Dockerfile'));
    for (const run of expected.runs) {
      runs.push({
        name: `${name} --target=${JSON.stringify(run.target)}`,
        case: name,
        dockerfile,
        args: expected.args,
        run,
      });
    }
  }
}

const AMD64 = parsePlatform('linux/amd64');
let passed = 0;

(present ? describe : describe.skip)('stage-graph conformance', () => {
  afterAll(() => {
    const cases = new Set(runs.map((run) => run.case)).size;
    console.log(`conformance: stages ${passed}/${runs.length} runs passed across ${cases} cases`);
  });

  test('the data holds every case', () => {
    expect(new Set(runs.map((run) => run.case)).size).toBe(54);
    expect(runs).toHaveLength(192);
  });

  test.each(runs)('$name', ({ dockerfile, args, run }) => {
    const request = {
      target: run.target,
      buildArgs: new Map(Object.entries(args)),
      buildContexts: new Map<string, string>(),
      targetPlatform: AMD64,
      buildPlatform: AMD64,
    };
    if (run.error !== null) {
      let caught: unknown;
      try {
        planDockerfile(dockerfile, request);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(DockerfileError);
      expect((caught as Error).message).toBe(run.error);
    } else {
      const plan = planDockerfile(dockerfile, request);
      expect(plan.targetIndex).toBe(run.target_index);
      expect(plan.order).toEqual(run.reachable_indices);
      expect(plan.order.map((index) => plan.stages[index]!.displayName)).toEqual(run.reachable_in_order);
    }
    passed++;
  });
});
