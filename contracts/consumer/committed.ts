/**
 * The pact files are reviewed artifacts: the consumer tests regenerate them into a scratch directory
 * and this check compares the result with contracts/pacts/ and with what git has committed. A
 * difference fails the run; the regenerated file is written into the tree so the change can be
 * reviewed with `git diff` and committed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, relative, sep } from 'node:path';

export type CommittedCheck =
  | { ok: true; note?: string }
  | { ok: false; reason: 'regenerated-differs' | 'not-committed'; message: string };

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

/** Written next to the target and renamed over it, so a concurrent reader never sees half a file. */
function writeAtomically(path: string, content: string): void {
  const scratch = `${path}.${process.pid}.tmp`;
  writeFileSync(scratch, content);
  renameSync(scratch, path);
}

export function checkAgainstCommitted(generatedPath: string, committedPath: string): CommittedCheck {
  const regenerated = readFileSync(generatedPath, 'utf8');
  const inTree = existsSync(committedPath) ? readFileSync(committedPath, 'utf8') : undefined;
  const root = git(dirname(committedPath), ['rev-parse', '--show-toplevel'])?.trim();
  const shown = root ? relative(root, committedPath).split(sep).join('/') : committedPath;

  if (inTree !== regenerated) {
    writeAtomically(committedPath, regenerated);
    return {
      ok: false,
      reason: 'regenerated-differs',
      message:
        `${shown} ${inTree === undefined ? 'did not exist' : 'differs from what the consumer tests generate'}; ` +
        `the regenerated pact has been written there. Review it (git diff -- ${shown}) and commit it.`,
    };
  }
  if (!root) return { ok: true, note: 'not a git work tree: compared with the file on disk only' };
  const committed = git(root, ['show', `HEAD:${shown}`]);
  if (committed !== regenerated)
    return {
      ok: false,
      reason: 'not-committed',
      message:
        `${shown} matches the consumer tests but ${committed === undefined ? 'is not in the last commit' : 'has uncommitted changes'}; ` +
        'commit it so the contract under review is the one the tests produce.',
    };
  return { ok: true };
}
