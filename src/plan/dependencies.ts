// Derived views of a plan that the cache steps need.
import type { Plan } from './types.js';

/** Each reachable stage's transitive dependencies (FROM chain, COPY --from, mounts, ONBUILD), in index order. */
export function transitiveDependencies(plan: Plan): Map<number, number[]> {
  const direct = new Map(
    plan.stages.map((stage) => [stage.index, stage.dependsOn.map((edge) => edge.stage)]),
  );
  const result = new Map<number, number[]>();
  for (const index of plan.order) {
    const seen = new Set<number>();
    const stack = [...(direct.get(index) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push(...(direct.get(next) ?? []));
    }
    result.set(
      index,
      [...seen].sort((a, b) => a - b),
    );
  }
  return result;
}

/** What restoring a stage's cache may need besides its own entry (see `restoreNeeds`). */
export interface StageNeeds {
  /** The stage it is built `FROM`, if it is built on another stage: its layers are part of this stage's. */
  readonly from?: number;
  /** Every stage it reads while it builds (FROM, COPY --from, mounts, ONBUILD), in index order. */
  readonly dependencies: readonly number[];
}

/**
 * Per reachable stage, what a restore by need looks at: when the stage's exact key hits, only its FROM stage's
 * layers are needed; when it misses, every stage it reads.
 */
export function restoreNeeds(plan: Plan): Map<number, StageNeeds> {
  const needs = new Map<number, StageNeeds>();
  for (const index of plan.order) {
    const stage = plan.stages[index]!;
    const dependencies = [...new Set(stage.dependsOn.map((edge) => edge.stage))].sort((a, b) => a - b);
    needs.set(index, 'stage' in stage.base ? { from: stage.base.stage, dependencies } : { dependencies });
  }
  return needs;
}
