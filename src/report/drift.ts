// The scheduled-rebuild report: Markdown for the job summary, plain text for the log and `stagecraft drift`, and
// the drift outputs. Pure; it renders a `DriftResult` (drift/compute.ts) and never computes one. Image references
// and stage names come from the Dockerfile and tool messages from the registry: every one is escaped.
import type { DriftResult, DriftSize, ImageDrift } from '../drift/index.js';
import { clipText, escapeInline } from './markdown.js';
import { formatPercentDelta, formatSize, formatSizeDelta } from './units.js';
import { sizeDelta } from './diff.js';

export type DriftOutputName = 'base-drift' | 'drifted-images' | 'rebuilt-stages';

/** The outputs of a run that is not scheduled, or that failed before the drift was known. */
export const EMPTY_DRIFT_OUTPUTS: Readonly<Record<DriftOutputName, string>> = {
  'base-drift': 'false',
  'drifted-images': '[]',
  'rebuilt-stages': '[]',
};

/**
 * `base-drift`: `true` or `false`. `drifted-images`: `[{"image","platform","old","new"}]`. `rebuilt-stages`:
 * `[{"stage","reason","reasons","detail"}]` in build order (`reason` is the first of `reasons`).
 */
export function renderDriftOutputs(result: DriftResult): Record<DriftOutputName, string> {
  return {
    'base-drift': result.baseDrift ? 'true' : 'false',
    'drifted-images': JSON.stringify(
      result.driftedImages.map(({ image, platform, old, new: current }) => ({
        image,
        platform,
        old,
        new: current,
      })),
    ),
    'rebuilt-stages': JSON.stringify(
      result.rebuiltStages.map(({ stage, reason, reasons, detail }) => ({ stage, reason, reasons, detail })),
    ),
  };
}

/** `sha256:` and the first 12 hex digits. */
export function shortDigest(digest: string): string {
  const match = /^(sha256:)([0-9a-f]{12})[0-9a-f]*$/.exec(digest);
  return match === null ? clipText(digest, 19) : `${match[1]}${match[2]}`;
}

/** `2025-06-01T03:00:00.000Z` → `2025-06-01 03:00 UTC`; anything else as it is. */
function when(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match === null ? iso : `${match[1]} ${match[2]} UTC`;
}

/** The first line. `text` escapes what came from elsewhere (a reason, a run id); `strong` marks the news. */
function headline(
  result: DriftResult,
  text: (value: string) => string,
  strong: (value: string) => string,
): string {
  const total = result.images.length;
  if (!result.previous.found) {
    return `No earlier scheduled run to compare with (${text(result.previous.reason)}); ${total} base image ${total === 1 ? 'digest is' : 'digests are'} recorded for the next one.`;
  }
  const run = result.previous.run === undefined ? '' : `run ${text(result.previous.run)}, `;
  const since = `since the last scheduled run (${run}${when(result.previous.createdAt)})`;
  if (total === 0) return `The target reads no base image ${since}.`;
  const moved = result.driftedImages.length;
  return moved === 0
    ? `No base image moved ${since}.`
    : `${strong(`${moved} of ${total} base ${total === 1 ? 'image' : 'images'} moved`)} ${since}.`;
}

function showPlatforms(images: readonly ImageDrift[]): boolean {
  return new Set(images.map((image) => image.platform)).size > 1;
}

function statusText(image: ImageDrift): string {
  switch (image.status) {
    case 'moved':
      return 'moved';
    case 'unchanged':
      return image.pinned === true ? 'unchanged (pinned)' : 'unchanged';
    case 'new':
      return image.pinned === true ? 'new (pinned)' : 'new';
    case 'unresolved':
      return 'unresolved, treated as unchanged';
    default: {
      const unknown: never = image.status;
      return String(unknown);
    }
  }
}

function sizeText(result: DriftResult, current: DriftSize | undefined): string | undefined {
  if (current === undefined) return undefined;
  const before = result.previous.found ? result.previous.size : undefined;
  if (before === undefined)
    return `${formatSize(current.compressedBytes)} compressed (no size from the last scheduled run)`;
  const delta = sizeDelta(before.compressedBytes, current.compressedBytes);
  return `${formatSize(current.compressedBytes)} compressed, ${formatSizeDelta(delta.change)} (${formatPercentDelta(delta)}) against the last scheduled run (${formatSize(before.compressedBytes)})`;
}

export interface DriftRenderOptions {
  /** The image just built, to show how its size moved since the last scheduled run. */
  readonly size?: DriftSize;
  /** Stages the target reaches, for "n of m" (default: the rebuilt count alone). */
  readonly stageCount?: number;
}

