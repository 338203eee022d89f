// The recorded two-stage export (export-two-stages-buildx-0.13/, see its README) and the digests BuildKit wrote,
// shared by the cache tests. Re-recording the export changes them.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'export-two-stages-buildx-0.13');

/** The base image's layer, left out of the fixture, and its uncompressed digest (a diff ID). */
export const BASE_LAYER = 'sha256:345861747fc25d95a69dde45650b0748a2f4a1eb7c0886fbd6b5b66c7748b7e1';
export const BASE_DIFF_ID = 'sha256:6485d92cc7ad142145a5db825019f6b76f63147b7551f5b47e56686c07bb63e1';
export const DEPS_MANIFEST = 'sha256:3e60c232042f98854760f6f4ee3dcb4c25a2aedea85bb73e028376cef05f75c9';
export const DEPS_CONFIG = 'sha256:4011be7c6497f0a79a25eb99887f603ffbf18ac015a1dbc7958cf8d094092432';
export const DEPS_RUN = 'sha256:c2f9ef3cc17cc2ddfaba41b84eb9bcce46134fbf5baa9fb7019478f9e9ea6886';
export const APP_MANIFEST = 'sha256:568174f0540e45adfae85cc7a67f818a8eedccd156f5bc519ed5763b4a4bc9bd';
export const APP_CONFIG = 'sha256:5eec4032e3587efaccb061fd8ecbbeb61b9a95d8ee0c5b3cf0643a8ced08452a';
export const APP_COPY = 'sha256:1d3dc79593c23a83dc493b72601861ff32d4aa11dd662d4918a994268dbd0740';
export const APP_RUN = 'sha256:1c9b3b8d4458d624dbbd36b55f8f61e8be0afef50a1e7e8013a7e3c3c83eb391';
