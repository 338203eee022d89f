// What bench/cache.ts prints: the per-scenario tables and details, and the acceptance block against BuildKit's
// gha backend (issue #8). The single-dir acceptance block (issue 4) stays in cache.ts beside the run.
import { formatNumber, printTable } from './harness.js';
import {
  formatBytes,
  GHA_LABEL,
  IMAGE_TAG,
  type GhaRun,
  type Measured,
  type Phase,
  type StagecraftRun,
} from './cache-peers.js';
import type { ProgressSummary } from '../src/buildx/index.js';

export function ratio(a: number, b: number): string {
  if (b === 0) return a === 0 ? '—' : '∞';
  return `${formatNumber(a / b, 2)}×`;
}

/**
 * Dockerfile steps once each: a bake of several targets shows a shared step under every target that needs
 * it (ran under one, CACHED under the others), so steps are merged by stage and index; a step ran when any
 * of its vertices ran.
 */
export function distinctSteps(progress: ProgressSummary): { name: string; ran: boolean; seconds: number }[] {
  const steps = new Map<string, { name: string; ran: boolean; seconds: number }>();
  for (const vertex of progress.steps) {
    const id = `${vertex.stage ?? '?'} ${vertex.step?.index ?? 0}`;
    const step = steps.get(id) ?? {
      name: `${vertex.stage ?? '?'}:${vertex.instruction.split(' ')[0]}`,
      ran: false,
      seconds: 0,
    };
    if (!vertex.cached) {
      step.ran = true;
      step.seconds = Math.max(step.seconds, vertex.durationS ?? 0);
    }
    steps.set(id, step);
  }
  return [...steps.values()];
}

/** Seconds the build stage's RUN (the compile) took, 0 when it was cached. */
export function compileSeconds(progress: ProgressSummary | undefined): number {
  if (progress === undefined) return 0;
  return distinctSteps(progress).find((step) => step.name === 'build:RUN' && step.ran)?.seconds ?? 0;
}

/** The Dockerfile steps that ran (`stage:INSTRUCTION`), and how many were cached. */
export function stepCounts(progress: ProgressSummary | undefined): { ran: string[]; cached: number } {
  const steps = progress === undefined ? [] : distinctSteps(progress);
  const ran = steps.filter((step) => step.ran).map((step) => step.name);
  return { ran, cached: steps.length - ran.length };
}

