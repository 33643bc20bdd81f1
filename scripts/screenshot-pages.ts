/**
 * Screenshots of the top of each published leaderboard page (results/<protocol>/screenshot-top.png), so
 * a reader of the repository sees what the page shows first without opening it. Headless Chromium
 * (Debian's package) through playwright-core. `node --import tsx scripts/screenshot-pages.ts [dir…] [--out-name NAME]`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!CHROMIUM) {
  process.stderr.write('screenshot-pages: no Chromium at /usr/bin/chromium (apt-get install chromium)\n');
  process.exit(2);
}
const args = process.argv.slice(2);
const nameAt = args.indexOf('--out-name');
const outName = nameAt >= 0 ? args[nameAt + 1]! : 'screenshot-top.png';
const given = nameAt < 0 ? args : args.filter((_, i) => i !== nameAt && i !== nameAt + 1);
const dirs = given.length ? given : readdirSync('results').map((d) => join('results', d)).filter((d) => existsSync(join(d, 'index.html')));
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  for (const dir of dirs) {
    await page.goto(pathToFileURL(resolve(dir, 'index.html')).href);
    await page.screenshot({ path: join(dir, outName), fullPage: false });
    console.log(`${join(dir, outName)}`);
  }
} finally {
  await browser.close();
}
