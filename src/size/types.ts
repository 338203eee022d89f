// The size report: what one image (one target, one platform) weighs, layer by layer, mapped back to the
// Dockerfile. It is stored as JSON (the baseline of later pull requests), so its shape is versioned: a reader
// meeting another `schemaVersion` treats the report as absent rather than guessing.

export const SIZE_REPORT_SCHEMA_VERSION = 1;

/** Where a layer came from: the external base image, or an instruction of a stage in this Dockerfile. */
export type LayerOrigin =
  | { readonly kind: 'base' }
  | {
      readonly kind: 'stage';
      /** The stage's display name (`stage-N` when unnamed), as the plan prints it. */
      readonly stage: string;
      /** 1-based line of the instruction in the Dockerfile. */
      readonly line: number;
      /** The instruction as the Dockerfile wrote it (first line of a continued instruction is enough). */
      readonly instruction: string;
    };

export interface SizeReportLayer {
  /** Position in the image history, 0-based, empty layers included. */
  readonly index: number;
  /** The compressed blob's digest (`sha256:…`); `null` for an empty (metadata-only) layer. */
  readonly digest: string | null;
  /** Size of the blob in the manifest; 0 for an empty layer. */
  readonly compressedBytes: number;
  /** Size of the unpacked layer; 0 for an empty layer. */
  readonly uncompressedBytes: number;
  /** `created_by` from the image config's history. */
  readonly createdBy: string;
  /** `empty_layer` from the history: ENV, LABEL, CMD and the like add no filesystem layer. */
  readonly emptyLayer: boolean;
  readonly origin: LayerOrigin;
  /** The layer's media type in the manifest; absent for an empty layer (and in reports written before it). */
  readonly mediaType?: string;
  /** The layer's `rootfs.diff_ids` entry (digest of the uncompressed tar); absent for an empty layer. */
  readonly diffId?: string;
  /**
   * How `uncompressedBytes` was obtained (see measure.ts). `unknown`: it could not be (a zstd layer, a
   * registry that refuses range reads); `uncompressedBytes` then repeats `compressedBytes` as a stand-in.
   * Absent for an empty layer and in reports written before it.
   */
  readonly uncompressedMethod?: UncompressedMethod;
}

/**
 * `tar`: an uncompressed layer, as large unpacked as in the manifest. `gzip-trailer`: the gzip stream's
 * ISIZE field (the uncompressed length modulo 2^32), resolved to the smallest length the compressed size
 * allows. `decompressed`: the layer was decompressed and counted. `annotation`: eStargz's
 * `io.containers.estargz.uncompressed-size`. `unknown`: not measured.
 */
export type UncompressedMethod = 'tar' | 'gzip-trailer' | 'decompressed' | 'annotation' | 'unknown';

/** Where the image was read: the engine's image store (a loaded image) or a registry (without pulling). */
export type SizeSource = 'image-store' | 'registry';

export interface SizeReport {
  readonly schemaVersion: typeof SIZE_REPORT_SCHEMA_VERSION;
  /** The target stage's display name. */
  readonly target: string;
  /** `os/arch[/variant]`. */
  readonly platform: string;
  /** The commit the image was built from. */
  readonly commit?: string;
  /** The branch or ref, e.g. `refs/heads/main`. */
  readonly ref?: string;
  /** ISO 8601 time of measurement. */
  readonly createdAt: string;
  readonly image: {
    readonly ref?: string;
    /** Manifest digest. */
    readonly digest?: string;
    readonly configDigest?: string;
    /** The image index the manifest was chosen from, for a multi-platform or attested image. */
    readonly indexDigest?: string;
  };
  /** Sum of the manifest's layer sizes, as pulled. */
  readonly compressedBytes: number;
  /** Sum of the unpacked layer sizes. */
  readonly uncompressedBytes: number;
  /** Every history entry, in order, empty layers included. */
  readonly layers: readonly SizeReportLayer[];
  /** Where the image was read. Absent in reports written before it. */
  readonly source?: SizeSource;
  /** False when some layer's uncompressed size is `unknown` (its compressed size stands in). */
  readonly uncompressedComplete?: boolean;
  /** What could not be measured or mapped exactly, one sentence each (for the job log and summary). */
  readonly warnings?: readonly string[];
}

/** Compressed and uncompressed bytes and the number of non-empty layers. */
export interface SizeTotals {
  readonly compressedBytes: number;
  readonly uncompressedBytes: number;
  readonly layerCount: number;
}

/** Current minus baseline (bytes, or layers for a layer count); `percent` is undefined when the baseline is 0. */
export interface SizeDelta {
  readonly change: number;
  readonly percent: number | undefined;
}

export type LayerChangeStatus = 'grew' | 'shrank' | 'unchanged' | 'appeared' | 'vanished';

/** One non-empty layer, matched between baseline and current (or present in only one of them). */
export type LayerChange =
  | {
      readonly status: 'grew' | 'shrank' | 'unchanged';
      readonly baseline: SizeReportLayer;
      readonly current: SizeReportLayer;
      readonly compressedDelta: number;
      readonly uncompressedDelta: number;
      /** Same place, different content (the digest moved), whatever the sizes did. */
      readonly digestChanged: boolean;
    }
  | { readonly status: 'appeared'; readonly current: SizeReportLayer }
  | { readonly status: 'vanished'; readonly baseline: SizeReportLayer };

export interface SizeDiff {
  readonly current: SizeTotals;
  /** Undefined when there is no baseline to compare with. */
  readonly baseline: SizeTotals | undefined;
  /** Undefined exactly when `baseline` is. */
  readonly delta:
    | {
        readonly compressed: SizeDelta;
        readonly uncompressed: SizeDelta;
        readonly layerCount: SizeDelta;
      }
    | undefined;
  /**
   * Every non-empty layer of both images: current layers in image order (matched, or appeared), then the
   * vanished baseline layers in their order. Empty when there is no baseline.
   */
  readonly layers: readonly LayerChange[];
}
