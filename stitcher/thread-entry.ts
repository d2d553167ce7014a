/**
 * Starts one of the stitcher's worker threads: the stitcher service's (worker-thread.ts) or a batch
 * parser's (batch-worker-thread.ts).
 *
 * From the bundle the thread's entry is its own bundle in dist/ (scripts/build.mjs `ENTRIES`); from a
 * source checkout it is the TypeScript file, loaded through tsx's loader registered inside the thread
 * (loaders are per thread). In the bundle `import.meta.url` is this source file's place
 * (scripts/build.mjs), so the build says so itself through `__STITCH_BUNDLE__`, and tsx (a development
 * dependency, absent from an installed package) is never asked for there.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

/** `true` in the esbuild bundles (scripts/build.mjs `define`); undeclared when run from source. */
declare const __STITCH_BUNDLE__: boolean | undefined;

export interface ThreadEntry {
  /** The bundle's name in dist/, without `.mjs`. */
  bundle: string;
  /** The TypeScript entry, relative to this directory. */
  source: string;
}

export const STITCHER_THREAD: ThreadEntry = { bundle: 'stitcher-worker', source: './worker-thread.ts' };
export const BATCH_PARSE_THREAD: ThreadEntry = { bundle: 'batch-worker', source: './batch-worker-thread.ts' };

export function startThread(entry: ThreadEntry, workerData: unknown): Worker {
  const here = import.meta.url;
  if (typeof __STITCH_BUNDLE__ !== 'undefined' && __STITCH_BUNDLE__)
    return new Worker(new URL(`../dist/${entry.bundle}.mjs`, here), { workerData });
  // tsx's ESM API (resolved from here; the thread's boot code is a data: URL with nothing to resolve from).
  const tsx = pathToFileURL(
    createRequire(here)
      .resolve('tsx/esm/api')
      .replace(/\.cjs$/, '.mjs'),
  ).href;
  const source = new URL(entry.source, here).href;
  const boot = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(source)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData });
}
