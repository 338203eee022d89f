// The size report as Markdown: the pull request comment and the job summary (the same body, with different
// length limits). Pure and golden-tested. Everything that comes from the Dockerfile or the image (stage
// names, instructions, history, refs, paths) goes through `codeInline` or `fenced`, so it cannot open a tag,
// a table cell, a fence or a `<details>` block.
import type { LayerChange, SizeDiff, SizeReport, SizeReportLayer } from '../size/types.js';
import type { BudgetStatus, BudgetVerdict } from './budget.js';
import { VERDICT_LABELS } from './budget.js';
import { codeInline, fenced, percentEncode, safeLinkUrl } from './markdown.js';
import { formatCountDelta, formatPercentDelta, formatSize, formatSizeDelta } from './units.js';

/** GitHub refuses an issue comment longer than this many characters. */
export const GITHUB_COMMENT_MAX_LENGTH = 65_536;
/** GitHub refuses a job summary larger than this many bytes (per step). */
export const GITHUB_SUMMARY_MAX_BYTES = 1_048_576;

export interface SizeMarkerFields {
  /** The short hash of the Dockerfile's path in the repository, as in cache keys. */
  readonly dockerfile: string;
  readonly target: string;
  readonly platform: string;
}

/**
 * The hidden marker that finds a comment again:
 * `<!-- stagecraft:size dockerfile=<hash> target=<target> platform=<platform> -->`. Values are written as is
 * where they are plain (`[A-Za-z0-9._/:+@-]`); anything else, and a `-` after a `-` (an HTML comment may not
 * hold `--`), is percent-encoded, so no value can end the comment or run into the next field.
 */
export function renderSizeMarker(fields: SizeMarkerFields): string {
  return `<!-- stagecraft:size dockerfile=${markerValue(fields.dockerfile)} target=${markerValue(fields.target)} platform=${markerValue(fields.platform)} -->`;
}

function markerValue(value: string): string {
  let out = '';
  for (const ch of value) {
    const plain = /^[A-Za-z0-9._/:+@]$/.test(ch) || (ch === '-' && !out.endsWith('-'));
    out += plain ? ch : percentEncode(ch);
  }
  return out;
}

export type StageCacheResult = 'exact' | 'partial' | 'miss' | 'unneeded' | 'skipped';

export interface StageResult {
  /** The stage's display name. */
  readonly stage: string;
  readonly result: StageCacheResult;
}

export interface SizeCommentInput {
  /** From `renderSizeMarker`; the body's first line. */
  readonly marker: string;
  readonly current: SizeReport;
  /** The report compared with, for its ref and commit; undefined when there is none. */
  readonly baseline?: SizeReport | undefined;
  readonly diff: SizeDiff;
  readonly verdict: BudgetVerdict;
  /** The Dockerfile's path in the repository, shown under the title. */
  readonly file?: string | undefined;
  /** The Dockerfile at the built commit on GitHub; Dockerfile lines link to `<url>#L<line>`. */
  readonly fileUrl?: string | undefined;
  /** Every stage with its cache result, in build order, skipped stages included. */
  readonly stages?: readonly StageResult[] | undefined;
  /** The plan's Mermaid graph (`renderPlanMermaid`), shown in a fence. */
  readonly mermaid?: string | undefined;
  /** Heads the built image's column: `This PR` (the default) on a pull request, `This build` elsewhere. */
  readonly currentLabel?: string | undefined;
}

export interface RenderLimit {
  /** Cut the body (at block and row boundaries) to at most this much. */
  readonly maxLength: number;
  /** `utf16`: JavaScript string length, GitHub's count for comments; `utf8`: bytes, for the summary file. */
  readonly measure?: 'utf16' | 'utf8' | undefined;
  /** Appended when something was left out. */
  readonly note?: string | undefined;
}

export const COMMENT_LIMIT: RenderLimit = {
  maxLength: GITHUB_COMMENT_MAX_LENGTH,
  measure: 'utf16',
  note: "> [!NOTE]\n> This comment was cut to fit GitHub's limit of 65,536 characters. The job summary of this run has the whole report.\n",
};

export const SUMMARY_LIMIT: RenderLimit = {
  maxLength: GITHUB_SUMMARY_MAX_BYTES,
  measure: 'utf8',
  note: "> [!NOTE]\n> This report was cut to fit GitHub's job summary limit of 1 MiB.\n",
};

const VERDICT_ICONS: Readonly<Record<BudgetStatus, string>> = {
  within: '✅',
  over: '❌',
  'no-baseline': 'ℹ️',
};

