// Takes docs/dashboard.png from a running hub: npm run dashboard:screenshot -- <hub url> <admin key> [file]
// (start the demo first: npm start on a fresh data directory; give it a minute to come alive).
import { chromium } from 'playwright-core';

async function main(): Promise<void> {
  const [url = 'http://127.0.0.1:8080', key = process.env.ADMIN_API_KEY, out = 'docs/dashboard.png'] = process.argv.slice(2);
  if (!key) throw new Error('Give the admin key as the second argument or in ADMIN_API_KEY');
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${url}/dashboard`);
  await page.fill('#key-input', key);
  await page.click('#key-form button');
  await page.waitForSelector('body[data-loaded]');
  await page.screenshot({ path: out, fullPage: true });
  await browser.close();
  process.stdout.write(`${out}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
