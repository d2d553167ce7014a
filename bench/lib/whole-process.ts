/**
 * Wall time of `stitch FILE` as a whole process, the way an integrator runs it, beside a peer that
 * only reads and parses the same file (`JSON.parse(readFileSync(FILE))` in a bare `node`): the floor
 * any JSON-file command on this machine starts from.
 *
 * Three ways are timed in alternating rounds, so a busy moment on the machine falls on all of them:
 * - `npx stitch-sandbox stitch FILE`: what the issue and the README quote; npx adds its own start-up
 *   (it resolves the package and its bin before running it, about half a second here);
 * - `node bin/stitch-sandbox.mjs stitch FILE`: the command without npx;
 * - the parse-only peer.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface WholeProcessTimes {
  runs: number;
  /** Medians and ranges in ms. */
  npxMs: Spread;
  nodeBinMs: Spread;
  parseOnlyMs: Spread;
  /** npx median / parse-only median. */
  npxToParseOnly: number;
}

interface Spread {
  median: number;
  min: number;
  max: number;
}

function timeOnce(command: string, args: string[]): number {
  const started = performance.now();
  // Output goes to /dev/null: writing it is part of the command, keeping it is not.
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  const ms = performance.now() - started;
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr.toString()}`);
  return ms;
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x);
  return {
    median: round(sorted[Math.floor(sorted.length / 2)]!),
    min: round(sorted[0]!),
    max: round(sorted.at(-1)!),
  };
}

export function timeWholeProcess(file: string, runs: number): WholeProcessTimes {
  const npx: number[] = [];
  const nodeBin: number[] = [];
  const parseOnly: number[] = [];
  const parse = `JSON.parse(require('node:fs').readFileSync(process.argv[1], 'utf8'))`;
  // One untimed run of each first: the build check, npx's cache and the page cache settle.
  timeOnce('npx', ['stitch-sandbox', 'stitch', file]);
  timeOnce(process.execPath, ['-e', parse, file]);
  for (let round = 0; round < runs; round++) {
    npx.push(timeOnce('npx', ['stitch-sandbox', 'stitch', file]));
    nodeBin.push(timeOnce(process.execPath, ['bin/stitch-sandbox.mjs', 'stitch', file]));
    parseOnly.push(timeOnce(process.execPath, ['-e', parse, file]));
  }
  const npxMs = spread(npx);
  const parseOnlyMs = spread(parseOnly);
  return {
    runs,
    npxMs,
    nodeBinMs: spread(nodeBin),
    parseOnlyMs,
    npxToParseOnly: Math.round((npxMs.median / parseOnlyMs.median) * 100) / 100,
  };
}