const CACHE_LABELS: Readonly<Record<StageCacheResult, string>> = {
  exact: 'cache hit',
  partial: 'partial cache hit',
  miss: 'cache miss',
  unneeded: 'not needed (a stage built on it hit)',
  skipped: 'skipped (not needed)',
};

const NONE = '—';

export function renderSizeComment(input: SizeCommentInput, limit: RenderLimit = COMMENT_LIMIT): string {
  return assemble(sizeCommentParts(input), limit, input.marker);
}

// A body is a list of blocks joined by blank lines. `text` blocks are always kept; when the whole is too
// long, `rows` blocks (tables) keep as many rows as fit, in `priority` order, and `optional` blocks fall back
// to a short line. Cuts happen only between rows and blocks: never inside a tag, a fence or a table row.
type Part =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'rows';
      readonly priority: number;
      readonly head: string;
      readonly rows: readonly string[];
      /** What closes the block when `omitted` rows were left out ('' when none were) and `shown` kept. */
      readonly tail: (omitted: number, shown: number) => string;
    }
  | {
      readonly kind: 'optional';
      readonly priority: number;
      readonly text: string;
      readonly fallback: string;
    };

function sizeCommentParts(input: SizeCommentInput): Part[] {
  const { current, diff, verdict } = input;
  const parts: Part[] = [
    {
      kind: 'text',
      text: `${input.marker}\n### Image size of ${codeInline(current.target)} for ${codeInline(current.platform)}\n`,
    },
  ];
  const context = subtitle(input);
  if (context !== '') parts.push({ kind: 'text', text: context });
  parts.push({ kind: 'text', text: totalsTable(diff, currentLabel(input)) });
  parts.push({
    kind: 'text',
    // The checks are budget.ts's own words and numbers: nothing from the Dockerfile to escape.
    text: `${VERDICT_ICONS[verdict.status]} **${VERDICT_LABELS[verdict.status]}**: ${verdict.checks.join('; ')}.\n`,
  });

  if (diff.baseline !== undefined) {
    const changed = diff.layers.filter((change) => change.status !== 'unchanged');
    parts.push({ kind: 'text', text: '#### Changed layers\n' });
    if (changed.length === 0) {
      parts.push({ kind: 'text', text: 'No layer changed in size.\n' });
    } else {
      parts.push({
        kind: 'rows',
        priority: 0,
        head: `| | Stage | Line | Instruction | Base | ${currentLabel(input)} | Change |\n| :-- | :-- | --: | :-- | --: | --: | --: |\n`,
        rows: changed.map((change) => changedRow(change, input.fileUrl)),
        tail: (omitted, shown) => omittedLine(omitted, shown, 'changed layer'),
      });
    }
  }

  const layers = current.layers.filter((layer) => !layer.emptyLayer);
  parts.push({
    kind: 'text',
    text: `<details><summary>All ${layers.length} ${plural(layers.length, 'layer')} of this image</summary>\n`,
  });
  parts.push({
    kind: 'rows',
    priority: 2,
    head: '| # | Stage | Line | Instruction | Compressed | Uncompressed |\n| --: | :-- | --: | :-- | --: | --: |\n',
    rows: layers.map(
      (layer, i) =>
        `| ${i + 1} | ${stageCell(layer)} | ${lineCell(layer, input.fileUrl)} | ${instructionCell(layer)} | ${formatSize(layer.compressedBytes)} | ${formatSize(layer.uncompressedBytes)} |\n`,
    ),
    tail: (omitted, shown) => omittedLine(omitted, shown, 'layer'),
  });
  parts.push({ kind: 'text', text: '</details>\n' });

  const stages = input.stages ?? [];
  if (stages.length > 0 || input.mermaid !== undefined) {
    parts.push({ kind: 'text', text: `<details><summary>${planSummary(stages)}</summary>\n` });
    if (stages.length > 0) {
      parts.push({
        kind: 'rows',
        priority: 1,
        head: '| Stage | Cache |\n| :-- | :-- |\n',
        rows: stages.map((stage) => `| ${codeInline(stage.stage, 60)} | ${CACHE_LABELS[stage.result]} |\n`),
        tail: (omitted, shown) => omittedLine(omitted, shown, 'stage'),
      });
    }
    if (input.mermaid !== undefined) {
      parts.push({
        kind: 'optional',
        priority: 3,
        text: fenced('mermaid', input.mermaid),
        fallback: '_The stage graph is left out: it is too large for a comment._\n',
      });
    }
    parts.push({ kind: 'text', text: '</details>\n' });
  }
  return parts;
}

