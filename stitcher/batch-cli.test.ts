import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStitchCommand } from './batch-cli';
import { CARD, aTransaction, anOrder } from './testing';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stitch-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sink = () => {
  let text = '';
  return { write: (chunk: string) => (text += chunk), text: () => text };
};

describe('runStitchCommand', () => {
  it('reads a file and prints the stitched result as JSON', async () => {
    const file = join(dir, 'input.json');
    await writeFile(
      file,
      JSON.stringify({ orders: [anOrder()], transactions: [aTransaction()], cards: [CARD] }),
    );
    const out = sink();
    await runStitchCommand(file, out);
    expect(JSON.parse(out.text())).toEqual({
      matches: [{ order_id: 'order-1', transaction_id: 'txn-1', confidence: 1 }],
      unmatched_orders: [],
      refunds: [],
    });
  });

  it('explains a missing file', async () => {
    await expect(runStitchCommand(join(dir, 'nope.json'), sink())).rejects.toThrow(
      /cannot read .*nope\.json: no such file/,
    );
  });

  it('explains a file that is not JSON', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{"orders": [');
    await expect(runStitchCommand(file, sink())).rejects.toThrow(/broken\.json is not valid JSON/);
  });

  it('explains a JSON file of the wrong shape, naming the field', async () => {
    const file = join(dir, 'shape.json');
    await writeFile(file, JSON.stringify({ orders: [{ _id: 'x' }], transactions: [] }));
    const out = sink();
    await expect(runStitchCommand(file, out)).rejects.toThrow(
      /shape\.json: invalid stitch input:\n {2}orders\[0\]\.date/,
    );
    expect(out.text()).toBe('');
  });
});