/** The job summary section. */
export function renderDriftMarkdown(result: DriftResult, options: DriftRenderOptions = {}): string {
  const platforms = showPlatforms(result.images);
  const code = (text: string): string => `<code>${escapeInline(text)}</code>`;
  const lines = ['### Scheduled rebuild', '', headline(result, escapeInline, (news) => `**${news}**`), ''];
  if (result.images.length > 0) {
    lines.push(
      platforms ? '| image | platform | old | new | status |' : '| image | old | new | status |',
      platforms ? '| --- | --- | --- | --- | --- |' : '| --- | --- | --- | --- |',
    );
    for (const image of result.images) {
      const status =
        image.status === 'moved'
          ? '**moved**'
          : image.status === 'unresolved'
            ? `${statusText(image)}: ${escapeInline(clipText(image.reason ?? '', 200))}`
            : statusText(image);
      const cells = [
        code(clipText(image.image, 100)),
        ...(platforms ? [escapeInline(image.platform)] : []),
        image.old === undefined ? '—' : code(shortDigest(image.old)),
        image.new === undefined ? '—' : code(shortDigest(image.new)),
        status,
      ];
      lines.push(`| ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  const count = result.rebuiltStages.length;
  const of = options.stageCount === undefined ? '' : ` of ${options.stageCount}`;
  if (count === 0) {
    lines.push('Nothing rebuilt: every stage came whole from its cache.', '');
  } else {
    lines.push(
      `Rebuilt ${count}${of} ${(options.stageCount ?? count) === 1 ? 'stage' : 'stages'}:`,
      '',
      '| stage | why | detail |',
      '| --- | --- | --- |',
      ...result.rebuiltStages.map(
        (stage) =>
          `| ${code(stage.stage)} | ${stage.reasons.join(', ')} | ${escapeInline(clipText(stage.detail, 300))} |`,
      ),
      '',
    );
  }
  if (result.noCacheFilters.length > 0) {
    lines.push(`Built with <code>no-cache-filter</code>: ${result.noCacheFilters.map(code).join(', ')}.`, '');
  }
  const size = sizeText(result, options.size);
  // Only numbers and units formatted here: nothing to escape.
  if (size !== undefined) lines.push(`Size: ${size}.`, '');
  if (result.warnings.length > 0) {
    lines.push(
      '> [!WARNING]',
      ...result.warnings.map((warning) => `> ${escapeInline(clipText(warning, 600))}`),
      '',
    );
  }
  return lines.join('\n');
}

/** The same for the log and `stagecraft drift`: aligned columns, full digests of moved images. */
export function renderDriftText(result: DriftResult, options: DriftRenderOptions = {}): string {
  const platforms = showPlatforms(result.images);
  const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();
  const lines = [headline(result, oneLine, (news) => news)];
  if (result.images.length > 0) {
    lines.push(`Base images (${result.images.length}):`);
    const names = result.images.map((image) =>
      oneLine(platforms ? `${image.image} (${image.platform})` : image.image),
    );
    const width = Math.max(...names.map((name) => name.length));
    const statusWidth = Math.max(...result.images.map((image) => image.status.length));
    result.images.forEach((image, i) => {
      const digests =
        image.status === 'moved'
          ? `${image.old} → ${image.new}`
          : image.status === 'unresolved'
            ? `${image.old === undefined ? 'no digest known' : `${shortDigest(image.old)} kept`}, treated as unchanged: ${oneLine(image.reason ?? '')}`
            : `${shortDigest(image.new ?? '')}${image.pinned === true ? ' (pinned)' : ''}`;
      lines.push(`  ${image.status.padEnd(statusWidth)}  ${names[i]!.padEnd(width)}  ${digests}`);
    });
  }
  const count = result.rebuiltStages.length;
  if (count === 0) {
    lines.push('Rebuilt: nothing (every stage came whole from its cache).');
  } else {
    const of = options.stageCount === undefined ? '' : ` of ${options.stageCount}`;
    lines.push(`Rebuilt (${count}${of}):`);
    const width = Math.max(...result.rebuiltStages.map((stage) => stage.stage.length));
    for (const stage of result.rebuiltStages) {
      lines.push(`  ${stage.stage.padEnd(width)}  ${stage.reasons.join(', ')}: ${oneLine(stage.detail)}`);
    }
  }
  if (result.noCacheFilters.length > 0) lines.push(`no-cache-filter: ${result.noCacheFilters.join(', ')}`);
  const size = sizeText(result, options.size);
  if (size !== undefined) lines.push(`Size: ${size}.`);
  for (const warning of result.warnings) lines.push(`Warning: ${oneLine(warning)}`);
  return `${lines.join('\n')}\n`;
}
