// The size outputs of the action, as strings: every one is set on every path, empty where there is nothing to
// say (no image measured, no baseline). Pure.
import type { SizeDiff } from '../size/types.js';

export type SizeOutputName =
  'size' | 'size-uncompressed' | 'size-delta' | 'size-delta-percent' | 'baseline-size';

/** The outputs when no image was measured. */
export const EMPTY_SIZE_OUTPUTS: Readonly<Record<SizeOutputName, string>> = {
  size: '',
  'size-uncompressed': '',
  'size-delta': '',
  'size-delta-percent': '',
  'baseline-size': '',
};

/**
 * Bytes as integers; the delta signed (`-512`), its percent with two decimals (`3.42`, `-0.51`, `0.00`). The
 * delta, percent and baseline are empty without a baseline, and the percent also when the baseline was 0.
 */
export function renderSizeOutputs(diff: SizeDiff): Record<SizeOutputName, string> {
  const delta = diff.delta?.compressed;
  return {
    size: String(diff.current.compressedBytes),
    'size-uncompressed': String(diff.current.uncompressedBytes),
    'size-delta': delta === undefined ? '' : String(delta.change),
    'size-delta-percent':
      delta?.percent === undefined ? '' : delta.percent.toFixed(2).replace(/^-(0\.00)$/, '$1'),
    'baseline-size': diff.baseline === undefined ? '' : String(diff.baseline.compressedBytes),
  };
}
