// The Dockerfile frontend: bytes → syntax tree, the shell-word expander and .dockerignore matching.
export type { DockerfileAst, Directives, Heredoc, InstructionNode, ParseWarning } from './ast.js';
export { DockerfileError, UnknownInstructionError, withLocation, type LineRange } from './errors.js';
export { parseDockerfile, MAX_LINE_BYTES } from './parse.js';
export { dumpAst, dumpInstruction } from './dump.js';
export { goQuote } from './go-text.js';
export { chompHeredocContent, parseHeredocWord } from './heredoc.js';
export {
  processWord,
  processWordWithMatches,
  processWords,
  ShellExpansionError,
  type LexOptions,
  type ShellEnv,
  type WordResult,
} from './shell.js';
export {
  dockerignoreCandidates,
  DockerignoreError,
  IgnoreMatcher,
  parseDockerignore,
  type IgnorePattern,
} from './dockerignore.js';
export { FilepathPatternError, goFilepathMatch } from './filepath-match.js';