function subtitle(input: SizeCommentInput): string {
  const pieces: string[] = [];
  if (input.file !== undefined) pieces.push(`Dockerfile ${codeInline(input.file)}`);
  if (input.current.commit !== undefined)
    pieces.push(`commit ${codeInline(input.current.commit.slice(0, 12))}`);
  const base = input.baseline;
  if (base !== undefined) {
    const ref = base.ref === undefined ? undefined : base.ref.replace(/^refs\/(heads|tags)\//, '');
    const where = [
      ref === undefined ? undefined : codeInline(ref),
      base.commit === undefined ? undefined : `at ${codeInline(base.commit.slice(0, 12))}`,
    ].filter((piece) => piece !== undefined);
    pieces.push(`compared with ${where.length === 0 ? 'the baseline' : where.join(' ')}`);
  }
  return pieces.length === 0 ? '' : `${pieces.join(' · ')}\n`;
}

function currentLabel(input: SizeCommentInput): string {
  return input.currentLabel ?? 'This PR';
}

function totalsTable(diff: SizeDiff, label: string): string {
  const rows: [string, (totals: NonNullable<SizeDiff['baseline']>) => number, (value: number) => string][] = [
    ['Compressed', (totals) => totals.compressedBytes, formatSize],
    ['Uncompressed', (totals) => totals.uncompressedBytes, formatSize],
    ['Layers', (totals) => totals.layerCount, String],
  ];
  if (diff.baseline === undefined || diff.delta === undefined) {
    return [
      `| | ${label} |`,
      '| :-- | --: |',
      ...rows.map(([label, get, format]) => `| ${label} | ${format(get(diff.current))} |`),
      '',
    ].join('\n');
  }
  const deltas = [diff.delta.compressed, diff.delta.uncompressed, diff.delta.layerCount];
  const baseline = diff.baseline;
  return [
    `| | Base | ${label} | Change | % |`,
    '| :-- | --: | --: | --: | --: |',
    ...rows.map(([label, get, format], i) => {
      const delta = deltas[i]!;
      const change = i === 2 ? formatCountDelta(delta.change) : formatSizeDelta(delta.change);
      return `| ${label} | ${format(get(baseline))} | ${format(get(diff.current))} | ${change} | ${formatPercentDelta(delta)} |`;
    }),
    '',
  ].join('\n');
}

function changedRow(change: LayerChange, fileUrl: string | undefined): string {
  switch (change.status) {
    case 'grew':
    case 'shrank':
    case 'unchanged': {
      const layer = change.current;
      return `| ${change.status} | ${stageCell(layer)} | ${lineCell(layer, fileUrl)} | ${instructionCell(layer)} | ${formatSize(change.baseline.compressedBytes)} | ${formatSize(layer.compressedBytes)} | ${formatSizeDelta(change.compressedDelta)} |\n`;
    }
    case 'appeared': {
      const layer = change.current;
      return `| appeared | ${stageCell(layer)} | ${lineCell(layer, fileUrl)} | ${instructionCell(layer)} | ${NONE} | ${formatSize(layer.compressedBytes)} | ${formatSizeDelta(layer.compressedBytes)} |\n`;
    }
    case 'vanished': {
      // The line is the baseline's: the current Dockerfile may not have it, so it is not linked.
      const layer = change.baseline;
      return `| vanished | ${stageCell(layer)} | ${lineCell(layer, undefined)} | ${instructionCell(layer)} | ${formatSize(layer.compressedBytes)} | ${NONE} | ${formatSizeDelta(-layer.compressedBytes)} |\n`;
    }
    default: {
      const never: never = change;
      return never;
    }
  }
}

function stageCell(layer: SizeReportLayer): string {
  return layer.origin.kind === 'base' ? 'base image' : codeInline(layer.origin.stage, 60);
}

function lineCell(layer: SizeReportLayer, fileUrl: string | undefined): string {
  if (layer.origin.kind === 'base') return '';
  const line = layer.origin.line;
  if (!Number.isSafeInteger(line) || line < 1) return '';
  const url = fileUrl === undefined ? undefined : safeLinkUrl(`${fileUrl}#L${line}`);
  return url === undefined ? String(line) : `[${line}](${url})`;
}

function instructionCell(layer: SizeReportLayer): string {
  const text = layer.origin.kind === 'stage' ? layer.origin.instruction : layer.createdBy;
  // An imported base layer (`docker import`) has no history text: an empty cell rather than empty code.
  return text.trim() === '' ? '' : codeInline(text);
}

function planSummary(stages: readonly StageResult[]): string {
  const count = (result: StageCacheResult): number =>
    stages.filter((stage) => stage.result === result).length;
  const skipped = count('skipped');
  const built = stages.length - skipped;
  const cache = [
    [count('exact'), 'cache hit', 'cache hits'],
    [count('partial'), 'partial', 'partial'],
    [count('miss'), 'miss', 'misses'],
    [count('unneeded'), 'not needed', 'not needed'],
  ] as const;
  const results = cache
    .filter(([n]) => n > 0)
    .map(([n, one, many]) => `${n} ${n === 1 ? one : many}`)
    .join(', ');
  if (stages.length === 0) return 'Stage graph';
  return `Build plan: ${built} of ${stages.length} ${plural(stages.length, 'stage')} built${results === '' ? '' : ` (${results})`}, ${skipped} skipped`;
}

function omittedLine(omitted: number, shown: number, noun: string): string {
  if (omitted === 0) return '';
  return `\n_${omitted}${shown === 0 ? '' : ' more'} ${plural(omitted, noun)} not shown (size limit)._\n`;
}

function plural(count: number, noun: string): string {
  return count === 1 ? noun : `${noun}s`;
}

function lengthOf(measure: RenderLimit['measure']): (text: string) => number {
  if (measure === 'utf8') {
    const encoder = new TextEncoder();
    return (text) => encoder.encode(text).length;
  }
  return (text) => text.length;
}

function assemble(parts: readonly Part[], limit: RenderLimit, marker: string): string {
  const render = (rowCounts: ReadonlyMap<number, number>, withOptional: ReadonlySet<number>): string =>
    parts
      .map((part, i) => {
        switch (part.kind) {
          case 'text':
            return part.text;
          case 'rows': {
            const kept = rowCounts.get(i) ?? part.rows.length;
            const tail = part.tail(part.rows.length - kept, kept);
            // No rows kept: no table header either, just the "n more" line.
            if (kept === 0 && part.rows.length > 0) return tail.replace(/^\n/, '');
            return part.head + part.rows.slice(0, kept).join('') + tail;
          }
          case 'optional':
            return withOptional.has(i) ? part.text : part.fallback;
          default: {
            const never: never = part;
            return never;
          }
        }
      })
      .join('\n');

  const all = new Set(parts.flatMap((part, i) => (part.kind === 'optional' ? [i] : [])));
  const full = render(new Map(), all);
  const measure = lengthOf(limit.measure);
  if (measure(full) <= limit.maxLength) return full;

  // The smallest body: every table with its header and no rows, but the longest "n more" line it could get;
  // every optional part at its fallback. What is left of the limit goes to rows and optional parts in
  // priority order.
  const note = limit.note ?? '> [!NOTE]\n> This report was cut to fit the size limit.\n';
  const minimum = parts
    .map((part) => {
      if (part.kind === 'text') return part.text;
      if (part.kind === 'optional') return part.fallback;
      return part.head + part.tail(part.rows.length, 1);
    })
    .join('\n');
  let budget = limit.maxLength - measure(minimum) - measure(note) - 1;
  const counts = new Map<number, number>(
    parts.flatMap((part, i) => (part.kind === 'rows' ? [[i, 0] as const] : [])),
  );
  const optional = new Set<number>();
  const order = parts
    .map((part, i) => ({ part, i }))
    .filter(({ part }) => part.kind !== 'text')
    .sort((a, b) => priorityOf(a.part) - priorityOf(b.part));
  for (const { part, i } of order) {
    if (part.kind === 'rows') {
      // The "n more" line only gets shorter as rows are kept, so the reserve above stays enough.
      let kept = 0;
      for (const row of part.rows) {
        const cost = measure(row);
        if (cost > budget) break;
        budget -= cost;
        kept++;
      }
      counts.set(i, kept);
      if (kept < part.rows.length) budget = Math.min(budget, 0);
    } else if (part.kind === 'optional') {
      const cost = measure(part.text) - measure(part.fallback);
      if (cost <= budget) {
        budget -= cost;
        optional.add(i);
      }
    }
  }
  const cut = `${render(counts, optional)}\n${note}`;
  if (measure(cut) <= limit.maxLength) return cut;
  // Only reachable with a limit too small for the fixed blocks: keep the marker, so the comment is found.
  return `${marker}\n${note}`;
}

function priorityOf(part: Part): number {
  return part.kind === 'text' ? -1 : part.priority;
}
