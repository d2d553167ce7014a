import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs module without declarations, run by Node before any build exists
import { staleReason } from './dist-freshness.mjs';

const stale = staleReason as (part: string, root: string) => string | undefined;
const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((root) => rmSync(root, { recursive: true, force: true })));

/** A checkout with one source file and a build of it made at `builtAt` (ms). */
function checkout(builtAt: number) {
  const root = mkdtempSync(join(tmpdir(), 'stitch-freshness-'));
  roots.push(root);
  mkdirSync(join(root, 'dist'));
  mkdirSync(join(root, 'core'));
  const touch = (file: string, atMs: number) => {
    writeFileSync(join(root, file), 'x');
    utimesSync(join(root, file), atMs / 1000, atMs / 1000);
  };
  touch('core/clock.ts', builtAt - 60_000);
  touch('package.json', builtAt - 60_000);
  touch('dist/cli.mjs', builtAt + 1_000);
  const record = { startedAtMs: builtAt, inputs: ['core/clock.ts'], outputs: ['dist/cli.mjs'] };
  writeFileSync(join(root, 'dist', 'build-info.json'), JSON.stringify({ version: 2, bundles: record }));
  return { root, touch };
}

describe('staleReason', () => {
  const builtAt = Date.parse('2025-03-10T15:00:00Z');

  it('is undefined while nothing that went into the build changed', () => {
    expect(stale('bundles', checkout(builtAt).root)).toBeUndefined();
  });

  it('names the source file changed after the build started', () => {
    const { root, touch } = checkout(builtAt);
    touch('core/clock.ts', builtAt + 5_000);
    expect(stale('bundles', root)).toBe('core/clock.ts changed');
  });

  it('names a removed input and a missing output', () => {
    const removed = checkout(builtAt);
    rmSync(join(removed.root, 'core/clock.ts'));
    expect(stale('bundles', removed.root)).toBe('core/clock.ts was removed');
    const missing = checkout(builtAt);
    rmSync(join(missing.root, 'dist/cli.mjs'));
    expect(stale('bundles', missing.root)).toBe('dist/cli.mjs is missing');
  });

  it('counts a change to package.json as a change to the build', () => {
    const { root, touch } = checkout(builtAt);
    touch('package.json', builtAt + 5_000);
    expect(stale('bundles', root)).toBe('package.json changed');
  });

  it('says so when a part was never built', () => {
    expect(stale('types', checkout(builtAt).root)).toBe('no types built yet');
    const empty = mkdtempSync(join(tmpdir(), 'stitch-freshness-'));
    roots.push(empty);
    expect(stale('bundles', empty)).toBe('no bundles built yet');
  });
});
