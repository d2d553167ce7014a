/**
 * Vitest global setup: one sandbox for the whole test run, started in the runner's own process on
 * free ports, stopped when the run ends. Tests get the URLs through `inject('sandbox')`.
 */
import type { TestProject } from 'vitest/node';
import { startSandbox, type SandboxUrls } from 'stitch-sandbox';

declare module 'vitest' {
  export interface ProvidedContext {
    sandbox: SandboxUrls;
  }
}

export default async function setup(project: TestProject) {
  // `env: {}`: settings come from here only, never from the developer's shell.
  const sandbox = await startSandbox({ seed: 42, ports: 0, env: {} });
  project.provide('sandbox', sandbox.urls);
  return () => sandbox.stop();
}
