// Markdown for the job summary and the local report file. Text taken from the Dockerfile goes inside code
// fences or is escaped, so it cannot break out into Markdown or HTML.
import type { Plan } from '../plan/index.js';
import { renderPlanMermaid, renderPlanText } from '../plan/index.js';
import { formatSize } from './units.js';

/** A fence longer than any backtick run in the text, so the text cannot close it. */
export function fenced(language: string, text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.endsWith('\n') ? text : `${text}\n`}${fence}\n`;
}

/** Escapes text for inline Markdown and HTML. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>&~"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Escapes text for one line of inline Markdown: a table cell, a heading, a `<summary>`. Whitespace runs
 * (newlines included) become one space, control and bidirectional-override characters become U+FFFD, and
 * `$` is escaped too (GitHub renders `$…$` as math).
 */
export function escapeInline(text: string): string {
  return escapeMarkdown(text.replace(/\s+/g, ' ').trim().replace(CONTROL_CHARACTERS, '\ufffd')).replace(
    /\$/g,
    '&#36;',
  );
}

/**
 * Text from the Dockerfile or the image, shown as inline code. `<code>` rather than a backtick span, so the
 * entities inside (`&#124;` for a table's `|`) are decoded; GitHub does not turn `@name` or `#1` inside code
 * into mentions or links.
 */
export function codeInline(text: string, maxLength = 100): string {
  return `<code>${escapeInline(clipText(text.replace(/\s+/g, ' ').trim(), maxLength))}</code>`;
}

/** At most `maxLength` UTF-16 units, ending in `…` when cut; never splits a surrogate pair. */
export function clipText(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  let end = Math.max(0, maxLength - 1);
  if (end > 0 && /[\ud800-\udbff]/.test(text[end - 1]!)) end--;
  return `${text.slice(0, end)}…`;
}

/**
 * A URL safe inside a Markdown link destination: http(s) only (else undefined), and every character that
 * could end the destination or open markup percent-encoded.
 */
export function safeLinkUrl(url: string): string | undefined {
  if (!/^https?:\/\/[^\s]/i.test(url)) return undefined;
  return url.replace(/[^A-Za-z0-9\-._~:/?#@!$&'*+,;=%]/gu, percentEncode);
}

/** `%XX` for each UTF-8 byte (a lone surrogate becomes U+FFFD). */
export function percentEncode(text: string): string {
  return [...new TextEncoder().encode(text)]
    .map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`)
    .join('');
}

export function renderPlanMarkdown(plan: Plan, file: string, platform: string): string {
  const target = plan.stages[plan.targetIndex]!;
  return [
    `## stagecraft plan: ${escapeMarkdown(target.displayName)} from ${escapeMarkdown(file)}`,
    '',
    `Builds ${plan.order.length} of ${plan.stages.length} stages for ${escapeMarkdown(platform)}; skips ${plan.skipped.length}.`,
    '',
    fenced('text', renderPlanText(plan, platform)),
    '<details><summary>Stage graph</summary>',
    '',
    fenced('mermaid', renderPlanMermaid(plan)),
    '</details>',
    '',
  ].join('\n');
}

export function renderErrorMarkdown(file: string, message: string, line: number | undefined): string {
  const where = line === undefined ? escapeMarkdown(file) : `${escapeMarkdown(file)}:${line}`;
  return [`## stagecraft: ${where} cannot be built`, '', fenced('text', message), ''].join('\n');
}

/** One reachable stage's cache result, as the build report shows it. */
export interface StageCacheRow {
  readonly stage: string;
  readonly key: string;
  /** `unneeded`: not looked up, because a stage built on it hit its exact key. */
  readonly result: 'exact' | 'partial' | 'miss' | 'unneeded';
  readonly bytesRestored: number;
  readonly bytesSaved: number;
}

/** What the build did: which stages hit their caches, what moved, and what BuildKit ran. */
export function renderBuildMarkdown(
  rows: readonly StageCacheRow[],
  progress: {
    readonly fullyCached: boolean;
    readonly stagesRun: readonly string[];
    readonly executedRuns: readonly unknown[];
  },
): string {
  const restored = rows.reduce((sum, row) => sum + row.bytesRestored, 0);
  const saved = rows.reduce((sum, row) => sum + row.bytesSaved, 0);
  const lines = [
    '### Build',
    '',
    progress.fullyCached
      ? 'Every step was cached.'
      : `Stages that ran: ${progress.stagesRun.map((stage) => `<code>${escapeMarkdown(stage)}</code>`).join(', ') || 'none'}; ${progress.executedRuns.length} RUN steps executed.`,
    '',
    '| stage | cache | restored | saved |',
    '| --- | --- | ---: | ---: |',
    ...rows.map(
      (row) =>
        `| <code>${escapeMarkdown(row.stage)}</code> | ${row.result} | ${formatSize(row.bytesRestored)} | ${formatSize(row.bytesSaved)} |`,
    ),
    `| **total** | | ${formatSize(restored)} | ${formatSize(saved)} |`,
    '',
    '<details><summary>Cache keys</summary>',
    '',
    fenced('text', rows.map((row) => `${row.stage}  ${row.key}`).join('\n')),
    '</details>',
    '',
  ];
  return lines.join('\n');
}
