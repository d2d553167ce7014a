/**
 * `stitch-sandbox stitch FILE`: reads `{orders, transactions, cards}` from FILE ("-" for stdin) and
 * writes `{matches, unmatched_orders}` as JSON. Bad files raise a StitchInputError whose message is
 * meant to be printed as is (the CLI prints it to stderr and exits 1).
 *
 * Also runnable on its own: `npx tsx stitcher/batch-cli.ts FILE`.
 */
import { open } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { StitchInputError, parseStitchInput, prepareBatch, stitchPrepared } from './batch';
import type { StitchBatchOutput } from './batch';
import { PARALLEL_FROM_BYTES, stitchInParallel } from './batch-parallel';
import type { MatchingOptions } from './matcher';

export interface TextSink {
  write(chunk: string): unknown;
}

/**
 * The whole input as bytes. A large file is read straight into shared memory, so that a second
 * thread can parse part of it without a copy (batch-parallel.ts).
 */
async function readSource(filePath: string): Promise<Uint8Array> {
  if (filePath === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
    const bytes = Buffer.concat(chunks);
    if (bytes.length < PARALLEL_FROM_BYTES) return bytes;
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    return shared;
  }
  try {
    return await readIntoSharedMemory(filePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String(error);
    throw new StitchInputError(`cannot read ${filePath}: ${why}`);
  }
}

async function readIntoSharedMemory(filePath: string): Promise<Uint8Array> {
  const file = await open(filePath, 'r');
  try {
    const { size } = await file.stat();
    if (size < PARALLEL_FROM_BYTES) return await file.readFile();
    const bytes = new Uint8Array(new SharedArrayBuffer(size));
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await file.read(bytes, filled, size - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    // A file that shrank while being read: use what is there.
    return filled === size ? bytes : bytes.slice(0, filled);
  } finally {
    await file.close();
  }
}

function parseJson(bytes: Uint8Array, filePath: string): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new StitchInputError(`${filePath} is not valid JSON: ${(error as Error).message}`);
  }
}

/** Large files on two threads when they allow it (batch-parallel.ts), otherwise on this one. */
async function stitchFile(filePath: string, options?: Partial<MatchingOptions>): Promise<StitchBatchOutput> {
  const bytes = await readSource(filePath);
  // Options (a test's own merchant rule, say) hold functions, which cannot go to another thread.
  if (bytes.buffer instanceof SharedArrayBuffer && options === undefined) {
    const output = await stitchInParallel(bytes);
    if (output) return output;
  }
  const json = parseJson(bytes, filePath);
  let input;
  try {
    input = parseStitchInput(json);
  } catch (error) {
    if (error instanceof StitchInputError) throw new StitchInputError(`${filePath}: ${error.message}`);
    throw error;
  }
  return stitchPrepared(prepareBatch(input), options);
}

export async function runStitchCommand(
  filePath: string,
  out: TextSink,
  options?: Partial<MatchingOptions>,
): Promise<StitchBatchOutput> {
  const output = await stitchFile(filePath, options);
  out.write(`${JSON.stringify(output, null, 2)}\n`);
  return output;
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (invokedDirectly) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: tsx stitcher/batch-cli.ts FILE  (FILE may be - for stdin)\n');
    process.exit(2);
  }
  runStitchCommand(file, process.stdout).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
