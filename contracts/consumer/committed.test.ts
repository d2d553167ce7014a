import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkAgainstCommitted } from './committed';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const PACT = '{\n  "consumer": {\n    "name": "stitcher"\n  }\n}';

/** A scratch git repository with contracts/pacts/x.json committed as `committed` (or nothing committed). */
function repo(committed: string | null) {
  const root = mkdtempSync(join(tmpdir(), 'pact-committed-'));
  dirs.push(root);
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd: root,
      stdio: 'ignore',
    });
  git('init', '-q');
  mkdirSync(join(root, 'contracts', 'pacts'), { recursive: true });
  const committedPath = join(root, 'contracts', 'pacts', 'x.json');
  writeFileSync(join(root, 'README'), 'x');
  if (committed !== null) writeFileSync(committedPath, committed);
  git('add', '.');
  git('commit', '-q', '-m', 'initial');
  const generatedPath = join(root, 'generated.json');
  return {
    committedPath,
    generate(content: string) {
      writeFileSync(generatedPath, content);
      return generatedPath;
    },
  };
}

describe('checkAgainstCommitted', () => {
  it('accepts a regenerated pact identical to the committed file', () => {
    const r = repo(PACT);
    expect(checkAgainstCommitted(r.generate(PACT), r.committedPath)).toEqual({ ok: true });
  });

  it('fails when regeneration changes the pact, and writes the new version into the tree for review', () => {
    const r = repo(PACT);
    const changed = PACT.replace('stitcher', 'stitcher-2');
    const result = checkAgainstCommitted(r.generate(changed), r.committedPath);
    expect(result).toEqual({
      ok: false,
      reason: 'regenerated-differs',
      message: expect.stringContaining('git diff -- contracts/pacts/x.json'),
    });
    expect(readFileSync(r.committedPath, 'utf8')).toBe(changed);
  });

  it('still fails on the next run while the rewritten pact is not committed', () => {
    const r = repo(PACT);
    const changed = PACT.replace('stitcher', 'stitcher-2');
    checkAgainstCommitted(r.generate(changed), r.committedPath);
    expect(checkAgainstCommitted(r.generate(changed), r.committedPath)).toEqual({
      ok: false,
      reason: 'not-committed',
      message: expect.stringContaining('has uncommitted changes'),
    });
  });

  it('fails for a pact that was never committed', () => {
    const r = repo(null);
    checkAgainstCommitted(r.generate(PACT), r.committedPath);
    expect(checkAgainstCommitted(r.generate(PACT), r.committedPath)).toMatchObject({
      ok: false,
      reason: 'not-committed',
      message: expect.stringContaining('is not in the last commit'),
    });
  });

  it('treats a byte difference (a trailing newline) as a change', () => {
    const r = repo(PACT);
    expect(checkAgainstCommitted(r.generate(`${PACT}\n`), r.committedPath)).toMatchObject({
      ok: false,
      reason: 'regenerated-differs',
    });
  });

  it('outside a git work tree compares with the file on disk only', () => {
    const root = mkdtempSync(join(tmpdir(), 'pact-no-git-'));
    dirs.push(root);
    const committedPath = join(root, 'x.json');
    writeFileSync(committedPath, PACT);
    writeFileSync(join(root, 'generated.json'), PACT);
    expect(checkAgainstCommitted(join(root, 'generated.json'), committedPath)).toEqual({
      ok: true,
      note: 'not a git work tree: compared with the file on disk only',
    });
  });
});
