#!/usr/bin/env node
/**
 * Builds dist/ from the TypeScript sources (see docs/decisions/006-build-step.md):
 *
 *   dist/cli.mjs           the `stitch-sandbox` command (control/cli/main.ts): what `npm start` runs
 *   dist/index.mjs         the programmatic API (control/platform.ts: startSandbox) for test runners
 *   dist/stitcher-worker.mjs the entry of the reference stitcher's worker thread
 *   dist/*-<hash>.mjs      chunks: code the entries share, and each command's own code
 *   dist/types/            type declarations of that API
 *   dist/build-info.json   for each part, when its build started and which files went into it
 *
 *   node scripts/build.mjs              bundles and types (`npm run build`, `prepare`)
 *   node scripts/build.mjs --bundles    bundles only (what bin/stitch-sandbox.mjs does when they are stale)
 *   node scripts/build.mjs --if-stale   only the parts whose sources changed since they were built
 *
 * Runtime dependencies are bundled, so a start loads a few files instead of hundreds of modules.
 * Scenario files, dashboard assets and pacts stay in the source tree: bundled code resolves them
 * from where its source file is (see `sourceUrlPlugin`).
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { BUILD_INFO, DIST, ROOT, readBuildInfo, staleReason } from './dist-freshness.mjs';

// The stitcher's worker thread loads its own entry next to the bundles (docs/decisions/016).
const ENTRIES = {
  cli: 'control/cli/main.ts',
  index: 'control/platform.ts',
  'stitcher-worker': 'stitcher/worker-thread.ts',
};
const TYPES_ENTRY = 'control/platform.ts';
const TYPES_DIR = join(DIST, 'types');

const toPosix = (path) => path.split(sep).join('/');

/**
 * Packages left to Node at run time: native addons cannot be bundled (better-sqlite3, and Pact,
 * whose core is a native library it finds next to its own files; only `verify-pact` loads it, on
 * demand), and development-only packages may be absent from a production install.
 */
const NATIVE = ['better-sqlite3', '@pact-foundation/pact'];

function externals() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  return [...NATIVE, ...Object.keys(pkg.devDependencies ?? {})];
}

/**
 * In a bundle every module would share dist/'s `import.meta.url`, so a module that finds its files
 * beside itself (`new URL('./library', import.meta.url)`) would look in dist/. This gives each
 * project module the URL of its own source file instead, relative to the bundle so the checkout can
 * move: scenario YAML, dashboard assets and pacts are read from the source tree, never copied, and
 * an edited scenario file needs no rebuild.
 */
const sourceUrlPlugin = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?ts$/ }, async (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return { contents: source, loader: 'ts' };
      const fromDist = toPosix(relative(DIST, args.path));
      const url = `new URL(${JSON.stringify(fromDist)}, import.meta.url).href`;
      return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

/** Writes beside the target, then renames: a process starting meanwhile sees the old file or the new one, never half. */
function writeAtomically(file, contents) {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, file);
}

/** Records one part's build in build-info.json, keeping the other part's record. */
function recordBuild(part, record) {
  const info = readBuildInfo() ?? { version: 2 };
  info[part] = { builtAt: new Date(record.startedAtMs).toISOString(), ...record };
  writeAtomically(BUILD_INFO, `${JSON.stringify(info, null, 2)}\n`);
}

/** Chunks of earlier builds (their names carry a content hash), so that dist/ holds this build alone. */
function removeStaleChunks(written) {
  for (const entry of readdirSync(DIST, { withFileTypes: true })) {
    const file = join(DIST, entry.name);
    if (entry.isFile() && /\.mjs(\.map)?$/.test(entry.name) && !written.has(file)) rmSync(file);
  }
}

const isProjectFile = (file) => !`/${toPosix(file)}`.includes('/node_modules/');

