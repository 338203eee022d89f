// Planning time: the corpus's 98-stage file and generated files of 100, 1,000 and 10,000 stages, planned
// for the default target (the last stage). Time per stage must stay flat as files grow.
import { parsePlatform, planDockerfile, type PlanRequest } from '../src/plan/index.js';
import {
  formatNumber,
  measureMsPerCall,
  MEASUREMENT_NOTE,
  printHeader,
  printTable,
  readCorpus,
  seededRandom,
} from './harness.js';

const CORPUS_STAGES = 98;
const GENERATED_STAGES = [100, 1_000, 10_000] as const;
const GOAL_STAGES = 1_000;
const GOAL_MS = 50;
/** Stages in a generated group: a base, build steps, a test stage nothing needs, and a bin stage. */
const GROUP_SIZE = 10;
/** How far back a cross-stage COPY or mount reaches. */
const EDGE_WINDOW = 30;

const linuxAmd64 = parsePlatform('linux/amd64');
const request: PlanRequest = {
  buildArgs: new Map(),
  buildContexts: new Map(),
  targetPlatform: linuxAmd64,
  buildPlatform: linuxAmd64,
};

interface Input {
  readonly label: string;
  readonly stages: number;
  readonly bytes: Uint8Array;
}

function main(): void {
  printHeader('stagecraft plan benchmark');
  const corpusFile = readCorpus().find((file) => file.numFrom === CORPUS_STAGES);
  if (corpusFile === undefined) throw new Error(`no corpus file with ${CORPUS_STAGES} FROMs in manifest.tsv`);
  const inputs: Input[] = [
    { label: `corpus: ${corpusFile.name}`, stages: CORPUS_STAGES, bytes: corpusFile.bytes },
    ...GENERATED_STAGES.map((stages) => ({
      label: `generated, ${formatNumber(stages, 0)} stages`,
      stages,
      bytes: new TextEncoder().encode(generateDockerfile(stages)),
    })),
  ];

  const msPerPlan = new Map<number, number>();
  const rows = inputs.map((input) => {
    const plan = planDockerfile(input.bytes, request);
    if (plan.stages.length !== input.stages || plan.targetIndex !== input.stages - 1) {
      throw new Error(`${input.label}: planned ${plan.stages.length} stages for stage ${plan.targetIndex}`);
    }
    const msPerCall = measureMsPerCall(() => planDockerfile(input.bytes, request));
    msPerPlan.set(input.stages, msPerCall);
    return [
      input.label,
      formatNumber(input.stages, 0),
      formatNumber(plan.order.length, 0),
      formatNumber(input.bytes.length, 0),
      formatNumber(msPerCall, 2),
      formatNumber((msPerCall * 1e3) / input.stages, 1),
    ];
  });
  printTable(['input', 'stages', 'reached', 'bytes', 'ms per plan', 'µs per stage'], rows);

  const perStageAt100 = msPerPlan.get(100)! / 100;
  const perStageAt1000 = msPerPlan.get(1_000)! / 1_000;
  const goalMs = msPerPlan.get(GOAL_STAGES)!;
  console.log('');
  console.log(
    'A plan is planDockerfile on the bytes: parse, typed instructions, stage graph; default target.',
  );
  console.log(MEASUREMENT_NOTE);
  console.log(
    `µs per stage at 1,000 vs 100 stages: ${formatNumber(perStageAt1000 * 1e3, 1)} / ` +
      `${formatNumber(perStageAt100 * 1e3, 1)} = ${formatNumber(perStageAt1000 / perStageAt100, 2)} (flat ≈ 1)`,
  );
  console.log(
    `Goal, a ${formatNumber(GOAL_STAGES, 0)}-stage plan under ${GOAL_MS} ms: ` +
      `${goalMs < GOAL_MS ? 'met' : 'NOT met'} (${formatNumber(goalMs, 2)} ms)`,
  );
}

/**
 * `stageCount` stages in groups of GROUP_SIZE, with the edges real files have: a group starts FROM an
 * image named by a global ARG; build stages go FROM the previous stage, COPY --from an earlier stage by
 * name or by index, mount one, or copy from an external image; a test stage is needed by nothing; the
 * group's bin stage copies the group's output and the previous bin, so the last stage reaches every group.
 */
function generateDockerfile(stageCount: number): string {
  const random = seededRandom(stageCount);
  const names: string[] = [];
  const needed: number[] = [];
  const lines = [
    '# syntax=docker/dockerfile:1',
    'ARG BASE_IMAGE=debian:bookworm-slim',
    'ARG GO_VERSION=1.22',
  ];
  const earlierNeeded = () => {
    const window = needed.slice(-EDGE_WINDOW);
    return window[Math.floor(random() * window.length)]!;
  };

  for (let index = 0; index < stageCount; index++) {
    const role = index % GROUP_SIZE;
    const group = Math.floor(index / GROUP_SIZE);
    const isBin = role === GROUP_SIZE - 1 || index === stageCount - 1;
    const name = isBin ? `bin-${group}` : role === GROUP_SIZE - 2 ? `test-${index}` : `build-${index}`;
    lines.push('');
    if (isBin) {
      lines.push(
        `FROM \${BASE_IMAGE} AS ${name}`,
        `COPY --from=${names[needed.at(-1)!]} /out/ /usr/local/bin/`,
      );
      if (group > 0) lines.push(`COPY --from=bin-${group - 1} /usr/local/bin/ /usr/local/bin/`);
    } else if (role === 0) {
      lines.push(`FROM golang:\${GO_VERSION} AS ${name}`, 'WORKDIR /src', 'COPY go.mod go.sum ./');
    } else {
      const source = earlierNeeded();
      lines.push(`FROM ${names[index - 1]} AS ${name}`, `ENV STAGE=${name}`);
      switch (Math.floor(random() * 4)) {
        case 0:
          lines.push(`COPY --link --from=${names[source]} /out/ /deps/`);
          break;
        case 1:
          lines.push(`COPY --from=${source} /out/ /deps/`);
          break;
        case 2:
          lines.push(`RUN --mount=type=bind,from=${names[source]},source=/out,target=/deps make -C /deps`);
          break;
        default:
          lines.push('COPY --from=alpine:3.20 /bin/busybox /bin/');
      }
      lines.push(
        `RUN --mount=type=cache,target=/root/.cache/go-build go build -o /out/${name} ./cmd/${name}`,
      );
    }
    names.push(name);
    if (!name.startsWith('test-')) needed.push(index);
  }
  return lines.join('\n') + '\n';
}

main();
