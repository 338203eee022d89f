import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expectGolden } from '../../__tests__/support/golden.js';
import { planDockerfile } from './graph.js';
import { parsePlatform } from './platform.js';
import { planErrorToJson, planToJson, reasonsFor, renderPlanMermaid, renderPlanText } from './render.js';

const TESTDATA = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testdata');
const AMD64 = parsePlatform('linux/amd64');
const cases = readdirSync(TESTDATA).filter((name) => name.startsWith('render-'));

function planCase(name: string) {
  return planDockerfile(readFileSync(path.join(TESTDATA, name, 'Dockerfile')), {
    buildArgs: new Map(),
    buildContexts: new Map([['prebuilt', 'local:prebuilt']]),
    targetPlatform: AMD64,
    buildPlatform: AMD64,
  });
}

describe('plan renderings (goldens in testdata/render-*)', () => {
  test('both cases are present', () => expect(cases).toHaveLength(2));

  test.each(cases)('%s: text, Mermaid and JSON', (name) => {
    const plan = planCase(name);
    expectGolden(path.join(TESTDATA, name, 'plan.txt'), renderPlanText(plan, 'linux/amd64'));
    expectGolden(path.join(TESTDATA, name, 'plan.mmd'), renderPlanMermaid(plan));
    expectGolden(path.join(TESTDATA, name, 'plan.json'), JSON.stringify(planToJson(plan), null, 2) + '\n');
  });

  test('the README shows the example plan exactly as rendered', () => {
    const readme = readFileSync(path.join(TESTDATA, '../../../README.md'), 'utf8');
    const plan = planCase('render-example');
    expect(readme).toContain('```text\n' + renderPlanText(plan, 'linux/amd64') + '```');
    expect(readme).toContain('```mermaid\n' + renderPlanMermaid(plan) + '```');
  });

  test('reasons name the instruction, the stage holding it and its line', () => {
    const plan = planCase('render-onbuild-contexts');
    expect(reasonsFor(plan, 0)).toEqual(['ONBUILD trigger (from=assets) in child, line 8']);
    expect(reasonsFor(plan, 1)).toEqual(['COPY --from=1 in child, line 13']);
    expect(reasonsFor(plan, 2)).toEqual(['FROM parent in child, line 12']);
    expect(reasonsFor(plan, 4)).toEqual(['target']);
  });

  test('Mermaid labels cannot close their quotes', () => {
    const plan = planCase('render-example');
    const evil = { ...plan, stages: plan.stages.map((stage) => ({ ...stage, displayName: '"]-->x<b>' })) };
    const mermaid = renderPlanMermaid(evil);
    expect(mermaid).not.toContain('<b>');
    expect(mermaid).toContain('s0["#34;]--#62;x#60;b#62;"]');
  });

  test('an error has the plan JSON shape with error set', () => {
    expect(planErrorToJson({ message: 'boom', line: 3 })).toEqual({
      target: null,
      targetIndex: null,
      order: [],
      skipped: [],
      stages: [],
      externalImages: [],
      error: { message: 'boom', line: 3 },
    });
  });
});