/** esbuild bundles of the CLI and the programmatic API. */
export async function buildBundles({ quiet = false } = {}) {
  const started = Date.now();
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: ENTRIES,
    outdir: DIST,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    // Code shared by the entries goes in chunks, and each command's code in its own, loaded when that
    // command runs (control/cli/main.ts): `stitch` then starts without parsing the mocks' code.
    // Chunks sit beside the entries, in dist/ itself, where sourceUrlPlugin expects all bundle code.
    splitting: true,
    target: 'node20',
    external: externals(),
    // Bundled CommonJS packages (commander, …) call require() for Node built-ins.
    banner: {
      js: "import { createRequire as __stitchCreateRequire } from 'node:module'; const require = __stitchCreateRequire(import.meta.url);",
    },
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'warning',
    plugins: [sourceUrlPlugin],
    // Code that must know it runs from the bundle (the stitcher's worker entry) reads this.
    define: { __STITCH_BUNDLE__: 'true' },
  });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  removeStaleChunks(new Set(result.outputFiles.map((file) => file.path)));
  const inputs = Object.keys(result.metafile.inputs).filter(isProjectFile).sort();
  const outputs = result.outputFiles.map((file) => toPosix(relative(ROOT, file.path))).sort();
  recordBuild('bundles', { startedAtMs: started, inputs, outputs });
  if (!quiet) {
    const sizes = outputs
      .filter((output) => output.endsWith('.mjs'))
      .map((output) => `${output} ${(statSync(join(ROOT, output)).size / 1024 / 1024).toFixed(1)} MB`);
    process.stderr.write(
      `bundled ${inputs.length} source files in ${Date.now() - started} ms: ${sizes.join(', ')}\n`,
    );
  }
}

/**
 * Relative imports in the emitted declarations get explicit `.js` extensions, so they resolve under
 * every `moduleResolution` a consumer may use (node16/nodenext require them; bundler accepts them).
 */
function addDeclarationExtensions(dir) {
  const resolveSpecifier = (file, specifier) => {
    const base = join(dirname(file), specifier);
    if (existsSync(`${base}.d.ts`)) return `${specifier}.js`;
    if (existsSync(join(base, 'index.d.ts'))) return `${specifier}/index.js`;
    return specifier;
  };
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
    const file = join(entry.parentPath ?? entry.path, entry.name);
    const text = readFileSync(file, 'utf8');
    const fixed = text.replace(
      /(from\s+|import\s*\(\s*)(['"])(\.\.?\/[^'"]*)\2/g,
      (_, lead, quote, specifier) => `${lead}${quote}${resolveSpecifier(file, specifier)}${quote}`,
    );
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

/** Declarations of the programmatic API (everything control/platform.ts exposes) under dist/types/. */
export function buildTypes() {
  const started = Date.now();
  const staging = join(DIST, `.types-${process.pid}`);
  const config = join(DIST, `.tsconfig.types-${process.pid}.json`);
  mkdirSync(DIST, { recursive: true });
  writeFileSync(
    config,
    JSON.stringify({
      extends: '../tsconfig.json',
      compilerOptions: {
        noEmit: false,
        declaration: true,
        emitDeclarationOnly: true,
        outDir: staging,
        rootDir: '..',
      },
      include: [],
      files: [`../${TYPES_ENTRY}`],
    }),
  );
  try {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    // --listFiles: every file the declarations were derived from, type-only imports included.
    const run = spawnSync(process.execPath, [tsc, '-p', config, '--listFiles'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    const lines = run.stdout.split('\n').map((line) => line.trim());
    const inputs = lines.filter((line) => line.startsWith(ROOT) && existsSync(line) && isProjectFile(line));
    if (run.status !== 0) {
      const problems = lines.filter((line) => line && !line.startsWith('/')).join('\n');
      throw new Error(`type declarations failed:\n${problems}${run.stderr}`);
    }
    addDeclarationExtensions(staging);
    rmSync(TYPES_DIR, { recursive: true, force: true });
    renameSync(staging, TYPES_DIR);
    recordBuild('types', {
      startedAtMs: started,
      inputs: inputs.map((file) => toPosix(relative(ROOT, file))).sort(),
      outputs: [`dist/types/${TYPES_ENTRY.replace(/\.ts$/, '.d.ts')}`],
    });
  } finally {
    rmSync(config, { force: true });
    rmSync(staging, { recursive: true, force: true });
  }
  process.stderr.write(
    `type declarations in ${Date.now() - started} ms: dist/types/${TYPES_ENTRY.replace(/\.ts$/, '.d.ts')}\n`,
  );
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const ifStale = process.argv.includes('--if-stale');
  try {
    if (!ifStale || staleReason('bundles')) await buildBundles();
    if (!process.argv.includes('--bundles') && (!ifStale || staleReason('types'))) buildTypes();
  } catch (error) {
    process.stderr.write(`build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
