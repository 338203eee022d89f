import { hostPlatform, type Platform } from '../plan/index.js';

/** The platform this process runs on, as BuildKit's default platform would name it. */
export function currentPlatform(): Platform {
  return hostPlatform(process.platform, process.arch);
}
