// Real-world Dockerfiles (shared/corpus): every file plans for its default target and for every named
// stage, or fails with a located DockerfileError as BuildKit would; nothing else may escape.
import { afterAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CORPUS_DIR, haveSharedData } from '../../__tests__/support/conformance.js';
import { DockerfileError, parseDockerfile } from '../dockerfile/index.js';
import { parseStages } from '../stages/index.js';
import { planDockerfile } from './graph.js';
import { parsePlatform } from './platform.js';

const present = haveSharedData(CORPUS_DIR, 'Dockerfile corpus');
const manifest = present
  ? readFileSync(path.join(CORPUS_DIR, 'manifest.tsv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t'))
      .map(([file = '', , , , numFrom = '']) => ({ file, numFrom: Number(numFrom) }))
  : [];

const AMD64 = parsePlatform('linux/amd64');
const totals = { files: 0, plans: 0, errors: 0 };

(present ? describe : describe.skip)('corpus plans', () => {
  afterAll(() => {
    console.log(
      `corpus: ${totals.files} files, ${totals.plans} plans, ${totals.errors} targets failing with a DockerfileError`,
    );
  });

  test('the manifest lists 70 files', () => {
    expect(manifest).toHaveLength(70);
  });

  test.each(manifest)('$file', ({ file, numFrom }) => {
    const source = readFileSync(path.join(CORPUS_DIR, 'files', file));
    const ast = parseDockerfile(source);
    expect(ast.instructions.filter((node) => node.keyword === 'from')).toHaveLength(numFrom);
    let staged;
    try {
      staged = parseStages(ast);
    } catch (error) {
      // A few are fixtures of other build tools that BuildKit rejects outright (e.g. `AS ${NAME}`).
      expect(error).toBeInstanceOf(DockerfileError);
      expect(() =>
        planDockerfile(source, {
          buildArgs: new Map(),
          buildContexts: new Map(),
          targetPlatform: AMD64,
          buildPlatform: AMD64,
        }),
      ).toThrow((error as Error).message);
      totals.errors++;
      totals.files++;
      return;
    }
    expect(staged.stages).toHaveLength(numFrom);
    const targets = [
      '',
      ...new Set(staged.stages.flatMap((stage) => (stage.name === undefined ? [] : [stage.name]))),
    ];
    for (const target of targets) {
      const request = {
        target,
        buildArgs: new Map<string, string>(),
        buildContexts: new Map<string, string>(),
        targetPlatform: AMD64,
        buildPlatform: AMD64,
      };
      try {
        const plan = planDockerfile(source, request);
        expect(plan.order).toContain(plan.targetIndex);
        expect([...plan.order, ...plan.skipped].sort((a, b) => a - b)).toEqual(
          staged.stages.map((s) => s.index),
        );
        totals.plans++;
      } catch (error) {
        expect(error).toBeInstanceOf(DockerfileError);
        totals.errors++;
      }
    }
    totals.files++;
  });
});
