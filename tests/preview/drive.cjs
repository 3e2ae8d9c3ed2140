// Drives `reportpress preview` in Debian's Chromium through puppeteer-core, for
// tests/preview.rs: opens the page, edits a paragraph and waits for its page to change,
// clicks characters, breaks the manuscript and mends it, and opens ?at=FILE:LINE.
// Usage: node drive.cjs CONFIG.json; prints what it saw as JSON on stdout.
'use strict';
const fs = require('fs');
const puppeteer = require('puppeteer-core');

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function replaceIn(file, from, to) {
  const text = fs.readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(from + ' is not in ' + file);
  fs.writeFileSync(file, text.replace(from, to));
}

async function pages(page) {
  return page.$$eval('.page', (figs) => figs.map((f) => ({ hash: f.dataset.hash, shown: f.dataset.shown, src: f.querySelector('img').getAttribute('src') })));
}

// Clicks point (x, y), in points from the page's top left, of page `index`.
async function clickAt(page, index, x, y) {
  await page.$eval('#place', (p) => { p.textContent = ''; });
  const point = await page.evaluate((index, x, y) => {
    const fig = document.querySelectorAll('.page')[index];
    fig.scrollIntoView({ block: 'center' });
    const box = fig.getBoundingClientRect();
    const [width, height] = fig.style.aspectRatio.split('/').map(Number);
    return { x: box.left + x / width * box.width, y: box.top + y / height * box.height };
  }, index, x, y);
  await page.mouse.click(point.x, point.y);
  await page.waitForFunction(() => document.querySelector('#place').textContent !== '', { timeout: 10000 });
  return page.$eval('#place', (p) => ({ text: p.textContent, file: p.dataset.file || null, cell: p.dataset.cell || null }));
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  const result = {};
  try {
    const page = await browser.newPage();
    const failures = [];
    page.on('pageerror', (error) => failures.push(String(error)));
    page.on('console', (message) => { if (message.type() === 'error') failures.push(message.text() + ' ' + (message.location().url || '')); });
    await page.setViewport({ width: 1000, height: 1200 });
    await page.goto(config.url);
    await page.waitForFunction(() => document.querySelectorAll('.page').length > 0, { timeout: 30000 });
    result.status = await page.$eval('#status', (s) => s.textContent);
    const target = config.edit.page;
    // The edited page in view, shown.
    await page.evaluate((i) => document.querySelectorAll('.page')[i].scrollIntoView({ block: 'center' }), target);
    await page.waitForFunction((i) => { const f = document.querySelectorAll('.page')[i]; return f.dataset.shown === f.dataset.hash; }, { timeout: 30000 }, target);
    const before = await pages(page);
    result.scrollBefore = await page.evaluate(() => window.scrollY);

    // A one-paragraph edit: wait for its page to be shown anew, then a while for any other.
    replaceIn(config.edit.file, config.edit.from, config.edit.to);
    const started = Date.now();
    await page.waitForFunction((i, old) => {
      const f = document.querySelectorAll('.page')[i];
      return f.dataset.hash !== old && f.dataset.shown === f.dataset.hash;
    }, { timeout: 30000, polling: 10 }, target, before[target].hash);
    result.editShownMs = Date.now() - started;
    await sleep(1500);
    const after = await pages(page);
    result.pageCount = [before.length, after.length];
    result.changed = after.map((p, i) => (before[i] && before[i].hash === p.hash && before[i].src === p.src ? null : i)).filter((i) => i !== null);
    result.scrollAfter = await page.evaluate(() => window.scrollY);

    // Clicks on characters.
    result.clicks = [];
    for (const click of config.clicks) result.clicks.push(await clickAt(page, click.page, click.x, click.y));

    // A broken manuscript: the errors over the last good pages; then mended.
    const good = await pages(page);
    replaceIn(config.broken.file, config.broken.from, config.broken.to);
    await page.waitForFunction(() => !document.querySelector('#error').hidden, { timeout: 30000 });
    result.error = await page.$eval('#error', (e) => e.textContent);
    result.pagesDuringError = (await pages(page)).map((p, i) => p.hash === good[i].hash);
    result.statusDuringError = await page.$eval('#status', (s) => s.textContent);
    replaceIn(config.broken.file, config.broken.to, config.broken.from);
    await page.waitForFunction(() => document.querySelector('#error').hidden, { timeout: 30000 });

    // From the manuscript to the page.
    await page.goto(config.url + '?at=' + encodeURIComponent(config.at));
    await page.waitForFunction(() => document.body.dataset.located !== undefined, { timeout: 30000 });
    result.located = Number(await page.evaluate(() => document.body.dataset.located));
    result.scrollAt = await page.evaluate(() => window.scrollY);
    result.failures = failures;
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(result));
})().catch((error) => {
  console.error(error && error.stack ? error.stack : String(error));
  process.exit(1);
});
