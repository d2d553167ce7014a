/**
 * `stitch-sandbox stitch FILE`: reads `{orders, transactions, cards}` from FILE ("-" for stdin) and
 * writes `{matches, unmatched_orders}` as JSON. Bad files raise a StitchInputError whose message is
 * meant to be printed as is (the CLI prints it to stderr and exits 1).
 *
 * Also runnable on its own: `npx tsx stitcher/batch-cli.ts FILE`.
 */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { StitchInputError, batchMatchInputs, parseStitchInput, stitchMatchInputs } from './batch';
import { readBatchText } from './batch-reader';
import type { StitchBatchOutput } from './batch';
import type { MatchingOptions } from './matcher';

export interface TextSink {
  write(chunk: string): unknown;
}

async function readSource(filePath: string): Promise<string> {
  if (filePath === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return (await readFile(filePath)).toString('utf8');
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

function parseJson(text: string, filePath: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new StitchInputError(`${filePath} is not valid JSON: ${(error as Error).message}`);
  }
}

function validated(json: unknown, filePath: string) {
  try {
    return parseStitchInput(json);
  } catch (error) {
    if (error instanceof StitchInputError) throw new StitchInputError(`${filePath}: ${error.message}`);
    throw error;
  }
}

export async function runStitchCommand(
  filePath: string,
  out: TextSink,
  options?: Partial<MatchingOptions>,
): Promise<StitchBatchOutput> {
  const text = await readSource(filePath);
  // Piece by piece when the file allows it (batch-reader.ts); otherwise the whole text at once,
  // which is also what words the error for a bad file.
  const inputs = readBatchText(text) ?? batchMatchInputs(validated(parseJson(text, filePath), filePath));
  const output = stitchMatchInputs(inputs, options);
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
