import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's Chromium (apt-get install chromium; .ci/run installs it when missing). */
export const CHROMIUM = '/usr/bin/chromium';

/** Headless Chromium as the browser tests drive it, or why it cannot run here (the test then skips, saying so). */
export async function launchChromium(): Promise<{ browser: Browser } | { unavailable: string }> {
  if (!existsSync(CHROMIUM)) return { unavailable: `${CHROMIUM} is not installed (apt-get install -y chromium)` };
  try {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    return { browser };
  } catch (error) {
    return { unavailable: `${CHROMIUM} does not start: ${(error as Error).message.split('\n')[0]}` };
  }
}

/** Opens the dashboard (at `path`, e.g. `#/chargers`) and gives it the admin key, as an operator signs in. */
export async function signInToDashboard(page: Page, hubUrl: string, adminKey: string, path = ''): Promise<void> {
  await page.goto(`${hubUrl}/dashboard${path}`);
  await page.fill('#key-input', adminKey);
  await page.click('#key-form button');
}
