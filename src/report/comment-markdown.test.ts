import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../__tests__/support/conformance.js';
import { expectGolden } from '../../__tests__/support/golden.js';
import type { SizeReport, SizeReportLayer } from '../size/types.js';
import { evaluateBudget } from './budget.js';
import type { RenderLimit, StageResult } from './comment-markdown.js';
import {
  COMMENT_LIMIT,
  GITHUB_COMMENT_MAX_LENGTH,
  renderSizeComment,
  renderSizeMarker,
  SUMMARY_LIMIT,
} from './comment-markdown.js';
import { computeSizeDiff } from './diff.js';
import { parseMaxIncrease, parseSize } from './units.js';

const TESTDATA = path.join(REPO_ROOT, 'src/report/testdata');

interface CaseInput {
  readonly marker: { dockerfile: string; target: string; platform: string };
  readonly file?: string;
  readonly fileUrl?: string;
  readonly budget: { 'size-limit'?: string; 'max-increase'?: string };
  readonly current: SizeReport;
  readonly baseline?: SizeReport;
  readonly stages?: StageResult[];
  readonly mermaid?: string;
  readonly limit?: { maxLength: number };
  readonly currentLabel?: string;
}

function renderCase(input: CaseInput, limit: RenderLimit = COMMENT_LIMIT): string {
  const budget = {
    sizeLimit: input.budget['size-limit'] === undefined ? undefined : parseSize(input.budget['size-limit']),
    maxIncrease:
      input.budget['max-increase'] === undefined ? undefined : parseMaxIncrease(input.budget['max-increase']),
  };
  return renderSizeComment(
    {
      marker: renderSizeMarker(input.marker),
      current: input.current,
      baseline: input.baseline,
      diff: computeSizeDiff(input.current, input.baseline),
      verdict: evaluateBudget(input.current, input.baseline, budget),
      file: input.file,
      fileUrl: input.fileUrl,
      stages: input.stages,
      mermaid: input.mermaid,
      currentLabel: input.currentLabel,
    },
    input.limit === undefined ? limit : { ...COMMENT_LIMIT, maxLength: input.limit.maxLength },
  );
}

function readCase(name: string): CaseInput {
  return JSON.parse(readFileSync(path.join(TESTDATA, name, 'input.json'), 'utf8')) as CaseInput;
}

const ALLOWED_TAGS = /^<(\/?(details|summary|code)|!-- stagecraft:size [^\n]*? -->$)/;

/**
 * The Markdown structure we emit and nothing else: only our own tags, balanced; fences closed; every table
 * row with its header's number of cells; no backtick or `$` outside fences; the marker once, on line 1.
 */
function checkStructure(markdown: string): void {
  const lines = markdown.split('\n');
  expect(lines[0]).toMatch(/^<!-- stagecraft:size dockerfile=\S* target=\S* platform=\S* -->$/);
  expect(lines[0]!.slice(4, -3)).not.toContain('--');
  expect(markdown.split('<!--')).toHaveLength(2);
  let fence: string | undefined;
  let tableCells: number | undefined;
  const open: string[] = [];
  for (const [i, line] of lines.entries()) {
    if (fence !== undefined) {
      if (line === fence) fence = undefined;
      continue;
    }
    const opening = /^(`{3,})[a-z]*$/.exec(line);
    if (opening !== null) {
      fence = opening[1];
      continue;
    }
    expect({ line: i + 1, text: line, backtick: line.includes('`'), dollar: line.includes('$') }).toEqual({
      line: i + 1,
      text: line,
      backtick: false,
      dollar: false,
    });
    for (const tag of line.matchAll(/<[^>]*>?/g)) {
      expect({ line: i + 1, tag: tag[0], allowed: ALLOWED_TAGS.test(tag[0]) }).toMatchObject({
        allowed: true,
      });
      const name = /^<(\/?)(details|summary|code)>$/.exec(tag[0]);
      if (name === null) continue;
      if (name[1] === '') open.push(name[2]!);
      else expect({ line: i + 1, closes: open.pop() }).toEqual({ line: i + 1, closes: name[2] });
    }
    if (line.startsWith('|')) {
      const cells = line.split('|').length;
      if (tableCells === undefined) tableCells = cells;
      expect({ line: i + 1, cells }).toEqual({ line: i + 1, cells: tableCells });
    } else {
      tableCells = undefined;
    }
  }
  expect(fence).toBeUndefined();
  expect(open).toEqual([]);
}

