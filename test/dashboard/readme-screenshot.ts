/**
 * Takes the README's picture of the dashboard mid-story: amazon-order-stitching playing at one day
 * per second, half-way through its four weeks, with orders already stitched to card transactions
 * and webhooks flowing. Run it after changing the page:
 *
 *   npx tsx test/dashboard/readme-screenshot.ts [out.png]
 *
 * Needs Chromium at /usr/bin/chromium, like the browser tests.
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../../control/platform';
import { MISSING_CHROMIUM, hasChromium, launchChromium } from './browser';

const out = process.argv[2] ?? fileURLToPath(new URL('../../docs/images/dashboard.png', import.meta.url));
/** The README shows it scaled down; past this it only slows the page. */
const MAX_BYTES = 300 * 1024;
/** Real seconds into the run: about half of its four weeks at one day per second. */
const MID_STORY_MS = 14_000;

if (!hasChromium) {
  console.error(MISSING_CHROMIUM);
  process.exit(1);
}

const sandbox = await startSandbox({ ports: 0, env: {} });
const browser = await launchChromium({ width: 1366, height: 768 });
try {
  const page = await browser.context.newPage();
  await page.goto(sandbox.urls.control);
  await page.locator('#connection[data-state="live"]').waitFor();
  await page.locator('#scenario-name option[value="amazon-order-stitching"]').waitFor({ state: 'attached' });
  await page.selectOption('#scenario-name', 'amazon-order-stitching');
  await page.fill('#run-seed', '7');
  await page.selectOption('#run-speed', '86400');
  await page.getByRole('button', { name: 'Run scenario' }).click();
  await page.waitForTimeout(MID_STORY_MS);
  await page.locator('#stitching .stitch-row').first().waitFor();
  await page.screenshot({ path: out });
  const bytes = statSync(out).size;
  console.log(`${out}: ${Math.round(bytes / 1024)} KB`);
  if (bytes > MAX_BYTES) {
    console.error(`the screenshot is larger than ${MAX_BYTES / 1024} KB`);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
  await sandbox.stop();
}
