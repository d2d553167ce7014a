#!/usr/bin/env node
// Entry point of the `stitch-sandbox` command (and of `npm start`). Runs the compiled CLI in dist/.
//
// In a source checkout (scripts/ is present) it never runs a stale build: when any source file that
// went into dist/ changed since the build, the bundles are rebuilt first (about a second); without
// esbuild a stale or missing build falls back to the TypeScript sources through tsx.
// STITCH_FROM_SOURCE=1 always runs the sources. Why: docs/decisions/006-build-step.md.
//
// An installed package (a tarball or a git dependency) ships dist/ and no scripts/ or sources: its
// build is the one it was packed with, and file times (which an install resets) mean nothing.
// Why: docs/decisions/010-installable-package.md.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

const compiled = new URL('../dist/cli.mjs', import.meta.url);
const freshnessCheck = new URL('../scripts/dist-freshness.mjs', import.meta.url);

async function runFromSource() {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(
      'stitch-sandbox: no usable build in dist/ and tsx is not installed: run `npm run build`\n',
    );
    process.exit(1);
  }
  register();
  await import('../control/cli/main.ts');
}

async function freshBuild() {
  const { staleReason } = await import(freshnessCheck.href);
  const reason = staleReason();
  if (reason === undefined) return true;
  let buildBundles;
  try {
    ({ buildBundles } = await import('../scripts/build.mjs'));
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
    process.stderr.write(
      `stitch-sandbox: dist/ is out of date (${reason}) and esbuild is not installed; running from source\n`,
    );
    return false;
  }
  process.stderr.write(`stitch-sandbox: rebuilding dist/ (${reason})\n`);
  await buildBundles({ quiet: true });
  return true;
}

if (!existsSync(freshnessCheck)) {
  if (!existsSync(compiled)) {
    process.stderr.write('stitch-sandbox: this installation has no dist/cli.mjs; reinstall the package\n');
    process.exit(1);
  }
  await import(compiled.href);
} else if (!process.env.STITCH_FROM_SOURCE && (await freshBuild())) await import(compiled.href);
else await runFromSource();