const CASES = readdirSync(TESTDATA).filter((name) => !name.includes('.'));

describe('renderSizeComment goldens', () => {
  test('found every case', () => {
    expect(CASES).toEqual([
      'hostile-names',
      'no-baseline',
      'over-budget',
      'truncated',
      'unchanged-no-budget',
      'within-budget',
    ]);
  });

  test.each(CASES)('%s', (name) => {
    const markdown = renderCase(readCase(name));
    expectGolden(path.join(TESTDATA, name, 'expected.md'), markdown);
    checkStructure(markdown);
  });
});

describe('escaping', () => {
  test('nothing from the Dockerfile or the image breaks out', () => {
    const markdown = renderCase(readCase('hostile-names'));
    checkStructure(markdown);
    const outsideFences = markdown.replace(/^(`{3,})mermaid\n[^]*?^\1$/m, '');
    expect(outsideFences).not.toContain('mermaid');
    for (const raw of [
      '<img',
      '<script',
      '<b>',
      '| evil |',
      '`whoami`',
      '[x](javascript',
      '<!-- -->',
      '\u202e',
    ]) {
      expect(outsideFences).not.toContain(raw);
    }
    // The mermaid text stays inside its fence, which is longer than any backtick run in it.
    expect(markdown).toContain(
      '````mermaid\nflowchart TD\n  s0["</details><img src=x onerror=alert(1)>"]\n```\n</details>\n````\n',
    );
    // Escaped, not dropped: the names are still there to read.
    expect(markdown).toContain('<code>&#60;img src=x onerror=alert&#40;1&#41;&#62;</code>');
    expect(markdown).toContain('<code>&#124; evil &#124;</code>');
    expect(markdown).toContain('<code>&#60;/details&#62;</code>');
  });

  test('the marker cannot end the HTML comment or run into another field', () => {
    expect(renderSizeMarker({ dockerfile: 'abc', target: 'a--b--><x> y=z', platform: 'linux/arm/v7' })).toBe(
      '<!-- stagecraft:size dockerfile=abc target=a-%2Db-%2D%3E%3Cx%3E%20y%3Dz platform=linux/arm/v7 -->',
    );
    expect(renderSizeMarker({ dockerfile: 'abc', target: 'build-env', platform: 'linux/amd64' })).toBe(
      '<!-- stagecraft:size dockerfile=abc target=build-env platform=linux/amd64 -->',
    );
    expect(renderSizeMarker({ dockerfile: 'abc', target: 'é', platform: 'p' })).toContain('target=%C3%A9 ');
  });
});

describe('length limits', () => {
  function manyLayers(count: number, stage = 'build'): SizeReportLayer[] {
    return Array.from({ length: count }, (_, i) => ({
      index: i,
      digest: `sha256:${String(i).padStart(64, '0')}`,
      compressedBytes: 1000 + i,
      uncompressedBytes: 2000 + i,
      createdBy: `RUN step ${i}`,
      emptyLayer: false,
      origin: { kind: 'stage', stage, line: i + 1, instruction: `RUN step ${i} ${'x'.repeat(80)}` },
    }));
  }
  function report(layers: SizeReportLayer[]): SizeReport {
    return {
      schemaVersion: 1,
      target: 'build',
      platform: 'linux/amd64',
      createdAt: '2025-06-01T00:00:00.000Z',
      image: {},
      compressedBytes: layers.reduce((sum, layer) => sum + layer.compressedBytes, 0),
      uncompressedBytes: layers.reduce((sum, layer) => sum + layer.uncompressedBytes, 0),
      layers,
    };
  }
  const input = (layers: number, mermaidLength = 1000): CaseInput => ({
    marker: { dockerfile: 'abc', target: 'build', platform: 'linux/amd64' },
    budget: {},
    current: report(manyLayers(layers)),
    baseline: report(
      manyLayers(layers).map((layer) => ({ ...layer, compressedBytes: layer.compressedBytes - 1 })),
    ),
    stages: Array.from({ length: 300 }, (_, i) => ({ stage: `stage-${i}`, result: 'miss' })),
    mermaid: `flowchart TD\n${'  s0 --> s1\n'.repeat(mermaidLength / 12)}`,
  });

  test("a comment over GitHub's 65,536 characters is cut between rows, with a note", () => {
    const markdown = renderCase(input(3000));
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_MAX_LENGTH);
    expect(markdown.length).toBeGreaterThan(GITHUB_COMMENT_MAX_LENGTH - 500);
    checkStructure(markdown);
    expect(markdown).toMatch(
      /\n> \[!NOTE\]\n> This comment was cut to fit GitHub's limit of 65,536 characters\./,
    );
    // Changed layers come first; the full list, the plan table and the graph give way.
    expect(markdown).toMatch(/_\d+ more changed layers not shown \(size limit\)\._/);
    expect(markdown).toContain('_3000 layers not shown (size limit)._');
    expect(markdown).toContain('_300 stages not shown (size limit)._');
    expect(markdown).toContain('_The stage graph is left out: it is too large for a comment._');
  });

  test('lower-priority blocks keep what fits once the changed layers are all in', () => {
    const markdown = renderCase(input(200));
    expect(markdown.length).toBeLessThanOrEqual(GITHUB_COMMENT_MAX_LENGTH);
    checkStructure(markdown);
    expect(markdown).not.toContain('more changed layers not shown');
    expect(markdown).not.toContain('more stages not shown');
    expect(markdown).toMatch(/_\d+ more layers not shown \(size limit\)\._/);
  });

  test('a body under the limit is not touched; the summary limit counts UTF-8 bytes', () => {
    const small = renderCase(input(10));
    expect(small).not.toContain('[!NOTE]');
    const wide = input(10, 1000);
    const summary = renderCase(
      { ...wide, mermaid: `flowchart TD\n  s0["${'é'.repeat(600_000)}"]\n` },
      SUMMARY_LIMIT,
    );
    expect(new TextEncoder().encode(summary).length).toBeLessThanOrEqual(SUMMARY_LIMIT.maxLength);
    expect(summary).toContain('_The stage graph is left out: it is too large for a comment._');
    expect(summary).toContain("GitHub's job summary limit of 1 MiB");
    checkStructure(summary);
  });

  test('every limit is kept, at every cut point', () => {
    const data = readCase('truncated');
    let runs = 0;
    for (let maxLength = 1500; maxLength <= 12_000; maxLength += 31, runs++) {
      const markdown = renderCase({ ...data, limit: { maxLength } });
      expect({ maxLength, fits: markdown.length <= maxLength }).toEqual({ maxLength, fits: true });
      expect(markdown).toContain('[!NOTE]');
      if (runs % 20 === 0) checkStructure(markdown);
    }
    expect(runs).toBe(339);
  });

  test('a limit too small for the fixed blocks still keeps the marker', () => {
    const markdown = renderCase(input(10), { maxLength: 200, note: 'cut\n' });
    expect(markdown).toBe('<!-- stagecraft:size dockerfile=abc target=build platform=linux/amd64 -->\ncut\n');
  });
});

describe("the built image's column", () => {
  test('says This PR by default, and what the caller names it elsewhere (a push, a local run)', () => {
    const data = readCase('within-budget');
    expect(data.baseline).toBeDefined();
    const pr = renderCase(data);
    const push = renderCase({ ...data, currentLabel: 'This build' });
    expect(pr).toContain('| | Base | This PR | Change | % |');
    expect(push).toContain('| | Base | This build | Change | % |');
    expect(push).toContain('| Instruction | Base | This build | Change |');
    expect(push).not.toContain('This PR');
    expect(renderCase({ ...data, baseline: undefined, currentLabel: 'This build' })).toContain(
      '| | This build |',
    );
    checkStructure(push);
  });
});
