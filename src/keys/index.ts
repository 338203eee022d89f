// Per-stage cache keys: context hashing (with a fast path through git's index) and stage keys. The
// public API; the rest of the folder is private to it.
//
//   const reads = collectContextReads(plan, staged, request);                 // pure
//   const { digests } = await hashContext(exec, contextDir, dockerfile, reads); // reads the context
//   const keys = computeStageKeys({ plan, dockerfile: staged, request, dockerfilePath, contextDigests: digests });
export type { ContextDigests, ContextHashStats, ContextRead, StageKey } from './types.js';
export { collectContextReads } from './normalize.js';
export { hashContext, type HashContextOptions } from './context-hash.js';
export {
  addKeysToPlanJson,
  computeStageKeys,
  dockerfileKeyPart,
  encodeStageKeyDocuments,
  KEY_PREFIX,
  keyToTag,
  renderStageKeyDocuments,
  type StageKeyDocument,
  type StageKeyOptions,
} from './stage-key.js';
