// Plans as people and programs read them: aligned text, the JSON of `stagecraft plan --format json`,
// and a Mermaid flowchart.
import type { EdgeKind, Plan, PlannedStage, StageEdge } from './types.js';

const KEYWORD: Readonly<Record<EdgeKind, string>> = {
  from: 'FROM',
  copy: 'COPY --from=',
  mount: 'RUN --mount=from=',
  onbuild: 'ONBUILD COPY/RUN from',
};

function describeEdge(edge: StageEdge, holder: PlannedStage): string {
  const what =
    edge.via === 'from'
      ? `FROM ${edge.reference}`
      : edge.via === 'onbuild'
        ? `ONBUILD trigger (from=${edge.reference})`
        : `${KEYWORD[edge.via]}${edge.reference}`;
  return `${what} in ${holder.displayName}, line ${edge.line}`;
}

/** Why each reachable stage is built: the edges that reach it from other reachable stages. */
export function reasonsFor(plan: Plan, index: number): string[] {
  const reasons: string[] = [];
  if (index === plan.targetIndex) reasons.push('target');
  for (const holder of plan.stages) {
    if (!holder.reachable) continue;
    for (const edge of holder.dependsOn) if (edge.stage === index) reasons.push(describeEdge(edge, holder));
  }
  return reasons;
}

function describeBase(plan: Plan, stage: PlannedStage): string {
  const base = stage.base;
  if ('stage' in base) return `FROM ${plan.stages[base.stage]!.displayName}`;
  if ('context' in base) return `build context ${base.context}`;
  return `FROM ${base.image}`;
}

export function renderPlanText(plan: Plan, platform?: string): string {
  const target = plan.stages[plan.targetIndex]!;
  const width = Math.max(...plan.stages.map((stage) => stage.displayName.length));
  const lines = [
    `Target: ${target.displayName} (stage ${plan.targetIndex}${platform === undefined ? '' : `, ${platform}`})`,
    `Build order (${plan.order.length} of ${plan.stages.length} stages):`,
  ];
  plan.order.forEach((index, position) => {
    const stage = plan.stages[index]!;
    const [first = '', ...rest] = reasonsFor(plan, index);
    const head = `  ${String(position + 1).padStart(2)}. ${stage.displayName.padEnd(width)}  `;
    lines.push(`${head}← ${first}`);
    for (const reason of rest) lines.push(`${' '.repeat(head.length)}← ${reason}`);
    lines.push(`${' '.repeat(head.length)}  ${describeBase(plan, stage)}`);
  });
  if (plan.skipped.length === 0) {
    lines.push('Skipped: none');
  } else {
    lines.push(`Skipped (${plan.skipped.length}, not needed by ${target.displayName}):`);
    for (const index of plan.skipped) {
      const stage = plan.stages[index]!;
      lines.push(`      ${stage.displayName.padEnd(width)}  line ${stage.range.start}`);
    }
  }
  lines.push(
    `External images: ${plan.externalImages.length === 0 ? 'none' : plan.externalImages.join(', ')}`,
  );
  return lines.join('\n') + '\n';
}

/** The JSON of `stagecraft plan --format json`; `error` is null on success. */
export function planToJson(plan: Plan): object {
  return {
    target: plan.target,
    targetIndex: plan.targetIndex,
    order: plan.order,
    skipped: plan.skipped,
    stages: plan.stages.map((stage) => ({
      index: stage.index,
      name: stage.name,
      base: stage.base,
      ...(stage.platform === undefined ? {} : { platform: stage.platform }),
      reachable: stage.reachable,
      dependsOn: stage.dependsOn.map(({ stage: dependency, via, line }) => ({
        stage: dependency,
        via,
        line,
      })),
      images: stage.images,
      lines: { start: stage.range.start, end: stage.range.end },
    })),
    externalImages: plan.externalImages,
    error: null,
  };
}

export function planErrorToJson(error: { message: string; line: number | undefined }): object {
  return {
    target: null,
    targetIndex: null,
    order: [],
    skipped: [],
    stages: [],
    externalImages: [],
    error: { message: error.message, line: error.line ?? null },
  };
}

/** Mermaid labels live inside quotes; keep them from closing the quote or opening markup. */
function mermaidText(text: string): string {
  return text.replace(/["<>&#]/g, (ch) => `#${ch.charCodeAt(0)};`);
}

export function renderPlanMermaid(plan: Plan): string {
  const lines = ['flowchart TD'];
  const images = new Map<string, string>();
  for (const stage of plan.stages) {
    const label = `${stage.displayName}${stage.index === plan.targetIndex ? ' (target)' : ''}`;
    lines.push(`  s${stage.index}["${mermaidText(label)}"]`);
  }
  const imageNode = (image: string): string => {
    let id = images.get(image);
    if (id === undefined) {
      id = `i${images.size}`;
      images.set(image, id);
      lines.push(`  ${id}[("${mermaidText(image)}")]`);
    }
    return id;
  };
  for (const stage of plan.stages) {
    if ('image' in stage.base && stage.base.image !== 'scratch') {
      lines.push(`  ${imageNode(stage.base.image)} -->|FROM| s${stage.index}`);
    }
    for (const edge of stage.dependsOn) {
      lines.push(`  s${edge.stage} -->|${edge.via}| s${stage.index}`);
    }
  }
  lines.push('  classDef target stroke-width:3px', '  classDef skipped opacity:0.4,stroke-dasharray:4 4');
  lines.push(`  class s${plan.targetIndex} target`);
  if (plan.skipped.length > 0)
    lines.push(`  class ${plan.skipped.map((index) => `s${index}`).join(',')} skipped`);
  return lines.join('\n') + '\n';
}
