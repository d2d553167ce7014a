import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from './support/cli';

const BIN = fileURLToPath(new URL('../../bin/stitch-sandbox.mjs', import.meta.url));

/** Runs a command whose reader has gone away before it writes, as `stitch-sandbox … | head` does. */
function runIntoClosedPipe(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, STITCH_FROM_SOURCE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.once('close', (code) => resolve({ code, stderr })),
  );
}

describe('the CLI writing into a closed pipe', () => {
  it('`scenario list | head` ends quietly with exit code 0, not an EPIPE stack trace', async () => {
    const { code, stderr } = await runIntoClosedPipe(['scenario', 'list']);
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  }, 30_000);
});
