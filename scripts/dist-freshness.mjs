// Tells whether dist/ was built from the sources as they are now. Only node:fs here: this runs on
// every `stitch-sandbox` start, so it must cost a few milliseconds, not load a bundler.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(ROOT, 'dist');
export const BUILD_INFO = join(DIST, 'build-info.json');

/** Besides the bundled sources, files whose change means a rebuild: the build itself and the dependency set. */
export const BUILD_CONFIG_FILES = ['scripts/build.mjs', 'package.json', 'package-lock.json'];

/**
 * Why dist/ must be rebuilt before it is run, or undefined when it is fresh. Fresh means every file
 * that went into the last build (esbuild's own list of inputs, recorded in build-info.json) is
 * unchanged since that build started, and every output it wrote is still there.
 */
export function staleReason() {
  let info;
  try {
    info = JSON.parse(readFileSync(BUILD_INFO, 'utf8'));
  } catch {
    return 'no build yet';
  }
  if (info.version !== 1 || !Array.isArray(info.inputs) || !Array.isArray(info.outputs)) return 'unknown build format';
  for (const output of info.outputs) {
    try {
      statSync(join(ROOT, output));
    } catch {
      return `${output} is missing`;
    }
  }
  for (const input of info.inputs) {
    let mtimeMs;
    try {
      mtimeMs = statSync(join(ROOT, input)).mtimeMs;
    } catch {
      return `${input} was removed`;
    }
    if (mtimeMs > info.startedAtMs) return `${input} changed`;
  }
  // An installed package has no lock file; a missing config file is no reason to rebuild.
  for (const file of BUILD_CONFIG_FILES) {
    const mtimeMs = statSync(join(ROOT, file), { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (mtimeMs > info.startedAtMs) return `${file} changed`;
  }
  return undefined;
}
