// The budget gate's decision: a size report (and its baseline, when there is one) against `size-limit` and
// `max-increase`. Pure: failing the step, or only warning, is the caller's business, after the report is out.
import type { SizeReport } from '../size/types.js';
import { sizeDelta } from './diff.js';
import type { MaxIncrease } from './units.js';
import { formatMaxIncrease, formatPercentDelta, formatSize, formatSizeDelta } from './units.js';

/** Which size the budget applies to; compressed (what a pull transfers and a registry stores) by default. */
export type SizeBasis = 'compressed' | 'uncompressed';

export interface Budget {
  /** `size-limit` in bytes. */
  readonly sizeLimit?: number | undefined;
  readonly maxIncrease?: MaxIncrease | undefined;
  readonly basis?: SizeBasis | undefined;
}

export type BudgetBreach =
  | {
      readonly kind: 'size-limit';
      readonly limitBytes: number;
      readonly actualBytes: number;
      readonly message: string;
    }
  | {
      readonly kind: 'max-increase';
      readonly limit: MaxIncrease;
      readonly increaseBytes: number;
      readonly increasePercent: number | undefined;
      readonly message: string;
    };

export type BudgetStatus = 'within' | 'over' | 'no-baseline';

export interface BudgetVerdict {
  /** `over` when any budget is broken; else `no-baseline` when there was nothing to compare with. */
  readonly status: BudgetStatus;
  readonly basis: SizeBasis;
  readonly breaches: readonly BudgetBreach[];
  /** One clause per check, broken or not, e.g. `compressed size 152MB is over the size-limit of 150MB`. */
  readonly checks: readonly string[];
  /** The whole verdict as one sentence: `Over budget: …; ….` */
  readonly message: string;
}

export const VERDICT_LABELS: Readonly<Record<BudgetStatus, string>> = {
  within: 'Within budget',
  over: 'Over budget',
  'no-baseline': 'No baseline',
};

export function evaluateBudget(
  current: SizeReport,
  baseline: SizeReport | undefined,
  budget: Budget,
): BudgetVerdict {
  const basis = budget.basis ?? 'compressed';
  const bytesOf = (report: SizeReport): number =>
    basis === 'compressed' ? report.compressedBytes : report.uncompressedBytes;
  const actual = bytesOf(current);
  const breaches: BudgetBreach[] = [];
  const checks: string[] = [];

  if (baseline === undefined) {
    checks.push('no size report of the base branch to compare with');
  }
  if (budget.sizeLimit !== undefined) {
    const over = actual > budget.sizeLimit;
    const clause = `${basis} size ${formatSize(actual)} is ${over ? 'over' : 'within'} the size-limit of ${formatSize(budget.sizeLimit)}`;
    checks.push(clause);
    if (over) {
      breaches.push({
        kind: 'size-limit',
        limitBytes: budget.sizeLimit,
        actualBytes: actual,
        message: clause,
      });
    }
  }
  if (budget.maxIncrease !== undefined) {
    if (baseline === undefined) {
      checks.push(`max-increase of ${formatMaxIncrease(budget.maxIncrease)} not checked`);
    } else {
      const delta = sizeDelta(bytesOf(baseline), actual);
      const limit = budget.maxIncrease;
      const over =
        limit.kind === 'bytes'
          ? delta.change > limit.bytes
          : delta.percent === undefined
            ? delta.change > 0
            : delta.percent > limit.percent;
      const clause = `the ${basis} change of ${formatSizeDelta(delta.change)} (${formatPercentDelta(delta)}) is ${over ? 'over' : 'within'} the max-increase of ${formatMaxIncrease(limit)}`;
      checks.push(clause);
      if (over) {
        breaches.push({
          kind: 'max-increase',
          limit,
          increaseBytes: delta.change,
          increasePercent: delta.percent,
          message: clause,
        });
      }
    }
  }
  if (budget.sizeLimit === undefined && budget.maxIncrease === undefined) {
    checks.push('no size-limit or max-increase set');
  }

  const status: BudgetStatus =
    breaches.length > 0 ? 'over' : baseline === undefined ? 'no-baseline' : 'within';
  return {
    status,
    basis,
    breaches,
    checks,
    message: `${VERDICT_LABELS[status]}: ${checks.join('; ')}.`,
  };
}
