// The stage graph and the targeted plan: what the target needs, in which order, and what is skipped.
export { planDockerfile, planStages } from './graph.js';
export { restoreNeeds, transitiveDependencies, type StageNeeds } from './dependencies.js';
export { planErrorToJson, planToJson, reasonsFor, renderPlanMermaid, renderPlanText } from './render.js';
export type { EdgeKind, Plan, PlannedStage, PlanRequest, StageBase, StageEdge } from './types.js';
export { formatAllPlatform, formatPlatform, hostPlatform, parsePlatform, type Platform } from './platform.js';
export { normalizeContextName } from './refs.js';
