import type { LineRange } from '../dockerfile/errors.js';
import type { Platform } from './platform.js';

/** What a plan is asked for: the `docker buildx build` options that shape the stage graph. */
export interface PlanRequest {
  /** `--target`; empty or undefined builds the last stage. */
  readonly target?: string | undefined;
  readonly buildArgs: ReadonlyMap<string, string>;
  /** `--build-context name=value`. */
  readonly buildContexts: ReadonlyMap<string, string>;
  readonly targetPlatform: Platform;
  readonly buildPlatform: Platform;
}

export type EdgeKind = 'from' | 'copy' | 'mount' | 'onbuild';

/** Stage `stage` is needed by the stage that holds this edge, through the instruction on `line`. */
export interface StageEdge {
  readonly stage: number;
  readonly via: EdgeKind;
  readonly line: number;
  /** The name as the instruction wrote it: `builder` in `COPY --from=builder`, `0` in `--from=0`. */
  readonly reference: string;
}

export type StageBase =
  { readonly image: string } | { readonly stage: number } | { readonly context: string };

export interface PlannedStage {
  readonly index: number;
  /** Lowercased name, or null for an unnamed stage. */
  readonly name: string | null;
  /** `name`, or `stage-<index>` as BuildKit prints it. */
  readonly displayName: string;
  readonly base: StageBase;
  /** `--platform` after expansion, when the FROM has one. */
  readonly platform: string | undefined;
  readonly reachable: boolean;
  readonly dependsOn: readonly StageEdge[];
  /** External images this stage reads (its FROM image, `COPY --from` and mount images). */
  readonly images: readonly string[];
  readonly range: LineRange;
}

export interface Plan {
  readonly target: string | null;
  readonly targetIndex: number;
  /** Reachable stage indices in build order. */
  readonly order: readonly number[];
  readonly skipped: readonly number[];
  readonly stages: readonly PlannedStage[];
  /** Every external image the reachable stages read, in first-use order. */
  readonly externalImages: readonly string[];
  /** Global ARG values after build args and defaults, as FROM lines saw them. */
  readonly globalArgs: ReadonlyMap<string, string>;
}
