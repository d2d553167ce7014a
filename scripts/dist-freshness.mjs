// Tells whether dist/ was built from the sources as they are now. Only node:fs here: this runs on
// every `stitch-sandbox` start, so it must cost a few milliseconds, not load a bundler.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { URL, fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(ROOT, 'dist');
export const BUILD_INFO = join(DIST, 'build-info.json');

/** Besides the sources, files whose change means a rebuild: the build itself and the dependency set. */
export const BUILD_CONFIG_FILES = ['scripts/build.mjs', 'package.json', 'package-lock.json', 'tsconfig.json'];

/**
 * What build-info.json records for each part of dist/: `bundles` (esbuild) and `types` (tsc). Each
 * has its own record because `stitch-sandbox` rebuilds only the bundles when they are stale.
 */
export function readBuildInfo(root = ROOT) {
  try {
    const info = JSON.parse(readFileSync(join(root, 'dist', 'build-info.json'), 'utf8'));
    return info.version === 2 ? info : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why a part of dist/ must be rebuilt, or undefined when it is fresh. Fresh means every file that
 * went into its last build (the compiler's own list of inputs) is unchanged since that build
 * started, and every file it wrote is still there.
 */
export function staleReason(part = 'bundles', root = ROOT) {
  const record = readBuildInfo(root)?.[part];
  if (!record) return `no ${part} built yet`;
  for (const output of record.outputs) {
    if (!statSync(join(root, output), { throwIfNoEntry: false })) return `${output} is missing`;
  }
  for (const input of record.inputs) {
    const stat = statSync(join(root, input), { throwIfNoEntry: false });
    if (!stat) return `${input} was removed`;
    if (stat.mtimeMs > record.startedAtMs) return `${input} changed`;
  }
  // An installed package has no lock file; a missing config file is no reason to rebuild.
  for (const file of BUILD_CONFIG_FILES) {
    const mtimeMs = statSync(join(root, file), { throwIfNoEntry: false })?.mtimeMs ?? 0;
    if (mtimeMs > record.startedAtMs) return `${file} changed`;
  }
  return undefined;
}