export function progressText(progress: ProgressSummary | undefined): string {
  if (progress === undefined) return 'no progress';
  const steps = distinctSteps(progress);
  const { ran, cached } = stepCounts(progress);
  const text =
    `${ran.length} steps ran, ${cached} cached` + (ran.length === 0 ? '' : ` (ran: ${ran.join(', ')})`);
  const own = `${progress.executedSteps.length} ran, ${progress.cachedSteps.length} cached`;
  return progress.steps.length === steps.length ? text : `${text} [ProgressSummary's own count: ${own}]`;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** One strategy's runs of a scenario: the median wall time, and the run closest to it for the details. */
export interface Runs<T extends Measured> {
  readonly all: readonly T[];
  readonly wallS: number;
  readonly typical: T;
}

export function summarize<T extends Measured>(all: readonly T[]): Runs<T> {
  const wallS = median(all.map((m) => m.wallS));
  const typical = [...all].sort((a, b) => Math.abs(a.wallS - wallS) - Math.abs(b.wallS - wallS))[0]!;
  return { all, wallS, typical };
}

/**
 * The scenario's table (each peer's row also shows stagecraft's figure as a multiple of the peer's) and each
 * strategy's details.
 */
export function printScenario(
  title: string,
  stagecraft: Runs<StagecraftRun>,
  peers: readonly Runs<Measured>[],
): void {
  console.log(title);
  const row = (runs: Runs<Measured>): string[] => {
    const figure = (value: (r: Runs<Measured>) => number, text: string): string[] => [
      text,
      runs === stagecraft ? '' : ratio(value(stagecraft), value(runs)),
    ];
    return [
      runs.typical.strategy,
      ...figure((r) => r.wallS, formatNumber(runs.wallS, 1)),
      ...figure((r) => r.typical.restoredBytes, formatBytes(runs.typical.restoredBytes)),
      ...figure((r) => r.typical.savedBytes, formatBytes(runs.typical.savedBytes)),
      String(runs.typical.entriesWritten),
    ];
  };
  const all: Runs<Measured>[] = [stagecraft, ...peers];
  printTable(
    [
      'strategy',
      'wall s',
      'stagecraft ÷',
      'restored',
      'stagecraft ÷',
      'saved',
      'stagecraft ÷',
      'entries written',
    ],
    all.map(row),
  );
  console.log("  (stagecraft ÷: stagecraft's figure as a multiple of the row's)");
  for (const runs of all) {
    const m = runs.typical;
    const walls = runs.all.map((r) => formatNumber(r.wallS, 1)).join(', ');
    const compiles = runs.all.map((r) => formatNumber(compileSeconds(r.progress), 1)).join(', ');
    const rest = median(runs.all.map((r) => r.wallS - compileSeconds(r.progress)));
    console.log(
      `  ${m.strategy}: wall per round ${walls} s; the compile RUN ${compiles} s; ` +
        `wall minus the compile, median ${formatNumber(rest, 1)} s`,
    );
    const save = m.phases.findIndex((p) => p.name === 'Save');
    const text = (phases: readonly Phase[]): string =>
      phases.map((p) => `${p.name} ${formatNumber(p.seconds, 1)}`).join(' · ');
    console.log(
      `    phases (the median round): ${text(save < 0 ? m.phases : m.phases.slice(0, save + 1))}` +
        (save < 0 || save === m.phases.length - 1
          ? ''
          : ` [after Save, not counted: ${text(m.phases.slice(save + 1))}]`),
    );
    console.log(`    BuildKit: ${progressText(m.progress)}`);
    for (const line of m.detail) console.log(`    ${line}`);
    // Entries carry build times, so their sizes move by a few bytes from round to round; more is worth a note.
    const differs = (value: (r: Measured) => number): boolean => {
      const values = runs.all.map(value);
      return Math.max(...values) - Math.min(...values) > 0.001 * Math.max(...values);
    };
    if (differs((r) => r.restoredBytes) || differs((r) => r.savedBytes) || differs((r) => r.entriesWritten)) {
      const each = runs.all.map(
        (r) => `${formatBytes(r.restoredBytes)}/${formatBytes(r.savedBytes)}/${r.entriesWritten}`,
      );
      console.log(`    NOTE: bytes restored/saved/entries differ between rounds: ${each.join(', ')}`);
    }
  }
  console.log('');
}

export function verdict(ok: boolean): string {
  return ok ? 'met' : 'NOT met';
}

export type ScenarioKind = 'cold' | 'no-change' | 'source' | 'deps';

export interface Outcome {
  readonly kind: ScenarioKind;
  readonly title: string;
  readonly stagecraft: Runs<StagecraftRun>;
  readonly singleDir: Runs<Measured>;
  /** gha from its store as its own previous builds left it (GHA_LABEL.last where ghaFull is measured too). */
  readonly gha: Runs<GhaRun>;
  /** gha from its store as the last gha build that ran a RUN step left it (GHA_LABEL.full); where it differs. */
  readonly ghaFull: Runs<GhaRun> | undefined;
  readonly changed: readonly string[];
  readonly testEntryKey: string | undefined;
}

/** A stagecraft build whose progress says fully cached (or any in the no-change scenario), checked apart. */
export interface CachedCheck {
  readonly kind: ScenarioKind;
  readonly scenario: string;
  readonly round: number;
  readonly fullyCached: boolean;
  /** RUN steps that BuildKit's progress shows as run, `stage:RUN`. */
  readonly runsRan: readonly string[];
  /** `docker run --rm <tag> --version`: its exit code and first line. */
  readonly exitCode: number;
  readonly output: string;
}

/** Against BuildKit's gha backend (issue #8): ratios to gha's figure, except noChangeWallS (seconds over). */
const GHA_GOALS = {
  coldSaved: 0.35,
  noChangeRestored: 1.5,
  noChangeWallS: 1.0,
  sourceRestored: 1.0,
  sourceSaved: 1.2,
  sourceWall: 1.05,
  depsSaved: 1.1,
};

type Figure = 'restored' | 'saved' | 'wall';

function figure(runs: Runs<Measured>, what: Figure): number {
  return what === 'wall'
    ? runs.wallS
    : what === 'saved'
      ? runs.typical.savedBytes
      : runs.typical.restoredBytes;
}

function figureText(value: number, what: Figure): string {
  return what === 'wall' ? `${formatNumber(value, 1)} s` : formatBytes(value);
}

/** The scenario's gha runs: the one, or both starting points. */
function ghaVariants(outcome: Outcome): Runs<GhaRun>[] {
  return outcome.ghaFull === undefined ? [outcome.gha] : [outcome.gha, outcome.ghaFull];
}

/**
 * Issue #8's goals against BuildKit's gha backend, each line met or NOT met. Where gha was measured from two
 * starting points, each figure is set against gha with the last full index (like for like), the other shown.
 */
export function printGhaAcceptance(
  outcomes: readonly Outcome[],
  checks: readonly CachedCheck[],
  rounds: number,
): void {
  const of = (kind: ScenarioKind): Outcome => outcomes.find((outcome) => outcome.kind === kind)!;
  const [cold, noChange, source, deps] = [of('cold'), of('no-change'), of('source'), of('deps')];
  const line = (text: string, ok: boolean): void => console.log(`  ${text}: ${verdict(ok)}`);
  /**
   * stagecraft's figure against gha's, as `a× gha's (… goal ≤ g×)`; true when a ≤ g × gha's. With two gha
   * runs, against the one with the last full index, giving the other's too.
   */
  const against = (outcome: Outcome, what: Figure, goal: number): [string, boolean] => {
    // Like for like: gha as it runs when the index it imports comes from a build that ran (the issue's own
    // figures); the cache-busted run (the index of a fully cached run) is shown beside it.
    const theirs = outcome.ghaFull ?? outcome.gha;
    const other = outcome.ghaFull === undefined ? undefined : outcome.gha;
    const ours = figure(outcome.stagecraft, what);
    const value = figure(theirs, what);
    const which =
      other === undefined
        ? ''
        : ` of ${theirs.typical.strategy}; ${other.typical.strategy}: ` +
          `${figureText(figure(other, what), what)}, ${ratio(ours, figure(other, what))}`;
    return [
      `${what === 'wall' ? 'wall' : `bytes ${what}`} ${ratio(ours, value)} gha's ` +
        `(${figureText(ours, what)} vs ${figureText(value, what)}${which}; goal ≤ ${formatNumber(goal, 2)}×)`,
      ours <= goal * value,
    ];
  };
  const entries = (outcome: Outcome): string =>
    [...new Set(outcome.stagecraft.all.map((run) => run.entriesWritten))].join(' or ');
  console.log(
    "Acceptance against BuildKit's gha backend (stagecraft vs gha; where gha ran from two starting points, " +
      'vs gha with the last full index, the cache-busted run beside it):',
  );

  line(...prefixed('cold', against(cold, 'saved', GHA_GOALS.coldSaved)));
  const reachable = cold.stagecraft.typical.result.keys.map((key) => key.stageName);
  line(
    `cold: entries written by stagecraft ${entries(cold)}${rounds > 1 ? ' (every round)' : ''}, goal one per ` +
      `reachable stage (${reachable.length}: ${reachable.join(', ')})`,
    reachable.length === 3 && cold.stagecraft.all.every((run) => run.entriesWritten === reachable.length),
  );

  const noChangeSaved = [...new Set(noChange.stagecraft.all.map((run) => formatBytes(run.savedBytes)))];
  line(
    `no change: stagecraft saved ${noChangeSaved.join(' or ')} in ${entries(noChange)} entries (goal 0 B, 0 entries)`,
    noChange.stagecraft.all.every((run) => run.savedBytes === 0 && run.entriesWritten === 0),
  );
  line(...prefixed('no change', against(noChange, 'restored', GHA_GOALS.noChangeRestored)));
  const overS = noChange.stagecraft.wallS - noChange.gha.wallS;
  line(
    `no change: wall ${formatNumber(noChange.stagecraft.wallS, 1)} s vs gha's ${formatNumber(noChange.gha.wallS, 1)} s, ` +
      `${overS >= 0 ? '+' : ''}${formatNumber(overS, 1)} s (goal ≤ gha's + ${formatNumber(GHA_GOALS.noChangeWallS, 1)} s)`,
    overS <= GHA_GOALS.noChangeWallS,
  );

  line(...prefixed('source-only change', against(source, 'restored', GHA_GOALS.sourceRestored)));
  line(...prefixed('source-only change', against(source, 'saved', GHA_GOALS.sourceSaved)));
  line(
    `source-only change: entries written by stagecraft ${entries(source)}, stages whose key changed ` +
      `${source.changed.length} (${source.changed.join(', ') || 'none'}; goal no more)`,
    source.stagecraft.all.every((run) => run.entriesWritten <= source.changed.length),
  );
  line(...prefixed('source-only change', against(source, 'wall', GHA_GOALS.sourceWall)));
  const rest = (runs: Runs<Measured>): number =>
    median(runs.all.map((r) => r.wallS - compileSeconds(r.progress)));
  const ghaRests = ghaVariants(source).map(
    (runs) => `${runs.typical.strategy} ${formatNumber(rest(runs), 1)} s`,
  );
  console.log(
    `  (source-only change, wall minus the compile RUN, median: stagecraft ${formatNumber(rest(source.stagecraft), 1)} s, ` +
      `${ghaRests.join(', ')}; not a goal, a less noisy view of the same)`,
  );

  line(...prefixed('dependency change', against(deps, 'saved', GHA_GOALS.depsSaved)));
  printGhaLastIndex(outcomes);

  const bad = checks.filter((check) => check.runsRan.length > 0 || check.exitCode !== 0);
  const fully = checks.filter((check) => check.fullyCached).length;
  line(
    `every fully cached stagecraft build really is: ${checks.length} build${checks.length === 1 ? '' : 's'} checked ` +
      `(${fully} whose progress says fully cached, the no-change rounds in any case): no RUN step ran and ` +
      `\`docker run --rm ${IMAGE_TAG.stagecraft} --version\` exits 0`,
    bad.length === 0 && checks.filter((check) => check.kind === 'no-change').length === rounds,
  );
  for (const check of bad) {
    console.log(
      `  (${check.scenario}, round ${check.round}: RUN steps that ran ${JSON.stringify(check.runsRan)}; ` +
        `the image exited ${check.exitCode}: ${check.output})`,
    );
  }
}

/**
 * One line per scenario on gha from its store as its own previous builds left it: what it imported, what ran,
 * what it restored and the index it wrote, so a cache bust by the no-change run's index shows; where gha also
 * ran from the last full index, that run's steps and bytes restored beside it.
 */
function printGhaLastIndex(outcomes: readonly Outcome[]): void {
  const steps = (runs: Runs<GhaRun>): string => {
    const { ran, cached } = stepCounts(runs.typical.progress);
    return `${ran.length} steps ran, ${cached} cached, restored ${formatBytes(runs.typical.restoredBytes)}`;
  };
  console.log(`  ${GHA_LABEL.last}, scenario by scenario (the median round; not a goal, what it did):`);
  for (const outcome of outcomes) {
    const m = outcome.gha.typical;
    const full =
      outcome.ghaFull === undefined
        ? ''
        : `; beside it ${outcome.ghaFull.typical.strategy}: ${steps(outcome.ghaFull)}`;
    console.log(
      `    ${outcome.title.split(' (')[0]}: imported index ${m.indexImported}, ${steps(outcome.gha)}, ` +
        `wrote index ${m.indexWritten}${full}`,
    );
  }
}

function prefixed(scenario: string, [text, ok]: [string, boolean]): [string, boolean] {
  return [`${scenario}: ${text}`, ok];
}
