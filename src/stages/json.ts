// The typed instructions as plain JSON (`stagecraft parse --format json`): every field, with line ranges
// as `lines`, and without the syntax-tree node each instruction keeps.
import type { Instruction, StagedDockerfile } from './instructions.js';

function instructionToJson(instruction: Instruction): Record<string, unknown> {
  const { node, range, ...fields } = instruction;
  const json: Record<string, unknown> = { kind: fields.kind, lines: { start: range.start, end: range.end } };
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'kind' || value === undefined) continue;
    json[key] = key === 'trigger' ? (node.onbuild?.original ?? null) : value;
  }
  return json;
}

export function toStagesJson(dockerfile: StagedDockerfile): object {
  return {
    escapeToken: dockerfile.escapeToken,
    metaArgs: dockerfile.metaArgs.map(instructionToJson),
    stages: dockerfile.stages.map((stage) => ({
      index: stage.index,
      name: stage.name ?? null,
      base: stage.baseName,
      ...(stage.platform === undefined ? {} : { platform: stage.platform }),
      lines: { start: stage.range.start, end: stage.range.end },
      instructions: stage.instructions.map(instructionToJson),
    })),
  };
}
