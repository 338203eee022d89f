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
