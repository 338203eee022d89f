// Typed, validated instructions and stages (BuildKit's `instructions` package): the public API.
export type {
  ArgDeclaration,
  CommandLine,
  Instruction,
  InstructionKind,
  KeyValue,
  MountSharing,
  MountType,
  RunMount,
  SourcesAndDest,
  Stage,
  StagedDockerfile,
} from './instructions.js';
export { stageDisplayName } from './instructions.js';
export { withSuggestion } from './flags.js';
export { parseCommand, parseStages } from './parse.js';
export { parseDevice, parseMount, readMount, type RunDevice, type WordExpander } from './mounts.js';
