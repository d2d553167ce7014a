#!/usr/bin/env node
// Entry point of the `stitch-sandbox` command (and of `npm start`). Runs the compiled CLI in dist/,
// which starts far faster than compiling TypeScript on the fly, but never a stale one: when any
// source file that went into dist/ has changed since the build, the bundles are rebuilt first
// (about a second). Without esbuild (a production install) a stale or missing build falls back to
// the TypeScript sources through tsx. STITCH_FROM_SOURCE=1 always runs the sources.
// Why: docs/decisions/006-build-step.md.
import process from 'node:process';
import { URL } from 'node:url';
import { staleReason } from '../scripts/dist-freshness.mjs';

const compiled = new URL('../dist/cli.mjs', import.meta.url);

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

if (!process.env.STITCH_FROM_SOURCE && (await freshBuild())) await import(compiled.href);
else await runFromSource();
