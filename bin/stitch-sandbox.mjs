#!/usr/bin/env node
// Entry point of the `stitch-sandbox` command. Runs the compiled CLI when a build exists (fast start),
// otherwise the TypeScript sources through tsx.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli.mjs', import.meta.url);
if (existsSync(compiled) && !process.env.STITCH_FROM_SOURCE) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../control/cli/main.ts');
}
