// Markdown for the job summary and the local report file. Text taken from the Dockerfile goes inside code
// fences or is escaped, so it cannot break out into Markdown or HTML.
import type { Plan } from '../plan/index.js';
import { renderPlanMermaid, renderPlanText } from '../plan/index.js';

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
