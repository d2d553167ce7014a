import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { processEnv } from '../../core/config';

/**
 * Headless Chromium for the dashboard tests: Debian's `chromium` package driven by playwright-core
 * (no browser download). Where it is missing, the tests say so and how to install it.
 */

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const INSTALL_COMMAND = 'apt-get install -y chromium';
export const MISSING_CHROMIUM =
  `The dashboard's browser tests need Chromium at ${CHROMIUM_PATH}, which is not installed. ` +
  `Install it with: sudo ${INSTALL_COMMAND} (Debian/Ubuntu package "chromium"; playwright-core drives it, nothing else is downloaded).`;

export const hasChromium = existsSync(CHROMIUM_PATH);
/** CI always has Chromium (.ci/run installs it); a missing one there is a failure, not a skip. */
export const inCi = Boolean(processEnv()['CI']);

export const ARTIFACTS_DIR = fileURLToPath(new URL('../../test-artifacts/dashboard/', import.meta.url));

export function chromiumIsExecutable(): boolean {
  try {
    accessSync(CHROMIUM_PATH, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile each time, so no cache, storage or service worker carries over between runs. */
export async function launchChromium(viewport = { width: 1366, height: 768 }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'stitch-dashboard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}
