// Shared by the benchmarks: the run header, the timing loop and the real-world corpus.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const WARM_UP_MS = 500;
const ROUNDS = 5;
/** Measured time per figure, spread over the rounds. */
const MIN_MEASURED_MS = 2000;

export const MEASUREMENT_NOTE =
  `Each figure: median of ${ROUNDS} rounds after a ${WARM_UP_MS} ms warm-up, ` +
  `${MIN_MEASURED_MS / 1000} s or more measured in all.`;

export function printHeader(title: string): void {
  console.log(title);
  const cpus = os.cpus();
  const load = os.loadavg()[0]!.toFixed(1);
  console.log(
    `node ${process.version} · ${cpus[0]?.model ?? 'unknown CPU'} (${cpus.length} CPUs, load ${load}) · ${new Date().toISOString()}`,
  );
  console.log('');
}

let sink: unknown;

/**
 * Calls `work` for a warm-up, then in ROUNDS rounds of equal length that together last at least
 * MIN_MEASURED_MS; returns the median over the rounds of the mean time per call, in ms.
 */
export function measureMsPerCall(work: () => unknown): number {
  let warmUpCalls = 0;
  const warmUpStart = performance.now();
  while (performance.now() - warmUpStart < WARM_UP_MS) {
    sink = work();
    warmUpCalls++;
  }
  const estimatedMs = (performance.now() - warmUpStart) / warmUpCalls;
  const callsPerRound = Math.max(1, Math.ceil(MIN_MEASURED_MS / ROUNDS / estimatedMs));

  const roundMs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = performance.now();
    for (let call = 0; call < callsPerRound; call++) sink = work();
    roundMs.push((performance.now() - start) / callsPerRound);
  }
  if (sink === undefined) throw new Error('the measured work returned nothing');
  return median(roundMs);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so generated inputs are the same every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

export interface CorpusFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly numFrom: number;
}

/** `$STAGECRAFT_CORPUS_DIR`, else `../shared/corpus` beside the repository (this file runs as build/bench/*.js). */
export function readCorpus(): CorpusFile[] {
  const repository = fileURLToPath(new URL('../../', import.meta.url));
  const directory = process.env.STAGECRAFT_CORPUS_DIR ?? path.join(repository, '..', 'shared', 'corpus');
  const [header, ...rows] = readFileSync(path.join(directory, 'manifest.tsv'), 'utf8').trimEnd().split('\n');
  const columns = header!.split('\t');
  const fileColumn = columns.indexOf('file');
  const numFromColumn = columns.indexOf('num_from');
  return rows.map((row) => {
    const cells = row.split('\t');
    const name = cells[fileColumn]!;
    return {
      name,
      bytes: readFileSync(path.join(directory, 'files', name)),
      numFrom: Number(cells[numFromColumn]),
    };
  });
}

export function formatNumber(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Left-aligns the first column, right-aligns the rest. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((cell, column) =>
    Math.max(cell.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  console.log(line(header));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const row of rows) console.log(line(row));
}
