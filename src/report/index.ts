// The report step: Markdown for the pull request comment, the job summary and the report file, the sticky
// comment upsert and the budget gate. It reads sizes; it never measures them.
export {
  clipText,
  codeInline,
  escapeInline,
  escapeMarkdown,
  fenced,
  renderBuildMarkdown,
  renderErrorMarkdown,
  renderPlanMarkdown,
  safeLinkUrl,
  type StageCacheRow,
} from './markdown.js';
export {
  COMMENT_LIMIT,
  GITHUB_COMMENT_MAX_LENGTH,
  GITHUB_SUMMARY_MAX_BYTES,
  renderSizeComment,
  renderSizeMarker,
  SUMMARY_LIMIT,
  type RenderLimit,
  type SizeCommentInput,
  type SizeMarkerFields,
  type StageCacheResult,
  type StageResult,
} from './comment-markdown.js';
export { computeSizeDiff, hasSizeChanged, sizeDelta, sizeTotals } from './diff.js';
export {
  evaluateBudget,
  VERDICT_LABELS,
  type Budget,
  type BudgetBreach,
  type BudgetStatus,
  type BudgetVerdict,
  type SizeBasis,
} from './budget.js';
export {
  formatCountDelta,
  formatMaxIncrease,
  formatPercentDelta,
  formatSize,
  formatSizeDelta,
  parseMaxIncrease,
  parsePercent,
  parseSize,
  type MaxIncrease,
} from './units.js';
export {
  findStickyComment,
  sameLogin,
  upsertStickyComment,
  type CommentMode,
  type StickyCommentRequest,
  type StickyCommentResult,
} from './comment.js';
export { EMPTY_SIZE_OUTPUTS, renderSizeOutputs, type SizeOutputName } from './outputs.js';
export {
  EMPTY_DRIFT_OUTPUTS,
  renderDriftMarkdown,
  renderDriftOutputs,
  renderDriftText,
  shortDigest,
  type DriftOutputName,
  type DriftRenderOptions,
} from './drift.js';
