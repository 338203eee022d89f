// Compares a size report with its baseline: totals, deltas and a layer-by-layer match. Pure.
import type {
  LayerChange,
  SizeDelta,
  SizeDiff,
  SizeReport,
  SizeReportLayer,
  SizeTotals,
} from '../size/types.js';

export function sizeTotals(report: SizeReport): SizeTotals {
  return {
    compressedBytes: report.compressedBytes,
    uncompressedBytes: report.uncompressedBytes,
    layerCount: report.layers.filter((layer) => !layer.emptyLayer).length,
  };
}

export function sizeDelta(baseline: number, current: number): SizeDelta {
  const change = current - baseline;
  return { change, percent: baseline === 0 ? undefined : (change / baseline) * 100 };
}

/**
 * Matches the non-empty layers of both reports: first by origin and instruction text (the k-th occurrence of
 * the same stage and instruction in one with the k-th in the other), then what is left by position within
 * the same origin (the base image, or one stage) and instruction keyword, so an edited instruction shows as
 * one layer that grew or shrank rather than one that vanished and one that appeared.
 */
export function computeSizeDiff(current: SizeReport, baseline: SizeReport | undefined): SizeDiff {
  const currentTotals = sizeTotals(current);
  if (baseline === undefined) {
    return { current: currentTotals, baseline: undefined, delta: undefined, layers: [] };
  }
  const baselineTotals = sizeTotals(baseline);
  const before = baseline.layers.filter((layer) => !layer.emptyLayer);
  const after = current.layers.filter((layer) => !layer.emptyLayer);
  const pairOf = new Map<number, number>(); // index in `after` → index in `before`
  const taken = new Set<number>();

  const byKey = new Map<string, number[]>();
  before.forEach((layer, i) => {
    const key = matchKey(layer);
    byKey.set(key, [...(byKey.get(key) ?? []), i]);
  });
  after.forEach((layer, i) => {
    const candidates = byKey.get(matchKey(layer));
    const j = candidates?.shift();
    if (j !== undefined) {
      pairOf.set(i, j);
      taken.add(j);
    }
  });

  const beforeByPosition = new Map<string, number>();
  groupPositions(before).forEach((position, i) => {
    if (!taken.has(i)) beforeByPosition.set(position, i);
  });
  groupPositions(after).forEach((position, i) => {
    if (pairOf.has(i)) return;
    const j = beforeByPosition.get(position);
    if (j !== undefined) {
      pairOf.set(i, j);
      taken.add(j);
    }
  });

  const layers: LayerChange[] = after.map((layer, i) => {
    const j = pairOf.get(i);
    return j === undefined ? { status: 'appeared', current: layer } : matched(before[j]!, layer);
  });
  before.forEach((layer, j) => {
    if (!taken.has(j)) layers.push({ status: 'vanished', baseline: layer });
  });

  return {
    current: currentTotals,
    baseline: baselineTotals,
    delta: {
      compressed: sizeDelta(baselineTotals.compressedBytes, currentTotals.compressedBytes),
      uncompressed: sizeDelta(baselineTotals.uncompressedBytes, currentTotals.uncompressedBytes),
      layerCount: sizeDelta(baselineTotals.layerCount, currentTotals.layerCount),
    },
    layers,
  };
}

/**
 * Whether the image moved by more than `thresholdPercent` (compressed or uncompressed), for
 * `comment: on-change`. Without a baseline nothing can have moved.
 */
export function hasSizeChanged(diff: SizeDiff, thresholdPercent: number): boolean {
  if (diff.delta === undefined) return false;
  return [diff.delta.compressed, diff.delta.uncompressed].some((delta) =>
    delta.percent === undefined ? delta.change !== 0 : Math.abs(delta.percent) > thresholdPercent,
  );
}

function matched(baseline: SizeReportLayer, current: SizeReportLayer): LayerChange {
  const compressedDelta = current.compressedBytes - baseline.compressedBytes;
  const uncompressedDelta = current.uncompressedBytes - baseline.uncompressedBytes;
  const direction = compressedDelta !== 0 ? compressedDelta : uncompressedDelta;
  return {
    status: direction > 0 ? 'grew' : direction < 0 ? 'shrank' : 'unchanged',
    baseline,
    current,
    compressedDelta,
    uncompressedDelta,
    digestChanged: baseline.digest !== current.digest,
  };
}

function groupOf(layer: SizeReportLayer): string {
  return layer.origin.kind === 'base' ? 'base' : `stage\0${layer.origin.stage.toLowerCase()}`;
}

function matchKey(layer: SizeReportLayer): string {
  const text = layer.origin.kind === 'base' ? layer.createdBy : layer.origin.instruction;
  return `${groupOf(layer)}\0${text.trim().replace(/\s+/g, ' ')}`;
}

/**
 * Each layer's `group\0position-within-group\0keyword`: an edited `RUN` pairs with the `RUN` that was in its
 * place, but a `COPY` replaced by a `RUN` is one layer vanished and one appeared. Base image layers pair by
 * position alone (a new base has new history lines).
 */
function groupPositions(layers: readonly SizeReportLayer[]): string[] {
  const counts = new Map<string, number>();
  return layers.map((layer) => {
    const group = groupOf(layer);
    const position = counts.get(group) ?? 0;
    counts.set(group, position + 1);
    const keyword =
      layer.origin.kind === 'base'
        ? ''
        : (/^\s*(\S+)/.exec(layer.origin.instruction)?.[1] ?? '').toUpperCase();
    return `${group}\0${position}\0${keyword}`;
  });
}
